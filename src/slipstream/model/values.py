"""Exact values: prices and money are ``Decimal``, quantities are whole shares.

``Price``/``Money`` are distinct static types over ``Decimal`` and ``Quantity`` over ``int``, so
mypy keeps them apart at no run-time cost. Build them with :func:`price`, :func:`money` and
:func:`quantity`, which refuse floats (a float price is already rounded wrongly) and say why.
Notional is a function (:func:`notional`), never ``Price * Quantity`` written inline.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NewType

from slipstream.core.errors import InputError

Price = NewType("Price", Decimal)
Money = NewType("Money", Decimal)
Quantity = NewType("Quantity", int)

ZERO = Decimal(0)
ZERO_MONEY = Money(ZERO)


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, (bool, float)):
        raise InputError(field, value, "must be given exactly (str, int or Decimal), not a float")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise InputError(field, value, "is not a decimal number") from None
    else:
        raise InputError(field, value, "must be str, int or Decimal")
    if not result.is_finite():
        raise InputError(field, value, "must be finite")
    return result


def price(value: object, field: str = "price") -> Price:
    """Return ``value`` as a positive exact ``Price``."""
    result = _to_decimal(value, field)
    if result <= 0:
        raise InputError(field, value, "must be > 0")
    return Price(result)


def money(value: object, field: str = "amount") -> Money:
    """Return ``value`` as an exact ``Money`` amount (any sign)."""
    return Money(_to_decimal(value, field))


def quantity(value: object, field: str = "quantity") -> Quantity:
    """Return ``value`` as a positive whole number of shares."""
    if isinstance(value, bool):
        raise InputError(field, value, "must be a whole number of shares > 0")
    if isinstance(value, int):
        result = value
    else:
        dec = _to_decimal(value, field) if not isinstance(value, float) else None
        if dec is None or dec != dec.to_integral_value():
            raise InputError(field, value, "must be a whole number of shares > 0")
        result = int(dec)
    if result <= 0:
        raise InputError(field, value, "must be a whole number of shares > 0")
    return Quantity(result)


def notional(px: Decimal, qty: int) -> Money:
    """Return the exact notional value ``px × qty``."""
    return Money(px * qty)
