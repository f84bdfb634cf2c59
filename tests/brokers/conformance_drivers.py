"""Conformance drivers: how the suite moves the market and injects faults for each broker."""

from __future__ import annotations

from decimal import Decimal

from slipstream.brokers.contract import AccountReport, EventSink, OrderStatusReport, PositionReport
from slipstream.brokers.sim.venue import SimulatedVenue
from slipstream.brokers.tiger import GatewayHandle, TigerBroker
from slipstream.core.clock import LiveClock, SimClock
from slipstream.core.ids import ClientOrderId, IdGenerator
from slipstream.model.enums import OrderType, Side
from slipstream.model.events import OrderAccepted, OrderEvent, OrderFilled
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec

#: More than the local gateway accepts in one order (it refuses with Tiger's code 1200).
TOO_LARGE = 2_000_000


class TigerDriver:
    """Drive Tiger through the SDK against the local gateway process."""

    name = "tiger"
    tick = Decimal("0.01")

    def __init__(self, gateway: GatewayHandle, symbol: str) -> None:
        self.gateway = gateway
        self.symbol = symbol
        self.broker = TigerBroker.from_config(gateway.config(), LiveClock())

    def pump(self, seconds: float) -> None:
        self.broker.wait_events(seconds)

    def touch(self) -> tuple[Decimal, Decimal]:
        quote = self.broker.quotes([self.symbol])[0]
        return quote.bid, quote.ask

    def fill(self, client_order_id: str, quantity: int) -> None:
        self.gateway.control("fill", user_mark=client_order_id, qty=quantity)

    def rejectable(self, client_order_id: str) -> OrderSpec:
        return OrderSpec(ClientOrderId(client_order_id), self.symbol, Side.BUY, TOO_LARGE)

    def arm_place_timeout(self) -> None:
        self.gateway.control(
            "faults", script=[{"method": "place_order", "kind": "timeout", "when": "after"}]
        )

    def arm_duplicate_fill(self) -> None:
        self.gateway.control("faults", push_dup_rate=1.0)

    def disarm(self) -> None:
        self.gateway.control("faults", script=[], push_dup_rate=0.0, push_drop_rate=0.0)

    def duplicate_orders(self) -> int:
        stats = self.gateway.control("stats")
        return int(stats["duplicate_marks"]) + int(stats["overfills"])

    def close(self) -> None:
        self.broker.close()


class FaultySim:
    """The simulated venue behind a wrapper that can lose a place answer or repeat fills.

    The venue itself has no such faults; the wrapper stands in for the wire. A lost answer is
    resolved the way an adapter must: by asking the venue (``query_order``) and replaying what
    it reports — never by sending the order again.
    """

    def __init__(self, venue: SimulatedVenue) -> None:
        self.venue = venue
        self.name = venue.name
        self.specs: dict[str, OrderSpec] = {}
        self.lose_next_answer = False
        self.repeat_fills = False
        self.resent = 0
        self._lost: set[str] = set()
        self._sink: EventSink | None = None

    def connect(self, sink: EventSink) -> None:
        self._sink = sink
        self.venue.connect(self._on_event)

    def _on_event(self, event: OrderEvent) -> None:
        if event.client_order_id in self._lost or self._sink is None:
            return  # the answer never reaches us
        self._sink(event)
        if self.repeat_fills and isinstance(event, OrderFilled):
            self._sink(event)

    def resolve_lost(self) -> None:
        """Settle orders whose answer was lost, from the venue's own report."""
        for coid in sorted(self._lost):
            report = self.venue.query_order(coid)
            self._lost.discard(coid)
            if report is None or self._sink is None:
                continue
            if report.venue_order_id:
                self._sink(OrderAccepted(ClientOrderId(coid), 0, 0, report.venue_order_id))
            for fill in report.fills:
                self._sink(fill)

    def submit(self, spec: OrderSpec) -> None:
        if spec.client_order_id in self.specs:
            self.resent += 1
        self.specs[spec.client_order_id] = spec
        if self.lose_next_answer:
            self.lose_next_answer = False
            self._lost.add(spec.client_order_id)
        self.venue.submit(spec)

    def cancel(self, client_order_id: str) -> None:
        self.venue.cancel(client_order_id)

    def modify(
        self,
        client_order_id: str,
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        self.venue.modify(client_order_id, quantity, limit_price, stop_price)

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        return self.venue.query_order(client_order_id)

    def open_orders(self) -> list[OrderStatusReport]:
        return self.venue.open_orders()

    def positions(self) -> list[PositionReport]:
        return self.venue.positions()

    def account(self) -> AccountReport:
        return self.venue.account()

    def close(self) -> None:
        self.venue.close()


class SimDriver:
    """Drive the simulated venue with synthetic quotes and prints on a simulated clock."""

    name = "sim"
    tick = Decimal("0.01")
    step_ns = 1_000_000

    def __init__(self, symbol: str = "IBM") -> None:
        self.symbol = symbol
        self.clock = SimClock(1_000_000_000)
        instruments = InstrumentTable([Instrument(symbol, self.tick, 1, "Information Technology")])
        venue = SimulatedVenue(
            self.clock, instruments, IdGenerator(self.clock, "S"), latency_ns=self.step_ns
        )
        self.broker = FaultySim(venue)
        self.bid, self.ask = Decimal("140.00"), Decimal("140.02")
        venue.on_market(QuoteTick(symbol, self.bid, self.ask, 500, 500, self.clock.timestamp_ns()))

    def pump(self, seconds: float) -> None:
        self.clock.advance_to(self.clock.timestamp_ns() + 2 * self.step_ns)
        self.broker.resolve_lost()

    def touch(self) -> tuple[Decimal, Decimal]:
        return self.bid, self.ask

    def fill(self, client_order_id: str, quantity: int) -> None:
        limit = self.broker.specs[client_order_id].limit_price
        assert limit is not None, "the suite only force-fills resting limit orders"
        through = limit - self.tick  # a print through a buy limit fills it at its limit
        print_ = TradeTick(self.symbol, through, quantity, self.clock.timestamp_ns())
        self.broker.venue.on_market(print_)

    def rejectable(self, client_order_id: str) -> OrderSpec:
        off_tick = self.bid - Decimal("0.005")
        return OrderSpec(
            ClientOrderId(client_order_id),
            self.symbol,
            Side.BUY,
            100,
            OrderType.LIMIT,
            limit_price=off_tick,
        )

    def arm_place_timeout(self) -> None:
        self.broker.lose_next_answer = True

    def arm_duplicate_fill(self) -> None:
        self.broker.repeat_fills = True

    def disarm(self) -> None:
        self.broker.lose_next_answer = self.broker.repeat_fills = False

    def duplicate_orders(self) -> int:
        return self.broker.resent
