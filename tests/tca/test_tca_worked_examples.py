"""Worked examples of implementation shortfall and benchmarks, with expected values by hand.

Every expected figure is computed in the test from the scenario's numbers (written out, with
``Fraction`` where a division is involved), never by the code under test. Sign convention:
cost > 0, improvement < 0, signed by side, bps of the benchmark's notional.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction as F

import numpy as np
import pytest

from slipstream.core.errors import DataError
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.tca.engine import TcaOptions
from slipstream.tca.records import FillRecord, ParentRecord
from slipstream.tca.report import build_tca_report

SEC = 1_000_000_000
TOLERANCE_BPS = 1e-6  # far inside the 0.01 bp the issue asks for


def et(hour: int, minute: int, second: float = 0) -> int:
    """UTC ns of a 2013-10-07 US Eastern (EDT, UTC-4) wall-clock time."""
    base = dt.datetime(2013, 10, 7, hour + 4, minute, tzinfo=dt.UTC)
    return int(base.timestamp()) * SEC + round(second * SEC)


def bps(value: F | float) -> float:
    return float(value * 10_000)


T0 = et(10, 0)  # arrival: first child
T1 = et(10, 5)


def market(symbol: str = "XYZ") -> list[QuoteTick | TradeTick]:
    return [
        QuoteTick(symbol, D("49.98"), D("50.02"), 100, 100, et(9, 45)),  # mid 50.00
        QuoteTick(symbol, D("50.04"), D("50.08"), 100, 100, T0),  # mid 50.06
        TradeTick(symbol, D("50.07"), 200, T0 + 1 * SEC),
        QuoteTick(symbol, D("50.10"), D("50.14"), 100, 100, T1),  # mid 50.12
        TradeTick(symbol, D("50.13"), 600, T1 + 1 * SEC),
        QuoteTick(symbol, D("50.00"), D("50.04"), 100, 100, T1 + 60 * SEC),  # mid 50.02
        TradeTick(symbol, D("50.30"), 100, et(15, 59)),  # the close
        TradeTick(symbol, D("51.00"), 900, et(17, 0)),  # after hours: not the close
    ]


def buy_parent(**overrides: object) -> ParentRecord:
    fields: dict[str, object] = {
        "parent_id": "P1",
        "symbol": "XYZ",
        "side": Side.BUY,
        "quantity": 1000,
        "decision_ts_ns": et(9, 50),
        "decision_price": D("50.00"),
        "algo": "twap",
        "urgency": "medium",
        "arrival_ts_ns": T0,
    }
    fields.update(overrides)
    return ParentRecord(**fields)  # type: ignore[arg-type]


BUY_FILLS = [
    FillRecord("P1", T0 + 2 * SEC, D("50.08"), 300, D("0.90"), "c1", LiquiditySide.TAKER, "X"),
    FillRecord("P1", T1 + 2 * SEC, D("50.12"), 400, D("-0.40"), "c2", LiquiditySide.MAKER, "Y"),
]


def test_partial_buy_with_fees_decomposes_by_hand() -> None:
    result = build_tca_report([buy_parent()], BUY_FILLS, market())
    b = result.breakdowns["P1"]
    # decision 50.00, arrival mid 50.06, mids at the fills 50.06 and 50.12, close 50.30
    assert b.paper_notional == D("50000.00")  # 50.00 × 1000
    assert b.delay_usd == D("42.00")  # 700 × (50.06 − 50.00)
    assert b.timing_usd == D("24.00")  # 300 × (50.06 − 50.06) + 400 × (50.12 − 50.06)
    assert b.impact_usd == D("6.00")  # 300 × (50.08 − 50.06) + 400 × (50.12 − 50.12)
    assert b.opportunity_usd == D("90.00")  # 300 unexecuted × (50.30 − 50.00)
    assert b.fees_usd == D("0.50")  # 0.90 − 0.40 rebate
    assert b.total_usd == D("162.50")
    assert b.delay_usd + b.timing_usd + b.impact_usd + b.opportunity_usd + b.fees_usd == b.total_usd
    row = result.parents.iloc[0]
    assert row["shortfall_bps"] == pytest.approx(32.5, abs=TOLERANCE_BPS)  # 162.5 / 50,000
    assert row["delay_bps"] == pytest.approx(8.4, abs=TOLERANCE_BPS)
    assert row["opportunity_bps"] == pytest.approx(18.0, abs=TOLERANCE_BPS)
    assert row["fill_rate_pct"] == pytest.approx(70.0)
    assert row["end_price_source"] == "close"
    avg = F(300 * 5008 + 400 * 5012, 700 * 100)
    assert row["avg_price"] == pytest.approx(float(avg), abs=1e-12)
    # benchmarks: arrival 50.06; interval VWAP over [T0, last fill] = prints 200@50.07, 600@50.13
    vwap = F(200 * 5007 + 600 * 5013, 800 * 100)
    assert row["vs_arrival_bps"] == pytest.approx(bps((avg - F(5006, 100)) / F(5006, 100)))
    assert row["vs_interval_vwap_bps"] == pytest.approx(bps((avg - vwap) / vwap), abs=1e-9)
    assert row["vs_decision_bps"] == pytest.approx(bps((avg - 50) / 50), abs=1e-9)
    assert row["vs_close_bps"] == pytest.approx(bps((avg - F(5030, 100)) / F(5030, 100)))
    # day VWAP is the regular session only: 200@50.07, 600@50.13, 100@50.30 (not 17:00)
    day = F(200 * 5007 + 600 * 5013 + 100 * 5030, 900 * 100)
    assert row["day_vwap_benchmark"] == pytest.approx(float(day), abs=1e-12)
    # TWAP over [T0, T1+2s]: mid 50.06 for 300 s, then 50.12 for 2 s
    twap = (F(5006, 100) * 300 + F(5012, 100) * 2) / 302
    assert row["interval_twap_benchmark"] == pytest.approx(float(twap), abs=1e-9)
    # participation: 700 executed over 800 printed in the interval
    assert row["participation_pct"] == pytest.approx(87.5)
    # spread capture of the maker fill: bought at 50.12 with mid 50.12 → 0 % of the half spread
    assert row["spread_capture_pct"] == pytest.approx(0.0)
    assert row["maker_pct"] == pytest.approx(400 / 700 * 100)
    assert row["n_children"] == 2 and row["n_venues"] == 2 and row["n_fills"] == 2
    assert row["duration_secs"] == pytest.approx(300.0)


def test_markouts_by_hand() -> None:
    result = build_tca_report([buy_parent()], BUY_FILLS, market(), options=TcaOptions())
    fills = result.fills
    # fill 1 at T0+2s, 50.08: mid 1 s and 10 s later 50.06 (cost 2 cents), 5 min later 50.12
    assert fills["markout_1s_bps"].iloc[0] == pytest.approx(bps(F(2, 5008)))
    assert fills["markout_300s_bps"].iloc[0] == pytest.approx(bps(F(-4, 5008)))
    # fill 2 at T1+2s, 50.12: the mid drops to 50.02 at T1+60s → 1 min markout is 10 cents cost
    assert fills["markout_10s_bps"].iloc[1] == pytest.approx(0.0)
    assert fills["markout_60s_bps"].iloc[1] == pytest.approx(bps(F(10, 5012)))
    # per parent: weighted by fill notional
    weights = (300 * F(5008, 100), 400 * F(5012, 100))
    markouts = (F(2, 5008), F(10, 5012))  # 1-minute markouts of the two fills
    expected = sum(w * m for w, m in zip(weights, markouts, strict=True)) / sum(weights)
    assert result.parents["markout_60s_bps"].iloc[0] == pytest.approx(bps(expected))


def test_sell_with_zero_fills_costs_the_move_on_unexecuted_shares() -> None:
    parent = buy_parent(side=Side.SELL, quantity=500, end_ts_ns=T1)
    result = build_tca_report([parent], [], market())
    b = result.breakdowns["P1"]
    # nothing executed: only opportunity; a sell and the price rose 50.00 → 50.30: improvement
    assert b.delay_usd == b.timing_usd == b.impact_usd == b.fees_usd == 0
    assert b.opportunity_usd == D("-150.00")  # −1 × 500 × (50.30 − 50.00)
    assert b.total_usd == D("-150.00")
    row = result.parents.iloc[0]
    assert row["shortfall_bps"] == pytest.approx(-60.0)  # −150 / (50.00 × 500)
    assert row["fill_rate_pct"] == 0.0
    assert row["n_fills"] == 0


def test_full_sell_with_fees_and_no_opportunity() -> None:
    parent = buy_parent(side=Side.SELL, quantity=700, decision_price=D("50.10"))
    fills = [
        FillRecord("P1", T0 + 2 * SEC, D("50.04"), 300, D("1.05")),
        FillRecord("P1", T1 + 2 * SEC, D("50.10"), 400, D("1.40")),
    ]
    b = build_tca_report([parent], fills, market()).breakdowns["P1"]
    # sell: s = −1; decision 50.10, arrival 50.06, mids 50.06 and 50.12
    assert b.delay_usd == D("28.00")  # −700 × (50.06 − 50.10): price fell before we sold
    assert b.timing_usd == D("-24.00")  # −(300 × 0 + 400 × 0.06): price rose while selling
    assert b.impact_usd == D("14.00")  # −(300 × (50.04 − 50.06) + 400 × (50.10 − 50.12))
    assert b.opportunity_usd == 0
    assert b.fees_usd == D("2.45")
    assert b.total_usd == D("20.45")
    # Perold: paper minus real. Paper sells 700 at 50.10; real gets 15012 + 20040 − fees.
    real = D("50.04") * 300 + D("50.10") * 400 - D("2.45")
    assert b.total_usd == D("50.10") * 700 - real


def test_fill_at_the_benchmark_costs_nothing() -> None:
    parent = buy_parent(quantity=100, decision_price=D("50.06"))
    fills = [FillRecord("P1", T0 + 2 * SEC, D("50.06"), 100)]
    result = build_tca_report([parent], fills, market())
    b = result.breakdowns["P1"]
    assert b.total_usd == 0 and b.impact_usd == 0 and b.delay_usd == 0
    assert result.parents["vs_arrival_bps"].iloc[0] == 0.0


def test_missing_decision_price_uses_the_mid_at_decision() -> None:
    parent = buy_parent(decision_price=None)
    b = build_tca_report([parent], BUY_FILLS, market()).breakdowns["P1"]
    # mid at 09:50 is 50.00, the same as the explicit decision price of the first example
    assert b.total_usd == D("162.50")


def test_end_price_last_mid_prices_unexecuted_at_the_order_end() -> None:
    parent = buy_parent(end_ts_ns=T1 + 120 * SEC)
    options = TcaOptions(end_price="last_mid")
    result = build_tca_report([parent], BUY_FILLS, market(), options=options)
    # unexecuted 300 priced at the mid prevailing at T1+120s: 50.02
    assert result.breakdowns["P1"].opportunity_usd == D("6.00")  # 300 × (50.02 − 50.00)
    assert result.parents["end_price_source"].iloc[0] == "mid at order end"


def test_participation_weighted_price_by_hand() -> None:
    parent = buy_parent(target_participation=0.5)
    result = build_tca_report([parent], BUY_FILLS, market())
    # 700 executed at 50 % → the market's next 1,400 shares after arrival: 200@50.07, 600@50.13,
    # 100@50.30 (the session ends before 1,400 shares print)
    pwp = F(200 * 5007 + 600 * 5013 + 100 * 5030, 900 * 100)
    assert result.parents["pwp_benchmark"].iloc[0] == pytest.approx(float(pwp), abs=1e-12)
    parent = buy_parent(target_participation=1.0)
    result = build_tca_report([parent], BUY_FILLS, market())
    # at 100 %: the next 700 shares: 200@50.07 and the 600@50.13 print that crosses 700
    pwp = F(200 * 5007 + 600 * 5013, 800 * 100)
    assert result.parents["pwp_benchmark"].iloc[0] == pytest.approx(float(pwp), abs=1e-12)


def test_spread_capture_of_a_passive_fill_at_the_near_touch() -> None:
    fills = [FillRecord("P1", T1 + 2 * SEC, D("50.10"), 100, liquidity=LiquiditySide.MAKER)]
    result = build_tca_report([buy_parent()], fills, market())
    # bought at the bid 50.10 with mid 50.12 and half spread 0.02: captured 100 % of it
    assert result.parents["spread_capture_pct"].iloc[0] == pytest.approx(100.0)


def test_realized_against_forecast_impact() -> None:
    result = build_tca_report([buy_parent(forecast_bps=2.0)], BUY_FILLS, market())
    row = result.parents.iloc[0]
    realized = bps((F(300 * 5008 + 400 * 5012, 700 * 100) - F(5006, 100)) / F(5006, 100))
    assert row["forecast_error_bps"] == pytest.approx(realized - 2.0)


def test_aggregates_are_notional_weighted() -> None:
    second = buy_parent(parent_id="P2", quantity=100, algo="vwap", decision_price=D("50.06"))
    fills = [*BUY_FILLS, FillRecord("P2", T0 + 2 * SEC, D("50.06"), 100)]
    result = build_tca_report([buy_parent(), second], fills, market())
    # P1: 162.50 on 50,000 paper; P2: 0 on 5,006 paper → 162.50 / 55,006
    total = F(16250, 100) / F(5500600, 100)
    assert result.summary["shortfall_bps"] == pytest.approx(bps(total))
    by_algo = result.aggregates["algo"].set_index("algo")
    assert by_algo.loc["twap", "shortfall_bps"] == pytest.approx(32.5)
    assert by_algo.loc["vwap", "shortfall_bps"] == pytest.approx(0.0)
    assert result.summary["shortfall_usd"] == D("162.50")


def test_quotes_without_trades_price_the_end_at_the_mid_and_say_so() -> None:
    quotes_only = [r for r in market() if isinstance(r, QuoteTick)]
    parent = buy_parent(end_ts_ns=T1 + 120 * SEC)
    result = build_tca_report([parent], BUY_FILLS, quotes_only)
    row = result.parents.iloc[0]
    # no close print: the 300 unexecuted shares are priced at the mid at the order's end, 50.02
    assert row["end_price_source"] == "mid at order end"
    assert result.breakdowns["P1"].opportunity_usd == D("6.00")
    assert np.isnan(row["vs_interval_vwap_bps"]) and np.isnan(row["participation_pct"])


def test_bars_only_market_uses_prints_as_the_mid() -> None:
    bars = [
        Bar("XYZ", D("50"), D("50.2"), D("49.9"), D("50.06"), 5_000, T0),
        Bar("XYZ", D("50.06"), D("50.2"), D("50"), D("50.10"), 4_000, T1),
    ]
    fills = [FillRecord("P1", T1 + 2 * SEC, D("50.12"), 1000)]
    result = build_tca_report([buy_parent()], fills, bars)
    row = result.parents.iloc[0]
    assert bool(row["mid_from_trades"])
    # arrival = the print at T0 (50.06); the fill's prevailing "mid" is the print at T1 (50.10)
    b = result.breakdowns["P1"]
    assert (b.delay_usd, b.timing_usd, b.impact_usd) == (D("60.00"), D("40.00"), D("20.00"))


def test_unsorted_market_data_is_refused() -> None:
    records = market()
    records[0], records[1] = records[1], records[0]
    with pytest.raises(DataError, match="non-decreasing"):
        build_tca_report([buy_parent()], BUY_FILLS, records)


def test_parents_the_market_cannot_price_are_reported() -> None:
    early = buy_parent(parent_id="P0", decision_price=None, decision_ts_ns=et(9, 0))
    late = buy_parent(parent_id="P2", symbol="ABC")
    result = build_tca_report([buy_parent(), early, late], BUY_FILLS, market())
    reasons = {e.parent_id: e.reason for e in result.exclusions}
    assert reasons == {
        "P0": "no decision_price and no quote at decision_ts",
        "P2": "no market data for the symbol",
    }
    assert result.summary["parents"] == 1 and result.summary["shortfall_usd"] == D("162.50")
