"""Daily returns from the bundled S&P 500 sample (or ``--daily FILE``): scenarios and clusters.

:func:`returns_before` cuts the returns to the history before one trading day, so a risk check
for that day never scores a scenario from the day itself or after it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import pandas as pd

from slipstream.core.errors import DataError, InputError
from slipstream.marketdata.profiles import HistoryUsed, next_weekday, read_daily_history
from slipstream.paths import data_dir

DAILY_FILE = "daily/sp500_daily_ohlcv_2016-05-16_2021-05-14_sample.csv.gz"


def default_daily_path() -> Path:
    """Return the bundled daily OHLCV file."""
    return data_dir() / DAILY_FILE


@lru_cache(maxsize=2)
def daily_returns(path: Path | None = None) -> pd.DataFrame:
    """Return simple daily returns of ``adj_close`` (dates × tickers), oldest first.

    Returns are computed per ticker from consecutive trading days of that ticker, so a ticker
    that starts late has NaN before its first day rather than a spurious jump.
    """
    source = path or default_daily_path()
    try:
        frame = pd.read_csv(source, usecols=["date", "ticker", "adj_close"])
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read daily prices {source}: {exc}") from exc
    prices = frame.pivot(index="date", columns="ticker", values="adj_close").sort_index()
    prices.index = pd.to_datetime(prices.index)
    returns = prices.pct_change(fill_method=None).iloc[1:]
    if returns.empty:
        raise DataError(f"daily prices {source}: fewer than two dates")
    return returns


def equal_weight_returns(returns: pd.DataFrame) -> pd.Series:
    """Return the daily return of an equal-weight portfolio rebalanced daily (NaNs skipped)."""
    return returns.mean(axis=1, skipna=True).dropna()


@lru_cache(maxsize=2)
def last_closes(path: Path | None = None) -> tuple[str, dict[str, str]]:
    """Return the last date of the daily file and each ticker's close on it (exact text)."""
    source = path or default_daily_path()
    try:
        frame = pd.read_csv(source, usecols=["date", "ticker", "close"], dtype={"close": str})
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read daily prices {source}: {exc}") from exc
    last = str(frame["date"].max())
    rows = frame[frame["date"] == last]
    return last, dict(zip(rows["ticker"].astype(str), rows["close"].astype(str), strict=True))


#: A trading day must fall within this many calendar days after the daily history ends.
MAX_HISTORY_GAP_DAYS = 7


def daily_returns_of(path: Path | str | None) -> pd.DataFrame:
    """Return :func:`daily_returns` of a ``--daily`` file, checked row by row (None: bundled).

    Raises
    ------
    InputError
        The file is unreadable, lacks a column, or a row breaks a rule (file, line, column).
    """
    if path is None:
        return daily_returns()
    frame = read_daily_history(path)
    prices = frame.pivot(index="date", columns="ticker", values="adj_close").sort_index()
    prices.index = pd.to_datetime(prices.index)
    returns = prices.pct_change(fill_method=None).iloc[1:]
    if returns.empty:
        raise InputError("--daily", str(path), "needs at least two dates of prices")
    return returns


def returns_before(
    returns: pd.DataFrame, trading_day: str | None, source: str
) -> tuple[pd.DataFrame, str]:
    """Return the returns dated strictly before ``trading_day``, and the day itself.

    ``trading_day`` None means the next weekday after the last return. A day the history
    does not reach (none before it, or more than :data:`MAX_HISTORY_GAP_DAYS` after its end)
    is an :class:`InputError` naming ``--date``.
    """
    first = returns.index[0].date().isoformat()
    last = returns.index[-1].date().isoformat()
    if trading_day is None:
        return returns, next_weekday(last)
    day = trading_day.strip()
    try:
        valid = len(day) == 10 and dt.date.fromisoformat(day).isoformat() == day
    except ValueError:
        valid = False
    if not valid:
        raise InputError("--date", trading_day, "must be a date YYYY-MM-DD")
    before = returns[returns.index < pd.Timestamp(day)]
    if before.empty:
        raise InputError(
            "--date", day, f"must come after some daily history; {source} holds {first} to {last}"
        )
    end = before.index[-1].date().isoformat()
    gap = (dt.date.fromisoformat(day) - dt.date.fromisoformat(end)).days
    if gap > MAX_HISTORY_GAP_DAYS:
        raise InputError(
            "--date",
            day,
            f"must be within {MAX_HISTORY_GAP_DAYS} days after the daily history ({source} "
            f"ends {end}, {gap} days before); scenarios that old would mix years",
        )
    return before, day


def history_of(name: str, returns: pd.DataFrame, days: int, source: str) -> HistoryUsed:
    """Return which dates the last ``days`` returns span (what scenarios or clusters used)."""
    tail = returns.iloc[-days:]
    return HistoryUsed(
        name,
        tail.index[0].date().isoformat(),
        tail.index[-1].date().isoformat(),
        len(tail),
        f"daily returns of adj_close, {source}",
    )
