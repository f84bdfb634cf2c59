"""The demo end to end on the bundled real data: every order type, risk, algorithms, TCA, replay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from slipstream.demo.run import DemoResult, run_demo
from slipstream.kernel.rebuild import rebuild
from slipstream.marketdata.reference import instruments_for
from slipstream.model.enums import OrderType, TimeInForce
from slipstream.store.inspection import JournalStatus, inspect_journal
from slipstream.store.journal import read_journal


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo"))


def test_every_order_type_and_time_in_force_is_exercised(demo: DemoResult) -> None:
    orders = [o for o in demo.summary.orders if o["parent_id"] is None]
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
    denied = [o for o in demo.summary.orders if o["status"] == "denied" and o["parent_id"] is None]
    assert {o["client_id"].split("-")[0] for o in denied} == {"IBM", "BAC", "AIG"}
    assert all(o["denied_by"] and o["filled"] == 0 for o in denied)


def test_algorithm_parents_complete_without_over_execution(demo: DemoResult) -> None:
    parents = {p["client_id"]: p for p in demo.summary.parents}
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
    s: dict[str, Any] = demo.tca.summary  # TcaResult.summary is typed dict[str, object]
    parts = sum(s[f"{p}_bps"] for p in ("delay", "impact", "timing", "opportunity", "fees"))
    assert parts == pytest.approx(s["shortfall_bps"], abs=1e-6)
    assert demo.files["tca_report"].is_file() and demo.files["fills_chart"].is_file()


def test_journal_replays_to_the_same_positions(demo: DemoResult) -> None:
    journal = read_journal(demo.files["journal"])
    state = rebuild((r for _, _, r in journal.records()), instruments_for(["IBM", "BAC", "AIG"]))
    journal.close(clean=False)
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
    journal = read_journal(demo.files["journal"])
    updates = [r for _, _, r in journal.records() if type(r).__name__ == "ParentCostUpdated"]
    journal.close(clean=False)
    assert {u.parent_id for u in updates} == {p["client_id"] for p in demo.summary.parents}
    last = {u.parent_id: u for u in updates}
    for parent in demo.summary.parents:
        assert last[parent["client_id"]].executed_qty == parent["filled"]


def test_every_child_is_listed_with_its_parent(demo: DemoResult) -> None:
    children = [o for o in demo.summary.orders if o["parent_id"] is not None]
    per_parent: dict[str, int] = {}
    for child in children:
        assert child["client_id"].startswith(f"{child['parent_id']}.")
        per_parent[child["parent_id"]] = per_parent.get(child["parent_id"], 0) + 1
    assert per_parent == {p["client_id"]: p["children"] for p in demo.summary.parents}
    for parent in demo.summary.parents:
        assert parent["status"] == "completed"
        assert parent["filled"] == sum(
            c["filled"] for c in children if c["parent_id"] == parent["client_id"]
        )


def test_the_demo_journal_closed_cleanly(demo: DemoResult) -> None:
    found = inspect_journal(demo.files["journal"])
    assert found.status is JournalStatus.CLOSED and found.ok
    assert found.session is not None and found.session.mode == "simulation"
