"""Kissell's I-Star market impact model.

Sources: R. Kissell, M. Glantz, "Optimal Trading Strategies" (2003); R. Kissell, "The Science of
Algorithmic Trading and Portfolio Management" (2013), ch. 5. The instantaneous impact of trading
the whole order at once is ``I* = a1·(Q/ADV)^{a2}·σ^{a3}`` (bps, σ the *annualised* volatility
as a fraction), and the market impact of working it at participation rate POV is
``MI = b1·I*·POV^{a4} + (1 − b1)·I*``: a temporary part that grows with speed plus a permanent
remainder. The default coefficients are the book's published US large-cap estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from slipstream.core.errors import InputError
from slipstream.impact._checks import fraction, positive, size_of_adv

_WHERE = "istar"
TRADING_DAYS_PER_YEAR = 252


@dataclass(frozen=True, slots=True)
class IStarCost:
    """I-Star figures in bps of the arrival price."""

    istar_bps: float
    market_impact_bps: float


def istar(
    size_adv: float,
    volatility_annual: float,
    participation: float,
    a1: float = 708.0,
    a2: float = 0.55,
    a3: float = 0.71,
    a4: float = 0.5,
    b1: float = 0.98,
) -> IStarCost:
    """Return the instantaneous impact ``I*`` and the market impact ``MI`` in bps.

    Parameters
    ----------
    size_adv:
        Order size over average daily volume ``Q/ADV`` (> 0).
    volatility_annual:
        Annualised volatility as a fraction (0.25 = 25 %), > 0.
    participation:
        Participation rate POV in (0, 1].
    a1, a2, a3, a4, b1:
        Model coefficients (``b1`` is the temporary share of ``I*``, in [0, 1]).
    """
    positive("size_adv", size_adv, _WHERE)
    positive("volatility_annual", volatility_annual, _WHERE)
    fraction("participation", participation, _WHERE)
    if not 0.0 <= b1 <= 1.0:
        raise InputError("b1", b1, "must lie in [0, 1]", where=_WHERE)
    i_star = a1 * size_adv**a2 * volatility_annual**a3
    return IStarCost(i_star, b1 * i_star * participation**a4 + (1.0 - b1) * i_star)


@dataclass(frozen=True, slots=True)
class IStarImpact:
    """I-Star behind the :class:`~slipstream.impact.base.ImpactModel` protocol.

    ``cost_bps`` annualises the daily volatility with ``sqrt(252)`` and returns ``MI``.
    """

    a1: float = 708.0
    a2: float = 0.55
    a3: float = 0.71
    a4: float = 0.5
    b1: float = 0.98

    @property
    def name(self) -> str:
        """Return ``"istar"``."""
        return "istar"

    def cost_bps(
        self,
        quantity: float,
        adv: float,
        sigma_daily: float,
        participation: float,
        horizon_days: float,
    ) -> float:
        """Return the market impact ``MI`` in bps; the speed enters through ``participation``."""
        size_adv = size_of_adv(quantity, adv, _WHERE)
        positive("sigma_daily", sigma_daily, _WHERE)
        positive("horizon_days", horizon_days, _WHERE)
        return istar(
            size_adv,
            sigma_daily * math.sqrt(TRADING_DAYS_PER_YEAR),
            participation,
            self.a1,
            self.a2,
            self.a3,
            self.a4,
            self.b1,
        ).market_impact_bps
