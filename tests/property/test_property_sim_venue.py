"""Property tests of the simulated venue.

Random markets (quotes, books and trades on a cent grid) and random orders of every type; the
expectations are computed here, independently of the venue: no over-fill, limit prices
respected, stops and trailing stops trigger exactly at the first price their rule says, and the
venue's positions and cash equal the sum of its fills.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.brokers.sim import SimulatedVenue
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId, IdGenerator
from slipstream.model.enums import OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.events import (
    OrderAccepted,
    OrderEvent,
    OrderFilled,
    OrderRejected,
    OrderTriggered,
)
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import BookLevel, BookSnapshot, MarketRecord, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec

SYMBOL = "XYZ"
CENT = Decimal("0.01")
CASH = Decimal(1_000_000)
COMMISSION = Decimal("0.001")


def cents(n: int) -> Decimal:
    return n * CENT


quotes = st.builds(
    lambda bid, spread, bs, az: ("q", bid, bid + spread, bs, az),
    st.integers(995, 1005),
    st.integers(1, 5),
    st.integers(0, 400),
    st.integers(0, 400),
)
trades = st.builds(lambda px, size: ("t", px, size), st.integers(993, 1010), st.integers(1, 400))
orders = st.builds(
    lambda kind, side, qty, px, offset, tif, source, trail: (
        "o",
        kind,
        side,
        qty,
        px,
        offset,
        tif,
        source,
        trail,
    ),
    st.sampled_from(list(OrderType)),
    st.sampled_from(list(Side)),
    st.integers(1, 600),
    st.integers(993, 1010),
    st.integers(-5, 5),
    st.sampled_from(list(TimeInForce)),
    st.sampled_from(list(TriggerSource)),
    st.integers(1, 8),
)
books = st.builds(
    lambda bid, spread, bid_sizes, ask_sizes: ("b", bid, bid + spread, bid_sizes, ask_sizes),
    st.integers(995, 1005),
    st.integers(1, 5),
    st.lists(st.integers(1, 300), min_size=0, max_size=4),
    st.lists(st.integers(1, 300), min_size=0, max_size=4),
)
steps = st.lists(st.one_of(quotes, trades, orders, books), min_size=5, max_size=80)


def make_spec(cid: str, step: tuple[object, ...]) -> OrderSpec:
    _, kind, side, qty, px, offset, tif, source, trail = step
    assert isinstance(kind, OrderType) and isinstance(px, int) and isinstance(offset, int)
    assert isinstance(tif, TimeInForce) and isinstance(trail, int)
    if kind is OrderType.MARKET and tif is TimeInForce.GTC:
        tif = TimeInForce.DAY
    limit = cents(px) if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None
    stop = cents(px + offset) if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None
    return OrderSpec(
        ClientOrderId(cid),
        SYMBOL,
        side,  # type: ignore[arg-type]
        qty,  # type: ignore[arg-type]
        kind,
        tif,
        limit_price=limit,
        stop_price=stop,
        trail_amount=cents(trail) if kind is OrderType.TRAILING_STOP else None,
        trigger_source=source,  # type: ignore[arg-type]
    )


def new_venue() -> tuple[SimClock, SimulatedVenue, list[OrderEvent]]:
    clock = SimClock(0)
    venue = SimulatedVenue(
        clock,
        InstrumentTable([Instrument(SYMBOL)]),
        IdGenerator(clock, "V"),
        commission_per_share=COMMISSION,
        initial_cash=CASH,
    )
    events: list[OrderEvent] = []
    venue.connect(events.append)
    return clock, venue, events


def replay(
    program: list[tuple[object, ...]],
) -> tuple[SimulatedVenue, list[OrderEvent], dict[str, OrderSpec]]:
    clock, venue, events = new_venue()
    specs: dict[str, OrderSpec] = {}
    for ts, step in enumerate(program, start=1):
        clock.advance_to(ts)
        record: MarketRecord
        if step[0] == "q":
            _, bid, ask, bs, az = step
            record = QuoteTick(SYMBOL, cents(bid), cents(ask), bs, az, ts)  # type: ignore[arg-type]
            venue.on_market(record)
        elif step[0] == "t":
            _, px, size = step
            record = TradeTick(SYMBOL, cents(px), size, ts)  # type: ignore[arg-type]
            venue.on_market(record)
        elif step[0] == "b":
            _, bid, ask, bid_sizes, ask_sizes = step
            assert isinstance(bid, int) and isinstance(ask, int)
            assert isinstance(bid_sizes, list) and isinstance(ask_sizes, list)
            record = BookSnapshot(
                SYMBOL,
                tuple(BookLevel(cents(bid - i), n) for i, n in enumerate(bid_sizes)),
                tuple(BookLevel(cents(ask + i), n) for i, n in enumerate(ask_sizes)),
                ts,
            )
            venue.on_market(record)
        else:
            spec = make_spec(f"o{ts}", step)
            specs[spec.client_order_id] = spec
            venue.submit(spec)
    return venue, events, specs


@settings(max_examples=300, deadline=None)
@given(steps)
def test_no_overfill_limits_respected_and_positions_equal_fills(
    program: list[tuple[object, ...]],
) -> None:
    venue, events, specs = replay(program)
    fills = [e for e in events if isinstance(e, OrderFilled)]
    for cid, spec in specs.items():
        own = [f for f in fills if f.client_order_id == cid]
        assert sum(f.last_qty for f in own) <= spec.quantity
        assert all(f.last_qty > 0 for f in own)
        if spec.limit_price is not None:
            for f in own:
                if spec.side is Side.BUY:
                    assert f.last_px <= spec.limit_price
                else:
                    assert f.last_px >= spec.limit_price
        kinds = [type(e) for e in events if e.client_order_id == cid]
        assert kinds[0] in (OrderAccepted, OrderRejected)
        if own and spec.order_type in (
            OrderType.STOP,
            OrderType.STOP_LIMIT,
            OrderType.TRAILING_STOP,
        ):
            assert kinds.index(OrderTriggered) < kinds.index(OrderFilled)
    signed = sum(f.last_qty * (1 if f.side is Side.BUY else -1) for f in fills)
    positions = {p.symbol: p.quantity for p in venue.positions()}
    assert positions.get(SYMBOL, 0) == signed
    cash = CASH - sum(
        (f.last_px * f.last_qty * (1 if f.side is Side.BUY else -1) + f.commission) for f in fills
    )
    assert venue.account().cash == cash
    for cid in specs:
        report = venue.query_order(cid)
        assert report is not None
        assert report.filled_qty == sum(f.last_qty for f in fills if f.client_order_id == cid)


prices = st.lists(st.integers(950, 1050), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(prices, st.integers(950, 1050), st.sampled_from(list(Side)))
def test_stop_on_last_triggers_at_the_first_trade_through_its_stop(
    path: list[int], stop: int, side: Side
) -> None:
    clock, venue, events = new_venue()
    spec = OrderSpec(ClientOrderId("s"), SYMBOL, side, 100, OrderType.STOP, stop_price=cents(stop))
    venue.submit(spec)
    expected = None
    for ts, px in enumerate(path, start=1):
        clock.advance_to(ts)
        venue.on_market(TradeTick(SYMBOL, cents(px), 100, ts))
        hit = px >= stop if side is Side.BUY else px <= stop
        if expected is None and hit:
            expected = (ts, cents(px))
    triggered = [(e.ts_event, e.trigger_price) for e in events if isinstance(e, OrderTriggered)]
    assert triggered == ([expected] if expected else [])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(950, 1050), st.integers(1, 5)), min_size=1, max_size=40),
    st.integers(950, 1050),
    st.sampled_from(list(Side)),
)
def test_stop_on_bid_ask_watches_the_touch_it_would_trade_against(
    path: list[tuple[int, int]], stop: int, side: Side
) -> None:
    clock, venue, events = new_venue()
    spec = OrderSpec(
        ClientOrderId("s"),
        SYMBOL,
        side,
        100,
        OrderType.STOP,
        stop_price=cents(stop),
        trigger_source=TriggerSource.BID_ASK,
    )
    venue.submit(spec)
    expected = None
    for ts, (bid, spread) in enumerate(path, start=1):
        clock.advance_to(ts)
        ask = bid + spread
        venue.on_market(QuoteTick(SYMBOL, cents(bid), cents(ask), 100, 100, ts))
        watched = ask if side is Side.BUY else bid
        hit = watched >= stop if side is Side.BUY else watched <= stop
        if expected is None and hit:
            expected = (ts, cents(watched))
    triggered = [(e.ts_event, e.trigger_price) for e in events if isinstance(e, OrderTriggered)]
    assert triggered == ([expected] if expected else [])


@settings(max_examples=200, deadline=None)
@given(
    prices,
    st.integers(1, 40),
    st.sampled_from(list(Side)),
    st.booleans(),
)
def test_trailing_stop_triggers_exactly_when_price_retreats_by_the_trail(
    path: list[int], trail: int, side: Side, in_bps: bool
) -> None:
    clock, venue, events = new_venue()
    trail_amount = None if in_bps else cents(trail)
    trail_bps = Decimal(trail * 10) if in_bps else None
    # The first price is known before the order arrives: it is the starting extreme.
    clock.advance_to(1)
    venue.on_market(TradeTick(SYMBOL, cents(path[0]), 100, 1))
    venue.submit(
        OrderSpec(
            ClientOrderId("t"),
            SYMBOL,
            side,
            100,
            OrderType.TRAILING_STOP,
            trail_amount=trail_amount,
            trail_bps=trail_bps,
        )
    )
    expected = None
    extreme = cents(path[0])
    for ts, n in enumerate(path[1:], start=2):
        px = cents(n)
        clock.advance_to(ts)
        venue.on_market(TradeTick(SYMBOL, px, 100, ts))
        if expected is not None:
            continue
        if side is Side.SELL:
            extreme = max(extreme, px)
            distance = trail_amount if trail_amount is not None else extreme * trail_bps / 10_000  # type: ignore[operator]
            if px <= extreme - distance:
                expected = (ts, px)
        else:
            extreme = min(extreme, px)
            distance = trail_amount if trail_amount is not None else extreme * trail_bps / 10_000  # type: ignore[operator]
            if px >= extreme + distance:
                expected = (ts, px)
    triggered = [(e.ts_event, e.trigger_price) for e in events if isinstance(e, OrderTriggered)]
    assert triggered == ([expected] if expected else [])
