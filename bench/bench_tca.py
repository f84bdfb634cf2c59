"""TCA of 1,000,000 fills across 10,000 parent orders (100 symbols, one day).

Input is what ``slipstream tca`` has after reading its CSV files: an orders frame and a fills
frame of text-parsed numbers (prices as binary floats, recovered exactly as integer
micro-dollars). Timed: validation and exact conversion (:func:`prepare`), the vectorised
engine with exact per-parent Decimal decompositions (:func:`analyze`), and the notional-weighted
aggregations. Money stays exact at this speed because the per-fill products ``q·p`` are integer
micro-dollars summed in ``int64`` by prefix sums (Python integers only if a sum could
overflow), and ``Decimal`` is used once per parent, not once per fill.

The market is synthetic (a random walk of quotes and prints per symbol): the benchmark measures
the arithmetic, which does not depend on where the prices came from.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd

from slipstream.tca.aggregate import GROUPINGS, aggregate, included, overall
from slipstream.tca.engine import analyze
from slipstream.tca.inputs import prepare
from slipstream.tca.market import MarketData, SymbolMarket

SEC = 1_000_000_000
PARENTS = 10_000
FILLS = 1_000_000
SYMBOLS = 100
TICKS_PER_SYMBOL = 23_400  # one quote and one print per second of the session
OPEN = int(dt.datetime(2013, 10, 7, 13, 30, tzinfo=dt.UTC).timestamp()) * SEC


def _market(rng: np.random.Generator) -> tuple[MarketData, dict[str, int]]:
    symbols: dict[str, SymbolMarket] = {}
    start_prices: dict[str, int] = {}
    ts = OPEN + np.arange(TICKS_PER_SYMBOL, dtype=np.int64) * SEC
    for n in range(SYMBOLS):
        symbol = f"S{n:03d}"
        base = int(rng.integers(2_000, 40_000))  # cents
        mid_cents = base + np.cumsum(rng.integers(-1, 2, TICKS_PER_SYMBOL))
        bid = (mid_cents - 1) * 10_000
        ask = (mid_cents + 1) * 10_000
        price = mid_cents * 10_000
        size = rng.integers(1, 50, TICKS_PER_SYMBOL) * 100
        symbols[symbol] = SymbolMarket.build(symbol, ts, bid, ask, ts + SEC // 2, price, size)
        start_prices[symbol] = base
    return MarketData(symbols), start_prices


def _inputs(rng: np.random.Generator, start_prices: dict[str, int]) -> tuple[pd.DataFrame, ...]:
    names = np.array(sorted(start_prices))
    symbol = names[rng.integers(0, SYMBOLS, PARENTS)]
    per_parent = FILLS // PARENTS
    arrival = OPEN + rng.integers(60, 3 * 3600, PARENTS) * SEC
    ids = np.array([f"P{i:05d}" for i in range(PARENTS)])
    fill_qty = rng.integers(1, 20, (PARENTS, per_parent)) * 100
    quantity = fill_qty.sum(axis=1) + rng.integers(0, 3, PARENTS) * 1_000
    orders = pd.DataFrame(
        {
            "parent_id": ids,
            "symbol": symbol,
            "side": np.where(rng.random(PARENTS) < 0.5, "buy", "sell"),
            "quantity": quantity,
            "decision_ts": arrival - 30 * SEC,
            "algo": rng.choice(["twap", "vwap", "pov", "is"], PARENTS),
            "urgency": rng.choice(["low", "medium", "high"], PARENTS),
            "arrival_ts": arrival,
        }
    )
    offsets = np.sort(rng.integers(1, 3 * 3600, (PARENTS, per_parent)), axis=1) * SEC
    base = np.array([start_prices[s] for s in symbol])
    cents = base[:, None] + rng.integers(-30, 31, (PARENTS, per_parent))
    fills = pd.DataFrame(
        {
            "parent_id": np.repeat(ids, per_parent),
            "ts": (arrival[:, None] + offsets).ravel(),
            "price": (cents / 100).ravel(),  # as parsed from a CSV: binary floats
            "quantity": fill_qty.ravel(),
            "fee": (fill_qty * 0.003).round(4).ravel(),
            "liquidity": rng.choice(["maker", "taker"], FILLS),
        }
    )
    return orders, fills


def run() -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    market, start_prices = _market(rng)
    orders, fills = _inputs(rng, start_prices)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    inputs = prepare(orders, fills)
    t1 = time.perf_counter()
    analysis = analyze(inputs, market)
    t2 = time.perf_counter()
    kept = included(analysis.parents)
    for by in GROUPINGS:
        aggregate(analysis.parents, by, kept)
    summary = overall(analysis.parents, kept)
    t3 = time.perf_counter()
    cpu = time.process_time() - cpu0
    assert summary["parents"] == PARENTS and not analysis.exclusions
    common = {"fills": FILLS, "parents": PARENTS}
    return [
        {"name": "tca_1m_fills_10k_parents", "value": t3 - t0, "unit": "s", **common},
        {"name": "tca_1m_fills_10k_parents_cpu", "value": cpu, "unit": "cpu s", **common},
        {"name": "tca_validate_and_convert", "value": t1 - t0, "unit": "s", **common},
        {"name": "tca_engine_exact_shortfall", "value": t2 - t1, "unit": "s", **common},
        {"name": "tca_aggregations", "value": t3 - t2, "unit": "s", "groupings": len(GROUPINGS)},
        {"name": "tca_fills_per_second", "value": FILLS / (t3 - t0), "unit": "fills/s"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
