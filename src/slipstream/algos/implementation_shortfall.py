"""Implementation Shortfall: the Almgren–Chriss optimal trajectory for the parent's urgency.

The urgency sets the dimensionless ``κT`` (see :mod:`slipstream.algos.urgency`), from which the
risk aversion λ is derived in the model's own units and passed to
:meth:`slipstream.impact.AlmgrenChriss.optimal_trajectory`; the holdings
``x_k = X·sinh(κ(T − t_k))/sinh(κT)`` become the cumulative schedule. A patient parent trades
almost linearly; an urgent one front-loads, accepting more impact to cut timing risk.

Model parameters (:func:`almgren_chriss_model`): ``σ = price × daily volatility``; ``ε`` is half
the spread and ``γ`` makes trading 10 % of daily volume move the price by one spread, as in
Almgren & Chriss (2000, §4). For ``η`` the paper's rule (1 % of daily volume costs one spread)
is meant for multi-day liquidations and forecasts absurd costs at intraday speeds, so ``η`` is
instead the linearisation of the square-root law at the order itself: trading ``X`` shares at a
constant rate over ``T`` costs ``Y·σ·P·sqrt(X/V)`` per share, as the square-root law (with
``Y`` calibrated on the bundled tape) says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from slipstream.algos.params import SlicedParams
from slipstream.algos.schedule import trajectory_fractions
from slipstream.algos.template import MarketInputs, SlicedSchedule
from slipstream.algos.urgency import risk_aversion_for
from slipstream.impact import AlmgrenChriss, Trajectory
from slipstream.impact.square_root import TAPE_CALIBRATED_Y

SESSION_SECS = 23_400.0  # one regular US session, 09:30–16:00: the model's "day"
_UNIT_MODEL = AlmgrenChriss(sigma=1.0, eta=1.0, gamma=0.0, epsilon=0.0)


def almgren_chriss_model(
    inputs: MarketInputs, quantity: float, horizon_days: float
) -> AlmgrenChriss:
    """Return the Almgren–Chriss model of a stock for an order of ``quantity`` over ``horizon_days``.

    See the module docstring for how each parameter is set.
    """
    spread = inputs.price * inputs.spread_bps / 1e4
    sigma = inputs.price * inputs.sigma_daily
    per_share = TAPE_CALIBRATED_Y * sigma * math.sqrt(quantity / inputs.adv)  # $/share
    return AlmgrenChriss(
        sigma=sigma,
        eta=per_share / (quantity / horizon_days),
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
        horizon_days = p.duration_ns / 1e9 / SESSION_SECS
        if inputs is None:
            model = _UNIT_MODEL
        else:
            model = almgren_chriss_model(inputs, p.quantity, horizon_days)
        traj = urgency_trajectory(model, p.quantity, horizon_days, self.params.slices, p.urgency)
        return trajectory_fractions(traj.holdings)
