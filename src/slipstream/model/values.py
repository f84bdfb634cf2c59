"""Exact values: prices and money are ``Decimal``, quantities are whole shares.

``Price``/``Money`` are distinct static types over ``Decimal`` and ``Quantity`` over ``int``, so
mypy keeps them apart at no run-time cost. Build them with :func:`price`, :func:`money` and
:func:`quantity`, which refuse floats (a float price is already rounded wrongly), anything that is
not a finite number (``NaN``, ``sNaN``, infinities, negative zero, non-numeric text) and values
outside the bounds below, and say why. Notional is a function (:func:`notional`), never
``Price * Quantity`` written inline.

Bounds
------
The bounds are far beyond any real order, so they only ever stop typos and hostile input, and
they are chosen so that what the builders accept can always be journaled and computed with:

* every ``int`` fits in 64 bits (``orjson``, which encodes the journal, refuses larger ones);
* every ``Decimal`` has a small exponent, so no sum or product overflows ``Decimal``'s range
  (``Decimal("1e999999") * 10`` raises ``Overflow``) and ``str()`` stays short in the journal;
* a price (at most 15 significant digits) times a quantity (at most 12) is at most 27 digits, so
  every notional is exact in ``Decimal``'s default 28-digit context.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NewType

from slipstream.core.bounds import decimal_places, parse_decimal, shown
from slipstream.core.errors import InputError

Price = NewType("Price", Decimal)
Money = NewType("Money", Decimal)
Quantity = NewType("Quantity", int)

ZERO = Decimal(0)
ZERO_MONEY = Money(ZERO)

#: Most shares in one order: one billion. No US listing trades anything like this in one order
#: (a whole day's volume in the busiest names is a few hundred million shares), yet its notional
#: in cents at :data:`MAX_PRICE` (10^9 × 10^9 = 10^18) still fits a signed 64-bit integer.
MAX_ORDER_QUANTITY = 10**9

#: Most shares held in one position (either sign): 10^11, above the shares outstanding of any
#: US listed company (Apple has about 1.5 × 10^10), and a sum of fills far inside 64 bits.
MAX_POSITION_QUANTITY = 10**11

#: Highest price per share: $10,000,000, some ten times the highest-priced US listing
#: (Berkshire Hathaway class A, under $1,000,000).
MAX_PRICE = Decimal(10_000_000)

#: Most decimal places in a price or an amount of money. US equities trade in cents, and in
#: hundredths of a cent below $1 (Reg NMS Rule 612); eight places also leaves room for average
#: costs and per-share fees. Forty places is not a price anyone meant.
MAX_DECIMAL_PLACES = 8

#: Largest amount of money, either sign: $10^15, ten times the value of every listed company in
#: the world. With :data:`MAX_DECIMAL_PLACES` that is at most 24 significant digits.
MAX_MONEY = Decimal(10**15)


def _check_bounds(result: Decimal, value: object, field: str, limit: Decimal, rule: str) -> None:
    """Refuse ``result`` (read from ``value``) beyond ``limit`` or with too many places."""
    if result.copy_abs() > limit:  # copy_abs is exact; abs() rounds, and can overflow
        raise InputError(field, shown(value), rule)
    if decimal_places(result) > MAX_DECIMAL_PLACES:
        raise InputError(
            field, shown(value), f"must have at most {MAX_DECIMAL_PLACES} decimal places"
        )


def price(value: object, field: str = "price") -> Price:
    """Return ``value`` as a positive exact ``Price`` of at most :data:`MAX_PRICE`.

    Raises
    ------
    InputError
        For a float, a non-number, a price <= 0, above :data:`MAX_PRICE` or with more than
        :data:`MAX_DECIMAL_PLACES` decimal places.
    """
    result = parse_decimal(value, field)
    if result <= 0:
        raise InputError(field, shown(value), "must be > 0")
    _check_bounds(result, value, field, MAX_PRICE, f"must be at most {MAX_PRICE:,}")
    return Price(result)


def money(value: object, field: str = "amount") -> Money:
    """Return ``value`` as an exact ``Money`` amount (any sign) of at most :data:`MAX_MONEY`.

    Raises
    ------
    InputError
        For a float, a non-number, an amount beyond :data:`MAX_MONEY` either way or with more
        than :data:`MAX_DECIMAL_PLACES` decimal places.
    """
    result = parse_decimal(value, field)
    _check_bounds(result, value, field, MAX_MONEY, f"must be within ±{MAX_MONEY:,}")
    return Money(result)


def quantity(value: object, field: str = "quantity") -> Quantity:
    """Return ``value`` as a whole number of shares, 1 to :data:`MAX_ORDER_QUANTITY`.

    Raises
    ------
    InputError
        For a bool, a float, a non-number, a fraction, or a count outside the bounds.
    """
    whole = "must be a whole number of shares > 0"
    if isinstance(value, bool | float):
        raise InputError(field, value, whole)
    if isinstance(value, int):
        result = value
    else:
        dec = parse_decimal(value, field)
        if dec <= 0 or dec != dec.to_integral_value():
            raise InputError(field, value, whole)
        # Compare before int(): int(Decimal("1e999999")) would build a million-digit int.
        result = int(dec) if dec <= MAX_ORDER_QUANTITY else MAX_ORDER_QUANTITY + 1
    if result <= 0:
        raise InputError(field, value, whole)
    if result > MAX_ORDER_QUANTITY:
        raise InputError(
            field, shown(value), f"must be at most {MAX_ORDER_QUANTITY:,} shares per order"
        )
    return Quantity(result)


def notional(px: Decimal, qty: int) -> Money:
    """Return the exact notional value ``px × qty``."""
    return Money(px * qty)
