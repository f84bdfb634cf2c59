"""Real-time attribution: each child fill publishes the parent's running cost on the bus."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.events import OrderFilled, OrderInitialized
from slipstream.model.market import QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.tca.engine import TcaOptions
from slipstream.tca.realtime import ParentCostUpdated, RealTimeAttribution
from slipstream.tca.records import FillRecord, ParentRecord
from slipstream.tca.report import build_tca_report

SEC = 1_000_000_000
T0 = int(dt.datetime(2013, 10, 7, 14, 0, tzinfo=dt.UTC).timestamp()) * SEC  # 10:00 ET
PARENT = ParentRecord("P1", "XYZ", Side.BUY, 1000, T0 - 600 * SEC, D("50.00"), arrival_ts_ns=T0)
CHILDREN = {"c1": "P1", "c2": "P1"}


def child(cid: str, ts: int) -> OrderInitialized:
    spec = OrderSpec(ClientOrderId(cid), "XYZ", Side.BUY, 500, parent_id=CHILDREN.get(cid))
    return OrderInitialized(ClientOrderId(cid), ts, ts, spec)


def fill(cid: str, trade: str, ts: int, px: str, qty: int, fee: str) -> OrderFilled:
    return OrderFilled(
        ClientOrderId(cid), ts, ts, trade, "V1", "XYZ", Side.BUY, qty, D(px), D(fee),
        LiquiditySide.TAKER,
    )  # fmt: skip


def bps(value: F) -> float:
    return float(value * 10_000)


def test_running_cost_after_each_fill_by_hand() -> None:
    bus, clock = MessageBus(), SimClock(T0 - 3600 * SEC)
    attribution = RealTimeAttribution(bus, clock, CHILDREN.get)
    attribution.track(PARENT)
    updates: list[ParentCostUpdated] = []
    bus.subscribe(ParentCostUpdated, updates.append, key="P1")
    bus.publish(QuoteTick("XYZ", D("49.98"), D("50.02"), 100, 100, T0 - 60 * SEC))
    bus.publish(QuoteTick("XYZ", D("50.04"), D("50.08"), 100, 100, T0))
    bus.publish(child("c1", T0))  # the first child fixes arrival at the mid: 50.06
    bus.publish(TradeTick("XYZ", D("50.07"), 200, T0 + SEC))
    clock.advance_to(T0 + 2 * SEC)
    bus.publish(fill("c1", "t1", T0 + 2 * SEC, "50.08", 300, "0.90"))

    assert len(updates) == 1
    first = updates[0]
    assert (first.ts_event, first.ts_init) == (T0 + 2 * SEC, T0 + 2 * SEC)
    assert first.arrival_price == D("50.06") and first.executed_qty == 300
    # as if stopped now, unexecuted marked at the mid 50.06:
    # delay 300×0.06 = 18, impact 300×0.02 = 6, opportunity 700×0.06 = 42, fees 0.90
    assert first.shortfall_usd == D("66.90")
    assert first.shortfall_bps == pytest.approx(bps(F("66.90") / 50_000))
    assert first.arrival_slippage_bps == pytest.approx(bps(F(2, 5006)))
    assert first.interval_vwap == pytest.approx(50.07)
    assert first.vwap_slippage_bps == pytest.approx(bps(F(1, 5007)))

    bus.publish(QuoteTick("XYZ", D("50.10"), D("50.14"), 100, 100, T0 + 300 * SEC))
    bus.publish(TradeTick("XYZ", D("50.13"), 600, T0 + 301 * SEC))
    bus.publish(child("c2", T0 + 301 * SEC))
    clock.advance_to(T0 + 302 * SEC)
    bus.publish(fill("c2", "t2", T0 + 302 * SEC, "50.12", 400, "-0.40"))
    bus.publish(fill("c2", "t2", T0 + 302 * SEC, "50.12", 400, "-0.40"))  # duplicate report
    bus.publish(fill("lonely", "t3", T0 + 303 * SEC, "50.12", 100, "0"))  # no parent

    assert len(updates) == 2
    last = updates[1]
    # delay 42, timing 400×0.06 = 24, impact 6, opportunity 300×0.12 = 36, fees 0.50
    assert last.shortfall_usd == D("108.50")
    vwap = F(200 * 5007 + 600 * 5013, 800 * 100)
    avg = F(300 * 5008 + 400 * 5012, 700 * 100)
    assert last.vwap_slippage_bps == pytest.approx(bps((avg - vwap) / vwap))
    assert attribution.latest("P1") == last

    # The post-trade report, with unexecuted shares priced at the mid at the order's end,
    # gives the same dollars.
    fills = [
        FillRecord("P1", T0 + 2 * SEC, D("50.08"), 300, D("0.90")),
        FillRecord("P1", T0 + 302 * SEC, D("50.12"), 400, D("-0.40")),
    ]
    market = [
        QuoteTick("XYZ", D("49.98"), D("50.02"), 100, 100, T0 - 60 * SEC),
        QuoteTick("XYZ", D("50.04"), D("50.08"), 100, 100, T0),
        QuoteTick("XYZ", D("50.10"), D("50.14"), 100, 100, T0 + 300 * SEC),
    ]
    options = TcaOptions(end_price="last_mid")
    report = build_tca_report([PARENT], fills, market, options=options)
    assert report.breakdowns["P1"].total_usd == last.shortfall_usd


def test_unknown_parent_is_tracked_from_its_fills() -> None:
    bus, clock = MessageBus(), SimClock(T0)
    RealTimeAttribution(bus, clock, CHILDREN.get)
    updates: list[ParentCostUpdated] = []
    bus.subscribe(ParentCostUpdated, updates.append)
    bus.publish(QuoteTick("XYZ", D("50.04"), D("50.08"), 100, 100, T0))
    bus.publish(fill("c1", "t1", T0 + SEC, "50.08", 100, "0"))
    # decision = arrival = the mid; intended = executed: only the impact (100 × 0.02) remains
    assert updates[0].shortfall_usd == D("2.00")
    assert updates[0].intended_qty == 100


def test_fill_record_from_an_oms_fill_event() -> None:
    record = FillRecord.from_event(fill("c1", "t1", T0, "50.08", 300, "0.90"), "P1", "XNAS")
    assert record == FillRecord(
        "P1", T0, D("50.08"), 300, D("0.90"), "c1", LiquiditySide.TAKER, "XNAS"
    )
