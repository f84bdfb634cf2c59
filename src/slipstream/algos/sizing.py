"""Smart child sizing: how many shares the next child carries.

Start from what the schedule says is due (net of working children) and apply, in order:

1. **Parent cap**: never more than the parent has left (filled + working ≤ parent quantity).
2. **Participation cap**: at most ``max_participation × volume rate × interval`` — the child
   should not be a larger share of the flow than the parent allows.
3. **Displayed liquidity**: a crossing child takes at most what is shown at the far touch, so it
   does not walk the book.
4. **Impact budget**: the child's own forecast impact (any :class:`~slipstream.impact.ImpactModel`
   evaluated on the child alone) stays within ``impact_budget_bps``.
5. **Lots and minimum notional**: floor to the lot; a child below the instrument's minimum
   notional waits until enough is due — except the parent's final lots, which go as they are
   (an odd-lot residue left by partial fills cannot be sent and stays unfilled).

Caps 2–4 never cut below one minimum-size child, so a thin market slows an algorithm down
rather than freezing it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SizingInputs:
    """Everything the sizing rules read.

    Attributes
    ----------
    need : shares due by the schedule and not filled or working.
    remaining : parent quantity minus filled minus working.
    price : reference price per share (for minimum notional).
    volume_rate : live market volume, shares per second (None if unknown).
    far_size : shares displayed at the far touch (None if unknown).
    impact_bps : forecast impact of a child of ``q`` shares, in bps (None: no budget).
    """

    need: int
    remaining: int
    lot_size: int
    price: Decimal
    min_notional: Decimal = Decimal(0)
    crossing: bool = False
    far_size: int | None = None
    volume_rate: float | None = None
    interval_secs: float = 10.0
    max_participation: float | None = None
    impact_bps: Callable[[int], float] | None = None
    impact_budget_bps: float | None = None


def min_child_quantity(lot_size: int, price: Decimal, min_notional: Decimal) -> int:
    """Return the smallest whole-lot quantity whose notional reaches ``min_notional``."""
    if min_notional <= 0 or price <= 0:
        return lot_size
    lots = math.ceil(min_notional / (price * lot_size))
    return max(1, lots) * lot_size


def _largest_within_budget(inputs: SizingInputs, upper: int, budget: float) -> int:
    """Return the largest lot multiple ``≤ upper`` whose impact is within ``budget`` (bisection)."""
    assert inputs.impact_bps is not None
    lot = inputs.lot_size
    lo, hi = 0, upper // lot
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if inputs.impact_bps(mid * lot) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo * lot


def child_quantity(inputs: SizingInputs) -> int:
    """Return the next child's quantity by the rules in the module docstring (0: send nothing)."""
    qty = min(inputs.need, inputs.remaining)
    if qty <= 0:
        return 0
    floor_qty = min_child_quantity(inputs.lot_size, inputs.price, inputs.min_notional)
    caps: list[float] = []
    if inputs.max_participation is not None and inputs.volume_rate is not None:
        caps.append(inputs.max_participation * inputs.volume_rate * inputs.interval_secs)
    if inputs.crossing and inputs.far_size is not None and inputs.far_size > 0:
        caps.append(float(inputs.far_size))
    if inputs.impact_bps is not None and inputs.impact_budget_bps is not None:
        caps.append(_largest_within_budget(inputs, qty, inputs.impact_budget_bps))
    if caps:
        qty = min(qty, max(floor_qty, int(min(caps))))
    qty = qty // inputs.lot_size * inputs.lot_size
    if qty >= floor_qty:
        return qty
    if inputs.need >= floor_qty and inputs.remaining >= floor_qty:
        return floor_qty
    # The parent's last lots go even if small: there is nothing left to combine them with. An
    # odd-lot residue (from partial fills in odd sizes) cannot be sent at all.
    if inputs.need >= inputs.remaining:
        return inputs.remaining // inputs.lot_size * inputs.lot_size
    return 0
