"""Algorithm throughput: 1,000 TWAP parents × 10 children on the simulated venue, and schedule maths.

Every child goes the full path: algorithm decision → OMS → risk hook → router → simulated venue
→ fill → OMS fold → bus → algorithm (no journal, as in the quoted NautilusTrader TWAP figure of
1,054 children/s). The parents are urgent, so each child crosses the spread and fills at once
against a deep quote that refreshes every second; the 1,000 parents run side by side over 10
simulated minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.timing import per_call_us
from slipstream.algos.engine import ParentState
from slipstream.algos.implementation_shortfall import urgency_trajectory
from slipstream.algos.registry import make_parent
from slipstream.algos.schedule import (
    cumulative_fraction,
    profile_fractions,
    target_quantity,
    trajectory_fractions,
    twap_fractions,
)
from slipstream.impact import AlmgrenChriss
from slipstream.kernel import KernelSettings, SimKernel
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import QuoteTick

SEC = 1_000_000_000
PARENTS = 1_000
SLICES = 10
DURATION_SECS = 600


def _twap_children_per_second(interval_secs: int) -> dict[str, Any]:
    instruments = InstrumentTable([Instrument("IBM")])
    node = SimKernel(instruments, KernelSettings(cash=Decimal(10**12)), start_ns=SEC)
    engine = node.algos
    quotes = [
        QuoteTick("IBM", Decimal("185.10"), Decimal("185.12"), 10**9, 10**9, SEC * (1 + k))
        for k in range(DURATION_SECS + 5)
    ]
    node.run(quotes[:1])
    start_ns, end_ns = node.clock.timestamp_ns(), node.clock.timestamp_ns() + DURATION_SECS * SEC
    params = {"slices": str(SLICES), "interval_secs": str(interval_secs)}
    t0 = time.perf_counter_ns()
    for i in range(PARENTS):
        parent = make_parent(
            f"P{i}", "IBM", "buy", 1000, "twap", start_ns, end_ns, "high", None, params
        )
        engine.submit(parent)
    node.run(quotes[1:])
    node.finish()
    elapsed = (time.perf_counter_ns() - t0) / 1e9
    summaries = engine.summaries()
    children = sum(s.children for s in summaries)
    assert all(s.state is ParentState.COMPLETED and s.filled_qty == 1000 for s in summaries)
    return {
        "name": f"TWAP children/s (1,000 parents x 10, decide every {interval_secs} s)",
        "value": children / elapsed,
        "unit": "children/s",
        "children": children,
        "seconds": elapsed,
        "reference_nautilus_twap": 1054,
    }


def run() -> list[dict[str, Any]]:
    """Return the throughput and the schedule timings as bench rows."""
    # Once per slice (a classic TWAP timer, as in the quoted figure), then the default 10 s
    # re-decisions that re-price resting children.
    rows = [_twap_children_per_second(DURATION_SECS // SLICES), _twap_children_per_second(10)]
    fractions = twap_fractions(SLICES)
    end = DURATION_SECS * SEC

    def twap_target() -> int:
        return target_quantity(1000, cumulative_fraction(fractions, 0, end, 333 * SEC))

    model = AlmgrenChriss(sigma=1.0, eta=1.0, gamma=0.0, epsilon=0.0)
    weights = [1.0 + (k % 7) for k in range(50)]
    cases: list[tuple[str, Callable[[], Any], int]] = [
        ("schedule: TWAP cumulative target", twap_target, 200_000),
        ("schedule: VWAP fractions N=50", lambda: profile_fractions(weights), 20_000),
        (
            "schedule: IS trajectory N=50",
            lambda: trajectory_fractions(urgency_trajectory(model, 1e6, 1.0, 50, 1.0).holdings),
            20_000,
        ),
    ]
    for name, fn, calls in cases:
        timing = per_call_us(fn, calls)
        rows.append({"name": name, "value": timing["p50"], "unit": "us", **timing})
    return rows
