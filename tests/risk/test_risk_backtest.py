"""VaR/ES backtests against published tables, closed forms and simulations written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from slipstream.core.errors import InputError
from slipstream.risk.backtest import (
    independence_lr,
    kupiec_lr,
    rolling_backtest,
    traffic_light,
    z2_critical_value,
)


def test_z2_critical_value_for_250_days_is_acerbi_szekelys_minus_0_70() -> None:
    # Acerbi & Székely (2014) report ≈ −0.70 at 5% for T = 250 across tails.
    assert z2_critical_value(250, 0.975, None) == pytest.approx(-0.70, abs=0.02)
    assert z2_critical_value(250, 0.975, 10.0) == pytest.approx(-0.70, abs=0.03)


def _z2_by_loop(days: int, df: float, runs: int, seed: int) -> float:
    """Simulate Z2 one sample at a time with scipy's t (independent of the code under test)."""
    alpha = 0.025
    scale = math.sqrt((df - 2) / df)
    q = stats.t.ppf(alpha, df) * scale  # a negative return: the VaR boundary
    # ES of the scaled t by numerical integration of the tail, not by the closed form.
    tail, _ = integrate.quad(lambda x: x * stats.t.pdf(x / scale, df) / scale, -np.inf, q)
    es = -tail / alpha
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(runs):
        x = stats.t.rvs(df, size=days, random_state=rng) * scale
        values.append(float(np.sum(x[x < q])) / (days * alpha * es) + 1)
    return float(np.quantile(values, 0.05))


def test_z2_critical_value_for_1008_days_matches_an_independent_simulation() -> None:
    expected = _z2_by_loop(1008, 4.0, 4000, seed=7)
    assert z2_critical_value(1008, 0.975, 4.0) == pytest.approx(expected, abs=0.025)
    # Far from the 250-day figure: the spread shrinks like 1/√T.
    assert -0.45 < expected < -0.30


def test_z2_critical_value_refuses_bad_input() -> None:
    with pytest.raises(InputError, match="df"):
        z2_critical_value(100, df=2.0)
    with pytest.raises(InputError, match="days"):
        z2_critical_value(0)


def test_kupiec_is_the_binomial_likelihood_ratio() -> None:
    days, level = 1008, 0.975
    for breaches in (0, 10, 25, 35, 49):
        rate = breaches / days
        expected = 2 * (
            stats.binom.logpmf(breaches, days, rate) - stats.binom.logpmf(breaches, days, 0.025)
        )
        assert kupiec_lr(breaches, days, level) == pytest.approx(expected, abs=1e-9)


def test_christoffersen_independence_by_hand() -> None:
    hits = np.array([0, 1, 1, 0, 0, 0, 1, 0, 0, 1], dtype=bool)
    # Transitions: 00 ×3, 01 ×3, 10 ×2, 11 ×1 (9 pairs).
    n00, n01, n10, n11 = 3, 3, 2, 1
    pi0, pi1, pi = n01 / (n00 + n01), n11 / (n10 + n11), (n01 + n11) / 9
    markov = n00 * math.log(1 - pi0) + n01 * math.log(pi0)
    markov += n10 * math.log(1 - pi1) + n11 * math.log(pi1)
    null = (n00 + n10) * math.log(1 - pi) + (n01 + n11) * math.log(pi)
    assert independence_lr(hits) == pytest.approx(-2 * (null - markov))
    assert independence_lr(np.zeros(20, dtype=bool)) == 0.0


def test_basel_traffic_light_table() -> None:
    # Basel Committee (1996), 250 days of 99% VaR: green 0–4, yellow 5–9, red 10+.
    zones = [traffic_light(k, 250, 0.99) for k in range(12)]
    assert zones == ["green"] * 5 + ["yellow"] * 5 + ["red"] * 2


def test_backtest_uses_the_critical_value_for_its_own_length() -> None:
    r = np.random.default_rng(11).normal(0, 0.01, 1258)
    seen: list[int] = []
    (result,) = rolling_backtest(r, window=250, methods=("normal",), progress=seen.append)
    assert result.days == 1008
    assert -0.42 < result.z2_critical < -0.30
    assert result.rejected == (result.z2 < result.z2_critical)
    assert seen[-1] == 1008 and seen == sorted(seen)
    assert result.traffic_light in ("green", "yellow", "red")
