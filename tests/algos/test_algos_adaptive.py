"""Urgency mapping, adaptive participation, smart sizing, adaptive pricing and input validation."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.algos.adaptive import adaptive_participation
from slipstream.algos.params import params_from_mapping
from slipstream.algos.parent import ParentAccepted
from slipstream.algos.pov import PovParams, pov_bounds
from slipstream.algos.pricing import aggression, is_stale, limit_price
from slipstream.algos.registry import make_parent, parent_from_accepted
from slipstream.algos.sizing import SizingInputs, child_quantity, min_child_quantity
from slipstream.algos.twap import TwapParams
from slipstream.algos.urgency import (
    kappa_horizon_for,
    participation_for,
    risk_aversion_for,
    urgency_level,
)
from slipstream.algos.vwap import VwapParams
from slipstream.core.errors import InputError
from slipstream.impact import AlmgrenChriss
from slipstream.model.enums import Side
from slipstream.model.instrument import Instrument
from slipstream.store.codec import decode_batch, encode_batch, kind_of

IBM = Instrument("IBM")

# -- urgency ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"), [("low", 0.0), ("MEDIUM", 0.5), ("high", 1.0), (0.3, 0.3), ("0.7", 0.7)]
)
def test_urgency_names_and_numbers(value: str | float, level: float) -> None:
    assert urgency_level(value) == level


@pytest.mark.parametrize("bad", ["urgent", -0.1, 1.5, "nan", True])
def test_urgency_out_of_range_is_refused(bad: object) -> None:
    with pytest.raises(InputError, match="urgency"):
        urgency_level(bad)  # type: ignore[arg-type]


def test_urgency_anchors_and_geometric_interpolation() -> None:
    assert participation_for(0.0) == pytest.approx(0.03)
    assert participation_for(0.5) == pytest.approx(0.10)
    assert participation_for(1.0) == pytest.approx(0.30)
    assert participation_for(0.25) == pytest.approx(math.sqrt(0.03 * 0.10))
    assert kappa_horizon_for(0.75) == pytest.approx(math.sqrt(2.0 * 8.0))


def test_risk_aversion_gives_the_requested_kappa() -> None:
    model = AlmgrenChriss(sigma=0.3, eta=1e-6, gamma=1e-7, epsilon=0.01)
    for level in (0.0, 0.4, 1.0):
        lam = risk_aversion_for(level, model.sigma, model.eta, model.gamma, 2.0, 20)
        assert model.kappa(2.0, 20, lam) * 2.0 == pytest.approx(kappa_horizon_for(level))


# -- adaptive participation ----------------------------------------------------------------


def test_adaptive_participation_by_hand() -> None:
    # Spread four times usual → ×(1/4)^½ = ½.
    assert adaptive_participation(0.1, 0.01, 0.5, 0.5, spread_ratio=4.0) == pytest.approx(0.05)
    # Volume four times usual → ×2.
    assert adaptive_participation(0.1, 0.01, 0.5, 0.5, volume_ratio=4.0) == pytest.approx(0.2)
    # Volatility doubled: urgent (u = 1) speeds up by 2^½, patient (u = 0) slows by 2^-½.
    assert adaptive_participation(0.1, 0.01, 0.5, 1.0, volatility_ratio=2.0) == pytest.approx(
        0.1 * math.sqrt(2)
    )
    assert adaptive_participation(0.1, 0.01, 0.5, 0.0, volatility_ratio=2.0) == pytest.approx(
        0.1 / math.sqrt(2)
    )
    # Unknown measures leave the rate alone.
    assert adaptive_participation(0.1, 0.01, 0.5, 0.5) == 0.1


@given(
    base=st.floats(0.01, 0.5),
    u=st.floats(0, 1),
    s=st.one_of(st.none(), st.floats(1e-6, 1e6)),
    v=st.one_of(st.none(), st.floats(1e-6, 1e6)),
    o=st.one_of(st.none(), st.floats(1e-6, 1e6)),
)
def test_adaptive_participation_stays_within_bounds(
    base: float, u: float, s: float | None, v: float | None, o: float | None
) -> None:
    low, high = base / 2, min(1.0, base * 2)
    rate = adaptive_participation(base, low, high, u, s, v, o)
    assert low <= rate <= high


def test_pov_defaults_follow_urgency() -> None:
    assert pov_bounds(PovParams(), 0.5) == pytest.approx((0.10, 0.05, 0.20))
    assert pov_bounds(PovParams(participation=0.2, max_participation=0.25), 0.0)[2] == 0.25


# -- sizing ------------------------------------------------------------------------------------


def _sizing(**kw: object) -> SizingInputs:
    base: dict[str, object] = {
        "need": 1000,
        "remaining": 5000,
        "lot_size": 1,
        "price": Decimal("100"),
    }
    base.update(kw)
    return SizingInputs(**base)  # type: ignore[arg-type]


def test_sizing_caps() -> None:
    assert child_quantity(_sizing()) == 1000
    assert child_quantity(_sizing(need=9000)) == 5000  # parent cap
    # 10 % of 50 shares/s over 10 s = 50 shares.
    assert child_quantity(_sizing(max_participation=0.1, volume_rate=50.0)) == 50
    # A crossing child takes at most what the far touch shows.
    assert child_quantity(_sizing(crossing=True, far_size=300)) == 300
    assert child_quantity(_sizing(crossing=False, far_size=300)) == 1000


def test_sizing_impact_budget_inverts_the_square_root_law() -> None:
    # cost = σ·sqrt(q/ADV)·1e4 ≤ 5 bps with σ = 2 %, ADV = 1e6 → q ≤ 1e6·(5/200)² = 625.
    adv, sigma = 1e6, 0.02

    def impact(q: int) -> float:
        return sigma * math.sqrt(q / adv) * 1e4

    assert child_quantity(_sizing(impact_bps=impact, impact_budget_bps=5.0)) == 625


def test_sizing_lots_and_minimum_notional() -> None:
    lot = _sizing(need=950, lot_size=100)
    assert child_quantity(lot) == 900
    assert min_child_quantity(100, Decimal("20"), Decimal("5000")) == 300
    # 150 shares due at $20 = $3,000 < $5,000 minimum: wait for more to come due...
    small = _sizing(need=150, price=Decimal("20"), min_notional=Decimal("5000"))
    assert child_quantity(small) == 0
    # ...unless it is the parent's final remainder, which goes as is.
    final = _sizing(need=150, remaining=150, price=Decimal("20"), min_notional=Decimal("5000"))
    assert child_quantity(final) == 150
    # A liquidity cap never cuts below one minimum-size child.
    capped = _sizing(
        price=Decimal("20"), min_notional=Decimal("5000"), max_participation=0.01, volume_rate=1.0
    )
    assert child_quantity(capped) == 250


# -- pricing -----------------------------------------------------------------------------------


def test_aggression_rules() -> None:
    assert aggression(0.0, 1.0, 0.5) == 0.0  # patient, on schedule: join the near touch
    assert aggression(1.0 - 0.2, 1.0, 0.5) == pytest.approx(0.4)
    assert aggression(0.0, 2.0, 0.5) == pytest.approx(0.5)  # one child behind: half-way
    assert aggression(0.0, 3.0, 0.5) == 1.0  # two children behind: cross
    assert aggression(0.95, 0.0, 0.5) == 1.0  # urgent: cross
    assert aggression(0.0, 0.5, 0.04) == 1.0  # last 5 % of the horizon with shares due
    assert aggression(0.0, 0.0, 0.04) == 0.0  # ...but nothing due: no need to cross


def test_limit_price_rounds_passively_and_respects_cap() -> None:
    bid, ask = Decimal("100.00"), Decimal("100.05")
    assert limit_price(IBM, Side.BUY, bid, ask, 0.0).limit_price == Decimal("100.00")
    assert limit_price(IBM, Side.BUY, bid, ask, 0.5).limit_price == Decimal("100.02")  # 100.025↓
    assert limit_price(IBM, Side.SELL, bid, ask, 0.5).limit_price == Decimal("100.03")  # ↑
    cross = limit_price(IBM, Side.BUY, bid, ask, 1.0)
    assert cross.limit_price == ask and cross.crossing
    capped = limit_price(IBM, Side.BUY, bid, ask, 1.0, cap=Decimal("100.01"))
    assert capped.limit_price == Decimal("100.01") and not capped.crossing
    assert limit_price(IBM, Side.SELL, bid, ask, 1.0, cap=Decimal("100.04")).limit_price == Decimal(
        "100.04"
    )


def test_stale_children() -> None:
    assert is_stale(IBM, Side.BUY, Decimal("99.99"), Decimal("100.00"))
    assert not is_stale(IBM, Side.BUY, Decimal("100.00"), Decimal("100.00"))
    assert not is_stale(IBM, Side.BUY, Decimal("100.01"), Decimal("100.00"))
    assert is_stale(IBM, Side.SELL, Decimal("100.02"), Decimal("100.01"))


# -- validation of parents and parameters ---------------------------------------------------


def _parent(**kw: object) -> None:
    args: dict[str, object] = {
        "parent_id": "P",
        "symbol": "IBM",
        "side": "buy",
        "qty": 100,
        "algo": "twap",
        "start_ns": 0,
        "end_ns": 10,
    }
    args.update(kw)
    make_parent(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"qty": -5}, "quantity"),
        ({"qty": 1.5}, "quantity"),
        ({"end_ns": 0}, "end_ns"),
        ({"algo": "sniper"}, "algo"),
        ({"urgency": 2}, "urgency"),
        ({"side": "short"}, "side"),
        ({"limit_price": "-1"}, "limit_price"),
        ({"algo": "pov", "params": {"participation": "0"}}, "participation"),
        ({"algo": "pov", "params": {"participation": "1.5"}}, "participation"),
        ({"algo": "pov", "params": {"max_participation": "0"}}, "max_participation"),
        (
            {"algo": "pov", "params": {"min_participation": "0.3", "max_participation": "0.2"}},
            "min_participation",
        ),
        ({"params": {"slices": "0"}}, "slices"),
        ({"params": {"slices": "ten"}}, "slices"),
        ({"params": {"interval_secs": "-1"}}, "interval_secs"),
        ({"params": {"bogus": "1"}}, "bogus"),
        ({"params": VwapParams()}, "params"),
        ({"algo": "iceberg", "params": {"display_qty": "0"}}, "display_qty"),
        ({"algo": "vwap", "params": {"slices": "3", "profile": "1,2"}}, "profile"),
    ],
)
def test_bad_parent_input_names_the_field(kw: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as err:
        _parent(**kw)
    assert err.value.field == field


def test_params_from_text() -> None:
    p = params_from_mapping(TwapParams, {"slices": "12", "interval_secs": "2.5"})
    assert p == TwapParams(slices=12, interval_secs=2.5)
    v = params_from_mapping(VwapParams, {"slices": "2", "profile": "1;3"})
    assert v.profile == (1.0, 3.0)
    pov = params_from_mapping(PovParams, {"adaptive": "false", "participation": "0.2"})
    assert pov.adaptive is False and pov.participation == 0.2


@pytest.mark.parametrize(
    ("algo", "params"),
    [
        ("twap", {"slices": "7", "max_participation": "0.2"}),
        ("vwap", {"slices": "3", "profile": "1,2,3"}),
        ("pov", {"participation": "0.1", "adaptive": "false"}),
        ("is", {"interval_secs": "2.5"}),
        ("iceberg", {"display_qty": "300", "impact_budget_bps": "4"}),
    ],
)
def test_parent_accepted_round_trips_through_the_journal(algo: str, params: dict[str, str]) -> None:
    parent = make_parent("P9", "IBM", "sell", 1200, algo, 5, 10**12, "high", "185.55", params)
    event = ParentAccepted.of(parent, 7)
    ((_, _, back),) = decode_batch(encode_batch([(kind_of(ParentAccepted), 7, event)]))
    # JSON has no tuples (a VWAP profile comes back as a list); the rebuilt parent is exact.
    assert parent_from_accepted(back) == parent
