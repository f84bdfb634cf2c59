"""The real OMS, portfolio and reconciliation over the Tiger broker and the local gateway."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from slipstream.brokers.tiger import TigerBroker, start_local_gateway
from slipstream.core.bus import MessageBus
from slipstream.core.clock import LiveClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from slipstream.model.enums import OrderStatus, OrderType, Side
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.manager import OrderManager
from slipstream.oms.router import Router
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.reconciliation import Reconciler


def test_orders_through_the_oms_stay_in_sync_with_tiger() -> None:
    clock = LiveClock()
    instruments = InstrumentTable([Instrument("IBM", Decimal("0.01"), 1, "Information Technology")])
    ibm = {"IBM": Decimal("140.00")}
    with start_local_gateway(None, "--fill-slices", "2", symbols=ibm) as gateway:
        broker = TigerBroker.from_config(gateway.config(), clock)
        bus = MessageBus()
        portfolio = Portfolio(Decimal(1_000_000))
        bus.subscribe(OrderFilled, portfolio.on_fill)
        oms = OrderManager(clock, bus, instruments, Router(broker))

        def wait(done: Callable[[], bool]) -> None:
            deadline = time.monotonic() + 10
            while not done():
                assert time.monotonic() < deadline
                broker.wait_events(0.05)

        def spec(coid: str, side: Side, qty: int, **kw: object) -> SubmitOrder:
            order = OrderSpec(ClientOrderId(coid), "IBM", side, qty, **kw)  # type: ignore[arg-type]
            return SubmitOrder(clock.timestamp_ns(), order)

        bought = oms.submit(spec("O-1", Side.BUY, 300))
        resting = oms.submit(
            spec("O-2", Side.SELL, 200, order_type=OrderType.LIMIT, limit_price=Decimal("145.00"))
        )
        wait(lambda: bought.status is OrderStatus.FILLED and resting.venue_order_id is not None)
        oms.modify(
            ModifyOrder(clock.timestamp_ns(), resting.client_order_id, 100, Decimal("144.50"))
        )
        wait(lambda: resting.quantity == 100 and resting.status is OrderStatus.ACCEPTED)
        oms.cancel(CancelOrder(clock.timestamp_ns(), resting.client_order_id))
        wait(lambda: resting.status is OrderStatus.CANCELLED)

        assert oms.anomalies == 0
        assert bought.filled_qty == 300 and len(bought.trade_ids) == 2  # two executions
        assert portfolio.position("IBM").quantity == 300
        reconciler = Reconciler(broker, clock, oms.on_broker_event)
        result = reconciler.reconcile(
            oms.store, lambda: {s: p.quantity for s, p in portfolio.positions.items()}
        )
        assert result.breaks == () and result.in_sync_pct == 100.0
        broker.close()


def test_replayed_market_data_moves_the_gateway() -> None:
    ibm = {"IBM": Decimal("183.00")}
    with start_local_gateway(symbols=ibm) as gateway:
        broker = TigerBroker.from_config(gateway.config(use_push=False))
        broker.connect(lambda event: None)
        gateway.on_market(QuoteTick("IBM", Decimal("182.98"), Decimal("183.02"), 300, 200, 1))
        assert [(q.bid, q.ask) for q in broker.quotes(["IBM"])] == [
            (Decimal("182.98"), Decimal("183.02"))
        ]
        gateway.on_market(TradeTick("IBM", Decimal("183.50"), 100, 2))
        assert broker.quotes(["IBM"])[0].ask == Decimal("183.51")
        gateway.on_market(
            Bar("IBM", Decimal(184), Decimal(185), Decimal(183), Decimal("184.20"), 9, 3)
        )
        assert broker.quotes(["IBM"])[0].bid == Decimal("184.19")
        broker.close()
