"""The forecast protocol every bps impact model answers, so an algorithm can hold any of them.

Sign convention (as in TCA): a cost is positive, in basis points of the arrival price, and
applies to a buy or a sell alike; the side only flips the direction the price moves.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ImpactModel(Protocol):
    """Forecast the expected cost of working a parent order, in bps of the arrival price."""

    @property
    def name(self) -> str:
        """Return a short stable name for tables and JSON (``"square_root"``, ``"istar"``)."""
        ...

    def cost_bps(
        self,
        quantity: float,
        adv: float,
        sigma_daily: float,
        participation: float,
        horizon_days: float,
    ) -> float:
        """Return the expected impact cost in bps.

        Parameters
        ----------
        quantity:
            Shares of the parent order (> 0; the side does not change the cost).
        adv:
            Average daily volume in shares (> 0).
        sigma_daily:
            Daily volatility of returns as a fraction (0.02 = 2 %).
        participation:
            Expected share of market volume while trading, in (0, 1].
        horizon_days:
            Trading horizon in days (> 0); 1 regular session = 1.0.
        """
        ...
