"""Square-root, Almgren et al. (2005) and I-Star against numbers computed by hand."""

from __future__ import annotations

import math

import pytest

from slipstream.core.errors import InputError
from slipstream.impact import (
    Almgren2005Impact,
    AlmgrenChriss,
    ImpactModel,
    IStarImpact,
    SquareRootImpact,
    almgren2005,
    istar,
)


def test_almgren2005_hand_computed() -> None:
    # σ = 2 %, X/V = 0.1, T = 1 day, Θ/V = 100:
    # I = 0.314·0.02·0.1·100^¼ = 0.0019859  → 19.859 bps
    # temporary = 0.142·0.02·0.1^0.6 = 0.00071338 → 7.1338 bps; J = I/2 + temporary
    cost = almgren2005(0.02, 0.1, 1.0, 100.0)
    assert cost.permanent_bps == pytest.approx(19.859104, rel=1e-6)
    assert cost.temporary_bps == pytest.approx(7.133757, rel=1e-6)
    assert cost.realized_bps == pytest.approx(19.859104 / 2 + 7.133757, rel=1e-6)


def test_almgren2005_slower_trading_costs_less() -> None:
    fast = almgren2005(0.02, 0.1, 0.1, 100.0)
    slow = almgren2005(0.02, 0.1, 1.0, 100.0)
    assert fast.permanent_bps == slow.permanent_bps
    # Temporary part scales as T^-0.6: ten times slower → 10^0.6 cheaper.
    assert fast.temporary_bps / slow.temporary_bps == pytest.approx(10**0.6)


def test_istar_hand_computed() -> None:
    # I* = 708·0.1^0.55·0.25^0.71 = 74.5711 bps; MI = 0.98·I*·0.2^0.5 + 0.02·I* = 34.1737 bps
    cost = istar(0.1, 0.25, 0.2)
    assert cost.istar_bps == pytest.approx(74.57112, rel=1e-6)
    assert cost.market_impact_bps == pytest.approx(34.17366, rel=1e-6)
    full = istar(0.1, 0.25, 1.0)
    assert full.market_impact_bps == pytest.approx(full.istar_bps)


def test_istar_parameters_override() -> None:
    cost = istar(0.04, 0.2, 0.25, a1=100.0, a2=0.5, a3=1.0, a4=1.0, b1=1.0)
    assert cost.istar_bps == pytest.approx(100 * 0.2 * 0.2)
    assert cost.market_impact_bps == pytest.approx(4.0 * 0.25)


def test_square_root_hand_computed() -> None:
    # 0.5·2 %·sqrt(4 %) = 20 bps
    model = SquareRootImpact(0.5)
    assert model.cost_bps(40_000, 1_000_000, 0.02, 0.1, 0.5) == pytest.approx(20.0)
    assert SquareRootImpact(1.0, 0.6).cost_bps(1e4, 1e6, 0.01, 0.1, 1.0) == pytest.approx(
        0.01 * 0.01**0.6 * 1e4
    )


def test_every_bps_model_answers_the_protocol() -> None:
    models: list[ImpactModel] = [SquareRootImpact(0.7), IStarImpact(), Almgren2005Impact(150.0)]
    for model in models:
        assert isinstance(model, ImpactModel)
        small = model.cost_bps(1e4, 1e6, 0.015, 0.1, 0.1)
        large = model.cost_bps(1e5, 1e6, 0.015, 0.1, 1.0)
        assert 0 < small < large
    assert not isinstance(AlmgrenChriss(1.0, 1e-6, 1e-7, 0.01), ImpactModel)
    assert IStarImpact().cost_bps(1e5, 1e6, 0.25 / math.sqrt(252), 0.2, 0.5) == pytest.approx(
        istar(0.1, 0.25, 0.2).market_impact_bps
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: almgren2005(0.0, 0.1, 1.0, 100.0), "sigma_daily"),
        (lambda: almgren2005(0.02, -0.1, 1.0, 100.0), "size_adv"),
        (lambda: almgren2005(0.02, 0.1, 0.0, 100.0), "horizon_days"),
        (lambda: almgren2005(0.02, 0.1, 1.0, float("nan")), "turnover_ratio"),
        (lambda: istar(0.1, 0.25, 0.0), "participation"),
        (lambda: istar(0.1, 0.25, 1.5), "participation"),
        (lambda: istar(0.1, 0.25, 0.5, b1=2.0), "b1"),
        (lambda: SquareRootImpact(-1.0), "y"),
        (lambda: SquareRootImpact().cost_bps(0, 1e6, 0.02, 0.1, 1.0), "quantity"),
        (lambda: SquareRootImpact().cost_bps(10, 0, 0.02, 0.1, 1.0), "adv"),
        (lambda: IStarImpact().cost_bps(10, 1e6, 0.02, 0.1, -1.0), "horizon_days"),
        (lambda: Almgren2005Impact(100.0).cost_bps(10, 1e6, 0.02, 1.1, 1.0), "participation"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert info.value.field == field
