"""The square-root law of market impact.

Source: J.-P. Bouchaud, J. Bonart, J. Donier, M. Gould, "Trades, Quotes and Prices" (2018),
ch. 12: the average price move caused by a metaorder of ``Q`` shares in a stock trading ``V``
shares a day with daily volatility ``σ`` is ``Y·σ·(Q/V)^δ`` with ``δ ≈ 1/2`` and ``Y`` of order 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from slipstream.impact._checks import fraction, positive, size_of_adv

_WHERE = "SquareRootImpact"
#: ``Y`` with ``δ = 1/2`` fitted on the bundled IBM and BAC tape of 7–11 Oct 2013 (5-minute
#: intervals, 760 of them; 95 % interval 0.67–1.07). See ``docs/impact.md``.
TAPE_CALIBRATED_Y = 0.85


@dataclass(frozen=True, slots=True)
class SquareRootImpact:
    """Forecast cost_bps = Y · σ_daily · (Q/V)^exponent · 1e4.

    Parameters
    ----------
    y:
        Dimensionless prefactor ``Y`` (> 0). ``Y = 1, exponent = 0.5`` is the textbook law used as
        the naive baseline; :func:`slipstream.impact.calibration.fit_tape_impact` estimates both
        from the public tape.
    exponent:
        Power ``δ`` of the participation ``Q/V`` (> 0); 0.5 is the square-root law.
    """

    y: float = 1.0
    exponent: float = 0.5

    def __post_init__(self) -> None:
        positive("y", self.y, _WHERE)
        positive("exponent", self.exponent, _WHERE)

    @classmethod
    def calibrated(cls) -> SquareRootImpact:
        """Return the square-root law with ``Y`` calibrated on the bundled public tape."""
        return cls(TAPE_CALIBRATED_Y, 0.5)

    @property
    def name(self) -> str:
        """Return ``"square_root"``."""
        return "square_root"

    def move_fraction(self, size_adv: float, sigma_daily: float) -> float:
        """Return the expected price move as a fraction of price for a size of ``size_adv`` ADV."""
        positive("size_adv", size_adv, _WHERE)
        positive("sigma_daily", sigma_daily, _WHERE)
        return float(self.y * sigma_daily * size_adv**self.exponent)

    def cost_bps(
        self,
        quantity: float,
        adv: float,
        sigma_daily: float,
        participation: float,
        horizon_days: float,
    ) -> float:
        """Return ``Y·σ·(Q/V)^δ`` in bps; the square-root law ignores the trading speed."""
        size_adv = size_of_adv(quantity, adv, _WHERE)
        fraction("participation", participation, _WHERE)
        positive("horizon_days", horizon_days, _WHERE)
        return self.move_fraction(size_adv, sigma_daily) * 1e4


def sqrt_cost_bps(size_adv: float, sigma_daily: float, y: float = 1.0) -> float:
    """Return the plain square-root law ``y·σ·sqrt(Q/V)`` in bps (a one-line baseline)."""
    positive("size_adv", size_adv, "sqrt_cost_bps")
    positive("sigma_daily", sigma_daily, "sqrt_cost_bps")
    return y * sigma_daily * math.sqrt(size_adv) * 1e4
