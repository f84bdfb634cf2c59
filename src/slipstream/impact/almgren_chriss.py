"""Almgren–Chriss optimal execution with linear permanent and temporary impact.

Source: R. Almgren, N. Chriss, "Optimal execution of portfolio transactions", Journal of Risk 3
(2000), sections 2–3 (discrete time). Units are the paper's: ``sigma`` in $/share/√day, ``eta``
in ($/share)/(share/day), ``gamma`` in ($/share)/share, ``epsilon`` in $/share, times in days.

A liquidation of ``X`` shares over ``T`` days in ``N`` periods of ``τ = T/N`` holds ``x_k``
shares at ``t_k = kτ`` and sells ``n_k = x_{k-1} − x_k`` in period ``k``. With
``η̃ = η − γτ/2`` the expected cost and variance of any such trajectory are

    E = ½γX² + ε·Σ|n_k| + (η̃/τ)·Σn_k²        V = σ²·τ·Σ_{k=1..N} x_k²

and the trajectory minimising ``E + λV`` is ``x_k = X·sinh(κ(T − t_k))/sinh(κT)`` with
``(2/τ²)(cosh(κτ) − 1) = λσ²/η̃``. ``λ = 0`` gives ``κ = 0`` and the straight line (TWAP).
A purchase is the mirror image of a sale: pass the absolute share count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from slipstream.core.errors import InputError
from slipstream.impact._checks import non_negative, positive

_WHERE = "AlmgrenChriss"


@dataclass(frozen=True, slots=True)
class Trajectory:
    """An execution trajectory with its cost figures.

    ``holdings`` has ``N + 1`` entries from the initial shares down to 0; ``trades[k-1]`` is the
    quantity sold in period ``k``; ``times`` are the ``t_k`` in days; ``kappa`` is the urgency
    (1/day) — its inverse is the half-life scale of the liquidation.
    """

    holdings: tuple[float, ...]
    trades: tuple[float, ...]
    times: tuple[float, ...]
    kappa: float
    risk_aversion: float
    expected_cost: float
    variance: float

    @property
    def std_dev(self) -> float:
        """Return the standard deviation of the cost in dollars."""
        return math.sqrt(self.variance)


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """One point of the efficient frontier: a risk aversion and its optimal E and V."""

    risk_aversion: float
    kappa: float
    expected_cost: float
    variance: float


@dataclass(frozen=True, slots=True)
class AlmgrenChriss:
    """Linear-impact Almgren–Chriss model of one stock.

    Parameters
    ----------
    sigma:
        Volatility of the price in $/share/√day.
    eta:
        Temporary impact coefficient in ($/share) per (share/day).
    gamma:
        Permanent impact coefficient in ($/share) per share.
    epsilon:
        Fixed cost of selling in $/share (half spread plus fees).
    """

    sigma: float
    eta: float
    gamma: float
    epsilon: float

    def __post_init__(self) -> None:
        non_negative("sigma", self.sigma, _WHERE)
        positive("eta", self.eta, _WHERE)
        non_negative("gamma", self.gamma, _WHERE)
        non_negative("epsilon", self.epsilon, _WHERE)

    def eta_tilde(self, tau: float) -> float:
        """Return ``η̃ = η − γτ/2``, refusing a period so long that it is not positive."""
        value = self.eta - 0.5 * self.gamma * tau
        if value <= 0.0:
            raise InputError(
                "tau",
                tau,
                f"must be < 2·eta/gamma = {2 * self.eta / self.gamma:g} days",
                where=_WHERE,
            )
        return value

    def kappa(self, horizon: float, periods: int, risk_aversion: float) -> float:
        """Return ``κ`` solving ``(2/τ²)(cosh(κτ) − 1) = λσ²/η̃`` (0 when ``λ = 0``)."""
        tau = _tau(horizon, periods)
        non_negative("risk_aversion", risk_aversion, _WHERE)
        kappa_tilde_sq = risk_aversion * self.sigma**2 / self.eta_tilde(tau)
        return math.acosh(1.0 + 0.5 * kappa_tilde_sq * tau * tau) / tau

    def optimal_trajectory(
        self, shares: float, horizon: float, periods: int, risk_aversion: float
    ) -> Trajectory:
        """Return the trajectory minimising ``E + λV`` for liquidating ``shares`` in ``horizon`` days.

        Parameters
        ----------
        shares:
            Shares to trade (> 0).
        horizon:
            Time ``T`` in days (> 0).
        periods:
            Number ``N`` of trading periods (>= 1).
        risk_aversion:
            ``λ`` in 1/$ (>= 0); 0 gives the linear (TWAP) trajectory.
        """
        positive("shares", shares, _WHERE)
        tau = _tau(horizon, periods)
        kappa = self.kappa(horizon, periods, risk_aversion)
        times = tuple(k * tau for k in range(periods + 1))
        if kappa * horizon < 1e-9:
            holdings = [shares * (1.0 - t / horizon) for t in times]
        else:
            # sinh overflows past ~710; above that, divide exponentials instead.
            kt = kappa * horizon
            if kt < 700.0:
                denom = math.sinh(kt)
                holdings = [shares * math.sinh(kappa * (horizon - t)) / denom for t in times]
            else:
                holdings = [shares * math.exp(-kappa * t) for t in times]
        holdings[0] = float(shares)
        holdings[-1] = 0.0
        held = tuple(holdings)
        return Trajectory(
            holdings=held,
            trades=_trades(held),
            times=times,
            kappa=kappa,
            risk_aversion=risk_aversion,
            expected_cost=self.expected_cost(held, horizon),
            variance=self.variance(held, horizon),
        )

    def expected_cost(self, holdings: Sequence[float], horizon: float) -> float:
        """Return ``E = ½γX² + εΣ|n_k| + (η̃/τ)Σn_k²`` in dollars for a complete liquidation."""
        tau = _tau(horizon, _periods(holdings))
        trades = _trades(holdings)
        start = holdings[0]
        return (
            0.5 * self.gamma * start * start
            + self.epsilon * sum(abs(n) for n in trades)
            + self.eta_tilde(tau) / tau * sum(n * n for n in trades)
        )

    def variance(self, holdings: Sequence[float], horizon: float) -> float:
        """Return ``V = σ²τΣ_{k=1..N} x_k²`` in dollars² for a complete liquidation."""
        tau = _tau(horizon, _periods(holdings))
        return self.sigma**2 * tau * sum(x * x for x in holdings[1:])

    def efficient_frontier(
        self, shares: float, horizon: float, periods: int, risk_aversions: Sequence[float]
    ) -> list[FrontierPoint]:
        """Return the optimal ``(E, V)`` for each risk aversion, in the order given."""
        points = []
        for lam in risk_aversions:
            traj = self.optimal_trajectory(shares, horizon, periods, lam)
            points.append(FrontierPoint(lam, traj.kappa, traj.expected_cost, traj.variance))
        return points


def _tau(horizon: float, periods: int) -> float:
    positive("horizon", horizon, _WHERE)
    if periods < 1:
        raise InputError("periods", periods, "must be an integer >= 1", where=_WHERE)
    return horizon / periods


def _periods(holdings: Sequence[float]) -> int:
    """Validate a liquidation trajectory and return its number of periods."""
    if len(holdings) < 2:
        raise InputError("holdings", list(holdings), "needs at least 2 entries", where=_WHERE)
    if holdings[-1] != 0.0:
        raise InputError(
            "holdings", holdings[-1], "last entry must be 0 (liquidated)", where=_WHERE
        )
    return len(holdings) - 1


def _trades(holdings: Sequence[float]) -> tuple[float, ...]:
    return tuple(holdings[k - 1] - holdings[k] for k in range(1, len(holdings)))
