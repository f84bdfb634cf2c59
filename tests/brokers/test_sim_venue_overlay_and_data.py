"""Simulated venue: the impact overlay, and matching against the bundled real market data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from sim_helpers import D, Harness, OrderType, Side, quote

from slipstream.brokers.sim import ImpactOverlayConfig, SimulatedVenue
from slipstream.core.clock import SimClock
from slipstream.core.errors import ConfigError
from slipstream.core.ids import ClientOrderId, IdGenerator
from slipstream.marketdata import MarketReplay, load_file, make_filter
from slipstream.model.events import OrderEvent, OrderFilled
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import BookSnapshot, MarketRecord, TradeTick
from slipstream.model.orders_spec import OrderSpec

DATA = Path(__file__).resolve().parents[2] / "data"
MINUTE_NS = 60_000_000_000
# y·σ·sqrt(q/ADV)·price with y=1, σ=2 %, q/ADV = 100/2,500 → 0.02 × 0.2 = 0.4 % of the price.
OVERLAY = ImpactOverlayConfig(
    enabled=True,
    y=1.0,
    permanent_fraction=0.5,
    half_life_secs=60.0,
    default_sigma_daily=0.02,
    default_adv_shares=2_500,
)


def test_overlay_off_leaves_recorded_prices() -> None:
    h = Harness()
    for i in range(3):
        h.feed(quote("100.00", "100.01", ask_size=100, ts=1_000 + i))
        h.submit(quantity=100)
    assert {px for e in h.events if isinstance(e, OrderFilled) for px in [e.last_px]} == {
        D("100.01")
    }


def _g(net_qty: float, price: float) -> float:
    """The square-root move of a net volume: 1 · 2 % · sqrt(|q| / 2,500) · price."""
    return math.copysign(0.02 * math.sqrt(abs(net_qty) / 2_500) * price, net_qty)


def test_overlay_moves_prices_by_the_square_root_law_and_decays() -> None:
    h = Harness(impact=OVERLAY, start_ns=0)
    h.feed(quote("99.99", "100.00", ask_size=100, ts=1))
    first = h.submit(quantity=100)
    assert h.fills(first) == [(D("100.00"), 100)]
    # One half-life later: permanent volume 100, temporary volume 50 (half of each weight).
    offset = 0.5 * _g(100, 100.00) + 0.5 * _g(50, 100.00)  # 0.2 + 0.1414 = 0.3414
    h.feed(quote("99.99", "100.00", ask_size=100, ts=1 + 60 * 10**9))
    second = h.submit(quantity=100)
    expected2 = D("100.00") + Decimal(round(offset * 100)) / 100
    assert expected2 == D("100.34")
    assert h.fills(second) == [(expected2, 100)]
    # An hour later the temporary volume is gone; the permanent 200 shares remain, priced off
    # the market without our offset (the second fill's price less the offset it carried).
    h.feed(quote("99.99", "100.00", ask_size=100, ts=1 + 3_660 * 10**9))
    third = h.submit(quantity=100)
    expected3 = D("100.00") + Decimal(round(0.5 * _g(200, 100.34 - offset) * 100)) / 100
    assert h.fills(third) == [(expected3, 100)]
    assert expected3 == D("100.28")


def test_overlay_impact_depends_on_net_volume_not_on_the_number_of_fills() -> None:
    sliced = Harness(impact=OVERLAY, start_ns=0)
    whole = Harness(impact=OVERLAY, start_ns=0)
    sliced.feed(quote("99.99", "100.00", ask_size=400, ts=1))
    whole.feed(quote("99.99", "100.00", ask_size=400, ts=1))
    for _ in range(4):
        sliced.submit(quantity=100)
    whole.submit(quantity=400)
    for h in (sliced, whole):
        h.feed(quote("99.99", "100.00", ask_size=100, ts=2))
    probe_sliced, probe_whole = sliced.submit(quantity=100), whole.submit(quantity=100)
    # Both carry the move of 400 net shares: 0.02 · sqrt(400 / 2,500) · 100 = 0.80.
    assert sliced.fills(probe_sliced) == whole.fills(probe_whole) == [(D("100.80"), 100)]


def test_overlay_pushes_sells_down() -> None:
    h = Harness(impact=OVERLAY)
    h.feed(quote("100.00", "100.01", bid_size=100))
    h.submit(side=Side.SELL, quantity=100)
    h.feed(quote("100.00", "100.01", bid_size=100, ts=2_001))
    second = h.submit(side=Side.SELL, quantity=100)
    assert h.fills(second) == [(D("99.60"), 100)]


def test_overlay_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="half_life_secs"):
        ImpactOverlayConfig(half_life_secs=0)
    with pytest.raises(ConfigError, match="permanent_fraction"):
        ImpactOverlayConfig(permanent_fraction=1.5)


def _run(
    records: Sequence[MarketRecord], orders: dict[int, OrderSpec], instruments: list[str]
) -> tuple[SimulatedVenue, list[OrderEvent]]:
    """Replay like the node: advance the clock, submit orders due, let the venue match."""
    first = min(orders) if orders else 0
    clock = SimClock(first)
    venue = SimulatedVenue(
        clock, InstrumentTable([Instrument(s) for s in instruments]), IdGenerator(clock, "V")
    )
    events: list[OrderEvent] = []
    venue.connect(events.append)
    for at_ns, spec in orders.items():

        def submit(_t: int, s: OrderSpec = spec) -> None:
            venue.submit(s)

        clock.set_timer(f"submit-{spec.client_order_id}", at_ns, submit)
    for record in records:
        clock.advance_to(record.ts_event)
        venue.on_market(record)
    return venue, events


@pytest.fixture(scope="module")
def ibm_day() -> MarketReplay:
    flt = make_filter(session="regular", dates=["2013-10-08"])
    ticks = DATA / "ticks"
    return MarketReplay(
        [
            load_file(ticks / "IBM_quote_ticks_20131007_20131011.csv.gz", flt),
            load_file(ticks / "IBM_trade_ticks_20131007_20131011.csv.gz", flt),
        ]
    )


def test_real_ibm_market_buy_walks_successive_quotes(ibm_day: MarketReplay) -> None:
    records = list(ibm_day)
    start = records[0].ts_event + 30 * MINUTE_NS
    spec = OrderSpec(ClientOrderId("big"), "IBM", Side.BUY, 5_000)
    venue, events = _run(records, {start: spec}, ["IBM"])
    fills = [e for e in events if isinstance(e, OrderFilled)]
    assert sum(f.last_qty for f in fills) == 5_000
    # Each fill is at the ask of the quote current at that moment, at most its displayed size.
    quotes = [r for r in records if not isinstance(r, TradeTick)]
    for fill in fills:
        current = [q for q in quotes if q.ts_event <= fill.ts_event][-1]
        assert fill.last_px == current.ask  # type: ignore[union-attr]
        assert fill.last_qty <= current.ask_size  # type: ignore[union-attr]
    assert len(fills) > 1  # the first quote's displayed size did not cover 5,000 shares
    (position,) = venue.positions()
    assert position.quantity == 5_000


def test_real_ibm_sell_limit_fills_only_if_trades_go_through_it(ibm_day: MarketReplay) -> None:
    records = list(ibm_day)
    start = records[0].ts_event + MINUTE_NS
    trades_after = [r.price for r in records if isinstance(r, TradeTick) and r.ts_event > start]
    high = max(trades_after)
    above = high + D("0.01")  # never traded through, and no quote reaches it: no fill
    below = high - D("0.05")  # traded through later: fills, never below the limit
    orders = {
        start: OrderSpec(
            ClientOrderId("above"), "IBM", Side.SELL, 100, OrderType.LIMIT, limit_price=above
        ),
        start + 1: OrderSpec(
            ClientOrderId("below"), "IBM", Side.SELL, 100, OrderType.LIMIT, limit_price=below
        ),
    }
    _venue, events = _run(records, orders, ["IBM"])
    fills = [e for e in events if isinstance(e, OrderFilled)]
    assert not [f for f in fills if f.client_order_id == "above"]
    below_fills = [f for f in fills if f.client_order_id == "below"]
    assert sum(f.last_qty for f in below_fills) == 100
    assert all(f.last_px >= below for f in below_fills)


def test_real_lobster_market_order_walks_the_aapl_book() -> None:
    records = load_file(DATA / "lobster" / "AAPL_2012-06-21_34200000_57600000_message_10.csv")
    first = next(r for r in records if isinstance(r, BookSnapshot))
    # Expected fills: walk the first book's ask levels, independently of the venue.
    remaining, expected = 500, []
    for level in first.asks:
        take = min(level.size, remaining)
        expected.append((level.price, take))
        remaining -= take
        if not remaining:
            break
    spec = OrderSpec(ClientOrderId("walk"), "AAPL", Side.BUY, 500)
    _venue, events = _run([first], {first.ts_event: spec}, ["AAPL"])
    fills = [(e.last_px, e.last_qty) for e in events if isinstance(e, OrderFilled)]
    # The order arrives at the book's own time, before the book is applied: it waits for it.
    assert fills == expected
    assert len(expected) >= 2 and expected[0] == (D("585.94"), 200)


def test_observed_market_carries_our_impact_only_when_the_overlay_is_on() -> None:
    off = Harness()
    recorded = quote("100.00", "100.01", ask_size=100)
    off.feed(recorded)
    off.submit(quantity=100)
    assert off.venue.observed(recorded) is recorded
    on = Harness(impact=OVERLAY)
    on.feed(recorded)
    on.submit(quantity=100)  # moves the market up by 0.02 × sqrt(100/2500) × 100.01 ≈ 0.40
    seen = on.venue.observed(recorded)
    assert isinstance(seen, type(recorded))
    assert (seen.bid, seen.ask) == (D("100.40"), D("100.41"))
