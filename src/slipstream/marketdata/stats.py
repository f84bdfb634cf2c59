"""Volatility, spread and depth statistics from the bundled real data.

Volatility is returned as a *fraction* (0.016 = 1.6 % a day); annualised figures use 252 trading
days. Spreads are in bps of the mid; depth in shares at the top of book.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.errors import DataError, InputError
from slipstream.marketdata._frames import MINUTE_QUOTE_BARS, rows_for
from slipstream.marketdata.profiles import (
    HistoryUsed,
    daily_bars,
    minute_days_before,
    minute_trade_bars,
)
from slipstream.marketdata.timeutil import REGULAR_CLOSE_MS, REGULAR_OPEN_MS

TRADING_DAYS_PER_YEAR = 252
SESSION_MINUTES = 390

FloatArray = npt.NDArray[np.float64]


def log_returns(prices: Sequence[float] | FloatArray) -> FloatArray:
    """Return the log returns ``ln(p_t / p_{t-1})`` of a price series."""
    values = np.asarray(prices, dtype=float)
    if values.size and np.any(values <= 0):
        raise InputError("prices", float(values.min()), "must all be > 0")
    return np.diff(np.log(values))


def close_to_close_volatility(closes: Sequence[float] | FloatArray) -> float:
    """Return the sample standard deviation (ddof = 1) of close-to-close log returns.

    For daily closes this is the daily volatility σ the impact models take.
    """
    returns = log_returns(closes)
    if returns.size < 2:
        raise InputError("closes", int(returns.size + 1), "need at least 3 prices")
    return float(np.std(returns, ddof=1))


def annualise(sigma_daily: float, days: int = TRADING_DAYS_PER_YEAR) -> float:
    """Return a daily volatility scaled to a year by ``sqrt(days)``."""
    return sigma_daily * math.sqrt(days)


def daily_volatility(symbol: str, window: int = 60, end: str | None = None) -> float:
    """Return the daily volatility of ``symbol`` over ``window`` returns up to ``end`` (ISO).

    Uses the split- and dividend-adjusted closes so corporate actions do not look like moves.
    """
    if window < 2:
        raise InputError("window", window, "must be >= 2")
    rows = daily_bars(symbol)
    if end is not None:
        rows = rows[rows["date"] <= end]
    closes = rows["adj_close"].to_numpy(dtype=float)
    if closes.size < window + 1:
        raise DataError(f"{symbol}: {closes.size} daily closes up to {end}, need {window + 1}")
    return close_to_close_volatility(closes[-(window + 1) :])


@dataclass(frozen=True, slots=True)
class IntradayVolatility:
    """Realized volatility from 1-minute returns.

    Attributes
    ----------
    per_minute:
        Standard deviation of one-minute log returns (regular session).
    daily_realized:
        ``sqrt(mean over days of Σ r²)``: the session's realized volatility, a daily σ measured
        without the overnight gap.
    by_day:
        Realized volatility of each date.
    """

    per_minute: float
    daily_realized: float
    by_day: dict[str, float]


def intraday_volatility_from_bars(bars: pd.DataFrame) -> IntradayVolatility:
    """Return realized volatility from minute bars (``date``, ``time_ms``, ``close``).

    Returns are close-to-close within a date only; a missing minute folds its move into the next
    bar's return, which keeps the realized variance unbiased.
    """
    session = bars[(bars["time_ms"] >= REGULAR_OPEN_MS) & (bars["time_ms"] < REGULAR_CLOSE_MS)]
    session = session.sort_values(["date", "time_ms"])
    by_day: dict[str, float] = {}
    all_returns: list[FloatArray] = []
    for day, rows in session.groupby("date"):
        returns = log_returns(rows["close"].to_numpy(dtype=float))
        if returns.size:
            by_day[str(day)] = float(math.sqrt(float(np.sum(returns**2))))
            all_returns.append(returns)
    if not all_returns:
        raise DataError("no regular-session minute returns")
    pooled = np.concatenate(all_returns)
    daily = math.sqrt(float(np.mean([v * v for v in by_day.values()])))
    return IntradayVolatility(float(np.std(pooled, ddof=1)), daily, by_day)


def intraday_volatility(symbol: str, days: Sequence[str] | None = None) -> IntradayVolatility:
    """Return the realized intraday volatility of ``symbol`` from the bundled minute bars."""
    bars = minute_trade_bars(symbol)
    if days is not None:
        bars = bars[bars["date"].isin(list(days))]
    return intraday_volatility_from_bars(bars)


@dataclass(frozen=True, slots=True)
class SpreadDepthStats:
    """Quoted spread (bps of mid) and top-of-book depth (shares) over a sample of quotes."""

    samples: int
    mean_spread_bps: float
    median_spread_bps: float
    p90_spread_bps: float
    mean_bid_size: float
    mean_ask_size: float
    median_depth: float


def spread_depth_stats(
    bid: Sequence[float] | FloatArray,
    ask: Sequence[float] | FloatArray,
    bid_size: Sequence[float] | FloatArray,
    ask_size: Sequence[float] | FloatArray,
) -> SpreadDepthStats:
    """Return spread and depth statistics of quote samples; crossed or empty quotes are dropped.

    ``median_depth`` is the median of ``(bid_size + ask_size) / 2``, the shares available on a
    typical side.
    """
    b, a = np.asarray(bid, dtype=float), np.asarray(ask, dtype=float)
    bs, as_ = np.asarray(bid_size, dtype=float), np.asarray(ask_size, dtype=float)
    valid = np.isfinite(b) & np.isfinite(a) & (b > 0) & (a > b)
    if not valid.any():
        raise DataError("no valid two-sided quotes")
    b, a, bs, as_ = b[valid], a[valid], bs[valid], as_[valid]
    spread = (a - b) / ((a + b) / 2) * 1e4
    return SpreadDepthStats(
        samples=int(valid.sum()),
        mean_spread_bps=float(spread.mean()),
        median_spread_bps=float(np.median(spread)),
        p90_spread_bps=float(np.percentile(spread, 90)),
        mean_bid_size=float(bs.mean()),
        mean_ask_size=float(as_.mean()),
        median_depth=float(np.median((bs + as_) / 2)),
    )


def spread_depth_from_quote_bars(
    symbol: str, days: Sequence[str] | None = None
) -> SpreadDepthStats:
    """Return spread and depth statistics of ``symbol`` from the bundled 1-minute quote bars.

    Each regular-session minute contributes its closing bid and ask (one sample per minute).
    """
    bars = rows_for(MINUTE_QUOTE_BARS, "ticker", symbol)
    rows = bars[(bars["time_ms"] >= REGULAR_OPEN_MS) & (bars["time_ms"] < REGULAR_CLOSE_MS)]
    if days is not None:
        rows = rows[rows["date"].isin(list(days))]
    if rows.empty:
        raise DataError(f"no bundled regular-session quote bars for {symbol}")
    return spread_depth_stats(
        rows["bid_close"].to_numpy(dtype=float),
        rows["ask_close"].to_numpy(dtype=float),
        rows["bid_size"].to_numpy(dtype=float),
        rows["ask_size"].to_numpy(dtype=float),
    )


def spread_before(
    symbol: str, trading_day: str, lookback_days: int
) -> tuple[SpreadDepthStats, HistoryUsed] | None:
    """Return spread statistics from ``symbol``'s bundled minute quote bars before a day.

    Only the bars dated in ``[trading_day - lookback_days, trading_day)`` count; None when there
    are none (the caller says what it assumes instead).
    """
    bars = rows_for(MINUTE_QUOTE_BARS, "ticker", symbol)
    if bars.empty:
        return None
    days = minute_days_before(bars, trading_day, lookback_days)
    if not days:
        return None
    stats = spread_depth_from_quote_bars(symbol, days)
    used = HistoryUsed(
        "spread",
        days[0],
        days[-1],
        len(days),
        f"median of 1-minute quote bars of {symbol}, {MINUTE_QUOTE_BARS}",
    )
    return stats, used


def volatility_before(
    rows: pd.DataFrame, trading_day: str, window: int, source: str
) -> tuple[float, HistoryUsed]:
    """Return the daily volatility of ``window`` returns of daily ``rows`` before a day.

    ``rows`` are one symbol's daily bars (``date``, ``adj_close``); the ``window + 1`` closes
    used are all dated strictly before ``trading_day``.
    """
    if window < 2:
        raise InputError("window", window, "must be >= 2")
    before = rows[rows["date"] < trading_day].sort_values("date").iloc[-(window + 1) :]
    if len(before) < window + 1:
        raise DataError(
            f"{source}: {len(before)} daily closes before {trading_day}, volatility needs "
            f"{window + 1}"
        )
    sigma = close_to_close_volatility(before["adj_close"].to_numpy(dtype=float))
    used = HistoryUsed(
        "sigma",
        str(before["date"].iloc[0]),
        str(before["date"].iloc[-1]),
        len(before),
        f"std of {window} daily log returns of adj_close, {source}",
    )
    return sigma, used
