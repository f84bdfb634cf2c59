"""Expected Shortfall: historical, parametric (normal, Student-t) and filtered historical.

Every function works on *returns* (P&L as a fraction of portfolio value, gains positive) and
answers with a *loss*: Expected Shortfall at ``level`` (0.975 by default) is the mean loss in
the worst ``1 − level`` of outcomes, reported as a positive fraction (0.031 means 3.1%).

Historical tail weighting
-------------------------
With ``n`` observations the tail holds ``m = n·(1 − level)`` of them, which is rarely a whole
number. Slipstream uses the Acerbi–Tasche estimator: sort the losses from worst,
``L(1) ≥ L(2) ≥ …``, take the ``⌊m⌋`` worst in full and the next one, the boundary observation
``L(⌊m⌋+1)``, with weight ``m − ⌊m⌋``, and divide by ``m``::

    ES = ( L(1) + … + L(⌊m⌋) + (m − ⌊m⌋)·L(⌊m⌋+1) ) / m

With 250 days at 97.5%, ``m = 6.25``: the six worst losses count fully, the seventh counts a
quarter, and the sum is divided by 6.25. When ``m < 1`` the estimate is the single worst loss.
Value at Risk is the ``⌈m⌉``-th worst loss (the boundary observation), so ES ≥ VaR always.

Parametric forms
----------------
``sigma`` is always the *standard deviation* of the return. For the Student-t the standardized
t with ``df`` degrees of freedom (``df > 2``) is scaled by ``sigma·√((df − 2)/df)`` so that its
standard deviation is ``sigma``; then, with ``q`` the t quantile at ``level`` and ``g`` the t
density, ``ES = −mu + sigma·√((df−2)/df) · g(q)/(1−level) · (df + q²)/(df − 1)``. The normal is
``ES = −mu + sigma·φ(z)/(1−level)`` with ``z = Φ⁻¹(level)``.

Volatility-weighted historical simulation (``"vwhs"``)
-----------------------------------------------------
Hull and White (1998): each past return is rescaled to today's volatility,
``r̃_t = r_t · σ_{T+1} / σ_t``, with ``σ²`` the RiskMetrics EWMA
``σ²_{t+1} = λ·σ²_t + (1 − λ)·r²_t`` (λ = 0.94, seeded with the variance of the first 20
returns), and the historical weighting above is applied to ``r̃``. Pre-trade risk can price its
scenarios this way (``expected_shortfall.scenarios = "volatility_weighted"``): the scaling is
done once per name, so the incremental check stays exact and O(scenarios).

Filtered historical simulation
------------------------------
A GARCH(1,1) with constant mean is fitted by (quasi) maximum likelihood with ``arch``; the
returns are filtered into standardized residuals ``z_t = (r_t − mu)/sigma_t``; tomorrow's
volatility ``sigma_{T+1}`` comes from the GARCH recursion; and
``ES = −mu + sigma_{T+1}·ES_hist(z)`` with the historical weighting above applied to the
residuals. The filter starts from the sample variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from slipstream.core.errors import InputError

FloatArray = npt.NDArray[np.float64]
Method = Literal["historical", "vwhs", "normal", "t", "fhs"]
METHODS: tuple[Method, ...] = ("historical", "vwhs", "normal", "t", "fhs")
#: RiskMetrics' daily EWMA decay, used by volatility-weighted historical simulation.
EWMA_LAMBDA = 0.94
#: Observations whose variance seeds the EWMA recursion.
EWMA_SEED = 20

#: Fewest observations a GARCH(1,1) fit is attempted on.
MIN_FHS_OBSERVATIONS = 100


@dataclass(frozen=True, slots=True)
class RiskForecast:
    """A one-period loss forecast: VaR and ES as positive loss fractions, and how it was made."""

    method: str
    level: float
    var: float
    es: float
    df: float | None = None
    sigma: float | None = None


@dataclass(frozen=True, slots=True)
class GarchParams:
    """GARCH(1,1) parameters in return units: ``sigma²_t = omega + alpha·eps²_{t−1} + beta·sigma²_{t−1}``."""

    mu: float
    omega: float
    alpha: float
    beta: float


def _check_level(level: float) -> None:
    if not 0.5 < level < 1.0:
        raise InputError("level", level, "must be strictly between 0.5 and 1")


def _as_returns(returns: npt.ArrayLike, minimum: int = 1) -> FloatArray:
    arr = np.asarray(returns, dtype=np.float64).ravel()
    if arr.size < minimum:
        raise InputError("returns", f"{arr.size} observations", f"needs at least {minimum}")
    if not np.all(np.isfinite(arr)):
        raise InputError("returns", "non-finite values", "must all be finite numbers")
    return arr


def tail_size(n: int, level: float) -> float:
    """Return ``m = n·(1 − level)``, rounded to 1e-9 so that 200 × 0.025 is exactly 5."""
    return round(n * (1.0 - level), 9)


def historical_from_losses(losses: FloatArray, level: float) -> tuple[float, float]:
    """Return ``(VaR, ES)`` of a vector of losses with the weighting in the module docstring."""
    return historical_in_place(np.array(losses, dtype=np.float64), level)


def historical_in_place(losses: FloatArray, level: float) -> tuple[float, float]:
    """Return ``(VaR, ES)`` like :func:`historical_from_losses`, reordering ``losses`` in place.

    O(n) and sort-free: one partition puts the ``⌈m⌉`` worst losses at the end with the
    boundary observation (the ``⌈m⌉``-th worst, which is also VaR) first among them, so the
    weighted tail is their sum less ``(1 − (m − ⌊m⌋))`` times the boundary. Pre-trade risk
    calls this on a scratch vector for every order.
    """
    n = losses.size
    m = tail_size(n, level)
    if m < 1.0:
        worst = float(losses.max())
        return worst, worst
    whole = int(m)
    frac = m - whole
    need = min(n, whole + (1 if frac > 0 else 0))
    cut = n - need
    losses.partition(cut)
    boundary = float(losses[cut])
    # A few dozen tail values: a Python sum beats a NumPy reduction's call overhead.
    total = sum(losses[cut:].tolist())
    if frac > 0 and need > whole:
        total -= (1.0 - frac) * boundary
    return boundary, total / m


def parametric_es(
    mu: float,
    sigma: float,
    level: float = 0.975,
    dist: Literal["normal", "t"] = "normal",
    df: float | None = None,
) -> float:
    """Return the Expected Shortfall of a normal or Student-t return with mean ``mu``.

    Parameters
    ----------
    mu, sigma
        Mean and *standard deviation* of the one-period return (fractions).
    level
        Confidence level, e.g. 0.975.
    dist
        ``"normal"`` or ``"t"``; for ``"t"`` the standardized t is scaled so its standard
        deviation is ``sigma`` (see the module docstring) and ``df > 2`` is required.
    """
    return parametric_forecast(mu, sigma, level, dist, df).es


def parametric_forecast(
    mu: float,
    sigma: float,
    level: float = 0.975,
    dist: Literal["normal", "t"] = "normal",
    df: float | None = None,
) -> RiskForecast:
    """Return VaR and ES of a normal or standard-deviation-scaled Student-t return."""
    _check_level(level)
    if not (math.isfinite(sigma) and sigma >= 0):
        raise InputError("sigma", sigma, "must be a finite standard deviation >= 0")
    if dist == "normal":
        z = float(stats.norm.ppf(level))
        es_unit = float(stats.norm.pdf(z)) / (1.0 - level)
        return RiskForecast("normal", level, -mu + sigma * z, -mu + sigma * es_unit, None, sigma)
    if dist == "t":
        if df is None or not df > 2:
            raise InputError("df", df, "a Student-t needs degrees of freedom > 2")
        scale = sigma * math.sqrt((df - 2.0) / df)
        q = float(stats.t.ppf(level, df))
        es_unit = float(stats.t.pdf(q, df)) / (1.0 - level) * (df + q * q) / (df - 1.0)
        return RiskForecast("t", level, -mu + scale * q, -mu + scale * es_unit, df, sigma)
    raise InputError("dist", dist, "must be 'normal' or 't'")


def ewma_volatility(returns: npt.ArrayLike, lam: float = EWMA_LAMBDA) -> FloatArray:
    """Return EWMA volatility forecasts ``σ_0 … σ_n`` for ``n`` returns (``σ_t`` uses r before t).

    Works on a 1-D series or column-wise on a (days × names) matrix.
    """
    if not 0.0 < lam < 1.0:
        raise InputError("lam", lam, "must be strictly between 0 and 1")
    arr = np.asarray(returns, dtype=np.float64)
    if arr.shape[0] < 2:
        raise InputError("returns", f"{arr.shape[0]} observations", "needs at least 2")
    variance = np.empty((arr.shape[0] + 1, *arr.shape[1:]))
    variance[0] = np.var(arr[:EWMA_SEED], axis=0)
    for i in range(arr.shape[0]):
        variance[i + 1] = lam * variance[i] + (1.0 - lam) * arr[i] ** 2
    vol: FloatArray = np.sqrt(np.maximum(variance, 1e-24))
    return vol


def volatility_weighted(returns: npt.ArrayLike, lam: float = EWMA_LAMBDA) -> FloatArray:
    """Return ``returns`` rescaled to the latest EWMA volatility (Hull–White weighting)."""
    arr = np.asarray(returns, dtype=np.float64)
    vol = ewma_volatility(arr, lam)
    scaled: FloatArray = arr / vol[:-1] * vol[-1]
    return scaled


def fit_t_df(returns: npt.ArrayLike) -> float:
    """Return the Student-t degrees of freedom fitted by maximum likelihood, kept in [2.5, 200].

    The bounds keep the variance finite (df > 2) and stop a near-normal sample from drifting to
    an unbounded df that adds nothing.
    """
    arr = _as_returns(returns, minimum=10)
    df, _loc, _scale = stats.t.fit(arr)
    return float(min(max(df, 2.5), 200.0))


def fit_garch(returns: npt.ArrayLike) -> GarchParams:
    """Fit a constant-mean GARCH(1,1) with ``arch`` and return its parameters in return units.

    Returns are scaled to percent for the optimizer (``arch`` is best conditioned there) and the
    parameters scaled back.
    """
    from arch import arch_model

    arr = _as_returns(returns, minimum=MIN_FHS_OBSERVATIONS)
    model = arch_model(arr * 100.0, mean="Constant", vol="GARCH", p=1, q=1, dist="normal")
    result = model.fit(disp="off", show_warning=False)
    params = result.params
    return GarchParams(
        mu=float(params["mu"]) / 100.0,
        omega=float(params["omega"]) / 1e4,
        alpha=float(params["alpha[1]"]),
        beta=float(params["beta[1]"]),
    )


def garch_filter(returns: FloatArray, params: GarchParams) -> tuple[FloatArray, float]:
    """Return the standardized residuals of ``returns`` and the next period's volatility."""
    eps = returns - params.mu
    sigma2 = np.empty(eps.size + 1)
    sigma2[0] = float(np.var(eps)) or 1e-12
    for i in range(eps.size):
        sigma2[i + 1] = params.omega + params.alpha * eps[i] ** 2 + params.beta * sigma2[i]
    vol = np.sqrt(np.maximum(sigma2, 1e-24))
    return eps / vol[:-1], float(vol[-1])


def fhs_forecast(
    returns: npt.ArrayLike, level: float = 0.975, params: GarchParams | None = None
) -> RiskForecast:
    """Return VaR and ES by filtered historical simulation (GARCH(1,1) fitted unless given)."""
    _check_level(level)
    arr = _as_returns(returns, minimum=MIN_FHS_OBSERVATIONS)
    fitted = params if params is not None else fit_garch(arr)
    z, sigma_next = garch_filter(arr, fitted)
    var_z, es_z = historical_from_losses(-z, level)
    return RiskForecast(
        "fhs",
        level,
        -fitted.mu + sigma_next * var_z,
        -fitted.mu + sigma_next * es_z,
        None,
        sigma_next,
    )


def forecast(
    returns: npt.ArrayLike,
    level: float = 0.975,
    method: Method = "historical",
    df: float | None = None,
) -> RiskForecast:
    """Return VaR and ES of the next period's return by ``method`` (see :func:`expected_shortfall`)."""
    _check_level(level)
    if method == "historical":
        arr = _as_returns(returns)
        var, es = historical_from_losses(-arr, level)
        return RiskForecast("historical", level, var, es)
    if method == "vwhs":
        arr = _as_returns(returns, minimum=2)
        var, es = historical_from_losses(-volatility_weighted(arr), level)
        return RiskForecast("vwhs", level, var, es)
    if method == "normal":
        arr = _as_returns(returns, minimum=2)
        return parametric_forecast(float(arr.mean()), float(arr.std(ddof=1)), level, "normal")
    if method == "t":
        arr = _as_returns(returns, minimum=10)
        dof = df if df is not None else fit_t_df(arr)
        return parametric_forecast(float(arr.mean()), float(arr.std(ddof=1)), level, "t", dof)
    if method == "fhs":
        return fhs_forecast(returns, level)
    raise InputError("method", method, f"must be one of {', '.join(METHODS)}")


def expected_shortfall(
    returns: npt.ArrayLike,
    level: float = 0.975,
    method: Method = "historical",
    df: float | None = None,
) -> float:
    """Return the one-period Expected Shortfall of ``returns`` as a positive loss fraction.

    Parameters
    ----------
    returns
        Past one-period returns (fractions, gains positive), oldest first.
    level
        Confidence level; 0.975 is the Basel FRTB level.
    method
        ``"historical"`` (weighting in the module docstring), ``"vwhs"`` (volatility-weighted
        historical, EWMA λ = 0.94), ``"normal"`` and ``"t"`` (sample
        mean and standard deviation; the t's df is ``df`` if given, else fitted by maximum
        likelihood) or ``"fhs"`` (filtered historical simulation with GARCH(1,1)).
    """
    return forecast(returns, level, method, df).es
