"""Expected Shortfall against closed forms, hand-computed tails and real data; the Z2 backtest."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from slipstream.core.errors import InputError
from slipstream.risk import expected_shortfall, parametric_es
from slipstream.risk.backtest import rolling_backtest, z2_statistic
from slipstream.risk.data import daily_returns, equal_weight_returns
from slipstream.risk.es import ewma_volatility, fhs_forecast, forecast, volatility_weighted


def test_historical_es_fractional_tail_by_hand() -> None:
    # 250 returns −0.001, −0.002, …, −0.250 (shuffled). m = 250 × 0.025 = 6.25: the six worst
    # losses in full, the seventh (0.244) with weight 0.25, divided by 6.25.
    returns = -np.arange(1, 251) / 1000.0
    np.random.default_rng(1).shuffle(returns)
    expected = (0.250 + 0.249 + 0.248 + 0.247 + 0.246 + 0.245 + 0.25 * 0.244) / 6.25
    assert expected_shortfall(returns, 0.975) == pytest.approx(expected, abs=1e-12)
    assert forecast(returns, 0.975).var == pytest.approx(0.244)


def test_historical_es_small_hand_example() -> None:
    # Ten returns at level 0.75: m = 2.5 → (8 + 5 + 0.5 × 3) / 2.5 = 5.8 (percent).
    returns = np.array([1, -3, 2, -8, 0, 4, -5, 6, -1, 3]) / 100.0
    assert expected_shortfall(returns, 0.75) == pytest.approx(0.058)


def test_historical_es_whole_tail_and_tiny_sample() -> None:
    returns = -np.arange(1, 201) / 1000.0  # m = 5 exactly
    assert expected_shortfall(returns, 0.975) == pytest.approx(
        (0.2 + 0.199 + 0.198 + 0.197 + 0.196) / 5
    )
    assert expected_shortfall([0.01, -0.07, 0.02], 0.975) == pytest.approx(0.07)  # m < 1


@pytest.mark.parametrize(
    ("mu", "sigma", "level"), [(0.0, 0.01, 0.975), (0.0005, 0.02, 0.99), (-0.001, 0.015, 0.95)]
)
def test_normal_es_closed_form(mu: float, sigma: float, level: float) -> None:
    z = NormalDist().inv_cdf(level)
    phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    assert parametric_es(mu, sigma, level) == pytest.approx(
        phi / (1 - level) * sigma - mu, rel=1e-10
    )


@pytest.mark.parametrize("df", [3.0, 5.0, 10.0])
def test_student_t_es_matches_numerical_integration(df: float) -> None:
    mu, sigma, level = 0.0003, 0.012, 0.975
    scale = sigma * math.sqrt((df - 2) / df)  # std of the scaled t equals sigma
    assert stats.t.std(df, scale=scale) == pytest.approx(sigma)
    var = -mu + scale * stats.t.ppf(level, df)
    tail, _err = integrate.quad(
        lambda loss: loss * stats.t.pdf((loss + mu) / scale, df) / scale, var, np.inf
    )
    assert parametric_es(mu, sigma, level, "t", df) == pytest.approx(tail / (1 - level), rel=1e-7)


def test_student_t_tends_to_normal_and_is_fatter_tailed() -> None:
    normal = parametric_es(0.0, 0.01)
    assert parametric_es(0.0, 0.01, dist="t", df=1e6) == pytest.approx(normal, rel=1e-4)
    assert parametric_es(0.0, 0.01, dist="t", df=4) > normal


def test_sample_methods_use_sample_moments() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(0.0002, 0.01, 500)
    assert expected_shortfall(r, method="normal") == pytest.approx(
        parametric_es(r.mean(), r.std(ddof=1))
    )
    assert expected_shortfall(r, method="t", df=6) == pytest.approx(
        parametric_es(r.mean(), r.std(ddof=1), dist="t", df=6)
    )


def test_ewma_volatility_recursion_by_hand() -> None:
    r = np.array([0.01, -0.02, 0.03])
    lam = 0.9
    seed = np.var(r)  # fewer than 20 observations: the seed is the variance of all of them
    v1 = lam * seed + (1 - lam) * 0.01**2
    v2 = lam * v1 + (1 - lam) * 0.02**2
    v3 = lam * v2 + (1 - lam) * 0.03**2
    expected = np.sqrt([seed, v1, v2, v3])
    assert np.allclose(ewma_volatility(r, lam), expected)
    assert np.allclose(volatility_weighted(r, lam), r / expected[:-1] * expected[-1])


def test_vwhs_scales_the_tail_to_current_volatility() -> None:
    rng = np.random.default_rng(5)
    calm_then_wild = np.concatenate([rng.normal(0, 0.01, 450), rng.normal(0, 0.03, 50)])
    hist = expected_shortfall(calm_then_wild, method="historical")
    vwhs = expected_shortfall(calm_then_wild, method="vwhs")
    normal_now = parametric_es(0.0, 0.03)
    assert vwhs > 1.5 * hist  # the window is mostly calm, today is not
    assert vwhs == pytest.approx(normal_now, rel=0.3)


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(InputError, match="level"):
        expected_shortfall([0.01, -0.02], level=1.2)
    with pytest.raises(InputError, match="df"):
        parametric_es(0, 0.01, dist="t", df=2)
    with pytest.raises(InputError, match="method"):
        expected_shortfall([0.01, -0.02], method="magic")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="returns"):
        expected_shortfall([0.01, float("nan")])


@pytest.fixture(scope="module")
def equal_weight() -> pd.Series:
    return equal_weight_returns(daily_returns())


def test_fhs_is_sane_on_real_data(equal_weight: pd.Series) -> None:
    calm = equal_weight.loc[:"2019-12-31"].iloc[-500:].to_numpy()
    crash = equal_weight.loc[:"2020-03-09"].iloc[-500:].to_numpy()  # after a −10.6% day
    es_calm = expected_shortfall(calm, method="fhs")
    es_crash = expected_shortfall(crash, method="fhs")
    assert 0.005 < es_calm < 0.05 and 0.05 < es_crash < 0.5
    assert es_crash > 3 * es_calm  # volatility clustering: GARCH reacts to the crash
    assert es_crash > expected_shortfall(crash, method="historical")  # faster than the window
    fc = fhs_forecast(crash)
    assert fc.es >= fc.var > 0 and fc.sigma is not None and fc.sigma > 0


def test_z2_by_hand() -> None:
    # One breach (−5% against VaR 3%) with ES 4% over 3 days at 97.5%.
    z2 = z2_statistic([-0.05, 0.01, -0.02], [0.03] * 3, [0.04] * 3, 0.975)
    assert z2 == pytest.approx(-0.05 / 0.04 / (3 * 0.025) + 1)
    assert z2_statistic([0.01, 0.0], [0.03, 0.03], [0.04, 0.04]) == 1.0  # no breach


def test_backtest_accepts_a_correct_model() -> None:
    r = np.random.default_rng(11).normal(0, 0.01, 3250)
    (result,) = rolling_backtest(r, window=250, methods=("normal",))
    assert result.days == 3000
    assert abs(result.z2) < 0.7 and not result.rejected
    assert abs(result.breaches - 75) < 25
