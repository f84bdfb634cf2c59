"""The composition root: the only place simulation, paper and live trading differ.

A node wires one clock, one bus, the OMS, a risk gate, a broker, the portfolio and the journal.
:class:`SimNode` drives a :class:`~slipstream.brokers.sim.SimulatedVenue` from replayed market
data: for each record it advances the clock (firing due timers: order arrivals, algorithm
slices), lets the venue match, then publishes the record — as the venue sees it, shifted by
the impact overlay when that is on — for algorithms, marks and TCA. :class:`BrokerNode` trades
through a live or paper broker whose events the core thread collects with :meth:`BrokerNode.pump`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from slipstream.brokers.contract import Broker
from slipstream.brokers.sim import SimulatedVenue
from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock, LiveClock, SimClock, monotonic_ns
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


class _Books:
    """What every node keeps the same way: the journal, the portfolio and its marks.

    Subclasses create ``clock`` and ``bus``, then call :meth:`_open_books` before the OMS (which
    journals through it) and :meth:`_wire_books` after it.
    """

    clock: Clock
    bus: MessageBus
    journal: Journal | None
    portfolio: Portfolio

    def _open_books(
        self,
        instruments: InstrumentTable,
        cash: Decimal,
        seeds: tuple[SeedPosition, ...],
        journal_path: Path | None,
        journal_sync: str,
        journal_group_size: int,
    ) -> None:
        self.journal = None
        if journal_path is not None:
            self.journal = Journal(SQLiteBackend(journal_path, journal_sync), journal_group_size)
        self.portfolio = Portfolio(cash, instruments.sector_of)
        for seed in seeds:
            self.portfolio.seed_position(seed.symbol, seed.quantity, seed.avg_cost)

    def _wire_books(self, cash: Decimal, seeds: tuple[SeedPosition, ...], start_ns: int) -> None:
        self.bus.subscribe(OrderFilled, self.portfolio.on_fill)
        self.bus.subscribe(QuoteTick, self._mark_quote)
        self.bus.subscribe(TradeTick, self._mark_trade)
        self.bus.subscribe(Bar, self._mark_bar)
        if self.journal is not None:
            self.bus.subscribe_all(self._journal_other)
            self.journal.append(PortfolioSeeded(cash, seeds, start_ns), start_ns)

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

    def _record_marks(self) -> None:
        """Journal the closing marks and write everything staged."""
        if self.journal is not None:
            now = self.clock.timestamp_ns()
            marks = {s: str(p) for s, p in sorted(self.portfolio.marks.items())}
            self.journal.append(MarksRecorded(marks, now), now)
            self.journal.flush()

    def at(self, ts_ns: int, name: str, action: Callable[[int], None]) -> None:
        """Run ``action(ts_ns)`` when the session reaches ``ts_ns``."""
        self.clock.set_timer(name, ts_ns, action)


class SimNode(_Books):
    """A complete Slipstream instance trading against the simulated venue."""

    clock: SimClock

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
        settings = self.settings
        self._open_books(
            instruments,
            settings.cash,
            settings.seed_positions,
            settings.journal_path,
            settings.journal_sync,
            settings.journal_group_size,
        )
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
        self._wire_books(settings.cash, settings.seed_positions, start_ns)

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
        """Flush and close the journal."""
        if self.journal is not None:
            self.journal.close()


class PumpedBroker(Broker, Protocol):
    """A broker whose events wait on a queue until the core thread collects them."""

    def drain(self) -> int:
        """Deliver every waiting event to the sink given to ``connect``; return how many."""
        ...

    def wait_events(self, timeout_s: float) -> int:
        """Block up to ``timeout_s`` for events, deliver them; return how many."""
        ...

    def close(self) -> None:
        """Stop the broker's workers and connections."""
        ...


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """Knobs of a session with a live or paper broker (the venue's own rules are the broker's)."""

    cash: Decimal = Decimal(10_000_000)
    seed_positions: tuple[SeedPosition, ...] = ()
    journal_path: Path | None = None
    journal_sync: str = "normal"
    journal_group_size: int = 1024


class BrokerNode(_Books):
    """A complete Slipstream instance trading through a live or paper broker.

    The broker's SDK threads only queue records; nothing reaches the OMS until the core thread
    calls :meth:`pump`, so order state stays single-threaded. The journal is flushed before
    every request leaves (``flush_before_send``): a crash never loses an order that was sent.
    """

    def __init__(
        self,
        instruments: InstrumentTable,
        broker: PumpedBroker,
        settings: LiveSettings | None = None,
        clock: Clock | None = None,
        risk: RiskGate | None = None,
    ) -> None:
        self.settings = settings or LiveSettings()
        self.instruments = instruments
        self.clock = clock if clock is not None else LiveClock()
        self.bus = MessageBus()
        self.ids = IdGenerator(self.clock)
        s = self.settings
        self._open_books(
            instruments,
            s.cash,
            s.seed_positions,
            s.journal_path,
            s.journal_sync,
            s.journal_group_size,
        )
        self.broker = broker
        # The OMS connects the broker: a refused account or key fails here, before any order.
        self.oms = OrderManager(
            self.clock,
            self.bus,
            instruments,
            Router(broker),
            self.journal,
            risk,
            flush_before_send=True,
        )
        self._wire_books(s.cash, s.seed_positions, self.clock.timestamp_ns())

    def on_market(self, record: MarketRecord) -> None:
        """Publish a market record (marks, algorithms); the venue has its own market."""
        self.bus.publish(record)

    def pump(self, timeout_s: float = 0.0) -> int:
        """Fire due timers and deliver the broker's waiting events here; return events delivered.

        With ``timeout_s`` > 0, block up to that long for the first event.
        """
        if isinstance(self.clock, LiveClock):
            self.clock.run_due()
        if timeout_s > 0:
            return self.broker.wait_events(timeout_s)
        return self.broker.drain()

    def pump_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Pump until ``done()`` holds or ``timeout_s`` passes; return whether it holds."""
        deadline = monotonic_ns() + int(timeout_s * 1e9)
        while not done():
            if monotonic_ns() >= deadline:
                return False
            self.pump(0.02)
        return True

    def close(self) -> None:
        """Journal the closing marks, close the journal and disconnect the broker."""
        self._record_marks()
        if self.journal is not None:
            self.journal.close()
        self.broker.close()
