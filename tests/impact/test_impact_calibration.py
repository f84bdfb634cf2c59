"""Log-cost calibration: recovery on known data, intervals, and the tape pipeline checked by hand."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scipy import stats

from slipstream.core.errors import DataError, InputError
from slipstream.impact.calibration import (
    OFF_QUOTE_CONDITIONS,
    FillRecord,
    fit_from_fills,
    fit_log_cost,
    fit_tape_impact,
    tape_flows,
)
from slipstream.impact.square_root import TAPE_CALIBRATED_Y, SquareRootImpact
from slipstream.paths import data_dir

FloatArray = npt.NDArray[np.float64]


def _synthetic(
    n: int, y: float, alpha: float, noise: float, seed: int = 7
) -> tuple[FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    size = np.exp(rng.uniform(np.log(1e-4), np.log(0.2), n))
    sigma = rng.uniform(0.01, 0.03, n)
    cost = 1e4 * y * sigma * size**alpha * np.exp(rng.normal(0.0, noise, n))
    return size, sigma, cost


def test_exact_data_is_recovered_exactly() -> None:
    size, sigma, cost = _synthetic(50, 0.8, 0.6, 0.0)
    fit = fit_log_cost(size, sigma, cost)
    assert fit.y.value == pytest.approx(0.8, rel=1e-9)
    assert fit.alpha.value == pytest.approx(0.6, rel=1e-9)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.model() == SquareRootImpact(fit.y.value, fit.alpha.value)


def test_standard_errors_and_intervals_match_textbook_ols() -> None:
    size, sigma, cost = _synthetic(200, 0.8, 0.6, 0.3)
    fit = fit_log_cost(size, sigma, cost, confidence=0.9)
    # Independent OLS: β = (XᵀX)⁻¹Xᵀy, s² = RSS/(n − 2), se = sqrt(diag(s²(XᵀX)⁻¹)).
    x = np.column_stack([np.ones(200), np.log(size)])
    target = np.log(cost / 1e4 / sigma)
    beta = np.linalg.solve(x.T @ x, x.T @ target)
    rss = float(((target - x @ beta) ** 2).sum())
    se = np.sqrt(np.diag(rss / 198 * np.linalg.inv(x.T @ x)))
    t = stats.t.ppf(0.95, 198)
    assert fit.alpha.value == pytest.approx(beta[1], rel=1e-10)
    assert fit.alpha.std_error == pytest.approx(se[1], rel=1e-10)
    assert fit.alpha.ci_low == pytest.approx(beta[1] - t * se[1], rel=1e-10)
    assert fit.y.value == pytest.approx(math.exp(beta[0]), rel=1e-10)
    assert fit.y.ci_high == pytest.approx(math.exp(beta[0] + t * se[0]), rel=1e-10)
    wide = fit_log_cost(size, sigma, cost, confidence=0.999)
    assert wide.alpha.ci_low < 0.6 < wide.alpha.ci_high
    assert wide.y.ci_low < 0.8 < wide.y.ci_high


def test_sigma_exponent_and_fixed_alpha() -> None:
    size, sigma, cost = _synthetic(80, 1.2, 0.5, 0.0)
    free = fit_log_cost(size, sigma, cost, fit_sigma_exponent=True)
    assert free.sigma_exponent is not None
    assert free.sigma_exponent.value == pytest.approx(1.0, abs=1e-9)
    fixed = fit_log_cost(size, sigma, cost, fixed_alpha=0.5)
    assert fixed.y.value == pytest.approx(1.2, rel=1e-9)
    assert fixed.alpha.value == 0.5 and fixed.alpha.std_error == 0.0


def test_fit_from_fills_drops_non_positive_costs() -> None:
    size, sigma, cost = _synthetic(30, 0.5, 0.5, 0.2)
    records = [
        FillRecord(quantity=s * 2e6, adv=2e6, sigma_daily=v, cost_bps=c)
        for s, v, c in zip(size, sigma, cost, strict=True)
    ]
    records.append(FillRecord(1e4, 2e6, 0.02, -3.0))  # price improvement: cannot enter a log fit
    fit = fit_from_fills(records)
    direct = fit_log_cost(size, sigma, cost)
    assert fit.dropped == 1 and fit.observations == 30
    assert fit.alpha.value == pytest.approx(direct.alpha.value, rel=1e-9)
    with pytest.raises(InputError):
        FillRecord(0, 1e6, 0.02, 5.0)
    with pytest.raises(DataError):
        fit_log_cost([0.1, 0.2], [0.02, 0.02], [5.0, 7.0])
    with pytest.raises(InputError):
        fit_log_cost([0.1, -0.2, 0.3], [0.02] * 3, [5.0] * 3)


def _independent_ibm_net(day: str, start_ms: int, end_ms: int) -> int:
    """Lee–Ready by a plain loop: latest bid row and ask row strictly before each trade's ms."""
    trades = pd.read_csv(
        data_dir() / "ticks" / "IBM_trade_ticks_20131007_20131011.csv.gz", dtype={"condition": str}
    )
    quotes = pd.read_csv(data_dir() / "ticks" / "IBM_quote_ticks_20131007_20131011.csv.gz")
    quotes = quotes[(quotes["date"] == day) & (quotes["suspicious"] == 0)]
    day_trades = trades[
        (trades["date"] == day)
        & (trades["suspicious"] == 0)
        & (trades["time_ms"] >= 34_200_000)
        & (trades["time_ms"] < 57_600_000)
    ]
    day_trades = day_trades[
        day_trades["condition"].map(lambda c: int(c, 16) & OFF_QUOTE_CONDITIONS == 0)
    ]
    q_time = quotes["time_ms"].tolist()
    q_bid = quotes["bid"].tolist()
    q_ask = quotes["ask"].tolist()
    net, qi, bid, ask = 0, 0, math.nan, math.nan
    last_price, last_sign = math.nan, 0
    for t, price, size in zip(
        day_trades["time_ms"], day_trades["price"], day_trades["size"], strict=True
    ):
        while qi < len(q_time) and q_time[qi] < t:
            bid = q_bid[qi] if q_bid[qi] > 0 else bid
            ask = q_ask[qi] if q_ask[qi] > 0 else ask
            qi += 1
        if price != last_price and not math.isnan(last_price):
            last_sign = 1 if price > last_price else -1
        last_price = price
        sign = 0
        if bid > 0 and ask > bid:
            mid = (bid + ask) / 2
            sign = 1 if price > mid else -1 if price < mid else 0
        if sign == 0:
            sign = last_sign
        if start_ms <= t < end_ms:
            net += sign * size
    return net


def test_tape_interval_flow_matches_an_independent_lee_ready() -> None:
    flows = tape_flows("IBM", 5)
    assert flows.classification == "Lee-Ready"
    assert tape_flows("BAC", 5).classification == "tick rule"
    row = flows.intervals[
        (flows.intervals["date"] == "2013-10-07") & (flows.intervals["start_ms"] == 36_000_000)
    ].iloc[0]
    assert row["net_volume"] == _independent_ibm_net("2013-10-07", 36_000_000, 36_300_000)


def test_tape_calibration_is_near_the_square_root_law() -> None:
    result = fit_tape_impact(("IBM", "BAC"), width_minutes=5)
    assert result.intervals > 700 and result.classification["BAC"] == "tick rule"
    fit = result.fit
    # The square-root law (α = 1/2) lies inside the 95 % interval on this tape.
    assert fit.alpha.ci_low < 0.5 < fit.alpha.ci_high
    sqrt_fit = fit_tape_impact(("IBM", "BAC"), width_minutes=5, fixed_alpha=0.5).fit
    assert round(sqrt_fit.y.value, 2) == TAPE_CALIBRATED_Y
    assert SquareRootImpact.calibrated().y == TAPE_CALIBRATED_Y
