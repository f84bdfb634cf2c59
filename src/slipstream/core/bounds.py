"""Reading numbers people type, and the bounds that keep them out of trouble.

Everything a person or a file hands us is read once, here or in :mod:`slipstream.model.values`,
and refused up front with an :class:`InputError` naming the field, the value and the rule when
it is not a finite number within its documented bounds. Refused input changes nothing; input we
accept can always be journaled (``orjson`` refuses integers beyond 64 bits, and a decimal with an
exponent near ``Decimal``'s limits overflows the first sum it takes part in) and its arithmetic
stays exact.

:func:`latency_ns_from_ms` is the reader for a latency given in milliseconds (``--latency-ms``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from slipstream.core.errors import InputError

#: The longest numeric text read. The widest legitimate value (a signed 16-digit amount with 8
#: decimal places) is 26 characters; beyond 64 it is not a number anyone meant, and refusing it
#: before parsing keeps a megabyte of digits out of ``Decimal`` and out of error messages.
MAX_NUMBER_TEXT = 64

#: The largest latency accepted, in milliseconds: one minute. Real submit→venue latencies are
#: well under a second; a minute or more is a typo (seconds for milliseconds, say) and would push
#: every order past the end of its session.
MAX_LATENCY_MS = Decimal(60_000)

_NS_PER_MS = 1_000_000


def shown(value: object) -> object:
    """Return ``value`` as an error should show it: itself, or a short account when too long.

    A megabyte of digits would make an unreadable message, and Python refuses to print an int
    of more than 4,300 digits at all.
    """
    if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
        return f"{value[:20]}… ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of {value.bit_length():,} bits"
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > MAX_NUMBER_TEXT:
        return f"a decimal of {len(value.as_tuple().digits):,} digits"
    return value


def parse_decimal(value: object, field: str, *, allow_float: bool = False) -> Decimal:
    """Return ``value`` (``str``, ``int`` or ``Decimal``) as a finite ``Decimal``.

    Parameters
    ----------
    value
        The input as given.
    field
        The name reported in an error.
    allow_float
        Read a ``float`` by its shortest decimal form (``0.1`` as ``0.1``). Only for settings
        that are estimates anyway (latencies); exact values (prices, money) refuse floats.

    Raises
    ------
    InputError
        For a bool, a float (unless allowed), any other type, text that is not a decimal number
        or longer than :data:`MAX_NUMBER_TEXT`, ``NaN``, ``sNaN``, an infinity, or negative zero
        (``-0`` compares equal to 0 yet prints as ``-0``; write ``0``).
    """
    if isinstance(value, bool):
        raise InputError(field, value, "must be a number, not a bool")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        if value.bit_length() > 256:  # more than 77 digits: no bound we keep is near it
            raise InputError(field, shown(value), f"must be at most {MAX_NUMBER_TEXT} digits")
        result = Decimal(value)
    elif isinstance(value, float):
        if not allow_float:
            raise InputError(
                field, value, "must be given exactly (str, int or Decimal), not a float"
            )
        result = Decimal(repr(value))
    elif isinstance(value, str):
        if len(value) > MAX_NUMBER_TEXT:
            raise InputError(field, shown(value), f"must be at most {MAX_NUMBER_TEXT} characters")
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise InputError(field, value, "is not a decimal number") from None
    else:
        raise InputError(field, value, "must be str, int or Decimal")
    if not result.is_finite():
        raise InputError(field, value, "must be finite (not NaN or infinity)")
    if result.is_zero() and result.is_signed():
        raise InputError(field, value, "must not be negative zero (write 0)")
    return result


def decimal_places(value: Decimal) -> int:
    """Return how many digits ``value`` (finite) is written with after the decimal point."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite decimals have an int exponent
    return -exponent if exponent < 0 else 0


def latency_ns_from_ms(value: object, field: str = "--latency-ms") -> int:
    """Return a latency in milliseconds as whole nanoseconds (rounded half-even).

    ``value`` is text, an int, a ``Decimal`` or a float (latency is a setting, not an exact
    value); it must be finite and within 0 to :data:`MAX_LATENCY_MS` inclusive.

    Raises
    ------
    InputError
        Naming ``field``, the value and the rule it breaks.
    """
    ms = parse_decimal(value, field, allow_float=True)
    if ms < 0:
        raise InputError(field, value, "must be >= 0 milliseconds")
    if ms > MAX_LATENCY_MS:
        raise InputError(field, value, f"must be at most {MAX_LATENCY_MS:,} milliseconds")
    return int((ms * _NS_PER_MS).to_integral_value(rounding=ROUND_HALF_EVEN))
