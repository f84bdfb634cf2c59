"""Exchange-time helpers: US Eastern trading dates and times to UTC nanoseconds.

US equity data is stamped in New York local time. Every loader converts through these helpers so
the daylight-saving offset is applied one way everywhere. The offset is taken at noon of each
trading date: DST switches at 02:00 on a Sunday, so it is constant over any trading session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.timestamps import EXCHANGE_TZ, NS_PER_SEC

EASTERN = EXCHANGE_TZ
NS_PER_MS = 1_000_000
MINUTE_NS = 60 * NS_PER_SEC
#: Regular session of US equities, in milliseconds after midnight ET: [09:30, 16:00).
REGULAR_OPEN_MS = 34_200_000
REGULAR_CLOSE_MS = 57_600_000


@lru_cache(maxsize=4096)
def eastern_midnight_ns(day: dt.date) -> int:
    """Return the UTC nanoseconds of midnight ET on ``day`` (with that day's session offset)."""
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=EASTERN)
    offset = noon.utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    naive_midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return int((naive_midnight - offset).timestamp()) * NS_PER_SEC


def next_eastern_midnight_ns(ts_ns: int) -> int:
    """Return the UTC nanoseconds of the first ET midnight after ``ts_ns`` (a date change)."""
    local_day = dt.datetime.fromtimestamp(ts_ns // NS_PER_SEC, tz=EASTERN).date()
    return eastern_midnight_ns(local_day + dt.timedelta(days=1))


def midnights_ns(days: Iterable[str]) -> dict[str, int]:
    """Map ISO dates (``YYYY-MM-DD``) to the UTC nanoseconds of their ET midnight."""
    return {d: eastern_midnight_ns(dt.date.fromisoformat(d)) for d in days}


def eastern_date_and_ms(ts_ns: npt.NDArray[np.int64]) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Return the ET trading date (ISO) and ms after ET midnight of each UTC timestamp."""
    local = pd.DatetimeIndex(pd.to_datetime(ts_ns, unit="ns", utc=True)).tz_convert(EASTERN)
    midnight = local.normalize()
    ms = ((local - midnight).asi8 // NS_PER_MS).astype(np.int64)
    return [d.isoformat() for d in local.date], ms


def in_regular_session(ms_after_midnight: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Return a mask of times inside the regular session 09:30–16:00 ET (close excluded)."""
    return (ms_after_midnight >= REGULAR_OPEN_MS) & (ms_after_midnight < REGULAR_CLOSE_MS)
