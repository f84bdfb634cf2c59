"""Volatility, spread and depth statistics against hand computations."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from slipstream.core.errors import InputError
from slipstream.marketdata.stats import (
    annualise,
    close_to_close_volatility,
    daily_volatility,
    intraday_volatility,
    intraday_volatility_from_bars,
    spread_depth_from_quote_bars,
    spread_depth_stats,
)


def test_close_to_close_volatility_by_hand() -> None:
    closes = [100.0, 101.0, 99.0, 102.0]
    r = [math.log(101 / 100), math.log(99 / 101), math.log(102 / 99)]
    mean = sum(r) / 3
    expected = math.sqrt(sum((x - mean) ** 2 for x in r) / 2)
    assert close_to_close_volatility(closes) == pytest.approx(expected, rel=1e-12)
    assert annualise(0.01) == pytest.approx(0.01 * math.sqrt(252))


def test_intraday_realized_volatility_by_hand() -> None:
    bars = pd.DataFrame(
        {
            "date": ["d1", "d1", "d1", "d2", "d2", "d1"],
            "time_ms": [34_200_000, 34_260_000, 34_320_000, 34_200_000, 34_260_000, 60_000_000],
            "close": [10.0, 10.1, 10.0, 20.0, 19.8, 50.0],  # the last row is after the close
        }
    )
    vol = intraday_volatility_from_bars(bars)
    d1 = math.sqrt(math.log(1.01) ** 2 + math.log(10 / 10.1) ** 2)
    d2 = abs(math.log(0.99))
    assert vol.by_day == pytest.approx({"d1": d1, "d2": d2})
    assert vol.daily_realized == pytest.approx(math.sqrt((d1**2 + d2**2) / 2))


def test_spread_and_depth_by_hand() -> None:
    stats = spread_depth_stats(
        [10.0, 20.0, 5.0, 0.0], [10.02, 20.02, 4.9, 1.0], [100, 300, 1, 1], [200, 100, 1, 1]
    )
    assert stats.samples == 2  # crossed and empty quotes dropped
    s1, s2 = 0.02 / 10.01 * 1e4, 0.02 / 20.01 * 1e4
    assert stats.mean_spread_bps == pytest.approx((s1 + s2) / 2)
    assert stats.mean_bid_size == 200 and stats.mean_ask_size == 150
    assert stats.median_depth == pytest.approx(175.0)


def test_bundled_figures_are_plausible() -> None:
    assert 0.005 < daily_volatility("IBM", 60, end="2019-12-31") < 0.03
    ibm = intraday_volatility("IBM")
    assert len(ibm.by_day) == 6 and 0.003 < ibm.daily_realized < 0.03
    bac = spread_depth_from_quote_bars("BAC")
    # BAC traded near $14 with a one-cent spread in Oct 2013: about 7 bps.
    assert 6.0 < bac.median_spread_bps < 8.0
    with pytest.raises(InputError):
        close_to_close_volatility([1.0, -1.0, 2.0])
