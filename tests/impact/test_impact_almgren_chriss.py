"""Almgren–Chriss (2000) against the paper's worked example, solved independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.core.errors import InputError
from slipstream.impact import AlmgrenChriss

# The paper's worked example (section 3): X = 10^6 shares at S0 = 50, 30 % annual volatility.
X, SIGMA, EPS, ETA, GAMMA, T, N = 1e6, 0.95, 0.0625, 2.5e-6, 2.5e-7, 5.0, 5
TAU = T / N
ETA_TILDE = ETA - 0.5 * GAMMA * TAU
MODEL = AlmgrenChriss(sigma=SIGMA, eta=ETA, gamma=GAMMA, epsilon=EPS)


def _solve_optimum(lam: float) -> np.ndarray:
    """Minimise E + λV over x_1..x_{N-1} by solving the first-order conditions directly.

    With every n_k > 0 the ε term is the constant εX, so E + λV is quadratic and its gradient
    (η̃/τ)·2(2x_j − x_{j−1} − x_{j+1}) + 2λσ²τ·x_j = 0 is a tridiagonal linear system.
    """
    m = N - 1
    a = np.zeros((m, m))
    b = np.zeros(m)
    c = ETA_TILDE / TAU
    for j in range(m):
        a[j, j] = 2 * c + lam * SIGMA**2 * TAU
        if j > 0:
            a[j, j - 1] = -c
        if j < m - 1:
            a[j, j + 1] = -c
    b[0] = c * X
    return np.concatenate([[X], np.linalg.solve(a, b), [0.0]])


def _objective(holdings: np.ndarray, lam: float) -> float:
    n = -np.diff(holdings)
    e = 0.5 * GAMMA * X**2 + EPS * np.abs(n).sum() + ETA_TILDE / TAU * (n**2).sum()
    v = SIGMA**2 * TAU * (holdings[1:] ** 2).sum()
    return float(e + lam * v)


def test_linear_limit_cost_is_the_closed_form() -> None:
    traj = MODEL.optimal_trajectory(X, T, N, 0.0)
    assert traj.kappa == 0.0
    assert traj.holdings == pytest.approx([1e6, 8e5, 6e5, 4e5, 2e5, 0.0])
    assert traj.trades == pytest.approx([2e5] * 5)
    # ½γX² + εX + η̃X²/T = 125,000 + 62,500 + 475,000
    assert traj.expected_cost == pytest.approx(662_500.0, rel=1e-12)
    assert traj.variance == pytest.approx(SIGMA**2 * 1.0 * (0.64 + 0.36 + 0.16 + 0.04) * 1e12)


@pytest.mark.parametrize("lam", [1e-8, 1e-7, 1e-6, 2e-6, 1e-5])
def test_optimal_trajectory_matches_independent_quadratic_solution(lam: float) -> None:
    traj = MODEL.optimal_trajectory(X, T, N, lam)
    expected = _solve_optimum(lam)
    assert len(traj.holdings) == N + 1
    assert traj.holdings[0] == X and traj.holdings[-1] == 0.0
    assert np.allclose(traj.holdings, expected, rtol=1e-9, atol=1e-6)
    # κ from the paper's relation, evaluated here by hand.
    kappa = math.acosh(1 + lam * SIGMA**2 * TAU**2 / (2 * ETA_TILDE)) / TAU
    assert traj.kappa == pytest.approx(kappa, rel=1e-12)
    assert traj.expected_cost + lam * traj.variance == pytest.approx(
        _objective(expected, lam), rel=1e-10
    )


def test_paper_example_lambda_1e6_figures() -> None:
    # λ = 10^-6: κ ≈ 0.6 / day in the paper, so the holdings fall faster than linear.
    traj = MODEL.optimal_trajectory(X, T, N, 1e-6)
    assert 0.55 < traj.kappa < 0.65
    linear = MODEL.optimal_trajectory(X, T, N, 0.0)
    assert all(a < b for a, b in zip(traj.holdings[1:-1], linear.holdings[1:-1], strict=True))
    assert traj.expected_cost > linear.expected_cost
    assert traj.variance < linear.variance


@settings(max_examples=60, deadline=None)
@given(
    lam=st.floats(min_value=0.0, max_value=1e-5),
    bumps=st.lists(st.floats(min_value=-5e4, max_value=5e4), min_size=N - 1, max_size=N - 1),
)
def test_optimum_beats_perturbed_trajectories(lam: float, bumps: list[float]) -> None:
    traj = MODEL.optimal_trajectory(X, T, N, lam)
    perturbed = (
        [traj.holdings[0]]
        + [h + d for h, d in zip(traj.holdings[1:-1], bumps, strict=True)]
        + [0.0]
    )
    best = traj.expected_cost + lam * traj.variance
    other = MODEL.expected_cost(perturbed, T) + lam * MODEL.variance(perturbed, T)
    assert best <= other + 1e-6 * abs(best)


def test_efficient_frontier_trades_cost_for_variance() -> None:
    frontier = MODEL.efficient_frontier(X, T, N, [0.0, 1e-7, 1e-6, 1e-5])
    costs = [p.expected_cost for p in frontier]
    variances = [p.variance for p in frontier]
    assert costs == sorted(costs)
    assert variances == sorted(variances, reverse=True)


def test_high_risk_aversion_does_not_overflow() -> None:
    traj = MODEL.optimal_trajectory(X, 250.0, 250, 1.0)
    assert traj.holdings[0] == X and traj.holdings[-1] == 0.0
    assert all(math.isfinite(h) for h in traj.holdings)
    assert sum(traj.trades) == pytest.approx(X)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: MODEL.optimal_trajectory(-1.0, T, N, 0.0), "shares"),
        (lambda: MODEL.optimal_trajectory(X, 0.0, N, 0.0), "horizon"),
        (lambda: MODEL.optimal_trajectory(X, T, 0, 0.0), "periods"),
        (lambda: MODEL.optimal_trajectory(X, T, N, -1.0), "risk_aversion"),
        (lambda: MODEL.expected_cost([X, 5.0], T), "holdings"),
        (lambda: AlmgrenChriss(SIGMA, 0.0, GAMMA, EPS), "eta"),
        (lambda: MODEL.optimal_trajectory(X, 1000.0, 1, 0.0), "tau"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert info.value.field == field
