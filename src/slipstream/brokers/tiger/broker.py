"""Tiger Brokers behind the broker contract: blocking SDK calls off-thread, events on the core's.

Threads and the one queue
    Every SDK call runs on a worker thread (:class:`~concurrent.futures.ThreadPoolExecutor`);
    push messages arrive on the SDK's threads. Neither touches order state: each puts a small
    record (an outcome) on a thread-safe inbox. The core thread calls :meth:`TigerBroker.drain`
    (or :meth:`TigerBroker.wait_events`), which folds the records into per-order trackers and
    delivers domain events to the sink given to :meth:`TigerBroker.connect`. So the core stays
    single-threaded and every event reaches it on its own thread.

What a record does to an order
    is decided by the fold (:mod:`.fold`) along the one tracking table (:mod:`.tracking`):
    pure code, no threads, no SDK. This module sends what a fold step asks for and delivers
    its events. Orders are never blindly re-sent (see :mod:`.fold`).

Status monitoring
    Push (order status, executions, positions, assets) is the fast path. Polling is the
    fallback: an order without news for ``poll_interval_secs`` is queried, one placed but
    unanswered for ``watchdog_secs`` is looked up by its client order id, and a fill count ahead
    of the executions seen triggers an execution query. When push drops, the broker reconnects
    with backoff, resubscribes, and re-queries every live order (gap recovery).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial

from slipstream.brokers.contract import (
    AccountReport,
    EventSink,
    OrderStatusReport,
    PositionReport,
)
from slipstream.brokers.tiger import fold, inbox, jobs, parsing
from slipstream.brokers.tiger.client import TigerClient
from slipstream.brokers.tiger.config import TigerConfig
from slipstream.brokers.tiger.fold import Do
from slipstream.brokers.tiger.parsing import WireFill, WireOrder
from slipstream.brokers.tiger.tracking import Query, Tracked, Tracking
from slipstream.core.clock import Clock, LiveClock, monotonic_ns
from slipstream.core.errors import (
    BrokerAuthError,
    BrokerRequestError,
    InvalidTransitionError,
    StateError,
)
from slipstream.model.events import OrderEvent
from slipstream.model.instrument import Instrument
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.model.orders import Order
from slipstream.model.orders_spec import OrderSpec

log = logging.getLogger("slipstream.brokers.tiger")

NS_PER_SEC = 1_000_000_000
#: How far back a lookup by client order id searches, before the order was sent (ms).
LOOKBACK_MS = 300_000
_TICK_NS = 50_000_000
MAX_ORPHANS = 10_000
_QUERY_STATS = {Query.RESOLVE: "resolve_queries", Query.POLL: "polls", Query.FILLS: "fill_queries"}


class TigerBroker:
    """The :class:`~slipstream.brokers.contract.Broker` for Tiger Brokers."""

    name = "tiger"

    def __init__(
        self, config: TigerConfig, clock: Clock, client: TigerClient | None = None
    ) -> None:
        self.config = config
        self._clock = clock
        self._client = client if client is not None else TigerClient(config)
        self._executor: ThreadPoolExecutor | None = None
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._sink: EventSink | None = None
        self._orders: dict[str, Tracked] = {}
        self._by_venue: dict[str, str] = {}
        self._orphan_fills: dict[str, list[WireFill]] = {}
        self._timers: list[tuple[int, int, Callable[[], None]]] = []
        self._timer_seq = itertools.count()
        self._inflight: set[tuple[Query, str]] = set()
        self._next_tick_ns = 0
        self._push_up = False
        self._push_ever_up = False
        self._reconnect_delay = config.reconnect_backoff_secs
        self.latest_positions: dict[str, PositionReport] = {}
        self.latest_account: AccountReport | None = None
        self.stats: Counter[str] = Counter()

    @classmethod
    def from_config(cls, config: TigerConfig, clock: Clock | None = None) -> TigerBroker:
        """Build a broker from configuration; key problems raise ConfigError, nothing is sent."""
        return cls(config, clock if clock is not None else LiveClock())

    # -- lifecycle -------------------------------------------------------------------------

    def connect(self, sink: EventSink) -> None:
        """Check the account with Tiger, start the workers and the push channel.

        Raise :class:`BrokerAuthError` when Tiger refuses the keys or the account is not one
        this tiger id may trade; no order is ever sent before this check.
        """
        accounts = self._client.accounts()
        if self.config.account not in accounts:
            raise BrokerAuthError(
                f"tiger account {self.config.account!r} is not an account of tiger id "
                f"{self.config.tiger_id!r} (it may trade {accounts})"
            )
        self._sink = sink
        self._executor = ThreadPoolExecutor(self.config.workers, thread_name_prefix="tiger")
        if self.config.use_push:
            self._client.start_push(inbox.push_handlers(self._inbox.put))

    def close(self) -> None:
        """Stop the workers and the push channel; undelivered records are dropped."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._client.close()
        self._sink = None

    # -- the contract: requests ------------------------------------------------------------

    def submit(self, spec: OrderSpec) -> None:
        """Place ``spec`` at Tiger; a client order id already sent is ignored (idempotent)."""
        self._require_connected()
        coid = str(spec.client_order_id)
        if coid in self._orders:
            self.stats["duplicate_submits"] += 1
            return
        tracked = self._orders[coid] = Tracked.of(spec, self._clock.timestamp_ns() // 1_000_000)
        self._defer(tracked, fold.submitted(tracked, parsing.unsupported(spec), self._context()))

    def adopt(self, order: Order) -> None:
        """Follow an order sent before a restart (from the journal), without sending anything.

        Its known executions are remembered so they are not reported again; an order without a
        Tiger id yet is looked up by its client order id.
        """
        self._require_connected()
        coid = str(order.client_order_id)
        if coid in self._orders or order.status.is_terminal:
            return
        tracked = self._orders[coid] = Tracked.following(order)
        self.stats["adopted"] += 1
        self._defer(tracked, fold.adopted(tracked, self._context()))

    def cancel(self, client_order_id: str) -> None:
        """Ask Tiger to cancel; ``OrderCancelled`` or ``OrderCancelRejected`` follows."""
        tracked = self._tracked(client_order_id)
        self._defer(tracked, fold.cancel_asked(tracked, self._context()))

    def modify(
        self,
        client_order_id: str,
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """Ask Tiger to change an order; ``OrderUpdated`` or ``OrderModifyRejected`` follows."""
        tracked = self._tracked(client_order_id)
        change = (quantity, limit_price, stop_price)
        self._defer(tracked, fold.modify_asked(tracked, change, self._context()))

    # -- the contract: reports (synchronous, retried queries) ------------------------------

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        """Return Tiger's report of an order with its executions, or None if Tiger never saw it."""
        tracked = self._orders.get(client_order_id)
        if tracked is not None and tracked.venue_id is not None:
            wire = self._client.order(tracked.venue_id)
        else:
            now_ms = self._clock.timestamp_ns() // 1_000_000
            since = tracked.submitted_ms if tracked is not None else now_ms - 86_400_000
            wire = self._client.find_by_mark(client_order_id, since - LOOKBACK_MS)
        if wire is None:
            return None
        fills = self._client.transactions(wire.venue_order_id, wire.symbol) if wire.filled else []
        return parsing.status_report(wire, fills, client_order_id, self._clock.timestamp_ns())

    def open_orders(self) -> list[OrderStatusReport]:
        """Return every order Tiger still has working (client order id from ``user_mark``)."""
        now = self._clock.timestamp_ns()
        return [
            parsing.status_report(w, [], w.client_order_id, now) for w in self._client.open_orders()
        ]

    def positions(self) -> list[PositionReport]:
        """Return Tiger's positions (queried now)."""
        reports = self._client.positions()
        self.latest_positions = {p.symbol: p for p in reports}
        return reports

    def account(self) -> AccountReport:
        """Return Tiger's cash, buying power and net liquidation (queried now)."""
        self.latest_account = self._client.account()
        return self.latest_account

    # -- contracts and market data ---------------------------------------------------------

    def instrument(self, symbol: str) -> Instrument:
        """Return the instrument (tick and lot) of Tiger's contract for ``symbol``."""
        contract = self._client.contract(symbol)
        if contract is None:
            raise BrokerRequestError(f"tiger has no contract for symbol {symbol!r}")
        return parsing.instrument_from_contract(contract)

    def quotes(self, symbols: list[str]) -> list[QuoteTick]:
        """Return the latest quote of each symbol from Tiger's quote service."""
        return self._client.quotes(symbols)

    def trades(self, symbol: str, limit: int = 200) -> list[TradeTick]:
        """Return the latest prints of ``symbol``."""
        return self._client.trades(symbol, limit)

    def bars(self, symbol: str, period: str = "1min", limit: int = 390) -> list[Bar]:
        """Return bars of ``symbol``, stamped at their end."""
        return self._client.bars(symbol, period, limit)

    # -- the core thread: delivering events ------------------------------------------------

    def drain(self) -> int:
        """Fold every waiting record into order state and deliver the events; return how many."""
        delivered = self._tick()
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return delivered
            delivered += self._handle(item)

    def wait_events(self, timeout_s: float) -> int:
        """Block up to ``timeout_s`` for at least one event; deliver all waiting; return count."""
        deadline = monotonic_ns() + int(timeout_s * NS_PER_SEC)
        while True:
            delivered = self.drain()
            remaining = deadline - monotonic_ns()
            if delivered or remaining <= 0:
                return delivered
            try:
                item = self._inbox.get(timeout=min(remaining, _TICK_NS) / NS_PER_SEC)
            except queue.Empty:
                continue
            delivered = self._handle(item) + self.drain()
            if delivered:
                return delivered

    def pending_orders(self) -> int:
        """Return how many orders are not finished yet (placing, unknown or live)."""
        return sum(1 for t in self._orders.values() if not t.finished)

    # -- internals: plumbing ---------------------------------------------------------------

    def _require_connected(self) -> None:
        if self._executor is None or self._sink is None:
            raise StateError("broker", self.name, "connect() it before sending orders")

    def _tracked(self, client_order_id: str) -> Tracked:
        self._require_connected()
        tracked = self._orders.get(client_order_id)
        if tracked is None:
            raise BrokerRequestError(
                f"tiger: order {client_order_id!r} was never sent through this broker "
                "(after a restart, adopt() the journal's working orders)"
            )
        return tracked

    def _context(self) -> fold.Context:
        now, attempts = self._clock.timestamp_ns(), self.config.max_place_attempts
        return fold.Context(now, monotonic_ns(), attempts, self._orphan_fills)

    def _spawn(self, job: Callable[[], object]) -> None:
        """Run ``job`` on a worker; whatever it returns goes on the inbox."""
        executor = self._executor
        if executor is None:
            return
        put = self._inbox.put

        def run() -> None:
            try:
                if (record := job()) is not None:  # a job with nothing to tell returns None
                    put(record)
            except Exception:  # a bug in a job must not kill the worker silently
                log.exception("tiger worker job failed")

        executor.submit(run)

    def _after(self, delay_secs: float, action: Callable[[], None]) -> None:
        due = monotonic_ns() + int(delay_secs * NS_PER_SEC)
        heapq.heappush(self._timers, (due, next(self._timer_seq), action))

    def _emit(self, event: OrderEvent) -> int:
        if self._sink is None:
            return 0
        self._sink(event)
        return 1

    # -- internals: carrying out a step of the fold ----------------------------------------

    def _apply(self, tracked: Tracked, step: fold.Step) -> int:
        """Count, index and send what a step asks, then deliver its events; return how many."""
        for name in step.counts:
            self.stats[name] += 1
        if step.learnt is not None:
            self._by_venue[step.learnt] = tracked.coid
        for request in step.requests:
            self._send(tracked, request)
        return sum(self._emit(event) for event in step.events)

    def _defer(self, tracked: Tracked, step: fold.Step) -> None:
        """Apply a step the core asked for; its events go out on the next drain, not now."""
        events, step.events = step.events, []
        self._apply(tracked, step)
        for event in events:
            self._inbox.put(inbox.Emit(event))

    def _send(self, tracked: Tracked, request: fold.Request) -> None:
        do, client, coid = request.do, self._client, tracked.coid
        if do is Do.PLACE:
            self.stats["place_requests"] += 1
            self._spawn(partial(jobs.place, client, coid, tracked.spec.symbol, tracked.fields))
        elif do is Do.POLL:
            self._dispatch_poll(tracked)
        elif do is Do.REPOLL:
            self._inflight.discard((Query.POLL, coid))
            self._dispatch_poll(tracked)
        elif do is Do.FILLS:
            self._dispatch_fills(tracked)
        elif do is Do.RESOLVE:
            self._dispatch_resolve(tracked)
        elif do is Do.RESOLVE_SOON:
            self._after(self.config.resolve_delay_secs, partial(self._dispatch_resolve, tracked))
        elif do is Do.RESOLVE_LATER:
            self._after(self.config.poll_interval_secs, partial(self._dispatch_resolve, tracked))
        elif do is Do.CANCEL:
            assert tracked.venue_id is not None
            self._spawn(partial(jobs.cancel, client, coid, tracked.venue_id))
        elif do is Do.CANCEL_OTHER:
            self._spawn(partial(jobs.cancel_other, client, request.venue_id))
        elif do is Do.MODIFY:
            assert tracked.venue_id is not None and request.change is not None
            symbol, fields = tracked.spec.symbol, tracked.fields
            self._spawn(
                partial(jobs.modify, client, coid, tracked.venue_id, symbol, fields, request.change)
            )
        else:  # pragma: no cover - Do is exhaustive
            raise TypeError(f"unknown request {request!r}")

    def _query(self, kind: Query, tracked: Tracked, job: Callable[[], object]) -> None:
        """Send one query about an order, unless the same one is already out."""
        key = (kind, tracked.coid)
        if key not in self._inflight:
            self._inflight.add(key)
            self.stats[_QUERY_STATS[kind]] += 1
            self._spawn(job)

    def _dispatch_resolve(self, tracked: Tracked) -> None:
        since = tracked.submitted_ms - LOOKBACK_MS
        job = partial(jobs.resolve, self._client, tracked.coid, since)
        self._query(Query.RESOLVE, tracked, job)

    def _dispatch_poll(self, tracked: Tracked) -> None:
        if tracked.venue_id is not None and (Query.POLL, tracked.coid) not in self._inflight:
            started = tracked.last_seen_ns = monotonic_ns()
            job = partial(jobs.poll, self._client, tracked.coid, tracked.venue_id, started)
            self._query(Query.POLL, tracked, job)

    def _dispatch_fills(self, tracked: Tracked) -> None:
        if tracked.venue_id is not None and (Query.FILLS, tracked.coid) not in self._inflight:
            tracked.last_fill_query_ns = monotonic_ns()
            symbol = tracked.spec.symbol
            job = partial(jobs.fills, self._client, tracked.coid, tracked.venue_id, symbol)
            self._query(Query.FILLS, tracked, job)

    def _reconnect(self) -> None:
        self.stats["push_reconnects"] += 1
        self._spawn(partial(jobs.reconnect, self._client))

    # -- internals: the watchdog and polling fallback --------------------------------------

    def _tick(self) -> int:
        now = monotonic_ns()
        while self._timers and self._timers[0][0] <= now:
            _, _, action = heapq.heappop(self._timers)
            action()
        if now < self._next_tick_ns:
            return 0
        self._next_tick_ns = now + _TICK_NS
        poll_ns = int(self.config.poll_interval_secs * NS_PER_SEC)
        watchdog_ns = int(self.config.watchdog_secs * NS_PER_SEC)
        for tracked in self._orders.values():
            state = tracked.state
            if state is Tracking.PLACING and now - tracked.sent_ns > watchdog_ns:
                self.stats["watchdog_lookups"] += 1
                tracked.sent_ns = now
                self._dispatch_resolve(tracked)
            elif state is Tracking.LIVE:
                if tracked.confirm is not None or now - tracked.last_seen_ns > poll_ns:
                    self._dispatch_poll(tracked)
                if (
                    tracked.venue_filled > tracked.filled_emitted
                    and not tracked.refused_ids  # a venue that over-fills: left to reconciliation
                    and now - tracked.last_fill_query_ns > poll_ns
                ):
                    self._dispatch_fills(tracked)
        return 0

    # -- internals: routing inbox records to the fold --------------------------------------

    def _handle(self, item: object) -> int:
        if isinstance(item, inbox.Emit):
            return self._emit(item.event)
        if isinstance(item, inbox.PushOrder):
            return self._on_order(item.order)
        if isinstance(item, inbox.PushFill):
            return self._on_fill(item.fill)
        if isinstance(item, inbox.PushLink):
            return self._on_link(item.up)
        if isinstance(item, inbox.PushPosition):
            self.latest_positions[item.report.symbol] = item.report
            return 0
        if isinstance(item, inbox.PushAccount):
            self.latest_account = item.report
            return 0
        if not isinstance(item, inbox.OrderRecord):
            raise TypeError(f"unknown inbox record {item!r}")
        tracked = self._orders.get(item.coid)
        if tracked is None:
            return 0
        if isinstance(item, inbox.Polled):
            self._inflight.discard((Query.POLL, item.coid))
            return 0 if item.order is None else self._on_order(item.order, item)
        if isinstance(item, inbox.Fills):
            self._inflight.discard((Query.FILLS, item.coid))
            return sum(self._on_fill(f) for f in item.fills)
        if isinstance(item, inbox.Resolved):
            self._inflight.discard((Query.RESOLVE, item.coid))
        elif isinstance(item, inbox.QueryFailed):
            self._inflight.discard((item.kind, item.coid))
        return self._fold(tracked, item)

    def _fold(self, tracked: Tracked, record: fold.Record) -> int:
        try:
            step = fold.fold(tracked, record, self._context())
        except InvalidTransitionError:
            # A record the table does not expect in this state: a bug, said loudly, dropped.
            self.stats["invalid_transitions"] += 1
            log.exception("tiger: %r for %s (%s) dropped", record, tracked.coid, tracked.state)
            return 0
        return self._apply(tracked, step)

    def _on_order(self, order: WireOrder, polled: inbox.Polled | None = None) -> int:
        """Route Tiger's view of an order (push or poll) by Tiger's id, else its user mark."""
        coid = self._by_venue.get(order.venue_order_id) or order.client_order_id
        tracked = self._orders.get(coid)
        if tracked is None:
            self.stats["foreign_order_updates"] += 1
            return 0
        return self._fold(tracked, order if polled is None else polled)

    def _on_fill(self, fill: WireFill) -> int:
        """Route one execution by Tiger's id; before that id is known, keep it."""
        coid = self._by_venue.get(fill.venue_order_id)
        if coid is None:
            # Pushed before the place answer named its order (or for an order not ours): kept
            # until the id is known, boundedly, oldest forgotten first.
            if len(self._orphan_fills) >= MAX_ORPHANS:
                self._orphan_fills.pop(next(iter(self._orphan_fills)))
            self._orphan_fills.setdefault(fill.venue_order_id, []).append(fill)
            return 0
        return self._fold(self._orders[coid], fill)

    def _on_link(self, up: bool) -> int:
        if up:
            recovering = self._push_ever_up and not self._push_up
            self._push_up = self._push_ever_up = True
            self._reconnect_delay = self.config.reconnect_backoff_secs
            if recovering:
                self.stats["gap_recoveries"] += 1
                for tracked in self._orders.values():
                    if tracked.state is Tracking.LIVE:
                        self._dispatch_poll(tracked)
                        self._dispatch_fills(tracked)
            return 0
        if self._executor is None:
            return 0
        self._push_up = False
        delay = self._reconnect_delay
        self._reconnect_delay = min(delay * 2, 10.0)
        self._after(delay, self._reconnect)
        return 0
