"""Start-up reconciliation against Tiger: what we missed while down is folded back in."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from tiger_harness import Book

from slipstream.brokers.tiger import GatewayHandle, TigerBroker, start_local_gateway
from slipstream.core.clock import LiveClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus, OrderType, Side
from slipstream.model.events import OrderPendingCancel
from slipstream.model.orders_spec import OrderSpec
from slipstream.portfolio.reconciliation import RESOLVED, PositionBreak, Reconciler


@pytest.fixture(scope="module")
def gateway() -> Iterator[GatewayHandle]:
    with start_local_gateway() as handle:
        yield handle


def test_restart_reconciliation_resolves_missed_events(gateway: GatewayHandle) -> None:
    first = TigerBroker.from_config(gateway.config(use_push=False), LiveClock())
    book = Book(first)
    first.connect(lambda event: None)  # the process dies before any event reaches the OMS
    specs = [
        OrderSpec(ClientOrderId("R-mkt"), "BAC", Side.BUY, 100),
        OrderSpec(
            ClientOrderId("R-lmt"),
            "BAC",
            Side.BUY,
            100,
            OrderType.LIMIT,
            limit_price=Decimal("20.00"),
        ),
        OrderSpec(ClientOrderId("R-sell"), "BAC", Side.SELL, 50),
    ]
    for spec in specs:
        book.submit(spec)
    while first.pending_orders() > 1:  # both market orders done at Tiger
        first.wait_events(0.05)
    first.close()
    gateway.control("fill", user_mark="R-lmt", qty=30)  # while we are down

    second = TigerBroker.from_config(gateway.config(use_push=False), LiveClock())
    second.connect(book.sink)
    position_breaks: list[PositionBreak] = []
    reconciler = Reconciler(second, LiveClock(), book.sink, position_breaks.append)

    def positions() -> dict[str, int]:
        net: dict[str, int] = {}
        for order in book.orders.values():
            net[order.spec.symbol] = (
                net.get(order.spec.symbol, 0) + order.filled_qty * order.spec.side.sign
            )
        return net

    result = reconciler.reconcile(book.orders.values(), positions)
    orders = book.orders
    assert orders["R-mkt"].status is OrderStatus.FILLED and orders["R-mkt"].filled_qty == 100
    assert orders["R-sell"].status is OrderStatus.FILLED and orders["R-sell"].filled_qty == 50
    assert (
        orders["R-lmt"].status is OrderStatus.PARTIALLY_FILLED and orders["R-lmt"].filled_qty == 30
    )
    assert {b.kind for b in result.breaks} == {"ack", "missing_fill"}
    assert all(b.resolution == RESOLVED for b in result.breaks)
    assert result.in_sync_pct == 100.0 and position_breaks == []

    # A trade made outside Slipstream shows up as a position break, escalated with its figures.
    outsider = TigerBroker.from_config(gateway.config(use_push=False), LiveClock())
    other = Book(outsider)
    outsider.connect(other.sink)
    stray = other.submit(OrderSpec(ClientOrderId("outside"), "BAC", Side.BUY, 7))
    other.wait(lambda: stray.status is OrderStatus.FILLED)
    outsider.close()
    again = reconciler.reconcile(book.orders.values(), positions)
    assert [(p.symbol, p.local_quantity, p.broker_quantity) for p in position_breaks] == [
        ("BAC", 80, 87)
    ]
    assert again.escalated == 1 and again.in_sync_pct < 100.0

    # The restarted broker follows the journal's working orders and can cancel them.
    for order in book.orders.values():
        second.adopt(order)
    book.orders["R-lmt"].apply(OrderPendingCancel(ClientOrderId("R-lmt"), 0, 0))
    second.cancel("R-lmt")
    book.broker = second
    book.wait(lambda: orders["R-lmt"].status is OrderStatus.CANCELLED)
    assert orders["R-lmt"].filled_qty == 30 and book.late == 0
    second.close()
