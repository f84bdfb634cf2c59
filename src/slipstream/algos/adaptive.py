"""Adaptive participation: trade faster when liquidity is cheap, slower when it is dear.

The live participation rate is the base rate (from the parameters or the urgency) scaled by
three ratios of a live liquidity measure to its reference level (the same measure averaged over
a longer window), then clamped to the parent's ``[min, max]`` participation:

    rate = base · (spread_ref / spread)^½ · (volume / volume_ref)^½ · (vol / vol_ref)^(u − ½)

- a **spread** wider than usual makes each share dearer: slow down;
- a **volume rate** above usual gives more flow to hide in: speed up;
- **volatility** above usual raises the risk of waiting, which an urgent parent (``u > ½``)
  answers by speeding up and a patient one (``u < ½``) by waiting for calmer prices, as the
  Almgren–Chriss trade-off between impact and timing risk prescribes.

Each ratio is clipped to [¼, 4] so one bad print cannot swing the rate more than twofold.
"""

from __future__ import annotations

RATIO_CLIP = (0.25, 4.0)


def _clip_ratio(ratio: float | None) -> float:
    if ratio is None or ratio != ratio or ratio <= 0:  # unknown or NaN: no adjustment
        return 1.0
    return min(RATIO_CLIP[1], max(RATIO_CLIP[0], ratio))


def adaptive_participation(
    base: float,
    low: float,
    high: float,
    urgency: float,
    spread_ratio: float | None = None,
    volume_ratio: float | None = None,
    volatility_ratio: float | None = None,
) -> float:
    """Return the participation rate adjusted for live liquidity, within ``[low, high]``.

    Parameters
    ----------
    base : the rate in calm, average conditions, in (0, 1]
    low, high : bounds of the rate
    urgency : level in [0, 1]
    spread_ratio, volume_ratio, volatility_ratio : live / reference (None when unknown)
    """
    factor = (
        (1.0 / _clip_ratio(spread_ratio)) ** 0.5
        * _clip_ratio(volume_ratio) ** 0.5
        * _clip_ratio(volatility_ratio) ** (urgency - 0.5)
    )
    return float(min(high, max(low, base * factor)))
