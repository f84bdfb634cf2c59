"""Every pre-trade check: allow at the boundary, deny just past it, and the reducing order."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import numpy as np
import pandas as pd
import pytest
from risk_testkit import T0, Rig, Working, only, order, rig, synthetic_returns

from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.events import OrderFilled
from slipstream.model.orders_spec import OrderSpec
from slipstream.risk.limits import CHECK_NAMES
from slipstream.risk.state import RISK_OFFICER, User
from slipstream.risk.valuation import build_valuation

OFFICER = User("olga", RISK_OFFICER)


def code(r: Rig, spec: OrderSpec, ts: int = T0) -> str | None:
    denial = r.engine.check_order(spec, ts)
    return None if denial is None else denial.check


# -- order_size ---------------------------------------------------------------------------


def test_order_size_allows_at_cap_and_denies_one_share_more() -> None:
    r = rig(marks={"AAA": "10"}, limits={**only("order_size"), "order.max_quantity": 1000})
    assert code(r, order("AAA", "buy", 1000)) is None
    denial = r.engine.check_order(order("AAA", "buy", 1001), T0)
    assert denial is not None and denial.check == "order_size"
    assert denial.figures["quantity"] == "1001" and denial.figures["max_quantity"] == "1000"


def test_order_size_per_symbol_cap() -> None:
    limits = {**only("order_size"), "order.max_quantity_per_symbol": {"AAA": 50}}
    r = rig(marks={"AAA": "10", "BBB": "10"}, limits=limits)
    assert code(r, order("AAA", "buy", 50)) is None
    assert code(r, order("AAA", "buy", 51)) == "order_size"
    assert code(r, order("BBB", "buy", 51)) is None


def test_order_size_is_a_fat_finger_guard_even_for_a_reducing_order() -> None:
    r = rig(
        positions={"AAA": (5000, "10")}, limits={**only("order_size"), "order.max_quantity": 1000}
    )
    assert code(r, order("AAA", "sell", 1000)) is None
    assert code(r, order("AAA", "sell", 1001)) == "order_size"


# -- notional -----------------------------------------------------------------------------


def test_notional_boundary_at_market_and_limit_prices() -> None:
    r = rig(marks={"AAA": "100"}, limits={**only("notional"), "order.max_notional": 100_000})
    assert code(r, order("AAA", "buy", 1000)) is None  # 1000 × 100 = 100,000
    assert code(r, order("AAA", "buy", 1001)) == "notional"
    assert code(r, order("AAA", "buy", 1000, limit="100.00")) is None
    assert code(r, order("AAA", "buy", 1000, limit="100.01")) == "notional"


def test_notional_denies_an_order_it_cannot_value() -> None:
    r = rig(limits=only("notional"))
    denial = r.engine.check_order(order("CCC", "buy", 1), T0)
    assert denial is not None and denial.check == "notional"
    assert "no reference price" in denial.reason


def test_notional_applies_to_reducing_orders_too() -> None:
    r = rig(
        positions={"AAA": (5000, "100")}, limits={**only("notional"), "order.max_notional": 100_000}
    )
    assert code(r, order("AAA", "sell", 1000)) is None
    assert code(r, order("AAA", "sell", 1001)) == "notional"


# -- price_collar -------------------------------------------------------------------------


def test_price_collar_boundary_both_sides() -> None:
    r = rig(marks={"AAA": "100"}, limits={**only("price_collar"), "order.price_collar_pct": 5.0})
    assert code(r, order("AAA", "buy", 1, limit="105.00")) is None
    assert code(r, order("AAA", "buy", 1, limit="105.01")) == "price_collar"
    assert code(r, order("AAA", "sell", 1, limit="95.00")) is None
    assert code(r, order("AAA", "sell", 1, limit="94.99")) == "price_collar"
    assert code(r, order("AAA", "buy", 1)) is None  # a market order has no limit to collar


def test_price_collar_applies_to_reducing_orders() -> None:
    r = rig(positions={"AAA": (100, "100")}, limits=only("price_collar"))
    assert code(r, order("AAA", "sell", 100, limit="95.00")) is None
    assert code(r, order("AAA", "sell", 100, limit="94.99")) == "price_collar"


# -- buying_power -------------------------------------------------------------------------


def test_buying_power_boundary_with_working_buy_reservation() -> None:
    r = rig(cash="100000", marks={"AAA": "100"}, limits=only("buying_power"))
    assert code(r, order("AAA", "buy", 1000)) is None  # needs exactly the 100,000 cash
    assert code(r, order("AAA", "buy", 1001)) == "buying_power"
    r.book.orders.append(Working(order("BBB", "buy", 100, limit="100.00"), 100, Decimal(100)))
    assert code(r, order("AAA", "buy", 900)) is None  # 10,000 reserved by the working buy
    denial = r.engine.check_order(order("AAA", "buy", 901), T0)
    assert denial is not None and denial.check == "buying_power"
    assert Decimal(denial.figures["reserved"]) == Decimal(10_000)


def test_buying_power_margin_and_short_opening() -> None:
    r = rig(
        cash="100000",
        marks={"AAA": "100"},
        limits={**only("buying_power"), "buying_power.margin": 50_000},
    )
    assert code(r, order("AAA", "buy", 1500)) is None
    assert code(r, order("AAA", "buy", 1501)) == "buying_power"
    assert code(r, order("AAA", "sell", 1500)) is None  # a short needs the same collateral
    assert code(r, order("AAA", "sell", 1501)) == "buying_power"


def test_buying_power_never_blocks_a_reducing_order() -> None:
    r = rig(cash="0", positions={"AAA": (5000, "100")}, limits=only("buying_power"))
    assert code(r, order("AAA", "sell", 5000)) is None
    assert code(r, order("AAA", "buy", 1)) == "buying_power"


def test_a_child_does_not_reserve_against_its_own_parent() -> None:
    r = rig(cash="100000", marks={"AAA": "100"}, limits=only("buying_power"))
    r.book.orders.append(Working(order("AAA", "buy", 1000, cid="P1"), 1000, None))
    assert code(r, order("AAA", "buy", 500, parent="P1")) is None
    assert code(r, order("AAA", "buy", 500)) == "buying_power"


# -- position_limit -----------------------------------------------------------------------


def test_position_limit_boundary_at_eight_percent_of_nav() -> None:
    r = rig(marks={"AAA": "100"}, limits=only("position_limit"))  # NAV 1,000,000
    assert code(r, order("AAA", "buy", 800)) is None  # 80,000 = 8%
    denial = r.engine.check_order(order("AAA", "buy", 801), T0)
    assert denial is not None and denial.check == "position_limit"
    assert denial.figures["exposure_pct"] == "8.0100"
    assert code(r, order("AAA", "sell", 800)) is None  # a short counts by its size
    assert code(r, order("AAA", "sell", 801)) == "position_limit"


def test_position_limit_counts_working_orders_and_per_symbol_override() -> None:
    limits = {**only("position_limit"), "position.per_symbol": {"BBB": 10.0}}
    r = rig(marks={"AAA": "100", "BBB": "100"}, limits=limits)
    r.book.orders.append(Working(order("AAA", "buy", 100), 100))
    assert code(r, order("AAA", "buy", 700)) is None
    assert code(r, order("AAA", "buy", 701)) == "position_limit"
    assert code(r, order("BBB", "buy", 1000)) is None
    assert code(r, order("BBB", "buy", 1001)) == "position_limit"


def test_position_limit_never_blocks_a_reducing_order() -> None:
    r = rig(cash="800000", positions={"AAA": (2000, "100")}, limits=only("position_limit"))
    assert code(r, order("AAA", "sell", 500)) is None  # 20% of NAV, still over, but reducing
    assert code(r, order("AAA", "buy", 1)) == "position_limit"
    assert code(r, order("AAA", "sell", 2800)) is None  # flips to 800 short = 8%
    assert code(r, order("AAA", "sell", 2801)) == "position_limit"  # flips past the limit


# -- sector_limit -------------------------------------------------------------------------


def test_sector_limit_boundary() -> None:
    r = rig(
        cash="800000",
        positions={"BBB": (2000, "100")},
        marks={"AAA": "100"},
        limits=only("sector_limit"),
    )
    assert code(r, order("AAA", "buy", 500)) is None  # Tech 200,000 + 50,000 = 25%
    denial = r.engine.check_order(order("AAA", "buy", 501), T0)
    assert denial is not None and denial.check == "sector_limit"
    assert denial.figures["sector"] == "Tech"
    assert code(r, order("CCC", "buy", 2500, limit="100.00")) is None  # another sector


def test_sector_limit_counts_working_orders_in_other_names_of_the_sector() -> None:
    r = rig(cash="1000000", marks={"AAA": "100", "BBB": "100"}, limits=only("sector_limit"))
    r.book.orders.append(Working(order("BBB", "buy", 2000, limit="100.00"), 2000, Decimal(100)))
    assert code(r, order("AAA", "buy", 500)) is None  # 200,000 working + 50,000 = 25%
    assert code(r, order("AAA", "buy", 501)) == "sector_limit"


def test_a_working_order_that_reduces_another_name_does_not_add_to_the_sector() -> None:
    r = rig(
        cash="900000",
        positions={"BBB": (1000, "100")},
        marks={"AAA": "100"},
        limits=only("sector_limit"),
    )
    r.book.orders.append(Working(order("BBB", "sell", 1000), 1000))  # closes BBB
    assert code(r, order("AAA", "buy", 1500)) is None  # Tech 100,000 + 150,000 = 25%
    assert code(r, order("AAA", "buy", 1501)) == "sector_limit"


def test_sector_limit_never_blocks_a_reducing_order() -> None:
    r = rig(cash="700000", positions={"AAA": (3000, "100")}, limits=only("sector_limit"))
    assert code(r, order("AAA", "sell", 100)) is None
    assert code(r, order("AAA", "buy", 1)) == "sector_limit"


# -- correlation_limit --------------------------------------------------------------------


def test_correlated_names_form_a_cluster() -> None:
    r = rig()
    assert r.engine.cluster_of("AAA") == r.engine.cluster_of("BBB") is not None
    assert r.engine.cluster_of("CCC") is None


def test_correlation_limit_boundary() -> None:
    r = rig(
        cash="850000",
        positions={"BBB": (1500, "100")},
        marks={"AAA": "100"},
        limits=only("correlation_limit"),
    )
    assert code(r, order("AAA", "buy", 500)) is None  # cluster 150,000 + 50,000 = 20%
    denial = r.engine.check_order(order("AAA", "buy", 501), T0)
    assert denial is not None and denial.check == "correlation_limit"
    assert "AAA" in denial.reason and "BBB" in denial.reason


def test_correlation_limit_counts_working_orders_in_the_cluster() -> None:
    r = rig(marks={"AAA": "100", "BBB": "100"}, limits=only("correlation_limit"))
    r.book.orders.append(Working(order("BBB", "buy", 1000), 1000))  # 100,000 at the mark
    assert code(r, order("AAA", "buy", 1000)) is None  # 20%
    assert code(r, order("AAA", "buy", 1001)) == "correlation_limit"


def test_correlation_limit_never_blocks_a_reducing_order() -> None:
    r = rig(cash="700000", positions={"AAA": (3000, "100")}, limits=only("correlation_limit"))
    assert code(r, order("AAA", "sell", 3000)) is None
    assert code(r, order("BBB", "buy", 1, limit="100.00")) == "correlation_limit"


# -- expected_shortfall -------------------------------------------------------------------


def _tail_returns() -> pd.DataFrame:
    """200 days: AAA gains 0.1% on 195 days and loses 12.5% on 5; BBB is its mirror image."""
    base = synthetic_returns(200)
    aaa = np.full(200, 0.001)
    aaa[[20, 60, 100, 140, 180]] = -0.125
    base["AAA"] = aaa
    base["BBB"] = -aaa
    return base


def test_expected_shortfall_boundary_by_hand() -> None:
    # 200 scenarios at 97.5%: the tail is exactly 5 days, each a 12.5% loss of the position.
    # ES of V in AAA is 0.125·V; the limit is 3% of NAV 1,000,000 = 30,000, so V = 240,000.
    limits = {
        **only("expected_shortfall"),
        "expected_shortfall.window_days": 200,
        "expected_shortfall.max_nav_pct": 3.0,
        "expected_shortfall.scenarios": "historical",
    }
    r = rig(marks={"AAA": "100"}, limits=limits, returns=_tail_returns())
    assert code(r, order("AAA", "buy", 2400)) is None
    denial = r.engine.check_order(order("AAA", "buy", 2401), T0)
    assert denial is not None and denial.check == "expected_shortfall"
    assert abs(float(denial.figures["es_after_pct"]) - 240_100 * 0.125 / 1e6 * 100) < 1e-4


def test_expected_shortfall_lets_a_hedge_and_a_reducing_order_through() -> None:
    limits = {
        **only("expected_shortfall"),
        "expected_shortfall.window_days": 200,
        "expected_shortfall.max_nav_pct": 3.0,
        "expected_shortfall.scenarios": "historical",
    }
    r = rig(
        cash="600000",
        positions={"AAA": (4000, "100")},
        marks={"BBB": "100"},
        limits=limits,
        returns=_tail_returns(),
    )
    assert r.engine.valuation(T0).es_pct == 0.125 * 400_000 / 1_000_000 * 100  # 5% > 3%
    assert code(r, order("AAA", "buy", 1)) == "expected_shortfall"
    assert code(r, order("AAA", "sell", 100)) is None  # reducing
    assert code(r, order("BBB", "buy", 100)) is None  # a hedge lowers ES


def test_exposure_checks_deny_increases_when_nav_is_not_positive() -> None:
    r = rig(cash="-20000", positions={"AAA": (100, "100")}, limits=only("expected_shortfall"))
    assert code(r, order("AAA", "buy", 1)) == "expected_shortfall"
    assert code(r, order("AAA", "sell", 100)) is None  # closing is still allowed
    r2 = rig(cash="-20000", positions={"AAA": (100, "100")}, limits=only("position_limit"))
    assert code(r2, order("AAA", "buy", 1)) == "position_limit"


def test_volatility_weighted_scenarios_rescale_each_name() -> None:
    returns = synthetic_returns(300)
    returns.iloc[-30:, cast(int, returns.columns.get_loc("CCC"))] *= 3  # CCC turned volatile lately
    plain = rig(returns=returns, limits={"expected_shortfall.scenarios": "historical"})
    plain_scenarios = plain.engine.scenarios
    weighted = rig(returns=returns)  # volatility-weighted by default
    scaled = weighted.engine.scenarios
    assert scaled.column("CCC").std() > 1.5 * plain_scenarios.column("CCC").std()
    assert scaled.column("DDD").std() == pytest.approx(
        plain_scenarios.column("DDD").std(), rel=0.35
    )
    weighted.engine.set_limits({"expected_shortfall.scenarios": "historical"}, OFFICER, "plain")
    assert np.allclose(weighted.engine.scenarios.column("CCC"), plain_scenarios.column("CCC"))


def test_expected_shortfall_uses_a_proxy_for_a_name_without_history() -> None:
    r = rig()
    assert r.engine.scenarios.source_of("ZZZ") == "market"
    assert r.engine.scenarios.column("ZZZ").std() > 0


# -- trading_state and order_rate ---------------------------------------------------------


def test_trading_state_active_reducing_halted() -> None:
    r = rig(positions={"AAA": (100, "100")}, limits=only())
    assert code(r, order("AAA", "buy", 1)) is None
    r.engine.reduce(OFFICER, "desk review")
    assert code(r, order("AAA", "buy", 1)) == "trading_state"
    assert code(r, order("AAA", "sell", 100)) is None
    assert code(r, order("AAA", "sell", 101)) == "trading_state"  # would open a short
    r.engine.halt(OFFICER, "incident")
    denial = r.engine.check_order(order("AAA", "sell", 1), T0)
    assert denial is not None and denial.check == "trading_state"
    assert "incident" in denial.reason


def test_order_rate_boundary_in_a_sliding_window() -> None:
    limits = {**only("order_rate"), "throttle.max_orders": 3, "throttle.window_secs": 1.0}
    r = rig(marks={"AAA": "100"}, limits=limits)
    for _ in range(3):
        assert code(r, order("AAA", "buy", 1)) is None
    assert code(r, order("AAA", "buy", 1), T0 + 999_999_999) == "order_rate"
    assert code(r, order("AAA", "buy", 1), T0 + 1_000_000_000) is None  # the first three left


def test_order_rate_also_throttles_reducing_orders() -> None:
    limits = {**only("order_rate"), "throttle.max_orders": 1}
    r = rig(positions={"AAA": (100, "100")}, limits=limits)
    assert code(r, order("AAA", "sell", 1)) is None
    assert code(r, order("AAA", "sell", 1)) == "order_rate"


def test_denied_orders_do_not_use_up_the_throttle() -> None:
    limits = {**only("order_rate", "order_size"), "throttle.max_orders": 1, "order.max_quantity": 5}
    r = rig(marks={"AAA": "100"}, limits=limits)
    assert code(r, order("AAA", "buy", 6)) == "order_size"
    assert code(r, order("AAA", "buy", 5)) is None


# -- parents ---------------------------------------------------------------------------


def test_a_parent_is_judged_by_exposure_not_by_per_order_caps() -> None:
    limits = {"order.max_quantity": 100, "throttle.max_orders": 1}
    r = rig(cash="10000000", marks={"EEE": "10"}, limits=limits)  # NAV 10,000,000
    parent = order("EEE", "buy", 80_000, cid="P-1")  # 800,000 = 8%: fine as a parent
    assert r.engine.check_parent(parent, T0) is None
    assert code(r, order("EEE", "buy", 101)) == "order_size"  # the children are capped
    too_big = r.engine.check_parent(order("EEE", "buy", 80_001, cid="P-2"), T0)
    assert too_big is not None and too_big.check == "position_limit"
    assert code(r, order("EEE", "buy", 100)) is None  # parents used no throttle slot


# -- what-if ------------------------------------------------------------------------------


def test_what_if_reports_every_check_without_side_effects() -> None:
    r = rig(marks={"AAA": "100"}, limits={"throttle.max_orders": 1})
    decision = r.engine.evaluate(order("AAA", "buy", 801), T0)
    assert [c.check for c in decision.results] == list(CHECK_NAMES)
    assert not decision.approved and decision.denial is not None
    assert decision.denial.check == "position_limit"
    failed = [c.check for c in decision.results if not c.passed]
    assert failed == ["position_limit"]
    es = next(c for c in decision.results if c.check == "expected_shortfall")
    assert "es_after_pct" in es.figures
    assert code(r, order("AAA", "buy", 1)) is None  # the what-if used no throttle slot


def test_fills_revalue_the_snapshot_exactly_as_a_rebuild_would() -> None:
    r = rig(
        cash="500000",
        positions={"AAA": (1000, "100"), "BBB": (-500, "50"), "CCC": (300, "20")},
        marks={"DDD": "10"},
    )
    before = r.engine.valuation(T0)
    fills = [
        ("AAA", "sell", 400, "101"),  # partial reduce
        ("BBB", "buy", 500, "49"),  # closes the short
        ("DDD", "buy", 700, "10"),  # opens a new name
        ("CCC", "buy", 100, "21"),  # adds
    ]
    for n, (symbol, side, qty, px) in enumerate(fills):
        fill = OrderFilled(
            ClientOrderId(f"F{n}"),
            T0,
            T0,
            f"X{n}",
            "V",
            symbol,
            Side(side),
            qty,
            Decimal(px),
            Decimal(0),
            LiquiditySide.TAKER,
        )
        r.bus.publish(fill)  # the engine hears the fill before the portfolio folds it
        r.portfolio.on_fill(fill)
    incremental = r.engine.valuation(T0 + 1)
    assert incremental is before  # revalued in place, not rebuilt
    rebuilt = build_valuation(
        r.portfolio,
        r.engine.sector_of,
        {s: c for c, m in r.engine.clusters.items() for s in m},
        r.engine.scenarios,
        r.engine.limits.es_level,
        T0 + 1,
    )
    assert incremental.nav == rebuilt.nav == r.portfolio.nav()
    assert incremental.values == rebuilt.values
    assert {k: v for k, v in incremental.sector_gross.items() if v} == rebuilt.sector_gross
    assert {k: v for k, v in incremental.cluster_gross.items() if v} == rebuilt.cluster_gross
    assert np.allclose(incremental.base_pnl, rebuilt.base_pnl, rtol=0, atol=1e-6)
    assert incremental.es_pct == pytest.approx(rebuilt.es_pct)
