"""The kernel: Slipstream's one composition root.

A kernel owns the clock, the bus, the journal, the portfolio, the OMS, the risk engine (with
its kill switch attached), the algorithm engine, real-time TCA and the reconciler, and wires
them the same way every time. The venue is an adapter plugged in: the simulated venue
(:class:`~slipstream.kernel.sim.SimKernel`) or a live broker
(:class:`~slipstream.kernel.live.LiveKernel`). The demo, ``simulate``, the risk showcase,
the service and the benchmarks build a kernel; nothing else wires components.

Risk is chosen one way, by :attr:`KernelSettings.risk`: the real engine (the default), the
pass-through gate (for benchmarks that report the bare order path beside the real one), or a
gate object of the caller's (a test's recording gate).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from slipstream.algos.engine import AlgoEngine, InputsSource, ParentSummary, ProfileSource
from slipstream.algos.parent import ParentOrder
from slipstream.brokers.contract import Broker
from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import InputError
from slipstream.core.ids import IdGenerator
from slipstream.kernel.commands import ParentAction, ParentCommanded
from slipstream.model.events import OrderEvent, OrderFilled
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import Bar, BookSnapshot, QuoteTick, TradeTick
from slipstream.oms.manager import OrderManager
from slipstream.oms.records import EventAnomaly
from slipstream.oms.risk_gate import PassThroughRisk, RiskGate
from slipstream.oms.router import Router
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.reconciliation import Reconciler
from slipstream.portfolio.records import MarksRecorded, PortfolioSeeded, SeedPosition
from slipstream.risk.engine import RiskEngine
from slipstream.risk.limits import Limits
from slipstream.store.journal import Journal, OpenMode, open_journal
from slipstream.store.locations import JournalLocation
from slipstream.store.records import SessionStarted
from slipstream.tca.realtime import RealTimeAttribution
from slipstream.tca.records import ParentRecord

#: Generation-0 threshold while a kernel runs. The order path allocates many short-lived,
#: acyclic objects (events, records) that reference counting frees at once; CPython's default
#: (700) runs the cyclic collector every few orders for nothing. Raising it cuts the full-path
#: cost per order by about a third (measured by ``bench/bench_oms.py``).
GC_GEN0_THRESHOLD = 50_000

#: Records the OMS journals itself, and market data (replayable from its files).
_NOT_JOURNALLED = (OrderEvent, EventAnomaly, QuoteTick, TradeTick, Bar, BookSnapshot)

RiskChoice = Literal["engine", "pass-through"] | RiskGate


def tune_process() -> None:
    """Apply Slipstream's process-wide tuning (idempotent): the cyclic GC's gen-0 threshold."""
    threshold = gc.get_threshold()
    if threshold[0] < GC_GEN0_THRESHOLD:
        gc.set_threshold(GC_GEN0_THRESHOLD, *threshold[1:])


@dataclass(frozen=True, slots=True)
class KernelSettings:
    """What a kernel is built from, whatever its venue.

    ``journal_mode`` says how an existing journal is opened (``new``, ``verify`` to re-execute
    a simulation over it, ``continue`` to restart a live engine on it); ``fingerprint`` is
    journalled in ``SessionStarted`` so a resume proves it continues the same session.
    """

    cash: Decimal = Decimal(10_000_000)
    seed_positions: tuple[SeedPosition, ...] = ()
    journal_path: JournalLocation | None = None
    journal_mode: OpenMode = "new"
    journal_sync: str = "normal"
    journal_group_size: int = 1024
    limits: Limits | None = None
    risk: RiskChoice = "engine"
    profile_source: ProfileSource | None = None
    inputs_source: InputsSource | None = None
    fingerprint: dict[str, str] = field(default_factory=dict)


class Kernel:
    """One complete Slipstream engine around one venue adapter."""

    mode = "kernel"

    def __init__(
        self,
        instruments: InstrumentTable,
        broker: Broker,
        clock: Clock,
        settings: KernelSettings,
        *,
        flush_before_send: bool,
    ) -> None:
        tune_process()
        self.settings = settings
        self.instruments = instruments
        self.clock = clock
        self.bus = MessageBus()
        self.ids = IdGenerator(clock)
        self.replaying = False
        self.journal: Journal | None = None
        if settings.journal_path is not None:
            self.journal = open_journal(
                settings.journal_path,
                settings.journal_mode,
                settings.journal_sync,
                settings.journal_group_size,
            )
        try:
            self._wire(instruments, broker, clock, settings, flush_before_send)
        except BaseException:
            self.close_journal(clean=False)  # never leave the writer lock held by a failure
            raise

    def _wire(
        self,
        instruments: InstrumentTable,
        broker: Broker,
        clock: Clock,
        settings: KernelSettings,
        flush_before_send: bool,
    ) -> None:
        """Build every component around the opened journal (the one place they are wired)."""
        self.portfolio = Portfolio(settings.cash, instruments.sector_of)
        if settings.journal_mode != "continue":  # a restart takes its seeds from the journal
            for seed in settings.seed_positions:
                self.portfolio.seed_position(seed.symbol, seed.quantity, seed.avg_cost)
        # The OMS connects the broker: a refused account or key fails here, before any order.
        self.oms = OrderManager(
            clock,
            self.bus,
            instruments,
            Router(broker),
            self.journal,
            flush_before_send=flush_before_send,
        )
        self.risk: RiskEngine | None = None
        if settings.risk == "engine":
            self.risk = RiskEngine(
                self.portfolio, instruments, self.oms.store, clock, self.bus, settings.limits
            )
            self.oms.risk = self.risk
        elif settings.risk == "pass-through":
            self.oms.risk = PassThroughRisk()
        else:
            self.oms.risk = settings.risk
        self.algos = AlgoEngine(
            clock,
            self.bus,
            self.oms,
            instruments,
            self.ids,
            inputs_source=settings.inputs_source,
            profile_source=settings.profile_source,
        )
        if self.risk is not None:
            self.risk.attach(oms=self.oms, algos=self.algos)  # what the kill switch acts through
        self.tca = RealTimeAttribution(self.bus, clock, self._parent_of, self._parent_info)
        self.reconciler = Reconciler(
            broker,
            clock,
            self.oms.on_broker_event,
            self.risk.on_position_break if self.risk is not None else None,
        )
        self.bus.subscribe(OrderFilled, self.portfolio.on_fill)
        self.bus.subscribe(QuoteTick, self._mark_quote)
        self.bus.subscribe(TradeTick, self._mark_trade)
        self.bus.subscribe(Bar, self._mark_bar)
        if self.journal is not None:
            self.bus.subscribe_all(self._journal_other)

    def _begin(self, start_ns: int) -> None:
        """Journal the session's first records (a new session, or a re-executed one)."""
        if self.journal is not None:
            mode = self.mode
            self.journal.append(SessionStarted(mode, dict(self.settings.fingerprint), start_ns), 0)
            self.journal.append(
                PortfolioSeeded(self.settings.cash, self.settings.seed_positions, start_ns),
                start_ns,
            )

    # -- parents: the kernel's commands ----------------------------------------------------

    def submit_parent(self, parent: ParentOrder, user: str = "user") -> ParentSummary:
        """Hand ``parent`` to the algorithm engine (risk judges it first); journalled."""
        self._command(parent.parent_id, ParentAction.SUBMIT, user, "", {})
        return self.algos.submit(parent)

    def amend_parent(
        self,
        parent_id: str,
        quantity: int | None = None,
        limit_price: Decimal | None = None,
        end_ns: int | None = None,
        user: str = "user",
        reason: str = "amend",
    ) -> ParentSummary:
        """Change a parent's quantity, price cap or end time; journalled."""
        changes = {
            k: str(v)
            for k, v in (("quantity", quantity), ("limit_price", limit_price), ("end_ns", end_ns))
            if v is not None
        }
        if not changes:
            raise InputError("amend", parent_id, "needs a quantity, limit_price or end")
        self._command(parent_id, ParentAction.AMEND, user, reason, changes)
        return self.algos.amend(parent_id, quantity, limit_price, end_ns, reason)

    def pause_parent(self, parent_id: str, user: str = "user", reason: str = "pause") -> None:
        """Stop a parent sending children and cancel its working ones; journalled."""
        self._command(parent_id, ParentAction.PAUSE, user, reason, {})
        self.algos.pause(parent_id, reason)

    def resume_parent(self, parent_id: str, user: str = "user", reason: str = "resume") -> None:
        """Work a paused parent again; journalled."""
        self._command(parent_id, ParentAction.RESUME, user, reason, {})
        self.algos.resume(parent_id)

    def cancel_parent(self, parent_id: str, user: str = "user", reason: str = "cancel") -> None:
        """Cancel a parent and its working children; journalled."""
        self._command(parent_id, ParentAction.CANCEL, user, reason, {})
        self.algos.cancel(parent_id, reason)

    def _command(
        self, parent_id: str, action: ParentAction, user: str, reason: str, changes: dict[str, str]
    ) -> None:
        if self.journal is not None:
            now = self.clock.timestamp_ns()
            self.journal.append(ParentCommanded(parent_id, action, user, reason, changes, now), now)

    # -- wiring ----------------------------------------------------------------------------

    def _parent_of(self, client_order_id: str) -> str | None:
        order = self.oms.store.get(client_order_id)
        return None if order is None else order.spec.parent_id

    def _parent_info(self, parent_id: str) -> ParentRecord | None:
        summary = self.algos.summary(parent_id)
        now = self.clock.timestamp_ns()
        return ParentRecord(parent_id, summary.symbol, summary.side, summary.quantity, now)

    def _journal_other(self, record: object) -> None:
        """Journal every bus record the OMS has not already journalled (risk, algo, TCA)."""
        if self.replaying or isinstance(record, _NOT_JOURNALLED) or self.journal is None:
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

    def close_journal(self, clean: bool = True) -> None:
        """Close the journal, recording a clean close unless ``clean`` is False."""
        journal, self.journal = self.journal, None
        if journal is not None:
            journal.close(clean, self.clock.timestamp_ns())
