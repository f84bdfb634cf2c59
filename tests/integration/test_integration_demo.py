"""The demo end to end on the bundled real data: every order type, risk, algorithms, TCA, replay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from slipstream.demo.run import DemoResult, run_demo
from slipstream.marketdata.reference import instruments_for
from slipstream.model.enums import OrderType, TimeInForce
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal
from slipstream.store.recovery import rebuild


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo"))


def test_every_order_type_and_time_in_force_is_exercised(demo: DemoResult) -> None:
    orders = demo.summary.orders
    assert {o["type"] for o in orders} == {t.value for t in OrderType}
    assert {o["tif"] for o in orders} == {t.value for t in TimeInForce}
    assert {o["symbol"] for o in orders} == {"IBM", "BAC", "AIG"}
    by_label = {o["client_id"].split("-", 2)[2]: o for o in orders if o["symbol"] == "IBM"}
    assert by_label["mkt-buy"]["status"] == "filled"
    assert by_label["lmt-sell-gtc-far"]["status"] == "accepted"  # a GTC limit 3 % away rests
    assert by_label["lmt-buy-fok-large"]["filled"] in (0, 4_500)  # all or nothing


def test_fills_respect_limits(demo: DemoResult) -> None:
    for order in demo.summary.orders:
        if order["type"] != "limit":
            continue
        limit = order["limit_price"]
        assert isinstance(limit, Decimal)
        for fill in order["fills"]:
            assert (fill["price"] <= limit) if order["side"] == "buy" else (fill["price"] >= limit)


def test_oversize_orders_are_denied_with_a_reason_code(demo: DemoResult) -> None:
    denied = [o for o in demo.summary.orders if o["status"] == "denied"]
    assert {o["client_id"].split("-")[0] for o in denied} == {"IBM", "BAC", "AIG"}
    assert all(o["denied_by"] and o["filled"] == 0 for o in denied)


def test_algorithm_parents_complete_without_over_execution(demo: DemoResult) -> None:
    parents = {p["parent_id"]: p for p in demo.summary.parents}
    assert set(parents) == {"P-TWAP-IBM", "P-VWAP-IBM", "P-POV-BAC", "P-IS-IBM", "P-ICE-AIG"}
    planned = {
        "P-TWAP-IBM": 20_000,
        "P-VWAP-IBM": 15_000,
        "P-POV-BAC": 150_000,
        "P-IS-IBM": 12_000,
        "P-ICE-AIG": 8_000,
    }
    for parent_id, qty in planned.items():
        assert 0 < parents[parent_id]["filled"] <= qty


def test_tca_parts_add_up_and_report_is_written(demo: DemoResult) -> None:
    s = demo.tca.summary
    parts = sum(s[f"{p}_bps"] for p in ("delay", "impact", "timing", "opportunity", "fees"))
    assert parts == pytest.approx(s["shortfall_bps"], abs=1e-6)
    assert demo.files["tca_report"].is_file() and demo.files["fills_chart"].is_file()


def test_journal_replays_to_the_same_positions(demo: DemoResult) -> None:
    journal = Journal(SQLiteBackend(demo.files["journal"]))
    state = rebuild(journal, instruments_for(["IBM", "BAC", "AIG"]))
    journal.close()
    replayed = {
        p.symbol: (p.quantity, p.avg_cost.quantize(Decimal("0.0001")))
        for p in state.portfolio.holdings()
    }
    live = {
        p["symbol"]: (p["quantity"], p["avg_cost"]) for p in demo.summary.positions if p["quantity"]
    }
    assert replayed == live


def test_overlay_comparison_covers_every_parent(demo: DemoResult) -> None:
    assert {r["parent"] for r in demo.overlay} == {
        "P-TWAP-IBM",
        "P-VWAP-IBM",
        "P-POV-BAC",
        "P-IS-IBM",
        "P-ICE-AIG",
    }
    assert all(r["filled_off"] > 0 and r["filled_on"] > 0 for r in demo.overlay)


def test_real_time_attribution_is_journalled_for_every_parent(demo: DemoResult) -> None:
    journal = Journal(SQLiteBackend(demo.files["journal"]))
    updates = [r for _, _, r in journal.records() if type(r).__name__ == "ParentCostUpdated"]
    journal.close()
    assert {u.parent_id for u in updates} == {p["parent_id"] for p in demo.summary.parents}
    last = {u.parent_id: u for u in updates}
    for parent in demo.summary.parents:
        assert last[parent["parent_id"]].executed_qty == parent["filled"]
