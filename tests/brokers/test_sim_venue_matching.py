"""Simulated venue: market, limit, IOC/FOK matching against quotes, books, bars and trades."""

from __future__ import annotations

from sim_helpers import (
    D,
    Harness,
    OrderType,
    Side,
    TimeInForce,
    bar,
    book,
    quote,
    trade,
)

from slipstream.model.enums import LiquiditySide
from slipstream.model.events import OrderFilled


def test_market_buy_takes_the_displayed_ask_then_waits_for_the_next_quote() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=300))
    cid = h.submit(quantity=500)
    assert h.kinds(cid) == ["OrderAccepted", "OrderFilled"]
    assert h.fills(cid) == [(D("10.02"), 300)]
    # No infinite liquidity: the rest waits for fresh displayed size.
    h.feed(quote("10.01", "10.03", ask_size=150, ts=3_000))
    h.feed(quote("10.01", "10.04", ask_size=500, ts=4_000))
    assert h.fills(cid) == [(D("10.02"), 300), (D("10.03"), 150), (D("10.04"), 50)]
    fill = h.of(cid, OrderFilled)[-1]
    assert isinstance(fill, OrderFilled)
    assert fill.liquidity is LiquiditySide.TAKER and fill.ts_event == 4_000


def test_market_sell_hits_the_bid() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", bid_size=1_000))
    cid = h.submit(side=Side.SELL, quantity=200)
    assert h.fills(cid) == [(D("10.00"), 200)]


def test_two_orders_on_one_quote_share_its_displayed_size() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=150))
    first, second = h.submit(quantity=100), h.submit(quantity=100)
    assert h.fills(first) == [(D("10.02"), 100)]
    assert h.fills(second) == [(D("10.02"), 50)]


def test_ioc_takes_what_is_there_and_cancels_the_rest() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=60))
    cid = h.submit(quantity=100, time_in_force=TimeInForce.IOC)
    assert h.kinds(cid) == ["OrderAccepted", "OrderFilled", "OrderCancelled"]
    assert h.fills(cid) == [(D("10.02"), 60)]
    h.feed(quote("10.00", "10.02", ask_size=600, ts=3_000))
    assert h.fills(cid) == [(D("10.02"), 60)]


def test_fok_fills_completely_or_not_at_all() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=60))
    short = h.submit(quantity=100, time_in_force=TimeInForce.FOK)
    assert h.kinds(short) == ["OrderAccepted", "OrderCancelled"]
    whole = h.submit(quantity=60, time_in_force=TimeInForce.FOK)
    assert h.fills(whole) == [(D("10.02"), 60)]


def test_fok_limit_counts_only_liquidity_within_its_limit() -> None:
    h = Harness()
    h.feed(book([("9.99", 500)], [("10.00", 100), ("10.01", 100), ("10.02", 500)]))
    refused = h.submit(
        quantity=300,
        order_type=OrderType.LIMIT,
        limit_price=D("10.01"),
        time_in_force=TimeInForce.FOK,
    )
    assert h.fills(refused) == []
    taken = h.submit(
        quantity=300,
        order_type=OrderType.LIMIT,
        limit_price=D("10.02"),
        time_in_force=TimeInForce.FOK,
    )
    assert h.fills(taken) == [(D("10.00"), 100), (D("10.01"), 100), (D("10.02"), 100)]


def test_market_order_walks_the_book_and_remembers_what_it_took() -> None:
    h = Harness()
    h.feed(book([("9.99", 500)], [("10.00", 100), ("10.01", 200), ("10.03", 300)]))
    first = h.submit(quantity=250)
    assert h.fills(first) == [(D("10.00"), 100), (D("10.01"), 150)]
    # Same book again (not refreshed): only what we left is there.
    h.feed(book([("9.99", 500)], [("10.00", 100), ("10.01", 200), ("10.03", 300)], ts=3_000))
    second = h.submit(quantity=100)
    assert h.fills(second) == [(D("10.01"), 50), (D("10.03"), 50)]


def test_book_level_that_grows_or_leaves_is_refreshed() -> None:
    h = Harness()
    h.feed(book([("9.99", 500)], [("10.00", 100), ("10.01", 200)]))
    h.submit(quantity=100)  # takes all of 10.00
    # 10.00 grows above the size we took from: fresh liquidity there.
    h.feed(book([("9.99", 500)], [("10.00", 150), ("10.01", 200)], ts=3_000))
    grown = h.submit(quantity=150)
    assert h.fills(grown) == [(D("10.00"), 150)]
    # 10.00 leaves the book, then comes back with the same size: refreshed too.
    h.feed(book([("9.99", 500)], [("10.01", 200)], ts=4_000))
    h.feed(book([("9.99", 500)], [("10.00", 150), ("10.01", 200)], ts=5_000))
    back = h.submit(quantity=100)
    assert h.fills(back) == [(D("10.00"), 100)]


def test_buy_limit_takes_marketable_part_then_rests_and_never_pays_above_limit() -> None:
    h = Harness()
    h.feed(book([("9.98", 500)], [("10.00", 100), ("10.01", 100), ("10.02", 500)]))
    cid = h.submit(quantity=500, order_type=OrderType.LIMIT, limit_price=D("10.01"))
    assert h.fills(cid) == [(D("10.00"), 100), (D("10.01"), 100)]
    assert all(px <= D("10.01") for px, _ in h.fills(cid))
    report = h.venue.query_order(cid)
    assert (
        report is not None
        and report.filled_qty == 200
        and report.status.value == ("partially_filled")
    )


def test_resting_limit_fills_at_its_limit_when_the_market_trades_through() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.05", bid_size=100))
    cid = h.submit(quantity=300, order_type=OrderType.LIMIT, limit_price=D("10.02"))
    assert h.fills(cid) == []
    h.feed(trade("10.01", 120, ts=3_000))  # strictly better than our limit
    assert h.fills(cid) == [(D("10.02"), 120)]
    fill = h.of(cid, OrderFilled)[0]
    assert isinstance(fill, OrderFilled) and fill.liquidity is LiquiditySide.MAKER


def test_trade_at_the_limit_fills_only_after_the_queue_ahead() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.05", bid_size=250))
    cid = h.submit(side=Side.BUY, quantity=100, order_type=OrderType.LIMIT, limit_price=D("10.00"))
    h.feed(trade("10.00", 200, ts=3_000))  # 250 ahead of us: 200 of them trade
    assert h.fills(cid) == []
    h.feed(trade("10.00", 80, ts=4_000))  # the last 50 ahead trade, 30 reach us
    assert h.fills(cid) == [(D("10.00"), 30)]
    h.feed(trade("10.00", 500, ts=5_000))
    assert h.fills(cid) == [(D("10.00"), 30), (D("10.00"), 70)]


def test_sell_limit_fills_when_the_bid_quotes_through_it() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.05"))
    cid = h.submit(side=Side.SELL, quantity=300, order_type=OrderType.LIMIT, limit_price=D("10.03"))
    assert h.fills(cid) == []
    h.feed(quote("10.04", "10.06", bid_size=120, ts=3_000))
    assert h.fills(cid) == [(D("10.03"), 120)]
    assert all(px >= D("10.03") for px, _ in h.fills(cid))


def test_queue_ahead_shrinks_when_the_displayed_size_at_our_price_shrinks() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.05", bid_size=1_000))
    cid = h.submit(quantity=100, order_type=OrderType.LIMIT, limit_price=D("10.00"))
    h.feed(quote("10.00", "10.05", bid_size=40, ts=3_000))  # at most 40 left ahead
    h.feed(trade("10.00", 100, ts=4_000))
    assert h.fills(cid) == [(D("10.00"), 60)]


def test_market_order_before_any_data_waits_but_ioc_cancels() -> None:
    h = Harness()
    waiting = h.submit(quantity=100)
    ioc = h.submit(quantity=100, time_in_force=TimeInForce.IOC)
    assert h.kinds(waiting) == ["OrderAccepted"]
    assert h.kinds(ioc) == ["OrderAccepted", "OrderCancelled"]
    h.feed(quote("10.00", "10.02", ask_size=500))
    assert h.fills(waiting) == [(D("10.02"), 100)]


def test_trades_only_market_fills_against_the_prints() -> None:
    h = Harness()
    cid = h.submit(quantity=150)
    h.feed(trade("10.10", 100, ts=3_000))
    h.feed(trade("10.12", 100, ts=4_000))
    assert h.fills(cid) == [(D("10.10"), 100), (D("10.12"), 50)]


def test_bars_fill_at_close_plus_half_spread_capped_by_participation() -> None:
    h = Harness()
    h.feed(bar("100.00", "100.50", "99.80", "100.00", volume=2_000))
    cid = h.submit(quantity=300)
    # 2 bps half-spread of 100.00 = 0.02 → ask 100.02; cap = 10 % of 2,000 = 200 shares.
    assert h.fills(cid) == [(D("100.02"), 200)]
    h.feed(bar("100.00", "100.10", "99.90", "100.10", volume=5_000, ts=120_000_000_000))
    # ask = 100.10 × 1.0002 = 100.12002 → rounded up to the tick 100.13.
    assert h.fills(cid) == [(D("100.02"), 200), (D("100.13"), 100)]


def test_bar_low_through_a_buy_limit_fills_at_the_limit() -> None:
    h = Harness()
    h.feed(bar("100.00", "100.50", "99.80", "100.00", volume=2_000))
    cid = h.submit(quantity=500, order_type=OrderType.LIMIT, limit_price=D("99.90"))
    assert h.fills(cid) == []
    h.feed(bar("100.00", "100.10", "99.50", "99.95", volume=1_000, ts=120_000_000_000))
    assert h.fills(cid) == [(D("99.90"), 100)]  # participation cap: 10 % of 1,000


def test_fills_never_exceed_the_order_quantity() -> None:
    h = Harness()
    cid = h.submit(quantity=100, order_type=OrderType.LIMIT, limit_price=D("10.00"))
    for i in range(5):
        h.feed(trade("9.90", 1_000, ts=3_000 + i))
        h.feed(quote("9.80", "9.85", ask_size=1_000, ts=3_500 + i))
    assert sum(q for _, q in h.fills(cid)) == 100
    assert h.kinds(cid)[-1] == "OrderFilled"


def test_bars_beside_quotes_drive_last_triggers_but_quotes_stay_the_liquidity() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=1_000))
    cid = h.submit(quantity=100, order_type=OrderType.STOP, stop_price=D("10.10"))
    # Up bar: assumed path open 10.00 → low 9.98 → high 10.12 → close 10.05.
    h.feed(bar("10.00", "10.12", "9.98", "10.05", volume=1_000))
    assert h.kinds(cid) == ["OrderAccepted", "OrderTriggered", "OrderFilled"]
    assert h.of(cid)[1].trigger_price == D("10.12")  # type: ignore[attr-defined]
    assert h.fills(cid) == [(D("10.02"), 100)]
