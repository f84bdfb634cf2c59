"""Input checks shared by the impact models.

Each check raises :class:`~slipstream.core.errors.InputError` naming the field, the value and the
rule, so a bad forecast request fails loudly instead of returning a NaN an algorithm would act on.
The checks are plain comparisons because models are called once per child order.
"""

from __future__ import annotations

import math

from slipstream.core.errors import InputError


def positive(field: str, value: float, where: str) -> float:
    """Return ``value`` if it is a finite number > 0, else raise InputError."""
    if not (value > 0.0 and math.isfinite(value)):
        raise InputError(field, value, "must be a finite number > 0", where=where)
    return value


def non_negative(field: str, value: float, where: str) -> float:
    """Return ``value`` if it is a finite number >= 0, else raise InputError."""
    if not (value >= 0.0 and math.isfinite(value)):
        raise InputError(field, value, "must be a finite number >= 0", where=where)
    return value


def fraction(field: str, value: float, where: str) -> float:
    """Return ``value`` if it lies in (0, 1], else raise InputError."""
    if not (0.0 < value <= 1.0):
        raise InputError(field, value, "must lie in (0, 1]", where=where)
    return value


def size_of_adv(quantity: float, adv: float, where: str) -> float:
    """Return ``quantity / adv`` once both are checked finite and > 0 (every forecast's input)."""
    return positive("quantity", quantity, where) / positive("adv", adv, where)
