"""Trade classification (quote rule, tick rule, Lee–Ready) on small hand-built tapes."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slipstream.marketdata.tape import (
    aggregate_signed_volume,
    classify_trades,
    lee_ready_signs,
    tick_rule_signs,
)
from slipstream.model.market import QuoteTick, TradeTick


def _q(bid: str, ask: str, ts: int) -> QuoteTick:
    return QuoteTick("X", Decimal(bid), Decimal(ask), 100, 100, ts)


def _t(price: str, size: int, ts: int, aggressor: int = 0) -> TradeTick:
    return TradeTick("X", Decimal(price), size, ts, aggressor)


def test_tick_rule_with_zero_ticks() -> None:
    prices = np.array([10.0, 10.0, 10.01, 10.01, 10.0, 10.0, 10.02])
    assert tick_rule_signs(prices).tolist() == [0, 0, 1, 1, -1, -1, 1]


def test_lee_ready_hand_built_example() -> None:
    quotes = [_q("10.00", "10.02", 0), _q("10.04", "10.06", 50)]
    trades = [
        _t("10.02", 100, 10),  # at the ask → buy
        _t("10.00", 200, 20),  # at the bid → sell
        _t("10.01", 300, 30),  # at the mid, up-tick from 10.00 → buy
        _t("10.01", 400, 40),  # at the mid, zero tick → previous tick's sign: buy
        _t("10.045", 500, 50),  # new quote at t = 50 is prevailing (mid 10.05) → sell
        _t("10.07", 600, 60, aggressor=-1),  # already signed: kept
    ]
    signs = [t.aggressor for t in classify_trades(trades, quotes)]
    assert signs == [1, -1, 1, 1, -1, -1]
    # With a 5-unit delay the t = 50 trade is judged on the old quote (mid 10.01) → buy.
    delayed = classify_trades(trades, quotes, delay_ns=5)
    assert delayed[4].aggressor == 1


def test_lee_ready_without_a_usable_quote_falls_back_to_tick_rule() -> None:
    signs = lee_ready_signs(
        np.array([1, 2, 3]),
        np.array([10.0, 10.1, 10.05]),
        np.array([2]),
        np.array([10.2]),
        np.array([10.1]),  # crossed quote: unusable
    )
    assert signs.tolist() == [0, 1, -1]
    assert [t.aggressor for t in classify_trades([_t("1", 1, 1), _t("2", 1, 2)])] == [0, 1]


def test_signed_volume_aggregation() -> None:
    trades = classify_trades(
        [_t("10.02", 100, 5), _t("10.00", 30, 9), _t("10.02", 70, 12), _t("10.01", 10, 25)],
        [_q("10.00", "10.02", 0)],
    )
    buckets = aggregate_signed_volume(trades, width_ns=10)
    assert [(b.start, b.buy_volume, b.sell_volume, b.unsigned_volume) for b in buckets] == [
        (0, 100, 30, 0),
        (10, 70, 0, 0),
        (20, 0, 10, 0),  # at the mid, down-tick from 10.02 → sell
    ]
    assert buckets[0].net == 70 and buckets[0].total == 130
    assert classify_trades([]) == []


@pytest.mark.parametrize("width", [0, -5])
def test_aggregation_rejects_bad_width(width: int) -> None:
    from slipstream.core.errors import InputError

    with pytest.raises(InputError):
        aggregate_signed_volume([_t("1", 1, 1)], width)


@settings(max_examples=100, deadline=None)
@given(
    prices=st.lists(st.integers(995, 1005), min_size=1, max_size=50),
    quotes=st.lists(st.tuples(st.integers(990, 1010), st.integers(1, 4)), min_size=1, max_size=20),
)
def test_lee_ready_matches_a_plain_loop(prices: list[int], quotes: list[tuple[int, int]]) -> None:
    trade_times = np.arange(len(prices), dtype=np.int64) * 10 + 5
    quote_times = np.arange(len(quotes), dtype=np.int64) * 25
    bid = np.array([b / 100 for b, _ in quotes])
    ask = np.array([(b + w) / 100 for b, w in quotes])
    price = np.array([p / 100 for p in prices])
    expected, last_sign = [], 0
    for k, p in enumerate(price):
        if k and p != price[k - 1]:
            last_sign = 1 if p > price[k - 1] else -1
        q = [i for i, t in enumerate(quote_times) if t <= trade_times[k]]
        sign = 0
        if q:
            mid = (bid[q[-1]] + ask[q[-1]]) / 2
            sign = 1 if p > mid else -1 if p < mid else 0
        expected.append(sign or last_sign)
    got = lee_ready_signs(trade_times, price, quote_times, bid, ask)
    assert got.tolist() == expected
