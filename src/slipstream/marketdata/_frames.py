"""Cached pandas readers of the bundled market-data files used by the bulk analytics.

The analytics (volume profiles, volatility, spread statistics, impact calibration) work on whole
files at once, so they read them with pandas rather than through the record-by-record replay.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from slipstream.core.errors import DataError
from slipstream.paths import data_dir

MINUTE_TRADE_BARS = Path("minute") / "us_equity_minute_trade_bars.csv.gz"
MINUTE_QUOTE_BARS = Path("minute") / "us_equity_minute_quote_bars.csv.gz"
DAILY_BARS = Path("daily") / "sp500_daily_ohlcv_2016-05-16_2021-05-14_sample.csv.gz"
TICKS = Path("ticks")


def read_csv(relative: Path | str, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return a bundled CSV as a DataFrame (copied, so callers may mutate it).

    ``text_columns`` are kept as strings (e.g. hexadecimal condition flags).
    """
    return _read_cached(str(data_dir() / relative), text_columns).copy()


@lru_cache(maxsize=16)
def _read_cached(path: str, text_columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=dict.fromkeys(text_columns, str))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read market data {path}: {exc}") from exc


def tick_file(symbol: str, kind: str) -> Path:
    """Return the bundled tick file of ``symbol`` and ``kind`` (``"trade"`` or ``"quote"``)."""
    matches = sorted((data_dir() / TICKS).glob(f"{symbol}_{kind}_ticks_*.csv.gz"))
    if not matches:
        raise DataError(f"no bundled {kind} ticks for {symbol} under {data_dir() / TICKS}")
    return matches[0]


def rows_for(relative: Path | str, column: str, key: str) -> pd.DataFrame:
    """Return the rows of a bundled CSV whose ``column`` equals ``key`` (a copy, index reset).

    The file is split by ``column`` once and cached, so per-symbol reads cost a lookup and a
    small copy instead of a scan of the whole file.
    """
    groups = _groups(str(data_dir() / relative), column)
    part = groups.get(key)
    if part is None:
        return _read_cached(str(data_dir() / relative), ()).iloc[0:0].copy()
    return part.copy()


@lru_cache(maxsize=8)
def _groups(path: str, column: str) -> dict[str, pd.DataFrame]:
    frame = _read_cached(path, ())
    return {str(k): g.reset_index(drop=True) for k, g in frame.groupby(column, sort=False)}
