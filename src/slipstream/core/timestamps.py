"""Timestamps as int UTC nanoseconds, and the one parser for user-supplied times.

US equity data is published in exchange-local time, so a timestamp without an offset is read as
America/New_York; an explicit offset (``Z``, ``+00:00``) is honoured; a bare integer is already
UTC nanoseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slipstream.core.bounds import shown
from slipstream.core.errors import InputError

EXCHANGE_TZ = ZoneInfo("America/New_York")
NS_PER_SEC = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Earliest timestamp accepted: the Unix epoch. No US equity data or order predates it, and
#: refusing negative nanoseconds catches a sign typo.
MIN_TIMESTAMP_NS = 0

#: Latest timestamp accepted: the largest signed 64-bit integer (2262-04-11T23:47:16.854775807Z).
#: The journal's encoder (``orjson``) and SQLite store integers in 64 bits, so a later moment
#: could never be written.
MAX_TIMESTAMP_NS = 2**63 - 1

#: Longest timestamp text read: an ISO-8601 moment with nanoseconds and an offset is 35.
_MAX_TEXT = 64
_FORMAT_RULE = "must be ISO-8601 (e.g. 2013-10-07T09:45:00) or int ns"


def datetime_to_ns(moment: datetime) -> int:
    """Return ``moment`` (naive = exchange time) as UTC nanoseconds, exactly."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=EXCHANGE_TZ)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS_PER_SEC + delta.microseconds * 1_000


def parse_timestamp(value: object, field: str = "ts") -> int:
    """Return ``value`` (ISO-8601 text or int nanoseconds) as UTC nanoseconds.

    The result is within :data:`MIN_TIMESTAMP_NS` to :data:`MAX_TIMESTAMP_NS` (1970-01-01 to
    2262-04-11 UTC), so it always fits the signed 64-bit integer the journal stores.

    Raises
    ------
    InputError
        Naming ``field``, the value and the rule: for text that is neither ISO-8601 nor whole
        nanoseconds, and for a moment outside the range.
    """
    if isinstance(value, bool):
        raise InputError(field, value, _FORMAT_RULE)
    if isinstance(value, int):
        return _in_range(value, value, field)
    text = str(value).strip()
    if len(text) > _MAX_TEXT:
        raise InputError(field, shown(value), f"must be at most {_MAX_TEXT} characters")
    digits = text[1:] if text[:1] in "+-" else text
    if digits.isascii() and digits.isdigit():
        return _in_range(int(text), value, field)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        ns = datetime_to_ns(moment)
    except (ValueError, OverflowError):
        raise InputError(field, value, _FORMAT_RULE) from None
    return _in_range(ns, value, field)


def _in_range(ns: int, value: object, field: str) -> int:
    if not MIN_TIMESTAMP_NS <= ns <= MAX_TIMESTAMP_NS:
        raise InputError(
            field,
            shown(value),
            f"must be between 1970-01-01 and 2262-04-11T23:47:16.854775807Z "
            f"({MIN_TIMESTAMP_NS} to {MAX_TIMESTAMP_NS} ns, a signed 64-bit integer)",
        )
    return ns


def ns_to_exchange(ts_ns: int) -> datetime:
    """Return ``ts_ns`` as an exchange-local datetime (for display)."""
    return datetime.fromtimestamp(ts_ns / NS_PER_SEC, tz=EXCHANGE_TZ)


def format_ts(ts_ns: int) -> str:
    """Return ``ts_ns`` as readable exchange-local time with milliseconds."""
    return ns_to_exchange(ts_ns).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
