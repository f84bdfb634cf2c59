"""Restart edge cases a review found: each is a crash at the worst moment of a live session.

The broker is a scripted one (the recording broker with a queue the kernel pumps, canned order
reports and adoption); a crash is the journal's staged records dropped and its file released
without a close, exactly what SIGKILL leaves.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.algos.engine import ParentState
from slipstream.algos.registry import make_parent
from slipstream.brokers.contract import OrderStatusReport, PositionReport
from slipstream.brokers.recording import RecordingBroker
from slipstream.core.clock import SimClock
from slipstream.core.errors import JournalError
from slipstream.core.ids import ClientOrderId
from slipstream.kernel import KernelSettings, LiveKernel
from slipstream.marketdata.reference import instruments_for
from slipstream.model.enums import LiquiditySide, OrderStatus, Side
from slipstream.model.events import OrderAccepted, OrderCancelled, OrderEvent, OrderFilled
from slipstream.model.market import QuoteTick
from slipstream.model.orders import Order
from slipstream.store.backend import Head, Row, SQLiteBackend
from slipstream.store.journal import open_journal
from slipstream.store.records import SessionStarted

T0 = 1_700_000_000_000_000_000
SEC = 1_000_000_000


class ScriptedBroker(RecordingBroker):
    """A pumped broker: events wait in ``queue`` until the kernel pumps; reports are canned."""

    def __init__(self) -> None:
        super().__init__("scripted")
        self.queue: list[OrderEvent] = []
        self.reports: dict[str, OrderStatusReport] = {}
        self.held: list[PositionReport] = []
        self.adopted: list[str] = []

    def drain(self) -> int:
        count = 0
        while self.queue:
            self.emit(self.queue.pop(0))
            count += 1
        return count

    def wait_events(self, timeout_s: float) -> int:
        return self.drain()

    def adopt(self, order: Order) -> None:
        self.adopted.append(str(order.client_order_id))

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        return self.reports.get(client_order_id)

    def positions(self) -> list[PositionReport]:
        return list(self.held)


def _kernel(journal: Path, mode: str, now: int, broker: ScriptedBroker) -> LiveKernel:
    settings = KernelSettings(journal_path=journal, journal_mode=mode)  # type: ignore[arg-type]
    kernel = LiveKernel(instruments_for(["IBM"]), broker, settings, SimClock(now))
    kernel.on_market(QuoteTick("IBM", Decimal("180.00"), Decimal("180.02"), 500, 500, now))
    return kernel


def _crash(kernel: LiveKernel) -> None:
    """What SIGKILL leaves: staged records lost, the file released, no close record."""
    journal = kernel.journal
    assert journal is not None
    journal._pending.clear()
    journal._backend.close()


def _working_parent(journal: Path) -> tuple[LiveKernel, ScriptedBroker, ClientOrderId]:
    broker = ScriptedBroker()
    kernel = _kernel(journal, "new", T0, broker)
    parent = make_parent(
        "P1",
        "IBM",
        "buy",
        1000,
        "twap",
        T0,
        T0 + 600 * SEC,
        "medium",
        None,
        {"slices": 4, "interval_secs": 30},
    )
    kernel.submit_parent(parent)
    child = broker.submitted()[0].client_order_id
    broker.queue.append(OrderAccepted(child, T0, T0, "V1"))
    kernel.pump()
    return kernel, broker, child


def _report(
    child: str, status: OrderStatus, filled: int = 0, fills: tuple[OrderFilled, ...] = ()
) -> OrderStatusReport:
    price = Decimal("180.01") if filled else None
    return OrderStatusReport(child, "V1", "IBM", status, 250, filled, price, fills)


def test_a_parent_cancelling_at_the_crash_goes_on_closing_and_sends_nothing(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    kernel, _, child = _working_parent(journal)
    kernel.cancel_parent("P1")
    kernel.pump()
    assert kernel.algos.summary("P1").state is ParentState.CANCELLING
    _crash(kernel)
    again = ScriptedBroker()
    again.reports[child] = _report(child, OrderStatus.ACCEPTED)
    restarted = _kernel(journal, "continue", T0 + SEC, again)
    assert restarted.algos.summary("P1").state is ParentState.CANCELLING
    now = T0 + SEC
    again.queue.append(OrderCancelled(child, now, now, "user"))
    restarted.pump()
    assert restarted.algos.summary("P1").state is ParentState.CANCELLED
    assert again.submitted() == []  # the cancelled parent never traded again


def test_a_pause_survives_a_crash_before_the_next_commit(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    kernel, _, child = _working_parent(journal)
    kernel.pause_parent("P1")  # the child cancel leaves at once (and commits what came before)
    _crash(kernel)
    again = ScriptedBroker()
    again.reports[child] = _report(child, OrderStatus.CANCELLED)
    restarted = _kernel(journal, "continue", T0 + SEC, again)
    restarted.pump()
    assert restarted.algos.summary("P1").state is ParentState.PAUSED
    restarted.clock.advance_to(T0 + 40 * SEC)  # type: ignore[attr-defined]
    restarted.pump()
    assert again.submitted() == []


def test_a_late_fill_on_a_cancelled_order_lost_by_the_crash_is_recovered(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    kernel, broker, child = _working_parent(journal)
    fill = OrderFilled(
        child,
        T0,
        T0,
        "T1",
        "V1",
        "IBM",
        Side.BUY,
        100,
        Decimal("180.01"),
        Decimal("0.35"),
        LiquiditySide.MAKER,
    )
    broker.queue += [OrderCancelled(child, T0, T0, "venue"), fill]
    broker.drain()  # the pump's events, without its final commit: the crash lands here
    _crash(kernel)
    again = ScriptedBroker()
    again.reports[child] = _report(child, OrderStatus.CANCELLED, 100, (fill,))
    again.held = [PositionReport("IBM", 100, Decimal("180.01"))]
    restarted = _kernel(journal, "continue", T0 + SEC, again)
    order = restarted.oms.store.get(child)
    assert order is not None and order.filled_qty == 100
    assert restarted.portfolio.positions["IBM"].quantity == 100
    assert restarted.algos.summary("P1").filled_qty == 100
    assert restarted.recovery is not None
    kinds = [b.kind for b in restarted.recovery.reconciliation.breaks]
    assert "missing_fill" in kinds  # (the replacement child the broker never got is a status break)


def test_a_failed_construction_releases_the_journal_lock(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    writer = open_journal(journal, "new")
    writer.append(SessionStarted("simulation", {}, 1), 1)
    writer.close()
    with pytest.raises(JournalError, match="live engine cannot resume"):
        _kernel(journal, "continue", T0, ScriptedBroker())
    SQLiteBackend(journal).close()  # the lock is free again


class _FailingBackend(SQLiteBackend):
    fail = True

    def append(self, row: Row, head: Head) -> None:
        if self.fail:
            raise JournalError("disk full")
        super().append(row, head)


def test_a_failed_commit_keeps_the_records_and_leaves_no_hole(tmp_path: Path) -> None:
    from slipstream.store.journal import Journal, read_journal

    backend = _FailingBackend(tmp_path / "j.db")
    journal = Journal(backend, group_size=100)
    journal.append(SessionStarted("live", {}, 1), 1)
    with pytest.raises(JournalError, match="disk full"):
        journal.flush()
    backend.fail = False
    journal.append(SessionStarted("live", {"second": "2"}, 2), 2)
    journal.close()
    assert read_journal(tmp_path / "j.db").verify() == 3  # both records and the close
