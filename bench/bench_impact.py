"""Impact forecasts are called per child order: measure one forecast, one trajectory, one profile read."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from bench.timing import per_call_us
from slipstream.impact import Almgren2005Impact, AlmgrenChriss, IStarImpact, SquareRootImpact
from slipstream.marketdata.liquidity import LiquidityState
from slipstream.marketdata.profiles import volume_profile
from slipstream.model.market import TradeTick


def run() -> list[dict[str, Any]]:
    """Return the timings as bench rows."""
    rows: list[dict[str, Any]] = []
    for model in (SquareRootImpact.calibrated(), IStarImpact(), Almgren2005Impact(250.0)):
        timing = per_call_us(lambda m=model: m.cost_bps(50_000, 4e6, 0.012, 0.1, 0.25), 200_000)
        rows.append(
            {"name": f"{model.name} cost_bps", "value": timing["p50"], "unit": "us", **timing}
        )
    ac = AlmgrenChriss(0.95, 2.5e-6, 2.5e-7, 0.0625)
    timing = per_call_us(lambda: ac.optimal_trajectory(1e6, 1.0, 50, 1e-6), 20_000)
    rows.append(
        {"name": "almgren_chriss trajectory N=50", "value": timing["p50"], "unit": "us", **timing}
    )
    profile = volume_profile("IBM")
    timing = per_call_us(lambda: profile.fraction_between(36_000, 39_600), 200_000)
    rows.append(
        {"name": "volume profile fraction_between", "value": timing["p50"], "unit": "us", **timing}
    )
    state = LiquidityState("IBM", 60.0)
    ticks = [TradeTick("IBM", Decimal("185.5"), 100, k * 10_000_000) for k in range(100_000)]
    start = time.perf_counter_ns()
    for tick in ticks:
        state.on_trade(tick)
    per_us = (time.perf_counter_ns() - start) / len(ticks) / 1000
    rows.append({"name": "liquidity state update (trade)", "value": per_us, "unit": "us"})
    return rows
