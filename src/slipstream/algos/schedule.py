"""Schedule maths: pure functions that return a *cumulative* target.

An algorithm asks "how much should be done by now?", never "what is the next slice?", so a timer
that fires late (or a pause, or a rejected child) is corrected at the next decision instead of
drifting. The horizon ``[start, end)`` is cut into ``N`` equal slices; a schedule is the list of
``N`` cumulative fractions, ``fractions[k]`` being the share of the parent due once slice ``k``
has started. Slice boundaries use integer nanosecond arithmetic, so they are exact.

Quantities come back to whole shares only through :func:`target_quantity`, which floors to the
lot and gives the whole parent once the schedule reaches 1, so the remainder of the lot rounding
always lands in the last slice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from slipstream.core.errors import InputError

# Guards ``floor(q·f)`` against binary noise such as 0.1·3 = 0.30000000000000004 undershooting.
_EPSILON = 1e-9


def _check_window(start_ns: int, end_ns: int, slices: int) -> None:
    if end_ns <= start_ns:
        raise InputError("end_ns", end_ns, f"must be after start_ns {start_ns}")
    if slices <= 0:
        raise InputError("slices", slices, "must be a whole number > 0")


def slice_index(start_ns: int, end_ns: int, slices: int, now_ns: int) -> int:
    """Return the index of the slice ``now_ns`` falls in: -1 before start, ``slices`` at end."""
    _check_window(start_ns, end_ns, slices)
    if now_ns < start_ns:
        return -1
    if now_ns >= end_ns:
        return slices
    return (now_ns - start_ns) * slices // (end_ns - start_ns)


def slice_start_ns(start_ns: int, end_ns: int, slices: int, index: int) -> int:
    """Return when slice ``index`` starts (``index == slices`` gives ``end_ns``)."""
    _check_window(start_ns, end_ns, slices)
    # Ceiling division: the first nanosecond whose slice_index is ``index``.
    return start_ns + -(-(end_ns - start_ns) * index // slices)


def cumulative_fraction(
    fractions: Sequence[float], start_ns: int, end_ns: int, now_ns: int
) -> float:
    """Return the fraction of the parent due at ``now_ns`` under schedule ``fractions``."""
    index = slice_index(start_ns, end_ns, len(fractions), now_ns)
    if index < 0:
        return 0.0
    return float(fractions[min(index, len(fractions) - 1)])


def twap_fractions(slices: int) -> list[float]:
    """Return the TWAP schedule: an equal share per slice, ``(k + 1) / N``."""
    if slices <= 0:
        raise InputError("slices", slices, "must be a whole number > 0")
    return [(k + 1) / slices for k in range(slices)]


def profile_fractions(weights: Sequence[float]) -> list[float]:
    """Return the schedule that follows ``weights`` (e.g. an intraday volume profile).

    Each slice gets its weight's share of the parent: ``Σ_{i≤k} w_i / Σ w``.
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError("profile", list(weights), "must be non-negative weights with sum > 0")
    cum = np.cumsum(w) / w.sum()
    cum[-1] = 1.0
    return [float(x) for x in cum]


def trajectory_fractions(holdings: Sequence[float]) -> list[float]:
    """Return the schedule of a holdings trajectory ``x_0 = X, …, x_N = 0``.

    The trade of period ``k`` (``x_k − x_{k+1}``) is due when period ``k`` starts, so the
    cumulative fraction is ``1 − x_{k+1} / X``.
    """
    x = np.asarray(holdings, dtype=float)
    if x.size < 2 or x[0] <= 0:
        raise InputError("holdings", list(holdings), "must start above 0 and have N + 1 points")
    cum = np.clip(1.0 - x[1:] / x[0], 0.0, 1.0)
    cum = np.maximum.accumulate(cum)
    cum[-1] = 1.0
    return [float(v) for v in cum]


def target_quantity(quantity: int, fraction: float, lot_size: int = 1) -> int:
    """Return the whole-lot quantity due for ``fraction`` of ``quantity``.

    Floors to the lot so no slice over-trades; at ``fraction ≥ 1`` returns all of ``quantity``,
    which puts the remainder of every earlier rounding in the last slice.
    """
    if fraction >= 1.0:
        return quantity
    if fraction <= 0.0:
        return 0
    lots = int(quantity * fraction + _EPSILON) // lot_size
    return min(quantity, lots * lot_size)


def slice_quantities(quantity: int, fractions: Sequence[float], lot_size: int = 1) -> list[int]:
    """Return the quantity each slice adds (the differences of the cumulative targets)."""
    targets = [target_quantity(quantity, f, lot_size) for f in fractions]
    return [t - p for t, p in zip(targets, [0, *targets[:-1]], strict=True)]
