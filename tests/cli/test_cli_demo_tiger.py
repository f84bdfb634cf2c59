"""``slipstream demo --broker tiger-local``: the demo's orders through the SDK to the local gateway."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.cli.main import main
from slipstream.core.timestamps import datetime_to_ns
from slipstream.demo.tiger_local import CASH, SAMPLE_NS, thinned
from slipstream.marketdata.loaders import load_file, make_filter
from slipstream.model.market import MarketRecord, QuoteTick, TradeTick
from slipstream.paths import data_dir


def _run(argv: list[str]) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    payload: dict[str, Any] = json.loads(out.getvalue())
    return payload


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("demo-tiger")
    return _run(["demo", "--broker", "tiger-local", "--json", "--out", str(folder)])


def _orders(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["client_id"]: o for o in payload["orders"]}


def _market_ns(text: str) -> int:
    return datetime_to_ns(dt.datetime.fromisoformat(text))


def _touch_range(start_ns: int, end_ns: int) -> tuple[Decimal, Decimal]:
    """Lowest bid and highest ask (or trade) of the raw IBM ticks in [start, end]."""
    ticks = data_dir() / "ticks"
    flt = make_filter(["IBM"], "regular", ["2013-10-08"])
    low, high = Decimal("Infinity"), Decimal(0)
    for name in (
        "IBM_quote_ticks_20131007_20131011.csv.gz",
        "IBM_trade_ticks_20131007_20131011.csv.gz",
    ):
        for rec in load_file(ticks / name, flt):
            if not start_ns <= rec.ts_event <= end_ns:
                continue
            if isinstance(rec, QuoteTick):
                low, high = min(low, rec.bid), max(high, rec.ask)
            elif isinstance(rec, TradeTick):
                # The gateway sets a one-cent touch around a trade.
                low, high = (
                    min(low, rec.price - Decimal("0.01")),
                    max(high, rec.price + Decimal("0.01")),
                )
    return low, high


def _fills(payload: dict[str, Any], coid: str) -> list[dict[str, Any]]:
    return [f for f in payload["fills_at_market_time"] if f["client_id"] == coid]


def test_market_order_fills_at_the_replayed_market_through_the_gateway(
    demo: dict[str, Any],
) -> None:
    order = _orders(demo)["IBM-01-mkt-buy"]
    assert order["status"] == "filled" and order["filled"] == 300
    sent = _market_ns(demo["sent_at_market_time"]["IBM-01-mkt-buy"])
    fills = _fills(demo, "IBM-01-mkt-buy")
    assert sum(f["quantity"] for f in fills) == 300
    last = max(_market_ns(f["market_time"]) for f in fills)
    assert sent <= last < sent + 30 * 10**9
    # Filled at a price the real market showed between sending and the fill's arrival.
    low, high = _touch_range(sent - 2 * 10**9, last)
    for fill in fills:
        assert low <= Decimal(str(fill["price"])) <= high
    assert [(f["price"], f["quantity"]) for f in fills] == [
        (f["price"], f["quantity"]) for f in order["fills"]
    ]


def test_stops_and_trailing_stops_wait_for_the_market_to_move(demo: dict[str, Any]) -> None:
    for coid in ("IBM-05-stop-sell", "IBM-06-stop-limit-buy", "IBM-07-trail-sell-amount"):
        sent = _market_ns(demo["sent_at_market_time"][coid])
        fills = _fills(demo, coid)
        assert fills, coid
        # Not at once: the gateway triggered them on later replayed prices.
        assert min(_market_ns(f["market_time"]) for f in fills) > sent + 10**9, coid


def test_ioc_is_rejected_by_the_adapter_and_never_sent(demo: dict[str, Any]) -> None:
    orders = _orders(demo)
    ioc = orders["IBM-04-lmt-buy-ioc"]
    assert ioc["status"] == "rejected" and ioc["filled"] == 0 and ioc["fills"] == []
    assert "ioc" in demo["rejections"]["IBM-04-lmt-buy-ioc"].lower()
    # Every other order reached the gateway, once.
    assert demo["gateway"]["orders"] == len(orders) - 1
    assert demo["gateway"]["duplicate_marks"] == 0 and demo["gateway"]["overfills"] == 0


def test_modified_order_is_cancelled_and_gtc_stays_working(demo: dict[str, Any]) -> None:
    orders = _orders(demo)
    passive = orders["IBM-02-lmt-buy-passive"]
    assert passive["status"] == "cancelled" and passive["filled"] == 0
    assert passive["quantity"] == 100  # modified down from 200 at Tiger
    gtc = orders["IBM-09-lmt-sell-gtc-far"]
    assert gtc["tif"] == "gtc" and gtc["status"] == "accepted" and gtc["filled"] == 0
    assert demo["gateway"]["working_orders"] == 1


def test_every_order_type_executes_and_positions_follow_the_fills(demo: dict[str, Any]) -> None:
    orders = _orders(demo)
    for coid in (
        "IBM-03-lmt-sell-marketable",
        "IBM-05-stop-sell",
        "IBM-06-stop-limit-buy",
        "IBM-07-trail-sell-amount",
        "IBM-08-trail-buy-bps",
        "IBM-10-mkt-sell",
    ):
        assert orders[coid]["status"] == "filled", coid
    net = sum(
        f["quantity"] * (1 if o["side"] == "buy" else -1)
        for o in orders.values()
        for f in o["fills"]
    )
    position = {p["symbol"]: p["quantity"] for p in demo["positions"]}.get("IBM", 0)
    assert position == net
    # Commission is 0 per fill (Tiger reports it per order), so cash moves by the trades alone.
    traded = sum(
        Decimal(str(f["price"])) * f["quantity"] * (1 if o["side"] == "buy" else -1)
        for o in orders.values()
        for f in o["fills"]
    )
    assert Decimal(str(demo["cash"])) == CASH - traded


def test_reconciliation_finds_the_journal_in_sync_with_the_gateway(demo: dict[str, Any]) -> None:
    rec = demo["reconciliation"]
    assert rec["breaks"] == [] and rec["escalated"] == 0
    assert rec["in_sync_pct"] == 100.0
    assert rec["orders_checked"] == len(demo["orders"])


def test_the_journal_replays_to_the_same_orders(demo: dict[str, Any]) -> None:
    replayed = _run(["replay", demo["files"]["journal"], "--json"])
    keys = ("client_id", "status", "quantity", "filled", "avg_price", "fills")
    assert [{k: o[k] for k in keys} for o in replayed["orders"]] == [
        {k: o[k] for k in keys} for o in demo["orders"]
    ]
    assert replayed["positions"] == demo["positions"]
    written = json.loads(Path(demo["files"]["summary_json"]).read_text())
    assert written["reconciliation"] == demo["reconciliation"]


kinds = st.sampled_from(["q", "t"])


@given(st.lists(st.tuples(st.integers(0, 20 * SAMPLE_NS), kinds), max_size=60))
def test_thinning_keeps_one_record_of_each_kind_per_interval(
    events: list[tuple[int, str]],
) -> None:
    start, end = 2 * SAMPLE_NS, 15 * SAMPLE_NS
    records: list[MarketRecord] = [
        QuoteTick("IBM", Decimal(1), Decimal(2), 1, 1, ts)
        if kind == "q"
        else TradeTick("IBM", Decimal(1), 1, ts)
        for ts, kind in sorted(events)
    ]
    kept = thinned(iter(records), start, end)
    assert all(start <= r.ts_event < end for r in kept)
    for kind in (QuoteTick, TradeTick):
        times = [r.ts_event for r in kept if isinstance(r, kind)]
        assert all(b - a >= SAMPLE_NS for a, b in itertools.pairwise(times))
        inside = [r.ts_event for r in records if isinstance(r, kind) and start <= r.ts_event < end]
        # The first record of each kind in the window is always kept.
        assert times[:1] == inside[:1]
