"""The kernel with the simulated venue: replayed market data, a simulated clock, determinism.

For each market record the kernel advances the clock (firing due timers: order arrivals,
algorithm slices), lets the venue match, then publishes the record — as the venue sees it,
shifted by the impact overlay when that is on — for algorithms, marks and TCA.

**Resume.** A simulated session is a pure function of its inputs (orders, market data,
settings): no wall clock, no randomness, ids from the clock and a counter. A killed session is
resumed by re-executing it from the start with the journal opened in ``verify`` mode: every
batch the run would write that the journal already holds is checked byte for byte and not
written again, and the first batch past the journal's end is where writing starts. The records a
crash lost (at most ``journal_group_size - 1``, those staged since the last group commit) are so
regenerated exactly, and the venue's queue positions, the overlay's impact state and every
algorithm's schedule are rebuilt by the same code rather than from snapshots that could drift
from it. The cost is re-reading the consumed market data, measured by the crash harness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from slipstream.brokers.sim import SimulatedVenue
from slipstream.core.clock import SimClock
from slipstream.core.ids import IdGenerator
from slipstream.kernel.core import Kernel, KernelSettings
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import MarketRecord


@dataclass(frozen=True, slots=True)
class VenueSettings:
    """Knobs of the simulated venue."""

    latency_ns: int = 0
    commission_per_share: Decimal = Decimal("0.0035")
    options: dict[str, Any] = field(default_factory=dict)


class SimKernel(Kernel):
    """A complete Slipstream engine trading against the simulated venue."""

    clock: SimClock
    mode = "simulation"

    def __init__(
        self,
        instruments: InstrumentTable,
        settings: KernelSettings | None = None,
        venue: VenueSettings | None = None,
        start_ns: int = 0,
    ) -> None:
        settings = settings or KernelSettings()
        venue = venue or VenueSettings()
        clock = SimClock(start_ns)
        self.venue = SimulatedVenue(
            clock,
            instruments,
            IdGenerator(clock, "V"),
            latency_ns=venue.latency_ns,
            commission_per_share=venue.commission_per_share,
            initial_cash=settings.cash,
            **venue.options,
        )
        super().__init__(instruments, self.venue, clock, settings, flush_before_send=False)
        self._begin(start_ns)

    def run(
        self, records: Iterable[MarketRecord], progress: Callable[[int], None] | None = None
    ) -> int:
        """Replay ``records`` through the venue and the bus; return how many were replayed."""
        count = 0
        clock, venue, bus = self.clock, self.venue, self.bus
        for record in records:
            clock.advance_to(record.ts_event)
            venue.on_market(record)
            bus.publish(venue.observed(record))
            count += 1
            if progress is not None and count % 50_000 == 0:
                progress(count)
        return count

    def finish(self) -> None:
        """Fire the remaining timers, end the session (expire day orders) and flush the journal."""
        pending = self.clock.next_timer_ns()
        while pending is not None:
            self.clock.advance_to(pending)
            pending = self.clock.next_timer_ns()
        self.venue.end_session(self.clock.timestamp_ns())
        self._record_marks()

    def close(self) -> None:
        """Record the clean close and release the journal."""
        self.close_journal(clean=True)
