"""LiquidityState updates from quotes, trades, bars and books using record timestamps."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.core.errors import InputError
from slipstream.marketdata.liquidity import LiquidityState
from slipstream.model.market import Bar, BookLevel, BookSnapshot, QuoteTick, TradeTick

S = 1_000_000_000


def test_spread_depth_and_volume_rate() -> None:
    state = LiquidityState("X", window_secs=10)
    assert state.snapshot().spread_bps is None and state.volume_rate() == 0.0
    state.update(QuoteTick("X", Decimal("99.99"), Decimal("100.01"), 300, 500, 0))
    assert state.spread_bps == pytest.approx(2.0)
    assert (state.bid_size, state.ask_size) == (300, 500)
    state.update(TradeTick("X", Decimal("100.01"), 1000, 2 * S))
    state.update(TradeTick("X", Decimal("100.00"), 500, 4 * S))
    # 1,500 shares over the 4 s seen so far (not yet a full 10 s window).
    assert state.volume_rate() == pytest.approx(1500 / 4)
    assert not state.warm
    state.update(TradeTick("X", Decimal("100.00"), 200, 13 * S))
    # Window (3 s, 13 s]: the t = 2 s print has left.
    assert state.warm
    assert state.volume_rate() == pytest.approx(700 / 10)
    state.update(TradeTick("Y", Decimal("5"), 10**6, 13 * S))  # other symbol ignored
    assert state.volume_rate() == pytest.approx(700 / 10)


def test_volatility_from_mid_returns() -> None:
    state = LiquidityState("X", window_secs=60)
    mids = [100.0, 100.1, 100.0, 100.2]
    for k, m in enumerate(mids):
        state.on_quote(
            QuoteTick("X", Decimal(str(m - 0.01)), Decimal(str(m + 0.01)), 1, 1, k * 10 * S)
        )
    squared = sum(math.log(b / a) ** 2 for a, b in itertools.pairwise(mids))
    expected = math.sqrt(squared / 30 * 23_400)  # 30 s elapsed, scaled to a 6.5 h session
    assert state.volatility_daily() == pytest.approx(expected, rel=1e-9)
    # A crossed quote changes nothing but the time.
    state.on_quote(QuoteTick("X", Decimal("101"), Decimal("100"), 1, 1, 40 * S))
    assert state.mid == pytest.approx(100.2)


def test_bars_and_books_feed_the_state() -> None:
    state = LiquidityState("X", window_secs=120)
    state.update(Bar("X", Decimal(10), Decimal(11), Decimal(9), Decimal(10), 600, 60 * S))
    state.update(Bar("X", Decimal(10), Decimal(11), Decimal(9), Decimal(11), 1200, 120 * S))
    assert state.volume_rate() == pytest.approx(1800 / 60)
    assert state.volatility_daily() == pytest.approx(math.sqrt(math.log(1.1) ** 2 / 60 * 23_400))
    book = BookSnapshot(
        "X", (BookLevel(Decimal("10.98"), 700),), (BookLevel(Decimal("11.02"), 900),), 121 * S
    )
    state.update(book)
    snap = state.snapshot()
    assert snap.bid_size == 700 and snap.ask_size == 900 and snap.mid == pytest.approx(11.0)
    with pytest.raises(InputError):
        LiquidityState("X", window_secs=0)


@settings(max_examples=50, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 30 * S), st.integers(1, 10_000)), min_size=1, max_size=60
    ),
    window=st.integers(1, 120),
)
def test_volume_rate_matches_brute_force(steps: list[tuple[int, int]], window: int) -> None:
    state = LiquidityState("X", window_secs=window)
    ts, seen = 0, []
    for gap, size in steps:
        ts += gap
        seen.append((ts, size))
        state.on_trade(TradeTick("X", Decimal("10"), size, ts))
    in_window = sum(size for t, size in seen if t > ts - window * S)
    span = min(window * S, max(ts - seen[0][0], S)) / S
    assert state.volume_rate() == pytest.approx(in_window / span)
