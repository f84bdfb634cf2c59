"""Reconciliation: our orders, fills and positions against the broker's own reports.

Run at start-up (after the journal has been replayed) and periodically. Each difference is a
*break*, and every break is reported and either **resolved** — the broker's facts are folded in
through the same path as live events (a missed fill inserted, a missed acknowledgement, cancel
or expiry applied, a lost modify applied) — or **escalated** to a callback when it cannot be
explained safely (an order the broker never saw but we think is live, fills that would over-fill,
an order at the broker that we never sent, a position that still differs after the orders are
settled). Position breaks go to ``on_position_break``, which the risk engine uses to halt
trading.

The broker is the source of truth for what happened at the venue; the journal is the source of
truth for what we asked for. Reconciliation never sends an order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from slipstream.core.clock import Clock
from slipstream.core.timestamps import NS_PER_SEC
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderUpdated,
)
from slipstream.model.orders import TRANSITIONS, Order, Trigger

RESOLVED = "resolved"
ESCALATED = "escalated"


class OrderReport(Protocol):
    """The broker's view of one order (``brokers.contract.OrderStatusReport`` fits)."""

    @property
    def client_order_id(self) -> str: ...
    @property
    def venue_order_id(self) -> str | None: ...
    @property
    def symbol(self) -> str: ...
    @property
    def status(self) -> OrderStatus: ...
    @property
    def quantity(self) -> int: ...
    @property
    def filled_qty(self) -> int: ...
    @property
    def fills(self) -> tuple[OrderFilled, ...]: ...


class PositionReport(Protocol):
    """The broker's view of one position (``brokers.contract.PositionReport`` fits)."""

    @property
    def symbol(self) -> str: ...
    @property
    def quantity(self) -> int: ...


class BrokerReports(Protocol):
    """The reports reconciliation reads; every ``Broker`` provides them.

    Declared here, structurally, so the portfolio does not depend on the brokers package.
    """

    def query_order(self, client_order_id: str) -> OrderReport | None: ...
    def open_orders(self) -> Sequence[OrderReport]: ...
    def positions(self) -> Sequence[PositionReport]: ...


@dataclass(frozen=True, slots=True)
class Break:
    """One difference between our records and the broker's, and what was done about it."""

    kind: str
    client_order_id: str | None
    symbol: str | None
    ours: str
    broker: str
    resolution: str


@dataclass(frozen=True, slots=True)
class PositionBreak:
    """A position that differs from the broker's after every order was reconciled."""

    symbol: str
    local_quantity: int
    broker_quantity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """What one reconciliation pass checked and found."""

    ts_ns: int
    orders_checked: int
    positions_checked: int
    breaks: tuple[Break, ...]

    @property
    def resolved(self) -> int:
        """Return how many breaks were resolved from the broker's facts."""
        return sum(1 for b in self.breaks if b.resolution == RESOLVED)

    @property
    def escalated(self) -> int:
        """Return how many breaks were escalated."""
        return sum(1 for b in self.breaks if b.resolution == ESCALATED)

    @property
    def in_sync_pct(self) -> float:
        """Return the share of checked items in sync after resolution, in percent."""
        checked = self.orders_checked + self.positions_checked
        return 100.0 if checked == 0 else 100.0 * (checked - self.escalated) / checked


class Reconciler:
    """Compare a broker's reports with our orders and positions; resolve or escalate breaks.

    ``apply_event`` folds a broker fact into our state exactly as a live broker event would
    (the OMS's broker sink). ``on_position_break`` and ``on_break`` receive escalations.
    """

    def __init__(
        self,
        broker: BrokerReports,
        clock: Clock,
        apply_event: Callable[[OrderEvent], None],
        on_position_break: Callable[[PositionBreak], None] | None = None,
        on_break: Callable[[Break], None] | None = None,
    ) -> None:
        self._broker = broker
        self._clock = clock
        self._apply = apply_event
        self._on_position_break = on_position_break
        self._on_break = on_break
        self.reports: list[ReconciliationReport] = []

    def reconcile(
        self, orders: Iterable[Order], positions: Callable[[], Mapping[str, int]]
    ) -> ReconciliationReport:
        """Reconcile ``orders`` (ours) and then ``positions()`` (ours, read after orders)."""
        now = self._clock.timestamp_ns()
        breaks: list[Break] = []
        ours = list(orders)
        known = {str(o.client_order_id) for o in ours}
        for order in ours:
            if order.status in (OrderStatus.INITIALIZED, OrderStatus.DENIED):
                continue
            breaks.extend(self._order(order, self._broker.query_order(order.client_order_id)))
        for report in self._broker.open_orders():
            if report.client_order_id not in known:
                breaks.append(
                    Break(
                        "foreign_order",
                        report.client_order_id,
                        report.symbol,
                        "no such order",
                        f"{report.status.value} {report.quantity}",
                        ESCALATED,
                    )
                )
        local = dict(positions())
        broker_positions = {p.symbol: p.quantity for p in self._broker.positions()}
        symbols = sorted(set(local) | set(broker_positions))
        for symbol in symbols:
            mine, theirs = local.get(symbol, 0), broker_positions.get(symbol, 0)
            if mine != theirs:
                breaks.append(Break("position", None, symbol, str(mine), str(theirs), ESCALATED))
                if self._on_position_break is not None:
                    self._on_position_break(PositionBreak(symbol, mine, theirs, now))
        for found in breaks:
            if found.resolution == ESCALATED and found.kind != "position" and self._on_break:
                self._on_break(found)
        result = ReconciliationReport(now, len(ours), len(symbols), tuple(breaks))
        self.reports.append(result)
        return result

    def start_periodic(
        self,
        interval_secs: float,
        orders: Callable[[], Iterable[Order]],
        positions: Callable[[], Mapping[str, int]],
        name: str = "reconciliation",
    ) -> None:
        """Reconcile every ``interval_secs`` on the clock's timers (re-armed after each run)."""
        step = int(interval_secs * NS_PER_SEC)

        def fire(at_ns: int) -> None:
            self.reconcile(orders(), positions)
            self._clock.set_timer(name, at_ns + step, fire)

        self._clock.set_timer(name, self._clock.timestamp_ns() + step, fire)

    # -- one order ---------------------------------------------------------------------------

    def _order(self, order: Order, report: OrderReport | None) -> list[Break]:
        coid, symbol = str(order.client_order_id), order.spec.symbol
        if report is None:
            if order.status is OrderStatus.SUBMITTED:
                self._apply(
                    OrderRejected(order.client_order_id, *self._now(), "not received by the broker")
                )
                return [Break("status", coid, symbol, "submitted", "never received", RESOLVED)]
            if order.status.is_terminal and order.filled_qty == 0:
                return []
            return [Break("unknown_at_broker", coid, symbol, order.status.value, "none", ESCALATED)]
        breaks: list[Break] = []
        if order.status is OrderStatus.SUBMITTED and report.venue_order_id:
            self._apply(OrderAccepted(order.client_order_id, *self._now(), report.venue_order_id))
            breaks.append(Break("ack", coid, symbol, "submitted", "accepted", RESOLVED))
        for fill in report.fills:
            if fill.trade_id in order.trade_ids:
                continue
            if order.filled_qty + fill.last_qty > order.quantity:
                breaks.append(
                    Break(
                        "overfill",
                        coid,
                        symbol,
                        f"{order.filled_qty}/{order.quantity}",
                        f"+{fill.last_qty} ({fill.trade_id})",
                        ESCALATED,
                    )
                )
                continue
            before = order.filled_qty
            self._apply(fill)
            if order.filled_qty > before:
                breaks.append(
                    Break("missing_fill", coid, symbol, str(before), fill.trade_id, RESOLVED)
                )
        if (
            report.quantity != order.quantity
            and not report.status.is_terminal
            and (order.status, Trigger.REPLACE) in TRANSITIONS
        ):
            ours = order.quantity
            self._apply(
                OrderUpdated(
                    order.client_order_id,
                    *self._now(),
                    report.quantity,
                    order.limit_price,
                    order.stop_price,
                ),
            )
            breaks.append(
                Break("quantity", coid, symbol, str(ours), str(report.quantity), RESOLVED)
            )
        breaks.extend(self._status(order, report))
        if report.filled_qty != order.filled_qty:
            breaks.append(
                Break(
                    "filled_qty",
                    coid,
                    symbol,
                    str(order.filled_qty),
                    str(report.filled_qty),
                    ESCALATED,
                )
            )
        return breaks

    def _status(self, order: Order, report: OrderReport) -> list[Break]:
        theirs = report.status
        if order.status.is_terminal or not theirs.is_terminal or theirs is OrderStatus.FILLED:
            return []
        ours = order.status.value
        event: OrderEvent
        if theirs is OrderStatus.EXPIRED:
            event = OrderExpired(order.client_order_id, *self._now())
        elif theirs is OrderStatus.REJECTED and order.status is OrderStatus.SUBMITTED:
            event = OrderRejected(order.client_order_id, *self._now(), "rejected by the broker")
        else:
            event = OrderCancelled(
                order.client_order_id, *self._now(), f"{theirs.value} at the broker"
            )
        self._apply(event)
        resolution = RESOLVED if order.status.is_terminal else ESCALATED
        return [
            Break(
                "status",
                str(order.client_order_id),
                order.spec.symbol,
                ours,
                theirs.value,
                resolution,
            )
        ]

    def _now(self) -> tuple[int, int]:
        now = self._clock.timestamp_ns()
        return now, now
