"""Every algorithm end to end: real OMS, simulated venue, real IBM ticks of 2013-10-07.

A 20,000-share buy (about 6 % of the window's volume) is worked from 10:00 to 10:30 New York
with 1 ms venue latency. Checked for each algorithm:

- filled + working never exceeds the parent at any event;
- every child was seen by the risk gate;
- the parent completes by its end time;
- cumulative fills track the schedule: never ahead of the cumulative target, and never more
  than one slice (plus what one decision interval of latency can leave in flight) behind it.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from algos_harness import RecordingRisk

from slipstream.algos.engine import ParentState
from slipstream.algos.history import profile_source
from slipstream.algos.parent import ParentCompleted, ParentEvent
from slipstream.algos.registry import make_parent
from slipstream.algos.template import SlicedSchedule
from slipstream.kernel import KernelSettings, SimKernel, VenueSettings
from slipstream.marketdata.profiles import volume_profile
from slipstream.marketdata.replay import load_market
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import MarketRecord, TradeTick
from slipstream.paths import data_dir

SEC = 1_000_000_000
DAY = "2013-10-07"
START = 1_381_154_400 * SEC  # 10:00 New York
END = START + 1_800 * SEC
QTY = 20_000
INSTRUMENTS = InstrumentTable([Instrument("IBM")])


@pytest.fixture(scope="module")
def records() -> list[MarketRecord]:
    ticks = data_dir() / "ticks"
    merged: list[MarketRecord] = []
    for name in (
        "IBM_quote_ticks_20131007_20131011.csv.gz",
        "IBM_trade_ticks_20131007_20131011.csv.gz",
    ):
        merged += [
            r
            for r in load_market(ticks / name, dates=[DAY])
            if START - 600 * SEC <= r.ts_event <= END + 60 * SEC
        ]
    merged.sort(key=lambda r: r.ts_event)
    return merged


def run_parent(records: list[MarketRecord], algo: str, **params: Any) -> dict[str, Any]:
    risk = RecordingRisk()
    # The VWAP profile is measured on the bundled day before this one: no look-ahead.
    profile = volume_profile("IBM", days=["2013-10-04"])
    node = SimKernel(
        INSTRUMENTS,
        KernelSettings(risk=risk, profile_source=profile_source(lambda _s: profile)),
        VenueSettings(latency_ns=1_000_000),
        start_ns=records[0].ts_event,
    )
    engine = node.algos
    events: list[ParentEvent] = []
    node.bus.subscribe(ParentEvent, events.append)
    violations: list[int] = []
    max_working = [0]
    samples: list[tuple[int, int]] = []

    def totals() -> tuple[int, int]:
        children = node.oms.store.children_of("P1")
        return sum(o.filled_qty for o in children), sum(o.leaves_qty for o in children)

    def check(_event: object) -> None:
        filled, working = totals()
        if filled + working > QTY:
            violations.append(filled + working)
        max_working[0] = max(max_working[0], working)

    def sample(ts: int) -> None:
        samples.append((ts, totals()[0]))
        if ts + 5 * SEC < END:
            node.at(ts + 5 * SEC, "sample", sample)

    node.bus.subscribe_all(check)
    parent = make_parent("P1", "IBM", "buy", QTY, algo, START, END, "medium", None, params)

    def go(_ts: int) -> None:
        engine.submit(parent)

    node.at(START, "go", go)
    node.at(START + 5 * SEC, "sample", sample)
    node.run(records)
    node.finish()
    volume = sum(r.size for r in records if isinstance(r, TradeTick) and START <= r.ts_event < END)
    return {
        "engine": engine,
        "events": events,
        "violations": violations,
        "samples": samples,
        "risk": risk,
        "node": node,
        "volume": volume,
        "max_working": max_working[0],
    }


def _common_checks(out: dict[str, Any]) -> Any:
    assert out["violations"] == []
    node = out["node"]
    children = node.oms.store.children_of("P1")
    assert children and {o.client_order_id for o in children} <= set(out["risk"].seen)
    summary = out["engine"].summary("P1")
    assert summary.state is ParentState.COMPLETED
    done = out["events"][-1]
    assert isinstance(done, ParentCompleted) and done.ts_event <= END + 2_000_000
    assert summary.filled_qty <= QTY
    return summary


@pytest.mark.parametrize("algo", ["twap", "vwap", "is"])
def test_sliced_algorithms_track_their_schedule(records: list[MarketRecord], algo: str) -> None:
    out = run_parent(records, algo, slices="10")
    summary = _common_checks(out)
    assert summary.filled_qty == QTY  # a liquid name: every algorithm finishes
    runtime_algo = out["engine"].algorithm("P1")
    assert isinstance(runtime_algo, SlicedSchedule)
    for ts, filled in out["samples"]:
        target = runtime_algo.target_qty(ts)
        assert filled <= target
        # Behind by at most one slice's worth (the largest slice of this schedule).
        fr = [0.0, *runtime_algo.fractions]
        largest = max(b - a for a, b in itertools.pairwise(fr)) * QTY
        assert target - filled <= largest + 1


def test_pov_participation_stays_within_bounds(records: list[MarketRecord]) -> None:
    out = run_parent(
        records, "pov", participation="0.05", min_participation="0.03", max_participation="0.08"
    )
    summary = _common_checks(out)
    assert 0.03 <= summary.filled_qty / out["volume"] <= 0.08
    tape = [(r.ts_event, r.size) for r in records if isinstance(r, TradeTick)]
    for ts, filled in out["samples"]:
        volume = sum(size for t, size in tape if START <= t <= ts)
        assert filled <= 0.08 * volume + 1


def test_iceberg_never_shows_more_than_display(records: list[MarketRecord]) -> None:
    out = run_parent(records, "iceberg", display_qty="500")
    summary = _common_checks(out)
    assert summary.filled_qty == QTY
    assert out["max_working"] == 500
