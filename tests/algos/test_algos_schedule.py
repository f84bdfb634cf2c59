"""Schedule maths against hand computation and the closed-form Almgren–Chriss trajectory."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.algos.implementation_shortfall import urgency_trajectory
from slipstream.algos.schedule import (
    cumulative_fraction,
    profile_fractions,
    slice_index,
    slice_quantities,
    slice_start_ns,
    target_quantity,
    trajectory_fractions,
    twap_fractions,
)
from slipstream.core.errors import InputError
from slipstream.impact import AlmgrenChriss

S = 1_000_000_000


def test_twap_cumulative_targets_by_hand() -> None:
    # 1,000 shares over 4 slices of 60 s: 250 due at each slice start.
    fr = twap_fractions(4)
    assert fr == [0.25, 0.5, 0.75, 1.0]
    start, end = 0, 240 * S
    expected = {0: 250, 59 * S: 250, 60 * S: 500, 150 * S: 750, 180 * S: 1000, 239 * S: 1000}
    for now, qty in expected.items():
        assert target_quantity(1000, cumulative_fraction(fr, start, end, now)) == qty
    assert cumulative_fraction(fr, start, end, -1) == 0.0
    assert cumulative_fraction(fr, start, end, end + 5 * S) == 1.0


def test_late_timer_self_corrects() -> None:
    # A timer that should have fired at slice 1 but fires during slice 3 sees slice 3's target,
    # not "one more slice": nothing is lost and nothing drifts.
    fr = twap_fractions(5)
    assert target_quantity(500, cumulative_fraction(fr, 0, 500 * S, 330 * S)) == 400


def test_slice_boundaries_are_exact_for_uneven_durations() -> None:
    start, end, n = 7, 7 + 1_000_000_003, 3
    for k in range(n + 1):
        at = slice_start_ns(start, end, n, k)
        assert slice_index(start, end, n, at) == k
        if k:
            assert slice_index(start, end, n, at - 1) == k - 1
    assert slice_start_ns(start, end, n, n) == end


def test_lot_rounding_puts_remainder_in_last_slice() -> None:
    # 1,300 shares, lots of 100, 4 slices: 325 → 300, 650 → 600, 975 → 900, then all 1,300.
    assert slice_quantities(1300, twap_fractions(4), 100) == [300, 300, 300, 400]


def test_quantity_smaller_than_number_of_slices() -> None:
    # floor(3·(k+1)/10) = 0,0,0,1,1,1,2,2,2,3.
    assert slice_quantities(3, twap_fractions(10)) == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]


@given(
    qty_lots=st.integers(1, 5000),
    lot=st.sampled_from([1, 10, 100]),
    slices=st.integers(1, 60),
)
def test_slices_sum_to_parent_and_never_go_negative(qty_lots: int, lot: int, slices: int) -> None:
    qty = qty_lots * lot
    parts = slice_quantities(qty, twap_fractions(slices), lot)
    assert sum(parts) == qty
    assert all(p >= 0 and p % lot == 0 for p in parts)
    # Equal slices differ by at most one lot, except the last, which also takes the remainder.
    assert max(parts[:-1], default=0) - min(parts[:-1], default=0) <= lot


def test_vwap_profile_fractions_by_hand() -> None:
    assert profile_fractions([1, 2, 3, 4]) == pytest.approx([0.1, 0.3, 0.6, 1.0])
    assert slice_quantities(1000, profile_fractions([1, 2, 3, 4])) == [100, 200, 300, 400]


@pytest.mark.parametrize("bad", [[], [0, 0], [1, -1], [1, float("nan")]])
def test_bad_profiles_are_refused(bad: list[float]) -> None:
    with pytest.raises(InputError, match="profile"):
        profile_fractions(bad)


@pytest.mark.parametrize(("level", "kappa_t"), [(0.0, 0.25), (0.5, 2.0), (1.0, 8.0)])
def test_is_schedule_matches_closed_form_sinh(level: float, kappa_t: float) -> None:
    # Almgren & Chriss (2000) eq. (18): x_k = X·sinh(κ(T − t_k)) / sinh(κT), with κT set by
    # the urgency anchors documented in slipstream.algos.urgency.
    shares, horizon, n = 100_000.0, 0.25, 10
    model = AlmgrenChriss(sigma=0.95, eta=2.5e-6, gamma=2.5e-7, epsilon=0.0625)
    traj = urgency_trajectory(model, shares, horizon, n, level)
    kappa = kappa_t / horizon
    t = np.arange(n + 1) * horizon / n
    closed = shares * np.sinh(kappa * (horizon - t)) / math.sinh(kappa * horizon)
    assert traj.kappa == pytest.approx(kappa, rel=1e-9)
    assert traj.holdings == pytest.approx(closed, rel=1e-9, abs=1e-6)
    fr = trajectory_fractions(traj.holdings)
    assert fr == pytest.approx(list(1.0 - closed[1:] / shares), abs=1e-12)


def test_higher_urgency_front_loads() -> None:
    model = AlmgrenChriss(sigma=1.0, eta=1.0, gamma=0.0, epsilon=0.0)
    first = [
        trajectory_fractions(urgency_trajectory(model, 1000, 1.0, 10, u).holdings)[0]
        for u in (0.0, 0.5, 1.0)
    ]
    assert first[0] < first[1] < first[2]
    assert first[0] == pytest.approx(0.1, abs=0.01)  # κT = 0.25 is nearly a straight line


def test_bad_windows_are_refused() -> None:
    with pytest.raises(InputError, match="end_ns"):
        slice_index(10, 10, 3, 5)
    with pytest.raises(InputError, match="slices"):
        twap_fractions(0)
