"""Adaptive limit pricing: start passive, step toward the far touch when behind, cross when urgent.

The price of a child is the near touch plus an *aggression* ``a`` times the spread
(a buy: ``bid + a·(ask − bid)``; a sell: ``ask − a·(ask − bid)``), rounded passively to the tick.

1. **Base**: ``a = 0.5·u`` for urgency ``u`` in [0, 1] — a patient order joins the near touch,
   an urgent one starts at the mid.
2. **Behind schedule**: ``behind`` is the quantity due but not yet filled, in units of one
   typical child. Just after a slice is released it is about 1, which is normal; every further
   child's worth of shortfall adds ``0.5`` to ``a``.
3. **Cross**: ``a = 1`` (a marketable limit at the far touch) when ``u ≥ 0.9``, when two or
   more children's worth are overdue (``behind ≥ 3``), or in the last 5 % of the horizon while
   anything is due.
4. **Cap**: the parent's limit price bounds every child (buys never above, sells never below).

A resting child is *stale*, and is cancelled and replaced (after the cancel is confirmed), when
its price is at least one tick less aggressive than the price these rules give now; this both
pegs the child to a moving market and carries out step 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.model.enums import Side
from slipstream.model.instrument import Instrument

BASE_PER_URGENCY = 0.5
STEP_PER_CHILD_BEHIND = 0.5
CROSS_URGENCY = 0.9
CROSS_BEHIND = 3.0
CROSS_TIME_LEFT = 0.05


@dataclass(frozen=True, slots=True)
class PriceDecision:
    """A child's limit price and how it was chosen."""

    limit_price: Decimal
    aggression: float
    crossing: bool


def aggression(urgency: float, behind: float, time_left: float) -> float:
    """Return the aggression in [0, 1] for the rules in the module docstring.

    Parameters
    ----------
    urgency : level in [0, 1]
    behind : quantity due and unfilled, in typical child sizes
    time_left : fraction of the horizon still to run, in [0, 1]
    """
    if (
        urgency >= CROSS_URGENCY
        or behind >= CROSS_BEHIND
        or (time_left <= CROSS_TIME_LEFT and behind > 0)
    ):
        return 1.0
    level = BASE_PER_URGENCY * urgency + STEP_PER_CHILD_BEHIND * max(0.0, behind - 1.0)
    return min(1.0, max(0.0, level))


def limit_price(
    instrument: Instrument,
    side: Side,
    bid: Decimal,
    ask: Decimal,
    level: float,
    cap: Decimal | None = None,
) -> PriceDecision:
    """Return the limit price for aggression ``level`` between the near and far touch."""
    near, far = (bid, ask) if side is Side.BUY else (ask, bid)
    if level >= 1.0:
        px = far
    else:
        raw = near + (far - near) * Decimal(repr(level))
        px = instrument.round_price_passive(raw, side)
    if cap is not None:
        px = min(px, cap) if side is Side.BUY else max(px, cap)
    return PriceDecision(px, level, level >= 1.0 and px == far)


def is_stale(instrument: Instrument, side: Side, resting: Decimal, wanted: Decimal) -> bool:
    """Return whether a resting child at ``resting`` is a tick or more behind ``wanted``."""
    gap = (wanted - resting) * side.sign
    return gap >= instrument.tick_size
