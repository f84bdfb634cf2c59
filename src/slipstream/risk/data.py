"""Daily returns from the bundled S&P 500 sample: the raw material of scenarios and clusters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from slipstream.core.errors import DataError
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
