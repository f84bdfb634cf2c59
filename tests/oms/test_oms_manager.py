"""The OMS: one path, idempotent client ids, risk denials, event fold edge cases, replay."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slipstream.brokers.recording import RecordingBroker
from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.errors import BrokerUnavailableError, InputError, StateError
from slipstream.core.ids import ClientOrderId
from slipstream.kernel.rebuild import rebuild
from slipstream.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from slipstream.model.enums import LiquiditySide, OrderStatus, OrderType, Side
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderTriggered,
)
from slipstream.model.instrument import InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.manager import OrderManager
from slipstream.oms.records import EventAnomaly, RiskApproved
from slipstream.oms.risk_gate import Denial
from slipstream.oms.router import Router
from slipstream.portfolio.portfolio import Portfolio
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal, read_journal


class FailingBroker(RecordingBroker):
    """A venue that cannot be reached."""

    def submit(self, spec: OrderSpec) -> None:
        raise BrokerUnavailableError("venue down")


class DenyAbove:
    name = "deny_above"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        return None

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        if spec.quantity > self.limit:
            return Denial(
                "order_size", f"{spec.quantity} > {self.limit}", {"limit": str(self.limit)}
            )
        return None


def _spec(cid: str, qty: int = 100, **kw: object) -> OrderSpec:
    base: dict[str, object] = {
        "client_order_id": ClientOrderId(cid),
        "symbol": "IBM",
        "side": Side.BUY,
        "quantity": qty,
    }
    base.update(kw)
    return OrderSpec(**base)  # type: ignore[arg-type]


def _fill(cid: str, trade: str, qty: int, px: str = "10.00") -> OrderFilled:
    return OrderFilled(
        ClientOrderId(cid),
        5,
        5,
        trade,
        "V1",
        "IBM",
        Side.BUY,
        qty,
        Decimal(px),
        Decimal("0.10"),
        LiquiditySide.TAKER,
    )


Setup = tuple[OrderManager, RecordingBroker, Journal, Portfolio]


@pytest.fixture
def setup(instruments: InstrumentTable, tmp_path: Path) -> Setup:
    clock = SimClock(1)
    bus = MessageBus()
    broker = RecordingBroker()
    journal = Journal(SQLiteBackend(tmp_path / "j.db"), group_size=4)
    oms = OrderManager(clock, bus, instruments, Router(broker), journal, DenyAbove(1000))
    portfolio = Portfolio(Decimal(100_000))
    bus.subscribe(OrderFilled, portfolio.on_fill)
    return oms, broker, journal, portfolio


def test_submit_goes_the_one_path_and_is_journalled_first(setup: Setup) -> None:
    oms, broker, journal, _ = setup
    order = oms.submit(SubmitOrder(1, _spec("a")))
    assert order.status is OrderStatus.SUBMITTED
    assert broker.requests == [("submit", "a")]
    journal.flush()
    kinds = [type(r).__name__ for _, _, r in journal.records()]
    assert kinds == ["SubmitOrder", "OrderInitialized", "RiskApproved", "OrderSubmitted"]


def test_same_client_id_never_makes_a_second_order(setup: Setup) -> None:
    oms, broker, _, _ = setup
    first = oms.submit(SubmitOrder(1, _spec("a")))
    second = oms.submit(SubmitOrder(2, _spec("a", qty=500)))
    assert first is second and len(oms.store) == 1
    assert broker.requests == [("submit", "a")]


def test_denial_is_an_event_and_nothing_reaches_the_broker(setup: Setup) -> None:
    oms, broker, journal, _ = setup
    order = oms.submit(SubmitOrder(1, _spec("big", qty=5000)))
    assert order.status is OrderStatus.DENIED
    assert broker.requests == []
    journal.flush()
    denied = [r for _, _, r in journal.records() if type(r).__name__ == "OrderDenied"]
    assert denied[0].check == "order_size"
    assert not [r for _, _, r in journal.records() if isinstance(r, RiskApproved)]


def test_bad_input_changes_nothing(setup: Setup) -> None:
    oms, broker, journal, _ = setup
    with pytest.raises(InputError, match="limit_price"):
        oms.submit(SubmitOrder(1, _spec("x", order_type=OrderType.LIMIT)))
    with pytest.raises(InputError, match="symbol"):
        oms.submit(SubmitOrder(1, _spec("y", symbol="NOPE")))
    journal.flush()
    assert len(oms.store) == 0 and broker.requests == [] and journal.verify() == 0


def test_out_of_order_duplicate_and_late_events(setup: Setup) -> None:
    oms, broker, _, portfolio = setup
    oms.submit(SubmitOrder(1, _spec("a")))
    assert broker.sink is not None
    broker.sink(_fill("a", "t1", 40))  # fill before the ack
    broker.sink(_fill("a", "t1", 40))  # duplicate
    broker.sink(OrderAccepted(ClientOrderId("a"), 3, 3, "V1"))  # ack after a fill: late
    broker.sink(_fill("a", "t2", 60))
    broker.sink(OrderAccepted(ClientOrderId("a"), 4, 4, "V1"))  # late ack after FILLED
    broker.sink(OrderTriggered(ClientOrderId("a"), 4, 4, Decimal("10")))  # late trigger
    order = oms.store.get("a")
    assert order is not None and order.status is OrderStatus.FILLED and order.filled_qty == 100
    assert oms.duplicates_dropped == 1 and oms.late_dropped == 3
    assert portfolio.position("IBM").quantity == 100


def test_overfill_and_unknown_order_become_anomalies(setup: Setup) -> None:
    oms, broker, _, portfolio = setup
    seen: list[EventAnomaly] = []
    oms._bus.subscribe(EventAnomaly, seen.append)
    oms.submit(SubmitOrder(1, _spec("a")))
    assert broker.sink is not None
    broker.sink(_fill("a", "t1", 80))
    broker.sink(_fill("a", "t2", 80))
    broker.sink(_fill("ghost", "t3", 10))
    stored = oms.store.get("a")
    assert stored is not None
    assert stored.filled_qty == 80
    assert portfolio.position("IBM").quantity == 80
    assert [a.client_order_id for a in seen] == ["a", "ghost"]


def test_cancel_and_modify_go_to_the_venue_the_order_went_to(setup: Setup) -> None:
    oms, broker, _, _ = setup
    oms.submit(SubmitOrder(1, _spec("l", order_type=OrderType.LIMIT, limit_price=Decimal("10.00"))))
    assert broker.sink is not None
    broker.sink(OrderAccepted(ClientOrderId("l"), 2, 2, "V1"))
    with pytest.raises(InputError, match="tick"):
        oms.modify(ModifyOrder(3, ClientOrderId("l"), limit_price=Decimal("10.051")))
    oms.modify(ModifyOrder(3, ClientOrderId("l"), quantity=200, limit_price=Decimal("10.05")))
    stored = oms.store.get("l")
    assert stored is not None
    assert stored.status is OrderStatus.PENDING_REPLACE
    assert oms.cancel(CancelOrder(4, ClientOrderId("l")))
    broker.sink(OrderCancelled(ClientOrderId("l"), 5, 5, "user"))
    assert not oms.cancel(CancelOrder(6, ClientOrderId("l")))
    with pytest.raises(StateError):
        oms.modify(ModifyOrder(7, ClientOrderId("l"), quantity=300))
    assert [r[0] for r in broker.requests] == ["submit", "modify", "cancel"]


def test_broker_refusing_the_request_rejects_the_order(instruments: InstrumentTable) -> None:
    oms = OrderManager(SimClock(0), MessageBus(), instruments, Router(FailingBroker()))
    order = oms.submit(SubmitOrder(1, _spec("a")))
    assert order.status is OrderStatus.REJECTED


def test_replay_rebuilds_identical_orders_and_positions(
    setup: Setup, instruments: InstrumentTable
) -> None:
    oms, broker, journal, portfolio = setup
    assert broker.sink is not None
    oms.submit(SubmitOrder(1, _spec("a")))
    broker.sink(OrderAccepted(ClientOrderId("a"), 2, 2, "V1"))
    broker.sink(_fill("a", "t1", 30, "10.00"))
    broker.sink(_fill("a", "t2", 70, "10.20"))
    oms.submit(SubmitOrder(2, _spec("b", qty=5000)))
    oms.submit(SubmitOrder(3, _spec("c", order_type=OrderType.LIMIT, limit_price=Decimal("9.00"))))
    oms.cancel(CancelOrder(4, ClientOrderId("c")))
    journal.flush()
    state = rebuild((r for _, _, r in journal.records()), instruments)
    for order in oms.store:
        again = state.oms.store.get(order.client_order_id)
        assert again is not None
        assert (again.status, again.filled_qty, again.avg_px) == (
            order.status,
            order.filled_qty,
            order.avg_px,
        )
    pos, pos2 = portfolio.position("IBM"), state.portfolio.position("IBM")
    assert (pos2.quantity, pos2.avg_cost, pos2.realized_pnl) == (
        pos.quantity,
        pos.avg_cost,
        pos.realized_pnl,
    )


def _journal_with_batches(path: Path, instruments: InstrumentTable) -> None:
    journal = Journal(SQLiteBackend(path), group_size=2)
    oms = OrderManager(SimClock(0), MessageBus(), instruments, Router(RecordingBroker()), journal)
    oms.submit(SubmitOrder(1, _spec("a")))
    oms.submit(SubmitOrder(2, _spec("b")))
    journal.close()


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE journal SET payload = replace(payload, '100', '900')",
        "DELETE FROM journal WHERE first_seq = 3",
        "UPDATE journal SET first_seq = first_seq + 100 WHERE first_seq = 1",
    ],
)
def test_journal_hash_chain_detects_tampering(
    tmp_path: Path, instruments: InstrumentTable, tamper: str
) -> None:
    import sqlite3

    from slipstream.core.errors import JournalError

    path = tmp_path / "j.db"
    _journal_with_batches(path, instruments)
    # Two orders of four records each, and the clean close.
    assert read_journal(path).verify() == 9
    db = sqlite3.connect(path)
    db.execute(tamper)
    db.commit()
    db.close()
    with pytest.raises(JournalError, match=r"hash chain broken|sequence gap"):
        read_journal(path).verify()
