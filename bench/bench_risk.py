"""Pre-trade risk: µs per order with every check on (ES incremental), and the kill switch.

* One order against a 500-name portfolio (500 days of factor-model scenario returns across 11
  sectors, correlation clusters, ES 97.5% on), all ten checks. Every order is an
  exposure-increasing buy that passes, so no check is skipped or short-circuited. Measured twice: with the exposure snapshot reused (rebuilt when a fill arrives or
  it is 1 s old, the default) and rebuilt for every order (``valuation.max_age_secs = 0``).
* The incremental ES step alone (scenario vector update + tail average).
* Wall time (``perf_counter``) and the thread's CPU time (``thread_time``) are both reported:
  on a shared machine the CPU figure excludes time the process spent waiting to be scheduled.
* The kill switch with 10,000 working orders: halt, pause algorithms, one ``CancelOrder`` per
  order through the real OMS (journal on disk, WAL, group commit; and journal off).
"""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from slipstream.brokers.recording import RecordingBroker
from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.commands import SubmitOrder
from slipstream.model.enums import OrderType, Side
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.manager import OrderManager
from slipstream.oms.risk_gate import PassThroughRisk
from slipstream.oms.router import Router
from slipstream.portfolio.portfolio import Portfolio
from slipstream.risk.engine import RiskEngine
from slipstream.risk.es import historical_in_place
from slipstream.risk.limits import Limits
from slipstream.risk.state import RISK_OFFICER, User
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal

NAMES = 500
DAYS = 500
ORDERS = 5_000
WORKING = 10_000
SECTORS = [
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
]


def _universe() -> tuple[list[str], pd.DataFrame, InstrumentTable, dict[str, str]]:
    rng = np.random.default_rng(42)
    symbols = [f"N{i:03d}" for i in range(NAMES)]
    sector_of = {s: SECTORS[i % len(SECTORS)] for i, s in enumerate(symbols)}
    market = rng.normal(0.0004, 0.01, DAYS)
    sector_factor = {sec: rng.normal(0, 0.006, DAYS) for sec in SECTORS}
    data = {
        s: 1.0 * market + sector_factor[sector_of[s]] + rng.standard_t(4, DAYS) * 0.008
        for s in symbols
    }
    returns = pd.DataFrame(data, index=pd.bdate_range("2019-01-01", periods=DAYS))
    table = InstrumentTable([Instrument(s, Decimal("0.01"), 1, sector_of[s]) for s in symbols])
    return symbols, returns, table, sector_of


def _percentiles(samples_ns: list[int]) -> tuple[float, float, float]:
    arr = np.sort(np.asarray(samples_ns, dtype=np.float64)) / 1e3
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99)), float(arr.mean())


def _check_latency(max_age_secs: float) -> dict[str, Any]:
    symbols, returns, table, sector_of = _universe()
    portfolio = Portfolio(Decimal(50_000_000), sector_of.get)  # type: ignore[arg-type]
    for i, s in enumerate(symbols):
        px = Decimal(20 + i % 180)
        portfolio.seed_position(s, int(Decimal(100_000) / px), px)  # ~0.2% of NAV each
    clock = SimClock(1_000_000_000)
    bus = MessageBus()
    oms = OrderManager(clock, bus, table, Router(RecordingBroker()), None, PassThroughRisk())
    limits = Limits().changed(
        {"throttle.max_orders": 10**7, "valuation.max_age_secs": max_age_secs}
    )
    engine = RiskEngine(portfolio, table, oms.store, clock, bus, limits=limits, returns=returns)
    rng = np.random.default_rng(7)
    picks = rng.integers(0, NAMES, ORDERS)
    samples: list[int] = []
    cpu: list[int] = []
    denied = 0
    for n in range(ORDERS):
        symbol = symbols[int(picks[n])]
        mark = portfolio.marks[symbol]
        spec = OrderSpec(
            ClientOrderId(f"R{n}"), symbol, Side.BUY, 50, OrderType.LIMIT, limit_price=mark
        )
        ts = 1_000_000_000 + n * 1_000_000
        clock.advance_to(ts)
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        denial = engine.check_order(spec, ts)
        samples.append(time.perf_counter_ns() - t0)
        cpu.append(time.thread_time_ns() - c0)
        denied += denial is not None
    p50, p99, mean = _percentiles(samples[100:])
    cpu50, cpu99, _ = _percentiles(cpu[100:])
    return {
        "p50_us": p50,
        "p99_us": p99,
        "mean_us": mean,
        "cpu_p50_us": cpu50,
        "cpu_p99_us": cpu99,
        "denied": denied,
        "orders": ORDERS,
    }


def _es_step() -> dict[str, Any]:
    rng = np.random.default_rng(3)
    base = rng.normal(0, 1e5, DAYS)
    column = rng.normal(0, 0.01, DAYS)
    scratch = np.empty(DAYS)
    samples = []
    for _ in range(5_000):
        t0 = time.perf_counter_ns()
        np.multiply(column, -2.5e5, out=scratch)  # what the expected_shortfall check does
        np.subtract(scratch, base, out=scratch)
        historical_in_place(scratch, 0.975)
        samples.append(time.perf_counter_ns() - t0)
    p50, p99, mean = _percentiles(samples)
    return {"p50_us": p50, "p99_us": p99, "mean_us": mean}


def _kill_switch(journal_path: Path | None) -> dict[str, Any]:
    symbols, returns, table, sector_of = _universe()
    portfolio = Portfolio(Decimal(10**9), sector_of.get)  # type: ignore[arg-type]
    clock = SimClock(1_000_000_000)
    bus = MessageBus()
    journal = Journal(SQLiteBackend(journal_path)) if journal_path else None
    oms = OrderManager(clock, bus, table, Router(RecordingBroker()), journal, PassThroughRisk())
    for n in range(WORKING):
        spec = OrderSpec(
            ClientOrderId(f"W{n}"),
            symbols[n % NAMES],
            Side.BUY,
            10,
            OrderType.LIMIT,
            limit_price=Decimal("10.00"),
        )
        oms.submit(SubmitOrder(clock.timestamp_ns(), spec))
    engine = RiskEngine(portfolio, table, oms.store, clock, bus, returns=returns)
    oms.risk = engine
    paused = []
    engine.attach(oms=oms, algos=type("Algos", (), {"pause_all": lambda self: paused.append(1)})())
    c0 = time.thread_time_ns()
    t0 = time.perf_counter_ns()
    report = engine.kill_switch(User("bench", RISK_OFFICER), "benchmark")
    elapsed_ms = (time.perf_counter_ns() - t0) / 1e6
    cpu_ms = (time.thread_time_ns() - c0) / 1e6
    if journal is not None:
        journal.flush()
        journal.close()
    assert report.cancels_sent == WORKING and paused
    return {"ms": elapsed_ms, "cpu_ms": cpu_ms, "cancels": report.cancels_sent}


def run() -> list[dict[str, Any]]:
    """Return risk-check latency, the ES step and kill-switch time."""
    rows: list[dict[str, Any]] = []
    for label, age in (("snapshot reused (<=1 s)", 1.0), ("snapshot rebuilt each order", 0.0)):
        result = _check_latency(age)
        rows.append(
            {
                "name": f"risk check, 500 names, all checks + ES, {label}: p50",
                "value": result["p50_us"],
                "unit": "us",
                **result,
            }
        )
        rows.append(
            {
                "name": f"risk check, 500 names, all checks + ES, {label}: p99",
                "value": result["p99_us"],
                "unit": "us",
            }
        )
    es = _es_step()
    rows.append(
        {
            "name": "incremental ES step (500 scenarios): p50",
            "value": es["p50_us"],
            "unit": "us",
            **es,
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in (("journal on", Path(tmp) / "kill.db"), ("journal off", None)):
            result = _kill_switch(path)
            rows.append(
                {
                    "name": f"kill switch, 10,000 working orders, {label}",
                    "value": result["ms"],
                    "unit": "ms",
                    **result,
                }
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
