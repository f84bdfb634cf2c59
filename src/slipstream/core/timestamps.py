"""Timestamps as int UTC nanoseconds, and the one parser for user-supplied times.

The rule, for every command and file that takes a moment (``simulate``'s orders file,
``tca``'s orders and fills columns, ``--start``/``--end`` of the data commands):

* ISO-8601 **with** an offset (``2013-10-07T10:00:02.125-04:00``, ``…Z``) is that moment;
* ISO-8601 **without** an offset (``2013-10-07T10:00:02.125``, a space for the ``T`` works too)
  is New York time (America/New_York), because US equity data is published in exchange-local
  time; in the repeated hour of a DST change it is the first (daylight) one, and a time in the
  skipped hour is read with the offset before the change (02:30 EST = 03:30 EDT);
* a bare integer is already UTC nanoseconds.

Fractions of a second are exact to the nanosecond (up to 9 digits). :func:`parse_timestamp`
reads one value; :func:`parse_timestamps` reads a column by the same rule, vectorised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slipstream.core.bounds import shown
from slipstream.core.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

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
#: The rule as an error states it.
TIMESTAMP_RULE = (
    "must be ISO-8601 with an offset (2013-10-07T09:45:00-04:00, ...Z), ISO-8601 without one "
    "(2013-10-07T09:45:00 = New York time) or integer UTC nanoseconds"
)
_FORMAT_RULE = TIMESTAMP_RULE
#: A fraction of a second: its first 6 digits go to ``datetime``, the rest are added as ns.
_FRACTION = re.compile(r"\.(\d+)")
#: The common shapes the vectorised reader hands to pandas; any other text goes row by row
#: through :func:`parse_timestamp`, so both readers always agree.
_FAST_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?"
)
_INTEGER = re.compile(r"[+-]?\d+")


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
    extra_ns = 0
    fraction = _FRACTION.search(text)
    if fraction is not None and len(fraction.group(1)) > 6:
        digits_ = fraction.group(1)
        if len(digits_) > 9:
            raise InputError(field, value, f"{_FORMAT_RULE} (at most 9 decimals: nanoseconds)")
        extra_ns = int(digits_[6:].ljust(3, "0"))
        text = text[: fraction.start()] + "." + digits_[:6] + text[fraction.end() :]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        ns = datetime_to_ns(moment) + extra_ns
    except (ValueError, OverflowError):
        raise InputError(field, value, _FORMAT_RULE) from None
    return _in_range(ns, value, field)


def parse_timestamps(values: Sequence[str], field: str = "ts") -> npt.NDArray[np.int64]:
    """Return ``values`` (a column of stripped, non-empty texts) as UTC nanoseconds.

    The same rule as :func:`parse_timestamp`, vectorised for files of millions of rows: the
    common ISO-8601 shapes are parsed by pandas (offset-less ones localised to New York with
    the same DST choices), integers exactly, anything else by :func:`parse_timestamp` itself.

    Raises
    ------
    InputError
        As :func:`parse_timestamp` would for the first value refused; the caller adds the row
        from :attr:`InputError.value` or locates it with :func:`first_refused`.
    """
    import numpy as np
    import pandas as pd

    text = pd.Series(list(values), dtype=object).astype(str)
    out = np.zeros(len(text), dtype=np.int64)
    if len(text) == 0:
        return out
    integer = text.str.fullmatch(_INTEGER.pattern).to_numpy(dtype=bool)
    iso = text.str.fullmatch(_FAST_ISO.pattern).to_numpy(dtype=bool) & ~integer
    zone = text.str.extract(_FAST_ISO.pattern, expand=False)
    zoned = iso & zone.notna().to_numpy(dtype=bool)
    naive = iso & ~zoned
    slow = ~integer & ~iso
    if integer.any():
        ints = [int(v) for v in text[integer]]  # exact: ns need 61 bits, more than a float
        for value, raw in zip(ints, text[integer], strict=True):
            _in_range(value, raw, field)
        out[integer] = np.array(ints, dtype=np.int64)
    try:
        if zoned.any():
            parsed = pd.to_datetime(text[zoned], utc=True, format="ISO8601")
            out[zoned] = parsed.dt.as_unit("ns").astype("int64").to_numpy()
        if naive.any():
            local = pd.to_datetime(text[naive], format="ISO8601").dt.as_unit("ns")
            # As zoneinfo's fold=0: the first (daylight) hour when repeated, the offset before
            # the change when skipped (02:30 is 02:30 EST = 03:30 EDT).
            at_ny = local.dt.tz_localize(
                EXCHANGE_TZ.key,
                ambiguous=np.ones(len(local), dtype=bool),
                nonexistent=pd.Timedelta(hours=1),
            )
            out[naive] = at_ny.dt.tz_convert("UTC").astype("int64").to_numpy()
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        slow |= iso  # pandas refused one: let the one parser name it
    for i in np.flatnonzero(slow):
        out[i] = parse_timestamp(text.iloc[i], field)
    bad = (out[iso & ~slow] < MIN_TIMESTAMP_NS) if iso.any() else np.zeros(0, dtype=bool)
    if bad.any():
        first = int(np.flatnonzero(iso & ~slow)[np.flatnonzero(bad)[0]])
        _in_range(int(out[first]), text.iloc[first], field)
    return out


def first_refused(values: Sequence[str], field: str = "ts") -> int | None:
    """Return the index of the first value :func:`parse_timestamp` refuses (None if none)."""
    for i, value in enumerate(values):
        try:
            parse_timestamp(value, field)
        except InputError:
            return i
    return None


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
