"""Intraday volume profiles and average daily volume from the bundled real data.

A :class:`VolumeProfile` says which share of a regular session's volume trades in each bucket of
the day (09:30–16:00 ET), averaged over several days: each day is first normalised to sum to 1
so a heavy day does not dominate the shape. VWAP follows it through :meth:`fraction_between` /
:meth:`slice_weights`; volume is assumed uniform *within* a bucket, so the cumulative curve is
piecewise linear and any window can be priced, not only bucket edges.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from slipstream.core.errors import DataError, InputError
from slipstream.marketdata._frames import DAILY_BARS, MINUTE_TRADE_BARS, read_csv, rows_for
from slipstream.marketdata.timeutil import EASTERN, REGULAR_CLOSE_MS, REGULAR_OPEN_MS
from slipstream.paths import data_dir

SESSION_OPEN_SECS = REGULAR_OPEN_MS // 1000
SESSION_CLOSE_SECS = REGULAR_CLOSE_MS // 1000
_WHERE = "VolumeProfile"


@dataclass(frozen=True, slots=True)
class VolumeProfile:
    """Share of session volume per time bucket, with its cumulative curve.

    Attributes
    ----------
    symbol:
        Ticker the profile was measured on (``"*"`` for a pooled profile).
    bucket_secs:
        Width of each bucket in seconds.
    weights:
        Share of session volume in each bucket, from the open; sums to 1.
    days:
        Number of trading days averaged.
    open_secs, close_secs:
        Session bounds in seconds after midnight, exchange time (09:30 and 16:00 ET).
    """

    symbol: str
    bucket_secs: int
    weights: tuple[float, ...]
    days: int
    open_secs: int = SESSION_OPEN_SECS
    close_secs: int = SESSION_CLOSE_SECS
    _cumulative: tuple[float, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expected = -(-(self.close_secs - self.open_secs) // self.bucket_secs)
        if len(self.weights) != expected:
            raise InputError("weights", len(self.weights), f"need {expected} buckets", where=_WHERE)
        total = sum(self.weights)
        if any(w < 0 for w in self.weights) or not abs(total - 1.0) < 1e-9:
            raise InputError("weights", total, "must be >= 0 and sum to 1", where=_WHERE)
        cumulative = [0.0]
        for w in self.weights:
            cumulative.append(cumulative[-1] + w)
        cumulative[-1] = 1.0
        object.__setattr__(self, "_cumulative", tuple(cumulative))

    @property
    def bucket_starts_secs(self) -> list[int]:
        """Return the start of each bucket in seconds after midnight."""
        return [self.open_secs + i * self.bucket_secs for i in range(len(self.weights))]

    def cumulative(self, secs: float) -> float:
        """Return the share of session volume traded by ``secs`` after midnight (0 → 1)."""
        if secs <= self.open_secs:
            return 0.0
        if secs >= self.close_secs:
            return 1.0
        offset = (secs - self.open_secs) / self.bucket_secs
        index = int(offset)
        return self._cumulative[index] + (offset - index) * self.weights[index]

    def fraction_between(self, start_secs: float, end_secs: float) -> float:
        """Return the share of session volume expected in ``[start_secs, end_secs)``."""
        if end_secs < start_secs:
            raise InputError("end_secs", end_secs, f"must be >= start_secs {start_secs}")
        return self.cumulative(end_secs) - self.cumulative(start_secs)

    def fraction_between_ns(self, start_ns: int, end_ns: int) -> float:
        """Return :meth:`fraction_between` for UTC nanosecond times (converted to ET).

        A window crossing midnight is priced on its start day only: sessions do not span days.
        """
        if end_ns < start_ns:
            raise InputError("end_ns", end_ns, f"must be >= start_ns {start_ns}")
        start = seconds_of_day(start_ns)
        end = start + (end_ns - start_ns) / 1e9
        return self.fraction_between(start, end)

    def slice_weights(self, start_secs: float, end_secs: float, slices: int) -> list[float]:
        """Return the expected volume of ``slices`` equal slices of a window, summing to 1.

        A window entirely outside the session (no expected volume) gets equal weights, so a
        caller always receives a usable schedule.
        """
        if slices <= 0:
            raise InputError("slices", slices, "must be a whole number > 0", where=_WHERE)
        if end_secs <= start_secs:
            raise InputError("end_secs", end_secs, f"must be after start_secs {start_secs}")
        step = (end_secs - start_secs) / slices
        edges = [self.cumulative(start_secs + k * step) for k in range(slices + 1)]
        total = edges[-1] - edges[0]
        if total <= 0.0:
            return [1.0 / slices] * slices
        return [(edges[k + 1] - edges[k]) / total for k in range(slices)]

    def bucket_at(self, secs: float) -> int:
        """Return the index of the bucket holding ``secs`` (clamped to the session)."""
        starts = self.bucket_starts_secs
        return max(0, min(len(starts) - 1, bisect.bisect_right(starts, secs) - 1))


def seconds_of_day(ts_ns: int) -> float:
    """Return seconds after midnight in New York of a UTC nanosecond time."""
    local = dt.datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=EASTERN)
    midnight = local.replace(hour=0, minute=0, second=0)
    return (local - midnight).total_seconds() + (ts_ns % 1_000_000_000) / 1e9


def profile_from_bars(
    bars: pd.DataFrame, symbol: str = "*", bucket_minutes: int = 1
) -> VolumeProfile:
    """Return the average intraday volume profile of minute bars.

    Parameters
    ----------
    bars:
        Rows with ``date``, ``time_ms`` (bar start, ms after midnight ET) and ``volume``; any
        extended-hours rows are dropped. Minutes without a row had no volume.
    symbol:
        Label stored on the profile.
    bucket_minutes:
        Bucket width; 390 must be a multiple of it only for equal buckets (the last may be short).
    """
    if bucket_minutes <= 0:
        raise InputError("bucket_minutes", bucket_minutes, "must be a whole number > 0")
    session = bars[(bars["time_ms"] >= REGULAR_OPEN_MS) & (bars["time_ms"] < REGULAR_CLOSE_MS)]
    if session.empty or float(session["volume"].sum()) <= 0:
        raise DataError(f"no regular-session volume to build a profile for {symbol}")
    bucket_ms = bucket_minutes * 60_000
    buckets = -(-(REGULAR_CLOSE_MS - REGULAR_OPEN_MS) // bucket_ms)
    index = ((session["time_ms"].to_numpy() - REGULAR_OPEN_MS) // bucket_ms).astype(np.int64)
    day_codes, days = pd.factorize(session["date"])
    grid = np.zeros((len(days), buckets))
    np.add.at(grid, (day_codes, index), session["volume"].to_numpy(dtype=float))
    day_totals = grid.sum(axis=1, keepdims=True)
    grid = grid[day_totals[:, 0] > 0] / day_totals[day_totals[:, 0] > 0]
    mean = grid.mean(axis=0)
    mean /= mean.sum()
    return VolumeProfile(symbol, bucket_minutes * 60, tuple(float(w) for w in mean), len(grid))


def volume_profile(
    symbol: str, bucket_minutes: int = 1, days: Sequence[str] | None = None
) -> VolumeProfile:
    """Return the volume profile of ``symbol`` from the bundled 1-minute trade bars.

    ``days`` restricts the average to some ISO dates (e.g. to keep a test day out of sample).
    Profiles are immutable, so each one is computed once and cached.
    """
    chosen = None if days is None else tuple(days)
    return _cached_profile(symbol, bucket_minutes, chosen, str(data_dir()))


@lru_cache(maxsize=64)
def _cached_profile(
    symbol: str, bucket_minutes: int, days: tuple[str, ...] | None, data_key: str
) -> VolumeProfile:
    bars = minute_trade_bars(symbol)
    if days is not None:
        bars = bars[bars["date"].isin(list(days))]
    return profile_from_bars(bars, symbol, bucket_minutes)


def pooled_volume_profile(symbols: Sequence[str], bucket_minutes: int = 1) -> VolumeProfile:
    """Return the average of several symbols' profiles: a default for names with no minute data."""
    profiles = [volume_profile(s, bucket_minutes) for s in symbols]
    weights = np.mean([p.weights for p in profiles], axis=0)
    weights /= weights.sum()
    days = sum(p.days for p in profiles)
    return VolumeProfile("*", bucket_minutes * 60, tuple(float(w) for w in weights), days)


def minute_trade_bars(symbol: str) -> pd.DataFrame:
    """Return the bundled 1-minute trade bars of ``symbol`` (all sessions, ET times)."""
    rows = rows_for(MINUTE_TRADE_BARS, "ticker", symbol)
    if rows.empty:
        raise DataError(f"no bundled minute bars for {symbol}")
    return rows


def session_volumes(bars: pd.DataFrame) -> pd.Series:
    """Return the regular-session volume of each date in minute ``bars``."""
    session = bars[(bars["time_ms"] >= REGULAR_OPEN_MS) & (bars["time_ms"] < REGULAR_CLOSE_MS)]
    return session.groupby("date")["volume"].sum().astype(float)


def adv_from_minute_bars(symbol: str, days: Sequence[str] | None = None) -> float:
    """Return the mean regular-session volume per day of ``symbol`` from its minute bars."""
    bars = minute_trade_bars(symbol)
    if days is not None:
        bars = bars[bars["date"].isin(list(days))]
    volumes = session_volumes(bars)
    if volumes.empty:
        raise DataError(f"no regular-session minute bars for {symbol} on {days}")
    return float(volumes.mean())


def daily_bars(symbol: str, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the daily OHLCV rows of ``symbol``, oldest first.

    ``history`` is a daily file read by :func:`read_daily_history` (None: the bundled file).
    """
    if history is None:
        rows = rows_for(DAILY_BARS, "ticker", symbol).sort_values("date")
        if rows.empty:
            raise DataError(f"no bundled daily bars for {symbol}")
    else:
        rows = history[history["ticker"] == symbol].sort_values("date")
        if rows.empty:
            raise DataError(f"no daily bars for {symbol} in {history.attrs.get('source', '?')}")
    return rows.reset_index(drop=True)


def average_daily_volume(symbol: str, window: int = 20, end: str | None = None) -> float:
    """Return the mean daily volume of the ``window`` sessions up to ``end`` (ISO, inclusive).

    Without ``end`` the window is the last one in the data.
    """
    if window <= 0:
        raise InputError("window", window, "must be a whole number > 0")
    rows = daily_bars(symbol)
    if end is not None:
        rows = rows[rows["date"] <= end]
    if len(rows) < window:
        raise DataError(f"{symbol}: only {len(rows)} daily bars up to {end}, need {window}")
    return float(rows["volume"].iloc[-window:].mean())


# --- history that ends before a trading day --------------------------------------------------

#: Columns of a daily history file (the bundled one's): extra columns are ignored.
DAILY_COLUMNS = ("date", "ticker", "open", "high", "low", "close", "adj_close", "volume")
_PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close")


@dataclass(frozen=True, slots=True)
class HistoryUsed:
    """Which history one input was measured on (``days == 0``: none before the trading day).

    Attributes
    ----------
    input:
        The input (``price``, ``adv``, ``sigma``, ``spread``, ``profile``, ``scenarios`` ...).
    first_date, last_date:
        The first and last date used (ISO), None when no history was used.
    days:
        How many trading days were used.
    source:
        The file or data set, and how the figure was made (or what was assumed instead).
    """

    input: str
    first_date: str | None
    last_date: str | None
    days: int
    source: str

    def describe(self) -> str:
        """Return one readable line: input, dates, count and source."""
        if self.days == 0 or self.first_date is None:
            return f"{self.input}: no history used; {self.source}"
        dates = (
            self.first_date
            if self.first_date == self.last_date
            else (f"{self.first_date} to {self.last_date}")
        )
        count = "1 day" if self.days == 1 else f"{self.days} days"
        return f"{self.input}: {dates} ({count}), {self.source}"


def bundled_daily_path() -> Path:
    """Return the bundled daily OHLCV file."""
    return data_dir() / DAILY_BARS


def read_daily_history(path: Path | str | None = None) -> pd.DataFrame:
    """Return a daily history file (``--daily``) as a frame, checked row by row.

    The file has the bundled daily file's columns (:data:`DAILY_COLUMNS`): ISO dates, positive
    prices, whole non-negative volumes, one row per ticker and date. ``frame.attrs["source"]``
    names the file. None reads the bundled file.

    Raises
    ------
    InputError
        The file cannot be read, lacks a column, or a row breaks a rule; the message names the
        file, the line, the column, the value and the rule.
    """
    if path is None:
        frame = read_csv(DAILY_BARS)
        frame.attrs["source"] = str(DAILY_BARS)
        return frame
    file = Path(path)
    where = str(file)
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise InputError("--daily", where, "no such file") from None
    except (OSError, EOFError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise InputError("--daily", where, f"cannot be read as CSV ({exc})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in DAILY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            "--daily",
            where,
            f"missing column(s) {missing}; a daily file has {', '.join(DAILY_COLUMNS)}",
        )
    if frame.empty:
        raise InputError("--daily", where, "has no rows")

    def fail(row: int, column: str, rule: str) -> InputError:
        value = frame[column].iloc[row]
        return InputError(
            column, None if pd.isna(value) else value, rule, where=f"{where} line {row + 2}"
        )

    dates = frame["date"].fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy() | (dates.str.len() != 10).to_numpy()
    if bad.any():
        raise fail(int(np.flatnonzero(bad)[0]), "date", "must be a date YYYY-MM-DD")
    tickers = frame["ticker"].fillna("").astype(str).str.strip().str.upper()
    blank = (tickers == "").to_numpy()
    if blank.any():
        raise fail(int(np.flatnonzero(blank)[0]), "ticker", "must not be blank")
    out = pd.DataFrame({"date": dates, "ticker": tickers})
    for column in _PRICE_COLUMNS:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = ~(values > 0).to_numpy() | ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            raise fail(int(np.flatnonzero(bad)[0]), column, "must be a price > 0")
        out[column] = values.astype(float)
    volume = pd.to_numeric(frame["volume"], errors="coerce")
    numbers = volume.to_numpy(dtype=float)
    bad = ~(numbers >= 0) | (numbers != np.floor(numbers))
    if bad.any():
        raise fail(int(np.flatnonzero(bad)[0]), "volume", "must be a whole number of shares >= 0")
    out["volume"] = volume.astype(np.int64)
    low_high = (out["low"] > out["high"]).to_numpy()
    if low_high.any():
        raise fail(int(np.flatnonzero(low_high)[0]), "low", "must be <= high")
    repeated = out.duplicated(["ticker", "date"]).to_numpy()
    if repeated.any():
        raise fail(int(np.flatnonzero(repeated)[0]), "date", "repeats a date of this ticker")
    out.attrs["source"] = where
    return out


def next_weekday(day: str) -> str:
    """Return the first Monday–Friday after ``day`` (ISO): the next session, holidays aside."""
    date = dt.date.fromisoformat(day) + dt.timedelta(days=1)
    while date.weekday() >= 5:
        date += dt.timedelta(days=1)
    return date.isoformat()


def sessions_before(rows: pd.DataFrame, trading_day: str, count: int) -> pd.DataFrame:
    """Return the last ``count`` rows (by ``date``) dated strictly before ``trading_day``."""
    before = rows[rows["date"] < trading_day].sort_values("date")
    return before.iloc[-count:] if count > 0 else before.iloc[0:0]


def minute_days_before(bars: pd.DataFrame, trading_day: str, lookback_days: int) -> list[str]:
    """Return the dates of ``bars`` in the ``lookback_days`` calendar days before ``trading_day``.

    Only regular-session rows count; the trading day itself and anything after it never do.
    """
    first = (dt.date.fromisoformat(trading_day) - dt.timedelta(days=lookback_days)).isoformat()
    session = bars[(bars["time_ms"] >= REGULAR_OPEN_MS) & (bars["time_ms"] < REGULAR_CLOSE_MS)]
    dates = session["date"].astype(str)
    return sorted(set(dates[(dates >= first) & (dates < trading_day)]))


def volume_profile_before(
    symbol: str, trading_day: str, lookback_days: int, bucket_minutes: int = 1
) -> tuple[VolumeProfile, HistoryUsed] | None:
    """Return ``symbol``'s profile from its bundled minute bars in the lookback before a day.

    None when the symbol has no minute bars in ``[trading_day - lookback_days, trading_day)``.
    """
    try:
        bars = minute_trade_bars(symbol)
    except DataError:
        return None
    days = minute_days_before(bars, trading_day, lookback_days)
    if not days:
        return None
    profile = volume_profile(symbol, bucket_minutes, days)
    used = HistoryUsed(
        "profile", days[0], days[-1], len(days), f"volume profile of {symbol}, {MINUTE_TRADE_BARS}"
    )
    return profile, used


def minute_dates(symbol: str) -> list[str]:
    """Return the dates of ``symbol``'s bundled minute trade bars (empty if it has none)."""
    rows = rows_for(MINUTE_TRADE_BARS, "ticker", symbol)
    return sorted(set(rows["date"].astype(str))) if not rows.empty else []
