"""Property tests: the parts sum to the total, a buy and its mirrored sell cost the same, and a
fill exactly at the benchmark costs nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.model.enums import Side
from slipstream.model.market import QuoteTick, TradeTick
from slipstream.tca.records import FillRecord, ParentRecord
from slipstream.tca.report import build_tca_report

SEC = 1_000_000_000
OPEN = int(dt.datetime(2013, 10, 7, 13, 30, tzinfo=dt.UTC).timestamp()) * SEC  # 09:30 ET
CLOSE_PRINT = OPEN + (6 * 3600 + 29 * 60) * SEC  # 15:59 ET
CENTRE = 10_000  # $100.00 in cents: the decision price, and the mirror's centre


def cents(value: int) -> D:
    return D(value).scaleb(-2)


scenario = st.fixed_dictionaries(
    {
        "quotes": st.lists(
            st.tuples(st.integers(9_000, 11_000), st.integers(1, 20)), min_size=1, max_size=12
        ),
        "fills": st.lists(
            st.tuples(
                st.integers(0, 11),  # which quote interval the fill falls in
                st.integers(9_000, 11_000),  # price, cents
                st.integers(1, 500),  # quantity
                st.integers(-300, 3_000),  # fee, 1/100 cents
            ),
            max_size=10,
        ),
        "extra_qty": st.integers(0, 1_000),
        "close": st.integers(9_000, 11_000),
    }
)


def build(
    case: dict[str, object], side: Side, mirror: bool
) -> tuple[list[ParentRecord], list[FillRecord], list[QuoteTick | TradeTick]]:
    def px(c: int) -> D:
        return cents(2 * CENTRE - c if mirror else c)

    records: list[QuoteTick | TradeTick] = []
    quotes = case["quotes"]
    assert isinstance(quotes, list)
    for i, (bid, spread) in enumerate(quotes):
        lo, hi = bid, bid + spread
        bid_px, ask_px = (px(hi), px(lo)) if mirror else (px(lo), px(hi))
        records.append(QuoteTick("XYZ", bid_px, ask_px, 100, 100, OPEN + i * 60 * SEC))
    records.append(TradeTick("XYZ", px(case["close"]), 100, CLOSE_PRINT))  # type: ignore[arg-type]
    fills = []
    fill_cases = case["fills"]
    assert isinstance(fill_cases, list)
    last = len(quotes) - 1
    for n, (slot, price, qty, fee) in enumerate(sorted(fill_cases, key=lambda f: f[0])):
        ts = OPEN + min(slot, last) * 60 * SEC + (n + 1) * SEC
        fills.append(FillRecord("P", ts, px(price), qty, D(fee).scaleb(-4)))
    executed = sum(f.quantity for f in fills)
    parent = ParentRecord(
        "P",
        "XYZ",
        side,
        executed + case["extra_qty"] or 1,  # type: ignore[operator]
        OPEN,
        cents(CENTRE),
        arrival_ts_ns=OPEN,
    )
    return [parent], fills, records


@settings(max_examples=60, deadline=None)
@given(scenario, st.sampled_from([Side.BUY, Side.SELL]))
def test_parts_add_up_to_perold_total(case: dict[str, object], side: Side) -> None:
    parents, fills, records = build(case, side, mirror=False)
    parent = parents[0]
    result = build_tca_report(parents, fills, records)
    b = result.breakdowns["P"]
    assert b.delay_usd + b.impact_usd + b.timing_usd + b.opportunity_usd + b.fees_usd == b.total_usd
    # Perold, computed independently: paper portfolio minus real, plus fees.
    s = side.sign
    executed = sum(f.quantity for f in fills)
    paid = sum((f.price * f.quantity for f in fills), D(0))
    fees = sum((f.fee for f in fills), D(0))
    close = cents(case["close"])  # type: ignore[arg-type]
    decision = cents(CENTRE)
    perold = s * (paid - executed * decision) + s * (parent.quantity - executed) * (
        close - decision
    )
    assert b.total_usd == perold + fees
    row = result.parents.iloc[0]
    parts_bps = sum(row[f"{p}_bps"] for p in ("delay", "impact", "timing", "opportunity", "fees"))
    assert abs(parts_bps - row["shortfall_bps"]) < 1e-9


@settings(max_examples=60, deadline=None)
@given(scenario)
def test_buy_and_mirrored_sell_cost_the_same(case: dict[str, object]) -> None:
    buy = build_tca_report(*build(case, Side.BUY, mirror=False))
    sell = build_tca_report(*build(case, Side.SELL, mirror=True))
    b, m = buy.breakdowns["P"], sell.breakdowns["P"]
    assert (b.delay_usd, b.impact_usd, b.timing_usd, b.opportunity_usd, b.fees_usd) == (
        m.delay_usd,
        m.impact_usd,
        m.timing_usd,
        m.opportunity_usd,
        m.fees_usd,
    )
    assert b.total_usd == m.total_usd
    for column in ("shortfall_bps", "vs_arrival_bps", "vs_interval_twap_bps", "markout_60s_bps"):
        x, y = buy.parents[column].iloc[0], sell.parents[column].iloc[0]
        # mirrored benchmarks have a different notional, so only the sign must agree... except
        # the shortfall (same paper notional) which must be equal
        if column == "shortfall_bps":
            assert abs(x - y) < 1e-9
        else:
            assert (x > 1e-9) == (y > 1e-9) or abs(x) < 1e-6


@settings(max_examples=40, deadline=None)
@given(
    st.integers(9_000, 11_000),
    st.integers(1, 20),
    st.lists(st.integers(1, 500), min_size=1, max_size=8),
    st.sampled_from([Side.BUY, Side.SELL]),
)
def test_fill_exactly_at_the_benchmark_costs_zero(
    bid: int, spread: int, sizes: list[int], side: Side
) -> None:
    quote = QuoteTick("XYZ", cents(bid), cents(bid + spread), 100, 100, OPEN)
    arrival = (cents(bid) + cents(bid + spread)) / 2
    fills = [FillRecord("P", OPEN + (i + 1) * SEC, arrival, q) for i, q in enumerate(sizes)]
    parent = ParentRecord("P", "XYZ", side, sum(sizes), OPEN, arrival, arrival_ts_ns=OPEN)
    result = build_tca_report([parent], fills, [quote])
    b = result.breakdowns["P"]
    assert b.total_usd == 0 and b.impact_usd == 0 and b.delay_usd == 0 and b.timing_usd == 0
    assert result.parents["vs_arrival_bps"].iloc[0] == 0.0
    assert abs(result.parents["vs_interval_twap_bps"].iloc[0]) < 1e-9
