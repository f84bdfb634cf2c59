"""Timestamps as int UTC nanoseconds, and the one parser for user-supplied times.

US equity data is published in exchange-local time, so a timestamp without an offset is read as
America/New_York; an explicit offset (``Z``, ``+00:00``) is honoured; a bare integer is already
UTC nanoseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slipstream.core.errors import InputError

EXCHANGE_TZ = ZoneInfo("America/New_York")
NS_PER_SEC = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def datetime_to_ns(moment: datetime) -> int:
    """Return ``moment`` (naive = exchange time) as UTC nanoseconds, exactly."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=EXCHANGE_TZ)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_SEC + delta.microseconds * 1_000


def parse_timestamp(value: object, field: str = "ts") -> int:
    """Return ``value`` (ISO-8601 text or int nanoseconds) as UTC nanoseconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return datetime_to_ns(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise InputError(
            field, value, "must be ISO-8601 (e.g. 2013-10-07T09:45:00) or int ns"
        ) from None


def ns_to_exchange(ts_ns: int) -> datetime:
    """Return ``ts_ns`` as an exchange-local datetime (for display)."""
    return datetime.fromtimestamp(ts_ns / NS_PER_SEC, tz=EXCHANGE_TZ)


def format_ts(ts_ns: int) -> str:
    """Return ``ts_ns`` as readable exchange-local time with milliseconds."""
    return ns_to_exchange(ts_ns).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
