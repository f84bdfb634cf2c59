"""Reconciliation finds every break between our orders/positions and the broker's reports."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from slipstream.brokers.contract import OrderStatusReport, PositionReport
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, OrderStatus, Side
from slipstream.model.events import (
    OrderAccepted,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderSubmitted,
)
from slipstream.model.orders import Order
from slipstream.model.orders_spec import OrderSpec
from slipstream.portfolio.reconciliation import (
    ESCALATED,
    RESOLVED,
    Break,
    PositionBreak,
    Reconciler,
)

D = Decimal


class FakeBroker:
    """Reports set by the test; no behaviour."""

    def __init__(self) -> None:
        self.reports: dict[str, OrderStatusReport] = {}
        self.open: list[OrderStatusReport] = []
        self.held: list[PositionReport] = []

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        return self.reports.get(client_order_id)

    def open_orders(self) -> Sequence[OrderStatusReport]:
        return self.open

    def positions(self) -> Sequence[PositionReport]:
        return self.held


def fill(coid: str, trade: str, qty: int, px: str = "10") -> OrderFilled:
    return OrderFilled(
        ClientOrderId(coid),
        1,
        1,
        trade,
        "V-" + coid,
        "IBM",
        Side.BUY,
        qty,
        D(px),
        D(0),
        LiquiditySide.TAKER,
    )


def order(coid: str, qty: int = 100, accepted: bool = True) -> Order:
    spec = OrderSpec(ClientOrderId(coid), "IBM", Side.BUY, qty)
    result = Order(OrderInitialized(spec.client_order_id, 0, 0, spec))
    result.apply(OrderSubmitted(spec.client_order_id, 0, 0, "fake"))
    if accepted:
        result.apply(OrderAccepted(spec.client_order_id, 0, 0, "V-" + coid))
    return result


def report(
    coid: str, status: OrderStatus, qty: int, fills: tuple[OrderFilled, ...] = ()
) -> OrderStatusReport:
    filled = sum(f.last_qty for f in fills)
    return OrderStatusReport(
        coid, "V-" + coid, "IBM", status, qty, filled, D(10) if filled else None, fills
    )


class World:
    """Our side: orders folded by ``apply`` (as the OMS sink would), positions from fills."""

    def __init__(self, *orders: Order) -> None:
        self.orders: dict[str, Order] = {o.client_order_id: o for o in orders}
        self.broker = FakeBroker()
        self.position_breaks: list[PositionBreak] = []
        self.escalations: list[Break] = []
        self.reconciler = Reconciler(
            self.broker,
            SimClock(5),
            self.apply,
            self.position_breaks.append,
            self.escalations.append,
        )

    def apply(self, event: OrderEvent) -> None:
        self.orders[event.client_order_id].apply(event)

    def positions(self) -> dict[str, int]:
        return {"IBM": sum(o.filled_qty for o in self.orders.values())}

    def run(self) -> list[Break]:
        return list(self.reconciler.reconcile(self.orders.values(), self.positions).breaks)


def test_in_sync_has_no_breaks() -> None:
    world = World(order("A"))
    world.broker.reports["A"] = report("A", OrderStatus.ACCEPTED, 100)
    result = world.reconciler.reconcile(world.orders.values(), world.positions)
    assert result.breaks == () and result.in_sync_pct == 100.0


def test_missed_fills_are_inserted_and_positions_then_agree() -> None:
    world = World(order("A"))
    fills = (fill("A", "t1", 40), fill("A", "t2", 60))
    world.orders["A"].apply(fills[0])  # we saw the first execution, missed the second
    world.broker.reports["A"] = report("A", OrderStatus.FILLED, 100, fills)
    world.broker.held = [PositionReport("IBM", 100, D(10))]
    breaks = world.run()
    assert [(b.kind, b.resolution) for b in breaks] == [("missing_fill", RESOLVED)]
    assert world.orders["A"].status is OrderStatus.FILLED and world.orders["A"].filled_qty == 100
    assert world.position_breaks == []


def test_status_corrected_and_lost_ack_applied() -> None:
    world = World(order("C"), order("S", accepted=False))
    world.broker.reports["C"] = report("C", OrderStatus.CANCELLED, 100)
    world.broker.reports["S"] = report("S", OrderStatus.ACCEPTED, 100)
    kinds = {(b.kind, b.client_order_id, b.resolution) for b in world.run()}
    assert kinds == {("status", "C", RESOLVED), ("ack", "S", RESOLVED)}
    assert world.orders["C"].status is OrderStatus.CANCELLED
    assert world.orders["S"].status is OrderStatus.ACCEPTED


def test_order_the_broker_never_received() -> None:
    world = World(order("N", accepted=False), order("L"))
    breaks = {b.client_order_id: b for b in world.run()}
    assert breaks["N"].resolution == RESOLVED  # submitted, never received: rejected
    assert world.orders["N"].status is OrderStatus.REJECTED
    assert breaks["L"].kind == "unknown_at_broker" and breaks["L"].resolution == ESCALATED
    assert world.escalations == [breaks["L"]]


def test_overfill_is_escalated_not_applied() -> None:
    world = World(order("O", qty=100))
    world.broker.reports["O"] = report(
        "O", OrderStatus.FILLED, 100, (fill("O", "t1", 80), fill("O", "t2", 80))
    )
    world.broker.held = [PositionReport("IBM", 80, D(10))]
    kinds = [(b.kind, b.resolution) for b in world.run()]
    assert ("overfill", ESCALATED) in kinds and ("missing_fill", RESOLVED) in kinds
    assert world.orders["O"].filled_qty == 80


def test_foreign_orders_and_position_breaks_escalate() -> None:
    world = World()
    world.broker.open = [report("X", OrderStatus.ACCEPTED, 50)]
    world.broker.held = [PositionReport("IBM", 300, D(10)), PositionReport("BAC", -5, D(3))]
    breaks = world.run()
    assert {b.kind for b in breaks} == {"foreign_order", "position"}
    assert sorted(
        (p.symbol, p.local_quantity, p.broker_quantity) for p in world.position_breaks
    ) == [
        ("BAC", 0, -5),
        ("IBM", 0, 300),
    ]
    assert [b.kind for b in world.escalations] == ["foreign_order"]


def test_lost_modify_quantity_is_applied() -> None:
    world = World(order("M", qty=100))
    world.broker.reports["M"] = report("M", OrderStatus.ACCEPTED, 250)
    assert [(b.kind, b.resolution) for b in world.run()] == [("quantity", RESOLVED)]
    assert world.orders["M"].quantity == 250


@pytest.mark.parametrize("breaks_planted", [1, 3, 7])
def test_every_planted_break_is_detected(breaks_planted: int) -> None:
    orders = [order(f"P{i}") for i in range(10)]
    world = World(*orders)
    for i, o in enumerate(orders):
        status = OrderStatus.CANCELLED if i < breaks_planted else OrderStatus.ACCEPTED
        world.broker.reports[o.client_order_id] = report(o.client_order_id, status, 100)
    assert len(world.run()) == breaks_planted


def test_periodic_reconciliation_runs_on_the_clock() -> None:
    world = World(order("A"))
    world.broker.reports["A"] = report("A", OrderStatus.ACCEPTED, 100)
    clock = SimClock(0)
    reconciler = Reconciler(world.broker, clock, world.apply)
    reconciler.start_periodic(1.0, lambda: world.orders.values(), world.positions)
    clock.advance_to(3_500_000_000)
    assert len(reconciler.reports) == 3
