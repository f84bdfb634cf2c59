"""The composition root: the only place simulation, paper and live trading differ.

A node wires one clock, one bus, the OMS, a risk gate, a broker, the portfolio and the journal.
:class:`SimNode` drives a :class:`~slipstream.brokers.sim.SimulatedVenue` from replayed market
data: for each record it advances the clock (firing due timers: order arrivals, algorithm
slices), lets the venue match, then publishes the record — as the venue sees it, shifted by
the impact overlay when that is on — for algorithms, marks and TCA.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.brokers.sim import SimulatedVenue
from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.ids import IdGenerator
from slipstream.model.events import OrderEvent, OrderFilled
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import Bar, BookSnapshot, MarketRecord, QuoteTick, TradeTick
from slipstream.oms.manager import OrderManager
from slipstream.oms.records import EventAnomaly
from slipstream.oms.risk_gate import RiskGate
from slipstream.oms.router import Router
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.records import MarksRecorded, PortfolioSeeded, SeedPosition
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal

#: Records the OMS journals itself, and market data (replayable from its files).
#: Generation-0 threshold while a node runs. The order path allocates many short-lived,
#: acyclic objects (events, records) that reference counting frees at once; CPython's default
#: (700) runs the cyclic collector every few orders for nothing. Raising it cuts the full-path
#: cost per order by about a third (measured by ``bench/bench_oms.py``).
GC_GEN0_THRESHOLD = 50_000

_NOT_JOURNALLED = (OrderEvent, EventAnomaly, QuoteTick, TradeTick, Bar, BookSnapshot)


@dataclass(frozen=True, slots=True)
class SimSettings:
    """Knobs of a simulated session."""

    cash: Decimal = Decimal(10_000_000)
    seed_positions: tuple[SeedPosition, ...] = ()
    latency_ns: int = 0
    commission_per_share: Decimal = Decimal("0.0035")
    journal_path: Path | None = None
    journal_sync: str = "normal"
    journal_group_size: int = 1024
    venue_options: dict[str, Any] = field(default_factory=dict)


class SimNode:
    """A complete Slipstream instance trading against the simulated venue."""

    def __init__(
        self,
        instruments: InstrumentTable,
        settings: SimSettings | None = None,
        start_ns: int = 0,
        risk: Callable[[SimNode], RiskGate] | None = None,
    ) -> None:
        self.settings = settings or SimSettings()
        if gc.get_threshold()[0] < GC_GEN0_THRESHOLD:
            gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
        self.instruments = instruments
        self.clock = SimClock(start_ns)
        self.bus = MessageBus()
        self.ids = IdGenerator(self.clock)
        self.journal: Journal | None = None
        if self.settings.journal_path is not None:
            backend = SQLiteBackend(self.settings.journal_path, self.settings.journal_sync)
            self.journal = Journal(backend, self.settings.journal_group_size)
        self.portfolio = Portfolio(self.settings.cash, instruments.sector_of)
        for seed in self.settings.seed_positions:
            self.portfolio.seed_position(seed.symbol, seed.quantity, seed.avg_cost)
        self.venue = SimulatedVenue(
            self.clock,
            instruments,
            IdGenerator(self.clock, "V"),
            latency_ns=self.settings.latency_ns,
            commission_per_share=self.settings.commission_per_share,
            initial_cash=self.settings.cash,
            **self.settings.venue_options,
        )
        self.oms = OrderManager(self.clock, self.bus, instruments, Router(self.venue), self.journal)
        if risk is not None:
            self.oms.risk = risk(self)
        self.bus.subscribe(OrderFilled, self.portfolio.on_fill)
        self.bus.subscribe(QuoteTick, self._mark_quote)
        self.bus.subscribe(TradeTick, self._mark_trade)
        self.bus.subscribe(Bar, self._mark_bar)
        if self.journal is not None:
            self.bus.subscribe_all(self._journal_other)
            seeded = PortfolioSeeded(self.settings.cash, self.settings.seed_positions, start_ns)
            self.journal.append(seeded, start_ns)

    def _journal_other(self, record: object) -> None:
        """Journal every bus record the OMS has not already journalled (risk, algo, TCA)."""
        if isinstance(record, _NOT_JOURNALLED) or self.journal is None:
            return
        ts_init = getattr(record, "ts_init", None)
        if isinstance(ts_init, int):
            self.journal.append(record, ts_init)

    def _mark_quote(self, quote: QuoteTick) -> None:
        self.portfolio.mark(quote.symbol, quote.mid)

    def _mark_trade(self, trade: TradeTick) -> None:
        self.portfolio.mark(trade.symbol, trade.price)

    def _mark_bar(self, bar: Bar) -> None:
        self.portfolio.mark(bar.symbol, bar.close)

    def at(self, ts_ns: int, name: str, action: Callable[[int], None]) -> None:
        """Run ``action(ts_ns)`` when the session reaches ``ts_ns``."""
        self.clock.set_timer(name, ts_ns, action)

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
        if self.journal is not None:
            marks = {s: str(p) for s, p in sorted(self.portfolio.marks.items())}
            self.journal.append(
                MarksRecorded(marks, self.clock.timestamp_ns()), self.clock.timestamp_ns()
            )
            self.journal.flush()

    def close(self) -> None:
        """Flush and close the journal."""
        if self.journal is not None:
            self.journal.close()
