"""Backtesting ES and VaR forecasts: Z2 with simulated critical values, Kupiec, Christoffersen.

For forecasts ``VaR_t``, ``ES_t`` (positive losses) and realized returns ``X_t`` over ``T`` days,
a breach is ``X_t < −VaR_t`` and (Acerbi & Székely, "Backtesting Expected Shortfall", 2014)::

    Z2 = Σ_t X_t·1{X_t < −VaR_t} / (T·(1 − level)·ES_t) + 1

Under a correct model ``E[Z2] = 0``; a negative value means the tail losses were larger or more
frequent than the ES forecasts.

Critical values depend on the sample size
-----------------------------------------
Acerbi and Székely's often-quoted 5% critical value −0.70 is for ``T = 250`` days: the spread of
Z2 under the null shrinks roughly like ``1/√T``, so for ``T = 1,008`` forecast days the 5%
value is near −0.34 (normal tail) to −0.39 (Student-t, 3 df). Slipstream therefore *simulates*
the critical value for the backtest at hand (:func:`z2_critical_value`): ``T`` days drawn from
the null distribution, each scored with that distribution's exact VaR and ES, many times; the
``significance`` quantile of the simulated Z2 is the critical value. Z2 is invariant to each
day's scale, so only the tail *shape* matters: the null is a unit-variance Student-t whose
degrees of freedom are fitted by maximum likelihood to the realized returns standardised by
their EWMA volatility (the shape of the shocks the forecasts faced; :func:`fitted_tail_df`).

VaR at the same level
---------------------
The breaches of the VaR forecast are judged three ways: Kupiec's proportion-of-failures
likelihood ratio (the count, χ² with 1 df), Christoffersen's independence ratio (do breaches
cluster, χ² with 1 df) and their sum, conditional coverage (χ² with 2 df); and the Basel
traffic light, which puts the count in the green zone while its cumulative binomial
probability is below 95%, red from 99.99%, yellow between (Basel Committee, 1996; for 250 days
at 99% green is 0–4 breaches, yellow 5–9, red 10 or more).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from slipstream.core.errors import InputError
from slipstream.risk.es import (
    METHODS,
    GarchParams,
    Method,
    ewma_volatility,
    fhs_forecast,
    fit_garch,
    fit_t_df,
    forecast,
)

#: Significance of the backtests' verdicts.
SIGNIFICANCE = 0.05
#: Simulated samples behind a Z2 critical value (its Monte Carlo error is about ±0.005).
Z2_SIMULATIONS = 20_000
#: Seed of the critical-value simulation, so a backtest's verdict is reproducible.
Z2_SEED = 20140101
#: Basel traffic-light boundaries on the cumulative binomial probability of the breach count.
GREEN_BELOW = 0.95
RED_FROM = 0.9999

Zone = Literal["green", "yellow", "red"]


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """How one ES method did over a rolling backtest, with every test's p-value and verdict."""

    method: str
    days: int
    breaches: int
    expected_breaches: float
    breach_p_value: float
    kupiec_p_value: float
    independence_p_value: float
    conditional_coverage_p_value: float
    traffic_light: Zone
    z2: float
    z2_critical: float
    tail_df: float
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


def _unit_t_tail(level: float, df: float | None) -> tuple[float, float]:
    """Return VaR and ES (positive losses) of the unit-variance normal (None) or Student-t."""
    alpha = 1.0 - level
    if df is None:
        z = float(stats.norm.ppf(level))
        return z, float(stats.norm.pdf(z)) / alpha
    scale = math.sqrt((df - 2.0) / df)
    q = float(stats.t.ppf(level, df))
    es = scale * float(stats.t.pdf(q, df)) / alpha * (df + q * q) / (df - 1.0)
    return scale * q, es


def z2_critical_value(
    days: int,
    level: float = 0.975,
    df: float | None = None,
    significance: float = SIGNIFICANCE,
    simulations: int = Z2_SIMULATIONS,
    seed: int = Z2_SEED,
) -> float:
    """Return Z2's critical value for ``days`` forecasts by Monte Carlo under a correct model.

    The null draws ``days`` returns from a unit-variance normal (``df`` None) or Student-t with
    ``df`` degrees of freedom, scores them with that distribution's exact VaR and ES, and
    returns the ``significance`` quantile of ``simulations`` such Z2 values.
    """
    if days < 1:
        raise InputError("days", days, "must be at least 1")
    if not 0.0 < significance < 1.0:
        raise InputError("significance", significance, "must be strictly between 0 and 1")
    if df is not None and df <= 2.0:
        raise InputError("df", df, "must be > 2 (finite variance)")
    var, es = _unit_t_tail(level, df)
    rng = np.random.default_rng(seed)
    z2 = np.empty(simulations)
    # In blocks, so memory stays at about 8 MB however long the backtest.
    block = max(1, 1_000_000 // days)
    for start in range(0, simulations, block):
        n = min(block, simulations - start)
        if df is None:
            x = rng.standard_normal((n, days))
        else:
            x = rng.standard_t(df, (n, days)) * math.sqrt((df - 2.0) / df)
        z2[start : start + n] = (x * (x < -var)).sum(axis=1) / (days * (1.0 - level) * es) + 1.0
    return float(np.quantile(z2, significance))


def fitted_tail_df(realized: npt.ArrayLike) -> float:
    """Return the Student-t df of ``realized`` standardised by its EWMA volatility (see above)."""
    r = np.asarray(realized, dtype=np.float64)
    shocks = r / ewma_volatility(r)[:-1]
    return fit_t_df(shocks)


def breach_p_value(breaches: int, days: int, level: float) -> float:
    """Return the two-sided binomial p-value of ``breaches`` VaR breaches in ``days``."""
    return float(stats.binomtest(breaches, days, 1.0 - level).pvalue)


def _xlogy(x: float, y: float) -> float:
    """Return ``x·ln(y)`` with ``0·ln(0) = 0`` (a likelihood term of an event never seen)."""
    return 0.0 if x == 0 else x * math.log(y)


def kupiec_lr(breaches: int, days: int, level: float) -> float:
    """Return Kupiec's proportion-of-failures likelihood ratio (χ² with 1 df under the null)."""
    if not 0 <= breaches <= days or days < 1:
        raise InputError("breaches", breaches, f"must be between 0 and days={days}")
    p = 1.0 - level
    rate = breaches / days
    null = _xlogy(days - breaches, 1.0 - p) + _xlogy(breaches, p)
    fitted = _xlogy(days - breaches, 1.0 - rate) + _xlogy(breaches, rate)
    return max(0.0, -2.0 * (null - fitted))


def independence_lr(breach: npt.ArrayLike) -> float:
    """Return Christoffersen's independence likelihood ratio (χ² with 1 df under the null).

    The breach indicator is modelled as a two-state Markov chain; the ratio compares it with
    independent breaches at the overall rate.
    """
    hits = np.asarray(breach, dtype=bool)
    if hits.size < 2:
        raise InputError("breach", hits.size, "needs at least 2 days")
    prev, curr = hits[:-1], hits[1:]
    n00 = int(np.sum(~prev & ~curr))
    n01 = int(np.sum(~prev & curr))
    n10 = int(np.sum(prev & ~curr))
    n11 = int(np.sum(prev & curr))
    pi0 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi1 = n11 / (n10 + n11) if n10 + n11 else 0.0
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    null = _xlogy(n00 + n10, 1.0 - pi) + _xlogy(n01 + n11, pi)
    markov = _xlogy(n00, 1.0 - pi0) + _xlogy(n01, pi0) + _xlogy(n10, 1.0 - pi1) + _xlogy(n11, pi1)
    return max(0.0, -2.0 * (null - markov))


def traffic_light(breaches: int, days: int, level: float) -> Zone:
    """Return the Basel traffic-light zone of ``breaches`` in ``days`` at ``level``."""
    cumulative = float(stats.binom.cdf(breaches, days, 1.0 - level))
    if cumulative < GREEN_BELOW:
        return "green"
    return "red" if cumulative >= RED_FROM else "yellow"


def _forecasts(
    r: npt.NDArray[np.float64],
    window: int,
    level: float,
    method: Method,
    refit_every: int,
    on_refit: Callable[[int], None],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return each day's VaR and ES forecast from the ``window`` days before it.

    ``on_refit(i)`` is told the day index at every refit (a progress tick at little cost).
    """
    days = r.size - window
    var = np.empty(days)
    es = np.empty(days)
    df: float | None = None
    garch: GarchParams | None = None
    for i in range(days):
        hist = r[i : i + window]
        if i % refit_every == 0:
            on_refit(i)
            df = fit_t_df(hist) if method == "t" else None
            garch = fit_garch(hist) if method == "fhs" else None
        fc = (
            fhs_forecast(hist, level, garch)
            if method == "fhs"
            else forecast(hist, level, method, df)
        )
        var[i], es[i] = fc.var, fc.es
    return var, es


def rolling_backtest(
    returns: npt.ArrayLike,
    window: int = 250,
    level: float = 0.975,
    methods: tuple[Method, ...] = METHODS,
    refit_every: int = 20,
    progress: Callable[[int], None] | None = None,
) -> list[BacktestResult]:
    """Forecast each day's VaR/ES from the previous ``window`` days and score every method.

    The Student-t df and the GARCH parameters are refitted every ``refit_every`` days (a fit
    per day adds nothing but time); between refits the last fit is reused on the moving window.
    Z2 is judged against the critical value simulated for this many days and the fitted tail.
    ``progress(done)``, if given, is told the number of forecasts made so far, out of
    ``len(methods)·(len(returns) − window)``.
    """
    r = np.asarray(returns, dtype=np.float64)
    if r.size <= window:
        raise InputError("returns", r.size, f"needs more than window={window} observations")
    days = r.size - window
    realized = r[window:]
    tail_df = fitted_tail_df(realized)
    critical = z2_critical_value(days, level, tail_df)
    results = []
    for m, method in enumerate(methods):

        def tick(i: int, before: int = m * days) -> None:
            if progress is not None:
                progress(before + i)

        var, es = _forecasts(r, window, level, method, refit_every, tick)
        hits = realized < -var
        breaches = int(np.sum(hits))
        kupiec = kupiec_lr(breaches, days, level)
        independence = independence_lr(hits)
        z2 = z2_statistic(realized, var, es, level)
        results.append(
            BacktestResult(
                method=method,
                days=days,
                breaches=breaches,
                expected_breaches=days * (1.0 - level),
                breach_p_value=breach_p_value(breaches, days, level),
                kupiec_p_value=float(stats.chi2.sf(kupiec, 1)),
                independence_p_value=float(stats.chi2.sf(independence, 1)),
                conditional_coverage_p_value=float(stats.chi2.sf(kupiec + independence, 2)),
                traffic_light=traffic_light(breaches, days, level),
                z2=z2,
                z2_critical=critical,
                tail_df=tail_df,
                mean_es=float(es.mean()),
                rejected=z2 < critical,
            )
        )
    if progress is not None:
        progress(len(methods) * days)
    return results
