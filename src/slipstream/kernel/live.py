"""The kernel with a live or paper broker, and its restart from the journal.

The broker's SDK threads only queue records; nothing reaches the OMS until the core thread
calls :meth:`LiveKernel.pump`, so order state stays single-threaded.

**Durability.** The journal is flushed before every request leaves for the broker
(``flush_before_send``) and at the end of every pump, so every broker event (ack, fill, cancel)
an engine acted on is on disk before the action left: a crash can lose only the records of the
last pump that led to no request, and the broker still holds those facts, which the restart's
reconciliation asks for again.

**Restart.** A kernel opened on its own journal (``journal_mode="continue"``) first folds the
journal through the same code as live trading (orders through the OMS, positions through the
portfolio, trading state, parents and their children through the algorithm engine); nothing is
decided while it replays. It then asks the broker about every order that was not final
(query by id) and folds what it missed, adopts the working ones so their later executions
arrive, restarts the working parents where they stand, and only then accepts new work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from slipstream.algos.parent import (
    ParentAccepted,
    ParentAmended,
    ParentCancelled,
    ParentClosing,
    ParentCompleted,
    ParentPaused,
    ParentResumed,
)
from slipstream.algos.registry import parent_from_accepted
from slipstream.brokers.contract import Broker
from slipstream.core.clock import Clock, LiveClock, monotonic_ns
from slipstream.core.errors import JournalError
from slipstream.kernel.core import Kernel, KernelSettings
from slipstream.model.enums import OrderStatus
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import MarketRecord
from slipstream.model.orders import Order
from slipstream.portfolio.reconciliation import ReconciliationReport
from slipstream.portfolio.records import PortfolioSeeded
from slipstream.risk.events import TradingStateChanged
from slipstream.store.records import JournalClosed, SessionResumed, SessionStarted

_PARENT_EVENTS = (
    ParentPaused,
    ParentResumed,
    ParentAmended,
    ParentClosing,
    ParentCompleted,
    ParentCancelled,
)
#: Final states in which a broker may still report an execution we missed (a late fill).
_LATE_FILL_STATES = (OrderStatus.CANCELLED, OrderStatus.EXPIRED)


class PumpedBroker(Broker, Protocol):
    """A broker whose events wait on a queue until the core thread collects them."""

    def drain(self) -> int:
        """Deliver every waiting event to the sink given to ``connect``; return how many."""
        ...

    def wait_events(self, timeout_s: float) -> int:
        """Block up to ``timeout_s`` for events, deliver them; return how many."""
        ...

    def adopt(self, order: Order) -> None:
        """Follow an order sent before a restart, without sending anything."""
        ...

    def close(self) -> None:
        """Stop the broker's workers and connections."""
        ...


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What a restart found in its journal and at the broker, and how long it took."""

    records: int
    closed_cleanly: bool
    orders: int
    open_orders: int
    settled_by_broker: int
    adopted: int
    parents_restarted: int
    reconciliation: ReconciliationReport
    recovery_ms: float

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for JSON)."""
        rec = self.reconciliation
        return {
            "records": self.records,
            "closed_cleanly": self.closed_cleanly,
            "orders": self.orders,
            "open_orders": self.open_orders,
            "settled_by_broker": self.settled_by_broker,
            "adopted": self.adopted,
            "parents_restarted": self.parents_restarted,
            "breaks": len(rec.breaks),
            "in_sync_pct": rec.in_sync_pct,
            "recovery_ms": round(self.recovery_ms, 1),
        }


class LiveKernel(Kernel):
    """A complete Slipstream engine trading through a live or paper broker."""

    mode = "live"

    def __init__(
        self,
        instruments: InstrumentTable,
        broker: PumpedBroker,
        settings: KernelSettings | None = None,
        clock: Clock | None = None,
    ) -> None:
        settings = settings or KernelSettings()
        self.broker = broker
        super().__init__(
            instruments, broker, clock or LiveClock(), settings, flush_before_send=True
        )
        self.recovery: RecoveryReport | None = None
        try:
            if settings.journal_mode == "continue":
                self.recovery = self._recover()
            else:
                self._begin(self.clock.timestamp_ns())
            if self.journal is not None:
                self.journal.flush()
        except BaseException:
            self.close_journal(clean=False)  # a refused restart must not keep the lock
            raise

    # -- running ---------------------------------------------------------------------------

    def on_market(self, record: MarketRecord) -> None:
        """Publish a market record (marks, algorithms); the venue has its own market."""
        self.bus.publish(record)

    def pump(self, timeout_s: float = 0.0) -> int:
        """Fire due timers, deliver the broker's waiting events and commit them; return events.

        With ``timeout_s`` > 0, block up to that long for the first event.
        """
        if isinstance(self.clock, LiveClock):
            self.clock.run_due()
        delivered = self.broker.wait_events(timeout_s) if timeout_s > 0 else self.broker.drain()
        if self.journal is not None:
            self.journal.flush()
        return delivered

    def pump_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Pump until ``done()`` holds or ``timeout_s`` passes; return whether it holds."""
        deadline = monotonic_ns() + int(timeout_s * 1e9)
        while not done():
            if monotonic_ns() >= deadline:
                return False
            self.pump(0.02)
        return True

    def reconcile(self) -> ReconciliationReport:
        """Reconcile every order and position with the broker's own reports."""
        return self.reconciler.reconcile(self.oms.store, self._positions)

    def close(self) -> None:
        """Journal the closing marks and a clean close, then disconnect the broker."""
        try:
            self._record_marks()
            self.close_journal(clean=True)
        finally:
            self.close_journal(clean=False)  # no-op once closed; releases the lock otherwise
            self.broker.close()

    def _positions(self) -> dict[str, int]:
        return {s: p.quantity for s, p in self.portfolio.positions.items()}

    # -- restart ---------------------------------------------------------------------------

    def _recover(self) -> RecoveryReport:
        started = monotonic_ns()
        journal = self.journal
        if journal is None:
            raise JournalError("a restart needs the engine's journal")
        counted = {"records": 0, "closed": False}
        self.replaying = True
        if self.risk is not None:
            self.risk.replaying = True
        try:
            self.oms.replay(self._replayed(journal.records(), counted))
        finally:
            self.replaying = False
            if self.risk is not None:
                self.risk.replaying = False
        self.ids.skip_past(_highest_counter(self.oms.store))
        working = [o for o in self.oms.store if not o.status.is_terminal]
        # Orders that ended cancelled or expired are asked too: a fill reported after the
        # cancel, in the pump the crash cut short, is still the broker's fact to fold.
        ended = [
            o
            for o in self.oms.store
            if o.status in _LATE_FILL_STATES and o.venue_order_id is not None
        ]
        report = self.reconciler.reconcile([*working, *ended], self._positions)
        # What the broker reported final is settled; the rest is followed again, never re-sent
        # (an order whose acknowledgement was lost is looked up by its client order id).
        still_open = [o for o in working if not o.status.is_terminal]
        for order in still_open:
            self.broker.adopt(order)
        now = self.clock.timestamp_ns()
        self.bus.publish(SessionResumed(counted["records"], bool(counted["closed"]), now))
        restarted = self.algos.restart_working()
        return RecoveryReport(
            counted["records"],
            bool(counted["closed"]),
            len(self.oms.store),
            len(working),
            len(working) - len(still_open),
            len(still_open),
            restarted,
            report,
            (monotonic_ns() - started) / 1e6,
        )

    def _replayed(
        self, records: Iterator[tuple[int, int, Any]], counted: dict[str, Any]
    ) -> Iterator[Any]:
        """Fold what is not an order record into its owner; yield every record to the OMS."""
        for _seq, _ts, record in records:
            counted["records"] += 1
            counted["closed"] = isinstance(record, JournalClosed)
            if isinstance(record, SessionStarted) and record.mode != self.mode:
                raise JournalError(
                    f"journal holds a {record.mode} session; a live engine cannot resume it"
                )
            if isinstance(record, PortfolioSeeded):
                self.portfolio.cash = record.cash
                for seed in record.positions:
                    self.portfolio.seed_position(seed.symbol, seed.quantity, seed.avg_cost)
            elif isinstance(record, ParentAccepted):
                self.algos.restore(parent_from_accepted(record))
            elif isinstance(record, _PARENT_EVENTS):
                self.algos.restore_event(record)
            elif isinstance(record, TradingStateChanged) and self.risk is not None:
                self.risk.restore_state(record)
            yield record


def _highest_counter(orders: Any) -> int:
    """Return the largest id counter used by a child order (``<parent>.<counter>``)."""
    highest = 0
    for order in orders:
        if order.spec.parent_id is None:
            continue
        tail = str(order.client_order_id).rpartition(".")[2]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return highest
