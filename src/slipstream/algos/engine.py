"""The algorithm engine: hosts parent orders and turns algorithm actions into OMS commands.

The engine accepts a :class:`~slipstream.algos.parent.ParentOrder`, builds its algorithm from
the registry, and gives it an :class:`~slipstream.algos.template.AlgoContext`. Children go out
only as ``SubmitOrder`` commands to the OMS (so every child passes risk and the journal); child
events come back from the bus and are routed to the owning parent by client order id; quotes,
trades and bars update one :class:`~slipstream.algos.market.SymbolView` per symbol and reach
the algorithms of that symbol. Two guards hold whatever an algorithm does:

- ``submit_child`` clamps every child to ``parent − filled − working`` (working includes
  children whose cancel is not yet confirmed), so a parent can never be over-executed;
- a paused, completing or cancelled parent sends nothing.

Parent lifecycle::

    ACTIVE ──pause──▶ PAUSED ──resume──▶ ACTIVE
    ACTIVE/PAUSED ──cancel──▶ CANCELLING ──(children done)──▶ CANCELLED
    ACTIVE ──complete (filled / end time)──▶ COMPLETING ──(children done)──▶ COMPLETED
    ACTIVE/PAUSED ──amend (quantity, cap, end)──▶ same state, schedule rebuilt

A restarted engine :meth:`AlgoEngine.restore` s each parent from the journal in the state it was
left in; the children replayed from the journal attach to it by their ``parent_id``, and
:meth:`AlgoEngine.restart_working` then rebuilds the algorithms of the working ones, whose
cumulative targets pick up where the parent stands.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from slipstream.algos.market import SymbolView
from slipstream.algos.parent import (
    ParentAccepted,
    ParentAmended,
    ParentCancelled,
    ParentClosing,
    ParentCompleted,
    ParentDenied,
    ParentOrder,
    ParentPaused,
    ParentResumed,
)
from slipstream.algos.registry import algorithm_class
from slipstream.algos.runtime import (
    InputsSource,
    OrderGateway,
    OrderStoreView,
    ParentRuntime,
    ParentState,
    ParentSummary,
    ProfileSource,
)
from slipstream.algos.template import ExecAlgorithm
from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import InputError, StateError
from slipstream.core.ids import ClientOrderId, IdGenerator
from slipstream.model.enums import OrderStatus, OrderType
from slipstream.model.events import (
    OrderCancelled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderRejected,
)
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import Bar, BookSnapshot, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec

__all__ = [
    "AlgoEngine",
    "InputsSource",
    "OrderGateway",
    "OrderStoreView",
    "ParentState",
    "ParentSummary",
    "ProfileSource",
]

_MARKET_HOOKS = ("on_quote", "on_trade", "on_bar")
_ENDING_EVENTS = (OrderCancelled, OrderDenied, OrderRejected, OrderExpired, OrderFilled)


class AlgoEngine:
    """Host parent orders, drive their algorithms, and publish their lifecycle on the bus."""

    def __init__(
        self,
        clock: Clock,
        bus: MessageBus,
        oms: OrderGateway,
        instruments: InstrumentTable,
        ids: IdGenerator,
        inputs_source: InputsSource | None = None,
        profile_source: ProfileSource | None = None,
    ) -> None:
        self.clock = clock
        self.bus = bus
        self.oms = oms
        self.instruments = instruments
        self.ids = ids
        self.inputs_source = inputs_source
        self.profile_source = profile_source
        self.owner: dict[str, ParentRuntime] = {}
        self._parents: dict[str, ParentRuntime] = {}
        # Parents refused by risk (never hosted), and every parent id in submission order.
        self._denied: dict[str, ParentSummary] = {}
        self._order: list[str] = []
        # Runtimes whose algorithm overrides a per-record hook, by hook then symbol.
        self._hooked: dict[str, dict[str, list[ParentRuntime]]] = {h: {} for h in _MARKET_HOOKS}
        self._markets: dict[str, SymbolView] = {}
        bus.subscribe(OrderEvent, self._on_order_event)
        bus.subscribe(QuoteTick, self._on_quote)
        bus.subscribe(TradeTick, self._on_trade)
        bus.subscribe(Bar, self._on_bar)
        bus.subscribe(BookSnapshot, self._on_book)

    # -- commands --------------------------------------------------------------------------

    def submit(self, parent: ParentOrder) -> ParentSummary:
        """Accept ``parent`` and start its algorithm; raise InputError (nothing sent) if bad.

        Pre-trade risk judges the parent first (``RiskGate.check_parent``); a refusal is a
        ``ParentDenied`` event and a summary in state ``denied`` — no child is ever sent.
        """
        if parent.parent_id in self._parents or parent.parent_id in self._denied:
            raise InputError("parent_id", parent.parent_id, "is already in use")
        instrument = self.instruments.get(parent.symbol)
        instrument.check_quantity(parent.quantity)
        if parent.limit_price is not None:
            instrument.check_price(parent.limit_price, "limit_price")
        now = self.clock.timestamp_ns()
        if parent.end_ns <= now:
            raise InputError("end_ns", parent.end_ns, f"must be in the future (now {now})")
        denial = self.oms.risk.check_parent(_parent_spec(parent), now)
        if denial is not None:
            self.bus.publish(ParentDenied(parent.parent_id, now, now, denial.check, denial.reason))
            denied = self._denied[parent.parent_id] = ParentSummary(
                parent.parent_id,
                parent.symbol,
                parent.side,
                parent.quantity,
                parent.algo,
                ParentState.DENIED,
                0,
                0,
                None,
                0,
                f"{denial.check}: {denial.reason}",
            )
            self._order.append(parent.parent_id)
            return denied
        runtime = self._host(parent, ParentState.ACTIVE)
        try:
            self._build(runtime)  # an algorithm refusing its parameters sends nothing
        except InputError:
            del self._parents[parent.parent_id]
            self._order.pop()
            raise
        self.bus.publish(ParentAccepted.of(parent, now))
        runtime.algo.on_start()
        return runtime.summary()

    def _host(self, parent: ParentOrder, state: ParentState) -> ParentRuntime:
        instrument = self.instruments.get(parent.symbol)
        inputs = self.inputs_source(parent.symbol) if self.inputs_source else None
        runtime = ParentRuntime(self, parent, instrument, self.market(parent.symbol), inputs)
        runtime.state = state
        self._parents[parent.parent_id] = runtime
        self._order.append(parent.parent_id)
        return runtime

    def _build(self, runtime: ParentRuntime) -> None:
        """Build the parent's algorithm afresh and hook it to the market records it reads."""
        self._unhook(runtime)
        runtime.algo = algorithm_class(runtime.parent.algo)(runtime)
        for hook, by_symbol in self._hooked.items():
            if getattr(type(runtime.algo), hook) is not getattr(ExecAlgorithm, hook):
                by_symbol.setdefault(runtime.parent.symbol, []).append(runtime)

    def _start(self, runtime: ParentRuntime) -> None:
        """Build the parent's algorithm afresh and start it if active (amend, restart)."""
        self._build(runtime)
        if runtime.state is ParentState.ACTIVE:
            runtime.algo.on_start()

    def _unhook(self, runtime: ParentRuntime) -> None:
        for by_symbol in self._hooked.values():
            if runtime in by_symbol.get(runtime.parent.symbol, ()):
                by_symbol[runtime.parent.symbol].remove(runtime)

    def amend(
        self,
        parent_id: str,
        quantity: int | None = None,
        limit_price: Decimal | None = None,
        end_ns: int | None = None,
        reason: str = "user",
    ) -> ParentSummary:
        """Change a working parent's quantity, price cap or end time; its schedule is rebuilt.

        The working children are cancelled (their prices and sizes belong to the old
        schedule); the new algorithm sends nothing while those cancels are in flight.
        """
        runtime = self._require(parent_id, None)
        if runtime.state not in (ParentState.ACTIVE, ParentState.PAUSED):
            raise StateError(f"parent {parent_id} is {runtime.state.value}: it cannot be amended")
        old = runtime.parent
        now = self.clock.timestamp_ns()
        new_qty = old.quantity if quantity is None else quantity
        runtime.instrument.check_quantity(new_qty)
        if new_qty < runtime.filled_qty:
            raise InputError(
                "quantity", new_qty, f"must be at least the filled quantity {runtime.filled_qty}"
            )
        new_end = old.end_ns if end_ns is None else end_ns
        if new_end <= max(now, old.start_ns):
            raise InputError("end", new_end, f"must be in the future (now {now})")
        if limit_price is not None:
            runtime.instrument.check_price(limit_price, "limit_price")
        new_cap = old.limit_price if limit_price is None else limit_price
        runtime.parent_replaced(
            dataclasses.replace(old, quantity=new_qty, limit_price=new_cap, end_ns=new_end)
        )
        # Recorded before the cancels leave: a restart must work the amended terms.
        self.bus.publish(ParentAmended(old.parent_id, now, now, new_qty, new_cap, new_end, reason))
        self.clock.cancel_timer(runtime.timer_name)
        runtime.cancel_all_children()
        self._start(runtime)
        if runtime.state is ParentState.ACTIVE and runtime.filled_qty >= new_qty:
            runtime.complete("filled")
        return runtime.summary()

    # -- restart from the journal ----------------------------------------------------------

    def restore(self, parent: ParentOrder) -> None:
        """Host a parent accepted before a restart, without starting it or publishing."""
        if parent.parent_id not in self._parents:
            self._host(parent, ParentState.ACTIVE)

    def restore_event(
        self,
        event: ParentPaused
        | ParentResumed
        | ParentAmended
        | ParentClosing
        | ParentCompleted
        | ParentCancelled,
    ) -> None:
        """Fold one journalled parent lifecycle event into the restored parent."""
        runtime = self._parents.get(event.parent_id)
        if runtime is None:
            return
        if isinstance(event, ParentPaused):
            runtime.state = ParentState.PAUSED
        elif isinstance(event, ParentResumed):
            runtime.state = ParentState.ACTIVE
        elif isinstance(event, ParentClosing):
            cancelled = event.outcome == "cancelled"
            runtime.state = ParentState.CANCELLING if cancelled else ParentState.COMPLETING
            runtime.reason = event.reason
        elif isinstance(event, ParentAmended):
            runtime.parent_replaced(
                dataclasses.replace(
                    runtime.parent,
                    quantity=event.quantity,
                    limit_price=event.limit_price,
                    end_ns=event.end_ns,
                )
            )
        else:
            done = isinstance(event, ParentCompleted)
            runtime.state = ParentState.COMPLETED if done else ParentState.CANCELLED
            runtime.reason = event.reason

    def restart_working(self) -> int:
        """Start the algorithms of every restored parent still working, and go on closing the
        ones that were closing (cancel what is left, close once done); return how many."""
        count = 0
        for runtime in list(self._parents.values()):
            if runtime.state.is_done:
                continue
            count += 1
            self._start(runtime)
            if runtime.state in (ParentState.COMPLETING, ParentState.CANCELLING):
                runtime.cancel_all_children()
                self._maybe_close(runtime)
        return count

    def pause(self, parent_id: str, reason: str = "user") -> None:
        """Stop sending children and cancel the working ones."""
        runtime = self._require(parent_id, ParentState.ACTIVE)
        runtime.state = ParentState.PAUSED
        now = self.clock.timestamp_ns()
        # Recorded before the cancels leave: a restart must find the parent paused.
        self.bus.publish(ParentPaused(runtime.parent.parent_id, now, now, reason))
        self.clock.cancel_timer(runtime.timer_name)
        runtime.cancel_all_children()
        runtime.algo.on_pause()

    def resume(self, parent_id: str) -> None:
        """Work a paused parent again; its cumulative target catches up."""
        runtime = self._require(parent_id, ParentState.PAUSED)
        runtime.state = ParentState.ACTIVE
        now = self.clock.timestamp_ns()
        self.bus.publish(ParentResumed(runtime.parent.parent_id, now, now))
        runtime.algo.on_resume()

    def cancel(self, parent_id: str, reason: str = "user") -> None:
        """Cancel the parent: cancel its children, then publish ParentCancelled."""
        runtime = self._require(parent_id, None)
        if runtime.state.is_done:
            raise StateError("parent_id", parent_id, f"is already {runtime.state.value}")
        self.finish(runtime, ParentState.CANCELLING, reason)

    def pause_all(self, reason: str = "kill switch") -> int:
        """Pause every active parent (the kill switch); return how many were paused."""
        active = [r for r in self._parents.values() if r.state is ParentState.ACTIVE]
        for runtime in active:
            self.pause(runtime.parent.parent_id, reason)
        return len(active)

    # -- queries ---------------------------------------------------------------------------

    def summary(self, parent_id: str) -> ParentSummary:
        """Return the progress of one parent."""
        return self._require(parent_id, None).summary()

    def algorithm(self, parent_id: str) -> ExecAlgorithm:
        """Return the algorithm working ``parent_id`` (to inspect its schedule or state)."""
        return self._require(parent_id, None).algo

    def summaries(self) -> list[ParentSummary]:
        """Return the progress of every parent (denied ones too), in submission order."""
        return [
            self._denied[pid] if pid in self._denied else self._parents[pid].summary()
            for pid in self._order
        ]

    def market(self, symbol: str) -> SymbolView:
        """Return the live market state of ``symbol``."""
        state = self._markets.get(symbol)
        if state is None:
            state = self._markets[symbol] = SymbolView(symbol)
        return state

    # -- lifecycle -------------------------------------------------------------------------

    def finish(self, runtime: ParentRuntime, state: ParentState, reason: str) -> None:
        """Move a parent to COMPLETING or CANCELLING and close it once its children are done."""
        if runtime.state.is_done or runtime.state in (
            ParentState.COMPLETING,
            ParentState.CANCELLING,
        ):
            return
        runtime.state = state
        runtime.reason = reason
        now = self.clock.timestamp_ns()
        outcome = "cancelled" if state is ParentState.CANCELLING else "completed"
        # Recorded before the cancels leave: a restart must go on closing, not work it again.
        self.bus.publish(ParentClosing(runtime.parent.parent_id, now, now, outcome, reason))
        self.clock.cancel_timer(runtime.timer_name)
        runtime.cancel_all_children()
        self._maybe_close(runtime)

    def _maybe_close(self, runtime: ParentRuntime) -> None:
        if runtime.state not in (ParentState.COMPLETING, ParentState.CANCELLING):
            return
        if runtime.working_children():
            return
        summary = runtime.summary()
        now = self.clock.timestamp_ns()
        pid = runtime.parent.parent_id
        if runtime.state is ParentState.COMPLETING:
            runtime.state = ParentState.COMPLETED
            event: ParentCompleted | ParentCancelled = ParentCompleted(
                pid, now, now, runtime.reason, summary.filled_qty, summary.avg_px, summary.children
            )
        else:
            runtime.state = ParentState.CANCELLED
            event = ParentCancelled(
                pid, now, now, runtime.reason, summary.filled_qty, summary.avg_px, summary.children
            )
        self._unhook(runtime)
        self.bus.publish(event)

    def _require(self, parent_id: str, state: ParentState | None) -> ParentRuntime:
        runtime = self._parents.get(parent_id)
        if runtime is None:
            raise InputError("parent_id", parent_id, "is not a known parent order")
        if state is not None and runtime.state is not state:
            raise StateError("parent_id", parent_id, f"is {runtime.state.value}, not {state.value}")
        return runtime

    # -- bus handlers ----------------------------------------------------------------------

    def _on_order_event(self, event: OrderEvent) -> None:
        runtime = self.owner.get(event.client_order_id)
        if runtime is None:
            if not isinstance(event, OrderInitialized) or event.spec.parent_id is None:
                return
            # A child replayed from the journal after a restart: it belongs to its parent.
            found = self._parents.get(event.spec.parent_id)
            if found is None:
                return
            runtime = self.owner[event.client_order_id] = found
            found.children.append(event.client_order_id)
        order = self.oms.store.get(event.client_order_id)
        if order is None:
            return
        runtime.on_child_event(event, order)
        active = runtime.state is ParentState.ACTIVE
        if isinstance(event, OrderFilled) and active:
            runtime.algo.on_child_filled(event)
        # A child ends on a cancel/denial/rejection/expiry, or on the fill that completes it;
        # a late fill on an already-cancelled child is a fill, not a second ending.
        ended = isinstance(event, _ENDING_EVENTS) and order.status.is_terminal
        if isinstance(event, OrderFilled):
            ended = ended and order.status is OrderStatus.FILLED
        if ended and runtime.state is ParentState.ACTIVE:
            runtime.algo.on_child_done(order)
        self._maybe_close(runtime)

    def _listeners(self, symbol: str, hook: str) -> list[ParentRuntime]:
        # Most algorithms read the market state when they decide and do not override the
        # per-record hooks; only those that do are called, so many parents stay cheap.
        hooked = self._hooked[hook].get(symbol)
        return [r for r in hooked if r.state is ParentState.ACTIVE] if hooked else []

    def _on_quote(self, quote: QuoteTick) -> None:
        self.market(quote.symbol).on_quote(quote)
        for runtime in self._listeners(quote.symbol, "on_quote"):
            runtime.algo.on_quote(quote)

    def _on_book(self, book: BookSnapshot) -> None:
        top = book.top()
        if top is not None:
            self._on_quote(top)

    def _on_trade(self, trade: TradeTick) -> None:
        self.market(trade.symbol).on_trade(trade)
        for runtime in self._listeners(trade.symbol, "on_trade"):
            runtime.algo.on_trade(trade)

    def _on_bar(self, bar: Bar) -> None:
        self.market(bar.symbol).on_bar(bar)
        for runtime in self._listeners(bar.symbol, "on_bar"):
            runtime.algo.on_bar(bar)


def _parent_spec(parent: ParentOrder) -> OrderSpec:
    """Return the order a parent amounts to once complete, for the parent risk check."""
    limit = parent.limit_price
    return OrderSpec(
        ClientOrderId(parent.parent_id),
        parent.symbol,
        parent.side,
        parent.quantity,
        OrderType.LIMIT if limit is not None else OrderType.MARKET,
        limit_price=limit,
        parent_id=parent.parent_id,
    )
