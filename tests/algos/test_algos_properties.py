"""Property tests of every algorithm on random markets and a venue with random timings.

The venue acknowledges, fills (in random pieces) and confirms cancels after random delays, so
fills race cancels and timers fire late. Whatever happens, at every event:

- filled + working child quantity never exceeds the parent (no over-execution);
- every child that reached the venue was first seen by the risk gate;

and at the end the parent is finished by its end time plus the venue's longest delay, with
fills never above the parent. With an instant venue, cumulative fills track the schedule.
"""

from __future__ import annotations

import random
from decimal import Decimal

from algos_harness import SEC, Harness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slipstream.algos.engine import ParentState
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.orders_spec import OrderSpec

INSTRUMENTS = InstrumentTable([Instrument("IBM"), Instrument("LOT", Decimal("0.05"), 100)])
MAX_DELAY_SECS = 3.0


class RandomVenue:
    """Drive the scripted venue with random delays, partial fills and cancel races."""

    def __init__(self, h: Harness, rng: random.Random) -> None:
        self.h, self.rng = h, rng
        self.live: dict[str, int] = {}
        self.timers = 0
        h.venue.on_submit = self.on_submit
        h.venue.on_cancel = self.on_cancel

    def later(self, secs: float, action: object) -> None:
        self.timers += 1
        at = self.h.clock.timestamp_ns() + int(secs * SEC)
        self.h.clock.set_timer(f"venue-{self.timers}", at, lambda _ts: action())  # type: ignore[operator]

    def on_submit(self, spec: OrderSpec) -> None:
        cid = spec.client_order_id
        self.live[cid] = spec.quantity

        def ack() -> None:
            self.h.venue.ack(cid)
            for _ in range(self.rng.randint(0, 3)):
                self.later(self.rng.uniform(0, 30), lambda: self.fill(cid))

        self.later(self.rng.uniform(0, MAX_DELAY_SECS), ack)

    def fill(self, cid: str) -> None:
        left = self.live.get(cid, 0)
        if left <= 0:
            return
        qty = left if self.rng.random() < 0.4 else self.rng.randint(1, left)
        self.live[cid] = left - qty
        self.h.venue.fill(cid, qty)

    def on_cancel(self, cid: str) -> None:
        def confirm() -> None:
            if self.rng.random() < 0.3:
                self.fill(cid)  # the fill wins the race with the cancel
            if self.live.get(cid, 0) > 0:
                self.live[cid] = 0
                self.h.venue.confirm_cancel(cid)

        self.later(self.rng.uniform(0, MAX_DELAY_SECS), confirm)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    algo=st.sampled_from(["twap", "vwap", "pov", "is", "iceberg"]),
    symbol=st.sampled_from(["IBM", "LOT"]),
    lots=st.integers(1, 60),
    slices=st.integers(1, 12),
    urgency=st.floats(0, 1),
    duration=st.integers(60, 900),
    seed=st.integers(0, 2**32 - 1),
    pause_at=st.one_of(st.none(), st.floats(0.1, 0.9)),
)
def test_never_over_executes_under_random_timings(
    algo: str,
    symbol: str,
    lots: int,
    slices: int,
    urgency: float,
    duration: int,
    seed: int,
    pause_at: float | None,
) -> None:
    rng = random.Random(seed)
    h = Harness(INSTRUMENTS, profile=[rng.uniform(0.1, 3) for _ in range(slices)])
    RandomVenue(h, rng)
    lot = INSTRUMENTS.get(symbol).lot_size
    qty = lots * lot
    violations: list[str] = []

    def check(_event: object) -> None:
        filled, working = h.working_and_filled()
        if filled + working > qty:
            violations.append(f"filled {filled} + working {working} > {qty}")

    h.bus.subscribe_all(check)
    mid = Decimal("50.00")
    h.quote(symbol, str(mid), str(mid + Decimal("0.05")))
    params: dict[str, str] = {"interval_secs": str(rng.choice([1, 5, 10]))}
    if algo in ("twap", "vwap", "is"):
        params["slices"] = str(slices)
    if algo == "iceberg":
        params["display_qty"] = str(lot * rng.randint(1, 5))
    h.submit(algo, qty, symbol=symbol, duration_secs=duration, urgency=urgency, params=params)
    elapsed = 0.0
    paused = False
    while elapsed < duration + 4 * MAX_DELAY_SECS + 40:
        step = rng.uniform(0.5, 8)
        mid += Decimal(rng.choice([-10, -5, 0, 0, 5, 10])) / 100
        mid = max(mid, Decimal("1.00"))
        h.quote(symbol, str(mid), str(mid + Decimal(rng.choice([5, 10, 20])) / 100))
        h.trade(symbol, str(mid), rng.randint(1, 50) * 100)
        h.advance(step)
        elapsed += step
        state = h.engine.summary("P1").state
        if pause_at is not None and not paused and elapsed > pause_at * duration:
            if state is ParentState.ACTIVE:
                h.engine.pause("P1")
                paused = True
        elif paused and elapsed > (pause_at or 0) * duration + 20 and state is ParentState.PAUSED:
            h.engine.resume("P1")
    assert violations == []
    sent = {s.client_order_id for s in h.venue.submitted()}
    assert sent <= set(h.risk.seen)
    summary = h.engine.summary("P1")
    if summary.state is ParentState.PAUSED:
        h.engine.cancel("P1")
        h.advance(2 * MAX_DELAY_SECS + 31)
        summary = h.engine.summary("P1")
    assert summary.state.is_done
    assert summary.filled_qty <= qty
    assert summary.working_qty == 0


@settings(max_examples=40, deadline=None)
@given(
    lots=st.integers(1, 500),
    lot=st.sampled_from([1, 100]),
    slices=st.integers(1, 20),
    checks=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=8),
)
def test_instant_venue_fills_exactly_on_the_twap_schedule(
    lots: int, lot: int, slices: int, checks: list[float]
) -> None:
    # At any moment, cumulative fills equal the hand-computed cumulative target
    # floor((k + 1)·Q/N) to the lot during slice k, and all of Q in the last slice.
    h = Harness(INSTRUMENTS)
    h.fill_instantly()
    symbol = "IBM" if lot == 1 else "LOT"
    qty = lots * lot
    h.quote(symbol, "50.00", "50.05")
    duration = 100 * slices
    h.submit("twap", qty, symbol=symbol, duration_secs=duration, params={"slices": str(slices)})
    start = h.clock.timestamp_ns()
    for at in sorted(checks):
        h.clock.advance_to(start + int(at * duration) * SEC)
        k = int(at * duration) // 100
        hand = qty if k == slices - 1 else (qty * (k + 1) // slices) // lot * lot
        filled, working = h.working_and_filled()
        assert (filled, working) == (hand, 0)
