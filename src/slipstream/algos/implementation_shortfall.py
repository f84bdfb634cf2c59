"""Implementation Shortfall: the Almgren–Chriss optimal trajectory for the parent's urgency.

The urgency sets the dimensionless ``κT`` (see :mod:`slipstream.algos.urgency`), from which the
risk aversion λ is derived in the model's own units and passed to
:meth:`slipstream.impact.AlmgrenChriss.optimal_trajectory`; the holdings
``x_k = X·sinh(κ(T − t_k))/sinh(κT)`` become the cumulative schedule. A patient parent trades
almost linearly; an urgent one front-loads, accepting more impact to cut timing risk.

Model parameters follow the calibration rules of Almgren & Chriss (2000, §4): ``ε`` is half the
spread, ``η`` makes trading 1 % of daily volume cost one spread, ``γ`` makes selling 10 % of it
move the price by one spread, and ``σ = price × daily volatility``.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.algos.params import SlicedParams
from slipstream.algos.schedule import trajectory_fractions
from slipstream.algos.template import MarketInputs, SlicedSchedule
from slipstream.algos.urgency import risk_aversion_for
from slipstream.impact import AlmgrenChriss, Trajectory

SESSION_SECS = 23_400.0  # one regular US session, 09:30–16:00: the model's "day"
_UNIT_MODEL = AlmgrenChriss(sigma=1.0, eta=1.0, gamma=0.0, epsilon=0.0)


def almgren_chriss_model(inputs: MarketInputs) -> AlmgrenChriss:
    """Return the Almgren–Chriss model of a stock from its daily statistics (paper, §4)."""
    spread = inputs.price * inputs.spread_bps / 1e4
    return AlmgrenChriss(
        sigma=inputs.price * inputs.sigma_daily,
        eta=spread / (0.01 * inputs.adv),
        gamma=spread / (0.10 * inputs.adv),
        epsilon=spread / 2.0,
    )


def urgency_trajectory(
    model: AlmgrenChriss, shares: float, horizon_days: float, periods: int, urgency: float
) -> Trajectory:
    """Return the optimal trajectory whose ``κT`` is the one ``urgency`` asks for."""
    lam = risk_aversion_for(urgency, model.sigma, model.eta, model.gamma, horizon_days, periods)
    return model.optimal_trajectory(shares, horizon_days, periods, lam)


@dataclass(frozen=True, slots=True)
class IsParams(SlicedParams):
    """Implementation Shortfall parameters: ``slices`` trading periods (default 10)."""


class ImplementationShortfall(SlicedSchedule):
    """Almgren–Chriss implementation shortfall."""

    name = "is"
    Params = IsParams

    def build_fractions(self) -> list[float]:
        p = self.ctx.parent
        inputs = self.ctx.inputs
        # The shape depends only on κT, so without daily statistics a unit model gives the same
        # schedule; the statistics matter for the cost forecast, not for the trajectory.
        model = _UNIT_MODEL if inputs is None else almgren_chriss_model(inputs)
        horizon_days = p.duration_ns / 1e9 / SESSION_SECS
        traj = urgency_trajectory(model, p.quantity, horizon_days, self.params.slices, p.urgency)
        return trajectory_fractions(traj.holdings)
