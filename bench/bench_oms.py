"""Full-path order throughput: 10,000 market orders, each filled against a fresh quote.

Every order goes command → OMS → risk hook → journal (SQLite on disk, WAL, group commit) →
router → simulated venue → fill → positions, alternating buy and sell on one instrument.
This is the workload quoted for NautilusTrader (2,695 orders/s) and vn.py (2,160 orders/s).
Wall-clock throughput is the headline; orders per CPU-second (all threads of the process) is
reported beside it because it is far less sensitive to other work on a shared machine.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.core.ids import ClientOrderId
from slipstream.kernel import KernelSettings, SimKernel
from slipstream.kernel.core import RiskChoice
from slipstream.model.commands import SubmitOrder
from slipstream.model.enums import OrderStatus, Side
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import QuoteTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.risk.limits import Limits

ORDERS = 10_000
#: The default limits, with the throttle opened to the workload's 1,000 orders per second of
#: market time (the default 200 per second would deny most of them); every other check is on.
LIMITS = Limits().changed({"throttle.max_orders": 100_000})


def _run_once(journal: Path | None, risk: RiskChoice) -> dict[str, Any]:
    instruments = InstrumentTable([Instrument("IBM", Decimal("0.01"), 1, "Information Technology")])
    settings = KernelSettings(journal_path=journal, cash=Decimal(10**9), risk=risk, limits=LIMITS)
    node = SimKernel(instruments, settings, start_ns=1)
    bid, ask = Decimal("185.10"), Decimal("185.12")
    latencies: list[int] = []
    sides = (Side.BUY, Side.SELL)
    start, cpu_start = time.perf_counter_ns(), time.process_time_ns()
    for i in range(ORDERS):
        ts = 1_000_000 * (i + 1)
        node.run([QuoteTick("IBM", bid, ask, 500, 500, ts)])
        spec = OrderSpec(ClientOrderId(f"B{i}"), "IBM", sides[i & 1], 100)
        t0 = time.perf_counter_ns()
        node.oms.submit(SubmitOrder(ts, spec))
        latencies.append(time.perf_counter_ns() - t0)
    node.finish()
    elapsed = time.perf_counter_ns() - start
    cpu = time.process_time_ns() - cpu_start
    filled = sum(1 for o in node.oms.store if o.status is OrderStatus.FILLED)
    node.close()
    latencies.sort()
    return {
        "orders_per_s": ORDERS / (elapsed / 1e9),
        "orders_per_cpu_s": ORDERS / (cpu / 1e9),
        "p50_us": latencies[len(latencies) // 2] / 1e3,
        "p99_us": latencies[int(len(latencies) * 0.99)] / 1e3,
        "mean_us": statistics.fmean(latencies) / 1e3,
        "filled": filled,
    }


def run() -> list[dict[str, Any]]:
    """Return throughput and per-order latency through the kernel: real risk engine and
    pass-through gate, journal on disk and off."""
    rows: list[dict[str, Any]] = []
    configs: list[tuple[str, RiskChoice, bool]] = [
        ("risk engine, journal on", "engine", True),
        ("risk engine, journal off", "engine", False),
        ("pass-through risk, journal on", "pass-through", True),
        ("pass-through risk, journal off", "pass-through", False),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n_config, (label, risk, journalled) in enumerate(configs):
            runs = [
                _run_once(Path(tmp) / f"bench.{n_config}.{n}.db" if journalled else None, risk)
                for n in range(3)
            ]
            median = sorted(runs, key=lambda r: r["orders_per_s"])[1]  # median of three runs
            assert median["filled"] == ORDERS, "every order must fill for the figure to count"
            rows.append(
                {
                    "name": f"orders/s, 10k market orders, {label}",
                    "value": median["orders_per_s"],
                    "unit": "orders/s",
                    **median,
                }
            )
            rows.append(
                {
                    "name": f"orders per CPU-second, {label}",
                    "value": median["orders_per_cpu_s"],
                    "unit": "orders/cpu-s",
                }
            )
            for pct in ("p50", "p99"):
                rows.append(
                    {
                        "name": f"submit→fill latency {pct}, {label}",
                        "value": median[f"{pct}_us"],
                        "unit": "µs",
                    }
                )
    return rows
