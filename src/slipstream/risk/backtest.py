"""Backtesting ES forecasts: breach counts and the Acerbi–Székely Z2 statistic.

For forecasts ``VaR_t``, ``ES_t`` (positive losses) and realized returns ``X_t`` over ``T`` days,
a breach is ``X_t < −VaR_t`` and (Acerbi & Székely, "Backtesting Expected Shortfall", 2014)::

    Z2 = Σ_t X_t·1{X_t < −VaR_t} / (T·(1 − level)·ES_t) + 1

Under a correct model ``E[Z2] = 0``; a negative value means the tail losses were larger or more
frequent than the ES forecasts. Acerbi and Székely find the 5% critical value close to −0.70
(and 0.01% close to −1.8) across a range of return distributions, so ``Z2 < −0.70`` rejects the
model at about 5%. The breach count is checked against Binomial(T, 1 − level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from slipstream.core.errors import InputError
from slipstream.risk.es import (
    METHODS,
    GarchParams,
    Method,
    fhs_forecast,
    fit_garch,
    fit_t_df,
    forecast,
)

#: Z2 at or below this rejects the ES model at about the 5% level (Acerbi & Székely 2014).
Z2_CRITICAL_5PCT = -0.70


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """How one ES method did over a rolling backtest."""

    method: str
    days: int
    breaches: int
    expected_breaches: float
    breach_p_value: float
    z2: float
    mean_es: float
    rejected: bool


def z2_statistic(
    realized: npt.ArrayLike, var: npt.ArrayLike, es: npt.ArrayLike, level: float = 0.975
) -> float:
    """Return the Acerbi–Székely Z2 statistic (see the module docstring)."""
    x = np.asarray(realized, dtype=np.float64)
    v = np.asarray(var, dtype=np.float64)
    e = np.asarray(es, dtype=np.float64)
    if not x.size or x.shape != v.shape or x.shape != e.shape:
        raise InputError("realized", x.shape, "must be non-empty and match var and es in shape")
    if np.any(e <= 0):
        raise InputError("es", "non-positive forecast", "every ES forecast must be > 0")
    breach = x < -v
    return float(np.sum(x * breach / e) / (x.size * (1.0 - level)) + 1.0)


def breach_p_value(breaches: int, days: int, level: float) -> float:
    """Return the two-sided binomial p-value of ``breaches`` VaR breaches in ``days``."""
    return float(stats.binomtest(breaches, days, 1.0 - level).pvalue)


def rolling_backtest(
    returns: npt.ArrayLike,
    window: int = 250,
    level: float = 0.975,
    methods: tuple[Method, ...] = METHODS,
    refit_every: int = 20,
) -> list[BacktestResult]:
    """Forecast each day's VaR/ES from the previous ``window`` days and score every method.

    The Student-t df and the GARCH parameters are refitted every ``refit_every`` days (a fit
    per day adds nothing but time); between refits the last fit is reused on the moving window.
    """
    r = np.asarray(returns, dtype=np.float64)
    if r.size <= window:
        raise InputError("returns", r.size, f"needs more than window={window} observations")
    days = r.size - window
    results = []
    for method in methods:
        var = np.empty(days)
        es = np.empty(days)
        df: float | None = None
        garch: GarchParams | None = None
        for i in range(days):
            hist = r[i : i + window]
            if i % refit_every == 0:
                df = fit_t_df(hist) if method == "t" else None
                garch = fit_garch(hist) if method == "fhs" else None
            if method == "fhs":
                fc = fhs_forecast(hist, level, garch)
            else:
                fc = forecast(hist, level, method, df)
            var[i], es[i] = fc.var, fc.es
        realized = r[window:]
        breaches = int(np.sum(realized < -var))
        z2 = z2_statistic(realized, var, es, level)
        results.append(
            BacktestResult(
                method=method,
                days=days,
                breaches=breaches,
                expected_breaches=days * (1.0 - level),
                breach_p_value=breach_p_value(breaches, days, level),
                z2=z2,
                mean_es=float(es.mean()),
                rejected=z2 < Z2_CRITICAL_5PCT,
            )
        )
    return results
