"""Write examples/tca/orders.csv and fills.csv: parent orders worked against the real IBM and
BAC tape of 7–9 October 2013 (data/ticks), for trying ``slipstream tca``.

The fills are generated, deterministically (fixed seed), the way a simple scheduler would get
them: one child every 20–90 s, a taker child filled at the far touch, a maker child at the near
touch, 0.30 cents/share taker fee and a 0.20 cents/share maker rebate. Some parents stop early
(partial fills) and one never trades, so every part of the shortfall shows up.

Run: ``.venv/bin/python examples/tca/make_example.py``
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from slipstream.marketdata.replay import load_market
from slipstream.tca.market import MICROS, MarketData

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "data" / "ticks"
SEC = 1_000_000_000
ET = dt.timezone(dt.timedelta(hours=-4))  # October 2013 is EDT
PLAN = [  # symbol, side, qty, day, start ET, minutes, algo, urgency, fill share
    ("IBM", "buy", 20_000, 7, "09:45", 60, "twap", "low", 1.0),
    ("IBM", "sell", 15_000, 7, "11:00", 30, "vwap", "medium", 1.0),
    ("IBM", "buy", 40_000, 7, "13:30", 90, "pov", "medium", 0.8),
    ("IBM", "sell", 8_000, 7, "15:00", 20, "is", "high", 1.0),
    ("IBM", "buy", 10_000, 8, "09:40", 15, "is", "high", 1.0),
    ("IBM", "sell", 25_000, 8, "10:30", 60, "twap", "low", 0.6),
    ("IBM", "buy", 12_000, 8, "14:00", 45, "vwap", "medium", 1.0),
    ("IBM", "sell", 30_000, 9, "10:00", 120, "pov", "low", 1.0),
    ("IBM", "buy", 5_000, 9, "13:00", 10, "is", "high", 1.0),
    ("IBM", "buy", 6_000, 9, "15:10", 30, "twap", "medium", 0.0),
    ("BAC", "buy", 200_000, 8, "10:00", 60, "vwap", "medium", 1.0),
    ("BAC", "sell", 150_000, 9, "11:30", 45, "twap", "high", 0.9),
]


def iso(ts_ns: int) -> str:
    stamp = dt.datetime.fromtimestamp(ts_ns / SEC, tz=ET)
    return stamp.isoformat(timespec="milliseconds")


def main() -> None:
    rng = np.random.default_rng(20131007)
    symbols = sorted({p[0] for p in PLAN})
    days = [f"2013-10-{d:02d}" for d in sorted({p[3] for p in PLAN})]
    market = MarketData.from_records(load_market(DATA, symbols, "regular", days))
    orders, fills = [], []
    for n, (symbol, side, qty, day, start, minutes, algo, urgency, share) in enumerate(PLAN):
        data = market.get(symbol)
        assert data is not None
        hour, minute = map(int, start.split(":"))
        begin = int(dt.datetime(2013, 10, day, hour, minute, tzinfo=ET).timestamp()) * SEC
        end = begin + minutes * 60 * SEC
        parent_id = f"P{n + 1:02d}-{symbol}"
        decision = begin - int(rng.integers(60, 600)) * SEC
        decision_mid = int(data.mid2_at(np.array([decision]))[0]) / (2 * MICROS)
        orders.append(
            {
                "parent_id": parent_id,
                "symbol": symbol,
                "side": side,
                "quantity": qty,
                "decision_ts": iso(decision),
                "decision_price": f"{decision_mid:.2f}" if n % 3 else "",
                "algo": algo,
                "urgency": urgency,
                "start_ts": iso(begin),
                "end_ts": iso(end),
                "arrival_ts": iso(begin),
                "forecast_bps": f"{rng.uniform(2, 12):.1f}",
                "target_participation": {"low": "0.05", "medium": "0.10", "high": "0.20"}[urgency],
            }
        )
        target, t, done, child = int(qty * share), begin + 5 * SEC, 0, 0
        while done < target and t < end:
            child += 1
            size = min(target - done, int(rng.integers(2, 12)) * (100 if symbol == "IBM" else 1000))
            idx = int(data.quote_index(np.array([t]))[0])
            mid2, spread = int(data.mid2_micros[idx]), int(data.spread_micros[idx])
            taker = bool(rng.random() < {"low": 0.3, "medium": 0.5, "high": 0.8}[urgency])
            sign = 1 if side == "buy" else -1
            # far touch for a taker, near touch for a maker (in micro-dollars)
            px_micros = (mid2 + (sign if taker else -sign) * spread) // 2
            fee = Decimal("0.003" if taker else "-0.002") * size
            fills.append(
                {
                    "parent_id": parent_id,
                    "child_id": f"{parent_id}-C{child:03d}",
                    "ts": iso(t),
                    "price": str(Decimal(px_micros).scaleb(-6).normalize()),
                    "quantity": size,
                    "fee": f"{fee:.4f}",
                    "liquidity": "taker" if taker else "maker",
                    "venue": str(rng.choice(["NSDQ", "ARCA", "BATS", "EDGX"])),
                }
            )
            done += size
            t += int(rng.integers(20, 90)) * SEC
    pd.DataFrame(orders).to_csv(HERE / "orders.csv", index=False)
    pd.DataFrame(fills).to_csv(HERE / "fills.csv", index=False)
    print(f"wrote {len(orders)} orders and {len(fills)} fills to {HERE}")


if __name__ == "__main__":
    main()
