"""The power-law impact model fitted on Citigroup's US equity orders.

Source: R. Almgren, C. Thum, E. Hauptmann, H. Li, "Direct estimation of equity market impact",
Risk 18 (2005). Permanent impact ``I = γ·σ·(X/V)·(Θ/V)^{1/4}`` and realized temporary cost
``J = I/2 + η·σ·|X/(V·T)|^β`` with ``γ = 0.314``, ``η = 0.142``, ``β = 3/5``. ``X`` is the order
size in shares, ``V`` the average daily volume, ``Θ`` the shares outstanding, ``T`` the
execution time in days and ``σ`` the daily volatility. ``I`` and ``J`` are fractions of the
pre-trade price; ``J`` is what the trader pays (half the permanent move, on average, plus the
temporary part).
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.impact._checks import fraction, positive, size_of_adv

GAMMA_2005 = 0.314
ETA_2005 = 0.142
BETA_2005 = 0.6
_WHERE = "almgren2005"


@dataclass(frozen=True, slots=True)
class Almgren2005Cost:
    """The three figures of the 2005 model, in bps of the pre-trade price."""

    permanent_bps: float
    temporary_bps: float
    realized_bps: float


def almgren2005(
    sigma_daily: float,
    size_adv: float,
    horizon_days: float,
    turnover_ratio: float,
    *,
    gamma: float = GAMMA_2005,
    eta: float = ETA_2005,
    beta: float = BETA_2005,
) -> Almgren2005Cost:
    """Return permanent, temporary and realized cost of an order under the 2005 model.

    Parameters
    ----------
    sigma_daily:
        Daily volatility as a fraction (0.016 = 1.6 %), > 0.
    size_adv:
        Order size over average daily volume, ``X/V`` (> 0).
    horizon_days:
        Execution time ``T`` in trading days (> 0).
    turnover_ratio:
        ``Θ/V``: shares outstanding over average daily volume (> 0), the inverse daily turnover.
    gamma, eta, beta:
        Model coefficients; the defaults are the paper's estimates.

    Returns
    -------
    Almgren2005Cost
        ``permanent_bps = 1e4·I``, ``temporary_bps = 1e4·η·σ·|X/(VT)|^β`` and
        ``realized_bps = 1e4·J = permanent_bps/2 + temporary_bps``.
    """
    positive("sigma_daily", sigma_daily, _WHERE)
    positive("size_adv", size_adv, _WHERE)
    positive("horizon_days", horizon_days, _WHERE)
    positive("turnover_ratio", turnover_ratio, _WHERE)
    permanent = gamma * sigma_daily * size_adv * turnover_ratio**0.25 * 1e4
    temporary = eta * sigma_daily * (size_adv / horizon_days) ** beta * 1e4
    return Almgren2005Cost(permanent, temporary, permanent / 2.0 + temporary)


@dataclass(frozen=True, slots=True)
class Almgren2005Impact:
    """The 2005 model behind the :class:`~slipstream.impact.base.ImpactModel` protocol.

    Parameters
    ----------
    turnover_ratio:
        ``Θ/V`` of the stock (shares outstanding / ADV); fixed per instrument.
    """

    turnover_ratio: float
    gamma: float = GAMMA_2005
    eta: float = ETA_2005
    beta: float = BETA_2005

    def __post_init__(self) -> None:
        positive("turnover_ratio", self.turnover_ratio, "Almgren2005Impact")

    @property
    def name(self) -> str:
        """Return ``"almgren2005"``."""
        return "almgren2005"

    def cost_bps(
        self,
        quantity: float,
        adv: float,
        sigma_daily: float,
        participation: float,
        horizon_days: float,
    ) -> float:
        """Return the realized cost ``J`` in bps; the speed enters through ``horizon_days``."""
        size_adv = size_of_adv(quantity, adv, _WHERE)
        fraction("participation", participation, _WHERE)
        return almgren2005(
            sigma_daily,
            size_adv,
            horizon_days,
            self.turnover_ratio,
            gamma=self.gamma,
            eta=self.eta,
            beta=self.beta,
        ).realized_bps
