"""Urgency: one number that sets how fast an algorithm trades and how hard it prices.

A user says ``low``, ``medium`` or ``high`` (or a number in [0, 1]); Slipstream turns it into a
level ``u`` in [0, 1] and from it derives, on smooth log scales so that no step is a cliff:

- the **participation rate** of POV and of the sizing caps: 3 % at ``u = 0``, 10 % at ``0.5``,
  30 % at ``1`` (log-linear in between);
- the **dimensionless Almgren–Chriss urgency** ``κT`` of the Implementation Shortfall
  trajectory: 0.25 (almost TWAP) at ``u = 0``, 2 at ``0.5``, 8 (strongly front-loaded) at ``1``;
  :func:`risk_aversion_for` converts it to the risk aversion λ of the model's units;
- the **base aggression** of limit pricing (see :mod:`slipstream.algos.pricing`).

Working in ``κT`` rather than in λ keeps urgency meaningful for any stock: λ has units of
1/$ and a "medium" λ for a $10 stock would be a frantic one for a $1,000 stock.
"""

from __future__ import annotations

import math
from enum import StrEnum

from slipstream.core.errors import InputError


class Urgency(StrEnum):
    """Named urgency levels."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


URGENCY_LEVELS: dict[Urgency, float] = {Urgency.LOW: 0.0, Urgency.MEDIUM: 0.5, Urgency.HIGH: 1.0}

_PARTICIPATION = (0.03, 0.10, 0.30)
_KAPPA_T = (0.25, 2.0, 8.0)


def urgency_level(value: str | float | int, field: str = "urgency") -> float:
    """Return ``value`` (a name or a number) as a level in [0, 1].

    Raises
    ------
    InputError
        If the name is unknown or the number is outside [0, 1].
    """
    if isinstance(value, bool):
        raise InputError(field, value, "must be low, medium, high or a number in [0, 1]")
    if isinstance(value, str):
        name = value.strip().lower()
        if name in URGENCY_LEVELS:
            return URGENCY_LEVELS[Urgency(name)]
        try:
            number = float(name)
        except ValueError:
            raise InputError(
                field, value, "must be low, medium, high or a number in [0, 1]"
            ) from None
    else:
        number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise InputError(field, value, "must be a number in [0, 1]")
    return number


def _log_interpolate(level: float, low: float, mid: float, high: float) -> float:
    """Interpolate geometrically between three anchors at levels 0, 0.5 and 1."""
    if level <= 0.5:
        a, b, t = low, mid, level / 0.5
    else:
        a, b, t = mid, high, (level - 0.5) / 0.5
    return float(a * (b / a) ** t)


def participation_for(level: float) -> float:
    """Return the target participation rate (fraction of market volume) for urgency ``level``."""
    return _log_interpolate(level, *_PARTICIPATION)


def kappa_horizon_for(level: float) -> float:
    """Return the dimensionless Almgren–Chriss urgency ``κT`` for urgency ``level``."""
    return _log_interpolate(level, *_KAPPA_T)


def risk_aversion_for(
    level: float, sigma: float, eta: float, gamma: float, horizon: float, periods: int
) -> float:
    """Return the risk aversion λ that gives the trajectory the ``κT`` of ``level``.

    Inverts Almgren & Chriss (2000), eq. (20)–(21): with ``τ = T/N`` and
    ``η̃ = η − γτ/2``, the discrete trajectory has ``2(cosh κτ − 1)/τ² = λσ²/η̃``, so the λ
    that produces a chosen ``κ`` is ``λ = 2 η̃ (cosh κτ − 1) / (τ² σ²)``.

    Parameters
    ----------
    level : urgency in [0, 1]
    sigma : volatility, $/share/√day
    eta : temporary impact, $/share per share/day
    gamma : permanent impact, $/share per share
    horizon : T in days
    periods : N, the number of trading intervals
    """
    if sigma <= 0 or horizon <= 0 or periods <= 0:
        raise InputError("sigma/horizon/periods", (sigma, horizon, periods), "must all be > 0")
    tau = horizon / periods
    eta_tilde = eta - gamma * tau / 2.0
    if eta_tilde <= 0:
        raise InputError("eta", eta, "must exceed gamma·τ/2 for a convex problem")
    kappa = kappa_horizon_for(level) / horizon
    return 2.0 * eta_tilde * (math.cosh(kappa * tau) - 1.0) / (tau * tau * sigma * sigma)
