"""Helpers shared by the simulated-venue tests: a venue wired to a list sink, and record makers."""

from __future__ import annotations

from decimal import Decimal

from slipstream.brokers.sim import ImpactOverlayConfig, SimulatedVenue
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId, IdGenerator
from slipstream.model.enums import OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.events import OrderEvent, OrderFilled
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import Bar, BookLevel, BookSnapshot, MarketRecord, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec

SYMBOL = "XYZ"
D = Decimal


class Harness:
    """A venue on a SimClock with every event appended to ``events``."""

    def __init__(
        self,
        latency_ns: int = 0,
        commission: str = "0",
        impact: ImpactOverlayConfig | None = None,
        start_ns: int = 1_000,
    ) -> None:
        self.clock = SimClock(start_ns)
        self.venue = SimulatedVenue(
            self.clock,
            InstrumentTable([Instrument(SYMBOL), Instrument("ABC")]),
            IdGenerator(self.clock, "V"),
            latency_ns=latency_ns,
            commission_per_share=D(commission),
            impact=impact,
        )
        self.events: list[OrderEvent] = []
        self.venue.connect(self.events.append)
        self._count = 0

    def feed(self, record: MarketRecord) -> None:
        """Do what the node does: advance the clock, then let the venue match."""
        self.clock.advance_to(record.ts_event)
        self.venue.on_market(record)

    def submit(self, **kwargs: object) -> str:
        """Submit an order (defaults: buy 100 XYZ at market, day); return its client id."""
        self._count += 1
        cid = str(kwargs.pop("cid", f"c{self._count}"))
        fields: dict[str, object] = {"symbol": SYMBOL, "side": Side.BUY, "quantity": 100}
        fields.update(kwargs)
        self.venue.submit(OrderSpec(ClientOrderId(cid), **fields))  # type: ignore[arg-type]
        return cid

    def of(self, cid: str, kind: type[OrderEvent] | None = None) -> list[OrderEvent]:
        """Return the events of one order (optionally of one class), in order."""
        return [
            e
            for e in self.events
            if e.client_order_id == cid and (kind is None or isinstance(e, kind))
        ]

    def fills(self, cid: str) -> list[tuple[Decimal, int]]:
        """Return (price, quantity) of each fill of ``cid``."""
        return [(e.last_px, e.last_qty) for e in self.of(cid, OrderFilled)]  # type: ignore[attr-defined]

    def kinds(self, cid: str) -> list[str]:
        """Return the class names of ``cid``'s events."""
        return [type(e).__name__ for e in self.of(cid)]


def quote(
    bid: str, ask: str, bid_size: int = 100, ask_size: int = 100, ts: int = 2_000
) -> QuoteTick:
    return QuoteTick(SYMBOL, D(bid), D(ask), bid_size, ask_size, ts)


def trade(price: str, size: int = 100, ts: int = 2_000) -> TradeTick:
    return TradeTick(SYMBOL, D(price), size, ts)


def book(bids: list[tuple[str, int]], asks: list[tuple[str, int]], ts: int = 2_000) -> BookSnapshot:
    return BookSnapshot(
        SYMBOL,
        tuple(BookLevel(D(p), s) for p, s in bids),
        tuple(BookLevel(D(p), s) for p, s in asks),
        ts,
    )


def bar(o: str, h: str, lo: str, c: str, volume: int, ts: int = 60_000_000_000) -> Bar:
    return Bar(SYMBOL, D(o), D(h), D(lo), D(c), volume, ts)


__all__ = [
    "SYMBOL",
    "D",
    "Harness",
    "OrderType",
    "Side",
    "TimeInForce",
    "TriggerSource",
    "bar",
    "book",
    "quote",
    "trade",
]
