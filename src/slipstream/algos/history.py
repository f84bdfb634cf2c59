"""Market inputs for algorithms and estimates, measured on the bundled historical data.

- :func:`history_inputs`: price, ADV and daily volatility from the daily bars, spread from the
  1-minute quote bars when the symbol has them (otherwise one tick at the price, said so);
- :func:`history_profile`: the symbol's intraday volume profile from its 1-minute trade bars,
  or a profile pooled over the stocks that have minute data;
- :func:`profile_source`: adapts profiles to the engine's ``(symbol, start, end, slices)``
  source, so VWAP follows real volume;
- :func:`history_sources`: both engine sources at once, each symbol read once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from slipstream.algos.engine import InputsSource, ProfileSource
from slipstream.algos.template import MarketInputs
from slipstream.core.errors import DataError
from slipstream.marketdata.profiles import (
    VolumeProfile,
    average_daily_volume,
    daily_bars,
    pooled_volume_profile,
    seconds_of_day,
    volume_profile,
)
from slipstream.marketdata.stats import daily_volatility, spread_depth_from_quote_bars

#: Stocks with bundled 1-minute bars, pooled for names that have none.
POOLED_PROFILE_SYMBOLS = ("AAPL", "AIG", "BAC", "IBM")
ADV_WINDOW_DAYS = 20
VOLATILITY_WINDOW_DAYS = 60


def history_inputs(symbol: str, as_of: str | None = None) -> tuple[MarketInputs, list[str]]:
    """Return the daily statistics of ``symbol`` up to ``as_of`` (ISO date) and how each was got.

    Raises
    ------
    DataError
        If the symbol has no daily bars (or too few before ``as_of``).
    """
    rows = daily_bars(symbol)
    if as_of is not None:
        rows = rows[rows["date"] <= as_of]
    if rows.empty:
        raise DataError(f"{symbol}: no daily bars up to {as_of}")
    price = float(rows["close"].iloc[-1])
    adv = average_daily_volume(symbol, ADV_WINDOW_DAYS, as_of)
    sigma = daily_volatility(symbol, VOLATILITY_WINDOW_DAYS, as_of)
    notes = [
        f"price: close of {rows['date'].iloc[-1]}",
        f"ADV: mean of {ADV_WINDOW_DAYS} sessions; sigma: {VOLATILITY_WINDOW_DAYS} daily returns",
    ]
    try:
        spread = spread_depth_from_quote_bars(symbol).median_spread_bps
        notes.append("spread: median of 1-minute quote bars")
    except DataError:
        spread = 0.01 / price * 1e4
        notes.append("spread: no quote data, assumed one cent")
    return MarketInputs(price, adv, sigma, spread), notes


def history_profile(symbol: str) -> tuple[VolumeProfile, str]:
    """Return the intraday volume profile of ``symbol`` (or a pooled one) and its origin."""
    try:
        return volume_profile(symbol), f"volume profile of {symbol} (1-minute bars)"
    except DataError:
        pooled = pooled_volume_profile(POOLED_PROFILE_SYMBOLS)
        return pooled, f"pooled volume profile of {', '.join(POOLED_PROFILE_SYMBOLS)}"


def slice_weights_ns(
    profile: VolumeProfile, start_ns: int, end_ns: int, slices: int
) -> list[float]:
    """Return the expected volume share of ``slices`` equal slices of a window in UTC ns."""
    start = seconds_of_day(start_ns)
    return profile.slice_weights(start, start + (end_ns - start_ns) / 1e9, slices)


def profile_source(profiles: Callable[[str], VolumeProfile]) -> ProfileSource:
    """Return an engine profile source that asks ``profiles(symbol)`` for the shape."""

    def source(symbol: str, start_ns: int, end_ns: int, slices: int) -> Sequence[float] | None:
        return slice_weights_ns(profiles(symbol), start_ns, end_ns, slices)

    return source


def history_sources(as_of: str | None = None) -> tuple[InputsSource, ProfileSource]:
    """Return engine sources backed by the bundled data, each symbol read once.

    The inputs source answers None for a symbol without daily bars (the engine then works
    without them); the profile source falls back to the pooled profile.
    """
    inputs: dict[str, MarketInputs | None] = {}
    profiles: dict[str, VolumeProfile] = {}

    def inputs_for(symbol: str) -> MarketInputs | None:
        if symbol not in inputs:
            try:
                inputs[symbol] = history_inputs(symbol, as_of)[0]
            except DataError:
                inputs[symbol] = None
        return inputs[symbol]

    def profile_for(symbol: str) -> VolumeProfile:
        if symbol not in profiles:
            profiles[symbol] = history_profile(symbol)[0]
        return profiles[symbol]

    return inputs_for, profile_source(profile_for)
