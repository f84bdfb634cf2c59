"""Volume profiles and ADV from the bundled minute bars, checked against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.core.errors import InputError
from slipstream.marketdata._frames import MINUTE_TRADE_BARS
from slipstream.marketdata.profiles import (
    SESSION_OPEN_SECS,
    VolumeProfile,
    adv_from_minute_bars,
    average_daily_volume,
    profile_from_bars,
    volume_profile,
)
from slipstream.paths import data_dir


def _raw_bars(symbol: str) -> pd.DataFrame:
    bars = pd.read_csv(data_dir() / MINUTE_TRADE_BARS)
    return bars[bars["ticker"] == symbol]


def test_profile_matches_independent_pandas_average_on_a_slice() -> None:
    bars = _raw_bars("IBM")
    days = ["2013-10-07", "2013-10-08"]
    piece = bars[bars["date"].isin(days)]
    # Independent: per-day share of session volume per minute, missing minutes 0, mean over days.
    session = piece[(piece["time_ms"] >= 34_200_000) & (piece["time_ms"] < 57_600_000)].copy()
    session["minute"] = (session["time_ms"] - 34_200_000) // 60_000
    table = session.pivot_table(index="date", columns="minute", values="volume", aggfunc="sum")
    table = table.reindex(columns=range(390)).fillna(0.0)
    expected = table.div(table.sum(axis=1), axis=0).mean(axis=0).to_numpy()

    profile = profile_from_bars(piece, "IBM")
    assert profile.days == 2
    assert len(profile.weights) == 390
    assert sum(profile.weights) == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(profile.weights, expected, atol=1e-12)


def test_bundled_profile_is_u_shaped_and_sums_to_one() -> None:
    profile = volume_profile("IBM")
    assert profile.days == 6
    assert sum(profile.weights) == pytest.approx(1.0)
    midday = profile.fraction_between(12 * 3600, 13 * 3600)
    first_hour = profile.fraction_between(SESSION_OPEN_SECS, SESSION_OPEN_SECS + 3600)
    last_hour = profile.fraction_between(15 * 3600, 16 * 3600)
    assert first_hour > midday and last_hour > midday
    assert profile.fraction_between(0, 86_400) == pytest.approx(1.0)


def test_half_hour_buckets_aggregate_the_minute_profile() -> None:
    minute = volume_profile("BAC")
    half_hour = volume_profile("BAC", bucket_minutes=30)
    assert len(half_hour.weights) == 13
    for k, w in enumerate(half_hour.weights):
        start = SESSION_OPEN_SECS + k * 1800
        assert w == pytest.approx(minute.fraction_between(start, start + 1800), abs=1e-12)


def test_cumulative_curve_is_linear_inside_a_bucket() -> None:
    weights = [0.5, 0.25, 0.25]
    profile = VolumeProfile("X", 7800, tuple(weights), 1)
    assert profile.cumulative(SESSION_OPEN_SECS) == 0.0
    assert profile.cumulative(SESSION_OPEN_SECS + 3900) == pytest.approx(0.25)
    assert profile.cumulative(SESSION_OPEN_SECS + 7800 + 3900) == pytest.approx(0.625)
    assert profile.slice_weights(SESSION_OPEN_SECS, SESSION_OPEN_SECS + 7800 * 2, 4) == (
        pytest.approx([1 / 3, 1 / 3, 1 / 6, 1 / 6])
    )
    # 09:30 ET on 2013-10-07 is 13:30 UTC (EDT).
    open_ns = 1_381_152_600 * 1_000_000_000
    assert profile.fraction_between_ns(open_ns, open_ns + 3900 * 10**9) == pytest.approx(0.25)


def test_profile_rejects_bad_input() -> None:
    with pytest.raises(InputError):
        VolumeProfile("X", 7800, (0.5, 0.6, -0.1), 1)
    profile = volume_profile("IBM", 30)
    with pytest.raises(InputError):
        profile.fraction_between(40_000, 35_000)
    with pytest.raises(InputError):
        profile.slice_weights(40_000, 45_000, 0)


def test_adv_from_minute_bars_and_daily_file() -> None:
    bars = _raw_bars("IBM")
    session = bars[(bars["time_ms"] >= 34_200_000) & (bars["time_ms"] < 57_600_000)]
    assert adv_from_minute_bars("IBM") == pytest.approx(
        session.groupby("date")["volume"].sum().mean()
    )
    daily = pd.read_csv(
        data_dir() / "daily" / "sp500_daily_ohlcv_2016-05-16_2021-05-14_sample.csv.gz"
    )
    ibm = daily[(daily["ticker"] == "IBM") & (daily["date"] <= "2020-03-31")]
    assert average_daily_volume("IBM", 20, end="2020-03-31") == pytest.approx(
        ibm["volume"].tail(20).mean()
    )


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["d1", "d2", "d3"]), st.integers(0, 389), st.integers(1, 10**6)),
        min_size=1,
        max_size=80,
    ),
    bucket=st.sampled_from([1, 5, 30, 60]),
)
def test_random_bars_give_a_normalised_profile(
    rows: list[tuple[str, int, int]], bucket: int
) -> None:
    bars = pd.DataFrame(rows, columns=["date", "minute", "volume"])
    bars["time_ms"] = 34_200_000 + bars["minute"] * 60_000
    profile = profile_from_bars(bars, "X", bucket)
    assert sum(profile.weights) == pytest.approx(1.0)
    assert profile.days == bars["date"].nunique()
    # Each day's shares average to the profile: check the first bucket by hand.
    first = bars[bars["minute"] < bucket].groupby("date")["volume"].sum()
    totals = bars.groupby("date")["volume"].sum()
    assert profile.weights[0] == pytest.approx(
        float((first / totals).fillna(0).reindex(totals.index, fill_value=0).mean())
    )
