"""Tiger Brokers behind the broker contract: blocking SDK calls off-thread, events on the core's.

Threads and the one queue
    Every SDK call runs on a worker thread (:class:`~concurrent.futures.ThreadPoolExecutor`);
    push messages arrive on the SDK's threads. Neither touches order state: each puts a small
    record (an outcome) on a thread-safe inbox. The core thread calls :meth:`TigerBroker.drain`
    (or :meth:`TigerBroker.wait_events`), which folds the records into per-order trackers and
    delivers domain events to the sink given to :meth:`TigerBroker.connect`. So the core stays
    single-threaded and every event reaches it on its own thread.

Orders are never blindly re-sent
    Place, modify and cancel go out exactly once. When the answer is lost (timeout, 5xx,
    Tiger's "server error"), the outcome is unknown and the order is resolved by query: by
    Tiger's id, or by the client order id Tiger keeps as ``user_mark``. Only when Tiger
    confirms it never saw the order is it placed again, with the same ``user_mark``, up to
    ``max_place_attempts``. Fills are counted by Tiger's execution id and capped at the order's
    quantity, so a repeated or replayed execution can never be counted twice or over-fill.

Status monitoring
    Push (order status, executions, positions, assets) is the fast path. Polling is the
    fallback: an order without news for ``poll_interval_secs`` is queried, an order placed but
    unanswered for ``watchdog_secs`` is looked up by its client order id, and a fill count that
    runs ahead of the executions seen triggers an execution query. When the push channel drops,
    the broker reconnects with backoff, resubscribes, and re-queries every live order (gap
    recovery).
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
from slipstream.brokers.tiger import jobs, parsing
from slipstream.brokers.tiger.client import PushHandlers, TigerClient
from slipstream.brokers.tiger.config import TigerConfig
from slipstream.brokers.tiger.parsing import AlgoRequest, WireFill, WireOrder
from slipstream.brokers.tiger.tracking import (
    Change,
    Emit,
    Fills,
    Placed,
    PlaceRefused,
    PlaceUnknown,
    Polled,
    PushAccount,
    PushFill,
    PushLink,
    PushOrder,
    PushPosition,
    QueryFailed,
    Requested,
    Resolved,
    Tracked,
)
from slipstream.core.clock import Clock, LiveClock, monotonic_ns
from slipstream.core.errors import BrokerAuthError, BrokerRequestError, StateError
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderCancelRejected,
    OrderEvent,
    OrderExpired,
    OrderModifyRejected,
    OrderRejected,
    OrderUpdated,
)
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
_TERMINAL_WIRE = (
    OrderStatus.FILLED,
    OrderStatus.CANCELLED,
    OrderStatus.EXPIRED,
    OrderStatus.REJECTED,
)


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
        self._inflight: set[tuple[str, str]] = set()
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
            self._client.start_push(
                PushHandlers(
                    on_order=lambda order: self._inbox.put(PushOrder(order)),
                    on_fill=lambda fill: self._inbox.put(PushFill(fill)),
                    on_position=lambda report: self._inbox.put(PushPosition(report)),
                    on_account=lambda report: self._inbox.put(PushAccount(report)),
                    on_connected=lambda: self._inbox.put(PushLink(True)),
                    on_disconnected=lambda: self._inbox.put(PushLink(False)),
                )
            )

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
        self._submit(spec, None)

    def submit_algo(self, spec: OrderSpec, algo: AlgoRequest) -> None:
        """Place ``spec`` as one of Tiger's own algo orders (TWAP or VWAP)."""
        self._submit(spec, algo)

    def _submit(self, spec: OrderSpec, algo: AlgoRequest | None) -> None:
        self._require_connected()
        coid = str(spec.client_order_id)
        if coid in self._orders:
            self.stats["duplicate_submits"] += 1
            return
        tracked = Tracked(
            spec=spec,
            fields=parsing.order_fields(spec, algo),
            quantity=spec.quantity,
            limit_price=spec.limit_price,
            stop_price=spec.stop_price,
            submitted_ms=self._clock.timestamp_ns() // 1_000_000,
        )
        self._orders[coid] = tracked
        reason = parsing.unsupported(spec, algo)
        if reason is not None:
            tracked.state = "done"
            self._inbox.put(Emit(OrderRejected(spec.client_order_id, *self._now2(), reason)))
            return
        self._dispatch_place(tracked)

    def adopt(self, order: Order) -> None:
        """Follow an order sent before a restart (from the journal), without sending anything.

        Its known executions are remembered so they are not reported again; an order without a
        Tiger id yet is looked up by its client order id.
        """
        self._require_connected()
        coid = str(order.client_order_id)
        if coid in self._orders or order.status.is_terminal:
            return
        tracked = Tracked(
            spec=order.spec,
            fields=parsing.order_fields(order.spec),
            quantity=order.quantity,
            limit_price=order.limit_price,
            stop_price=order.stop_price,
            submitted_ms=order.events[0].ts_init // 1_000_000,
            trade_ids=set(order.trade_ids),
            filled_emitted=order.filled_qty,
            venue_filled=order.filled_qty,
        )
        self._orders[coid] = tracked
        self.stats["adopted"] += 1
        if order.venue_order_id is not None:
            tracked.venue_id = order.venue_order_id
            tracked.state = "live"
            self._by_venue[order.venue_order_id] = coid
            self._dispatch_poll(tracked)
        else:
            # Never re-sent from here: if Tiger has not got it, it is reported rejected.
            tracked.state = "unknown"
            tracked.attempts = self.config.max_place_attempts
            self._dispatch_resolve(tracked)

    def cancel(self, client_order_id: str) -> None:
        """Ask Tiger to cancel; ``OrderCancelled`` or ``OrderCancelRejected`` follows."""
        tracked = self._tracked(client_order_id)
        if tracked.finished:
            self._inbox.put(
                Emit(
                    OrderCancelRejected(
                        tracked.spec.client_order_id, *self._now2(), "order is finished"
                    )
                )
            )
        elif tracked.venue_id is None:
            tracked.cancel_wanted = True
        else:
            self._dispatch_cancel(tracked)

    def modify(
        self,
        client_order_id: str,
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """Ask Tiger to change an order; ``OrderUpdated`` or ``OrderModifyRejected`` follows."""
        tracked = self._tracked(client_order_id)
        if tracked.finished or tracked.venue_id is None:
            why = "order is finished" if tracked.finished else "order is not acknowledged yet"
            self._inbox.put(
                Emit(OrderModifyRejected(tracked.spec.client_order_id, *self._now2(), why))
            )
            return
        change = (quantity, limit_price, stop_price)
        self._spawn(
            partial(
                jobs.modify,
                self._client,
                tracked.coid,
                tracked.venue_id,
                tracked.spec.symbol,
                tracked.fields,
                change,
            )
        )

    # -- the contract: reports (synchronous, retried queries) ------------------------------

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        """Return Tiger's report of an order with its executions, or None if Tiger never saw it."""
        tracked = self._orders.get(client_order_id)
        if tracked is not None and tracked.venue_id is not None:
            wire = self._client.order(tracked.venue_id)
        else:
            since = (
                tracked.submitted_ms
                if tracked is not None
                else self._clock.timestamp_ns() // 1_000_000 - 86_400_000
            )
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

    def _now2(self) -> tuple[int, int]:
        now = self._clock.timestamp_ns()
        return now, now

    def _tracked(self, client_order_id: str) -> Tracked:
        self._require_connected()
        tracked = self._orders.get(client_order_id)
        if tracked is None:
            raise BrokerRequestError(
                f"tiger: order {client_order_id!r} was never sent through this broker "
                "(after a restart, adopt() the journal's working orders)"
            )
        return tracked

    def _spawn(self, job: Callable[[], object]) -> None:
        """Run ``job`` on a worker; whatever it returns goes on the inbox."""
        executor = self._executor
        if executor is None:
            return
        inbox = self._inbox

        def run() -> None:
            try:
                inbox.put(job())
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

    # -- internals: dispatching requests and queries ---------------------------------------

    def _dispatch_place(self, tracked: Tracked) -> None:
        tracked.attempts += 1
        tracked.state = "placing"
        tracked.place_inflight = True
        tracked.sent_ns = monotonic_ns()
        self.stats["place_requests"] += 1
        self._spawn(
            partial(jobs.place, self._client, tracked.coid, tracked.spec.symbol, tracked.fields)
        )

    def _dispatch_cancel(self, tracked: Tracked) -> None:
        tracked.cancel_wanted = False
        assert tracked.venue_id is not None
        self._spawn(partial(jobs.cancel, self._client, tracked.coid, tracked.venue_id))

    def _dispatch_resolve(self, tracked: Tracked) -> None:
        key = ("resolve", tracked.coid)
        if key in self._inflight:
            return
        self._inflight.add(key)
        self.stats["resolve_queries"] += 1
        since = tracked.submitted_ms - LOOKBACK_MS
        self._spawn(partial(jobs.resolve, self._client, tracked.coid, since))

    def _dispatch_poll(self, tracked: Tracked) -> None:
        key = ("poll", tracked.coid)
        if key in self._inflight or tracked.venue_id is None:
            return
        self._inflight.add(key)
        started = monotonic_ns()
        tracked.last_seen_ns = started
        self.stats["polls"] += 1
        self._spawn(partial(jobs.poll, self._client, tracked.coid, tracked.venue_id, started))

    def _dispatch_fills(self, tracked: Tracked) -> None:
        key = ("fills", tracked.coid)
        if key in self._inflight or tracked.venue_id is None:
            return
        self._inflight.add(key)
        tracked.last_fill_query_ns = monotonic_ns()
        self.stats["fill_queries"] += 1
        self._spawn(
            partial(jobs.fills, self._client, tracked.coid, tracked.venue_id, tracked.spec.symbol)
        )

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
            if tracked.finished:
                continue
            if tracked.state == "placing" and now - tracked.sent_ns > watchdog_ns:
                self.stats["watchdog_lookups"] += 1
                tracked.sent_ns = now
                self._dispatch_resolve(tracked)
            elif tracked.state == "live":
                if tracked.confirm is not None or now - tracked.last_seen_ns > poll_ns:
                    self._dispatch_poll(tracked)
                if (
                    tracked.venue_filled > tracked.filled_emitted
                    and not tracked.refused_ids  # a venue that over-fills: left to reconciliation
                    and now - tracked.last_fill_query_ns > poll_ns
                ):
                    self._dispatch_fills(tracked)
        return 0

    # -- internals: folding records into order state ---------------------------------------

    def _handle(self, item: object) -> int:
        if isinstance(item, Emit):
            return self._emit(item.event)
        if isinstance(item, PushOrder):
            return self._on_order(item.order, None)
        if isinstance(item, PushFill):
            return self._on_fill(item.fill)
        if isinstance(item, PushLink):
            return self._on_link(item.up)
        if isinstance(item, PushPosition):
            self.latest_positions[item.report.symbol] = item.report
            return 0
        if isinstance(item, PushAccount):
            self.latest_account = item.report
            return 0
        if item is None:
            return 0
        coid = getattr(item, "coid", None)
        tracked = self._orders.get(coid) if isinstance(coid, str) else None
        if tracked is None:
            return 0
        if isinstance(item, Placed):
            tracked.place_inflight = False
            return self._adopt(tracked, item.venue_id)
        if isinstance(item, PlaceRefused):
            tracked.place_inflight = False
            return self._refuse(tracked, item.reason)
        if isinstance(item, PlaceUnknown):
            tracked.place_inflight = False
            return self._place_unknown(tracked, item.error)
        if isinstance(item, Resolved):
            self._inflight.discard(("resolve", tracked.coid))
            return self._resolved(tracked, item.order)
        if isinstance(item, Polled):
            self._inflight.discard(("poll", tracked.coid))
            if item.order is None:
                return 0
            return self._on_order(item.order, item.started_ns)
        if isinstance(item, Fills):
            self._inflight.discard(("fills", tracked.coid))
            return sum(self._on_fill(f) for f in item.fills)
        if isinstance(item, QueryFailed):
            return self._query_failed(tracked, item)
        if isinstance(item, Requested):
            return self._requested(tracked, item)
        raise TypeError(f"unknown inbox record {item!r}")

    def _adopt(self, tracked: Tracked, venue_id: str) -> int:
        """Record Tiger's id for an order and acknowledge it (once)."""
        if tracked.venue_id is not None:
            if tracked.venue_id != venue_id:
                self._duplicate_venue_order(tracked, venue_id)
            return 0
        tracked.venue_id = venue_id
        tracked.state = "live"
        tracked.last_seen_ns = monotonic_ns()
        self._by_venue[venue_id] = tracked.coid
        delivered = self._emit(OrderAccepted(tracked.spec.client_order_id, *self._now2(), venue_id))
        for fill in self._orphan_fills.pop(venue_id, []):
            delivered += self._on_fill(fill)
        if tracked.cancel_wanted:
            self._dispatch_cancel(tracked)
        return delivered

    def _duplicate_venue_order(self, tracked: Tracked, venue_id: str) -> None:
        """A second Tiger order carries our client order id: cancel it, keep the first."""
        self.stats["duplicate_venue_orders"] += 1
        log.error("tiger: a second order %s for %s; cancelling it", venue_id, tracked.coid)
        client = self._client
        self._spawn(lambda: client.cancel(venue_id))

    def _refuse(self, tracked: Tracked, reason: str) -> int:
        tracked.state = "done"
        self.stats["rejected"] += 1
        coid = tracked.spec.client_order_id
        if tracked.cancel_wanted:
            return self._emit(OrderCancelled(coid, *self._now2(), f"cancelled; {reason}"))
        return self._emit(OrderRejected(coid, *self._now2(), reason))

    def _place_unknown(self, tracked: Tracked, error: str) -> int:
        tracked.state = "unknown"
        self.stats["place_unknown"] += 1
        log.info("tiger: place of %s has an unknown outcome (%s); resolving", tracked.coid, error)
        self._after(self.config.resolve_delay_secs, lambda: self._dispatch_resolve(tracked))
        return 0

    def _resolved(self, tracked: Tracked, order: WireOrder | None) -> int:
        if tracked.finished:
            return 0
        if order is not None:
            return self._adopt(tracked, order.venue_order_id) + self._on_order(order, None)
        if tracked.venue_id is not None or tracked.place_inflight:
            return 0
        if tracked.state not in ("unknown", "placing"):
            return 0
        if tracked.attempts >= self.config.max_place_attempts:
            return self._refuse(
                tracked,
                f"not received by Tiger (sent {tracked.attempts} times, looked up by client order id)",
            )
        self.stats["re_placed"] += 1
        self._dispatch_place(tracked)
        return 0

    def _query_failed(self, tracked: Tracked, item: QueryFailed) -> int:
        self._inflight.discard((item.kind, tracked.coid))
        self.stats[f"{item.kind}_failed"] += 1
        log.warning("tiger %s query for %s failed: %s", item.kind, tracked.coid, item.error)
        if item.kind == "resolve" and tracked.state == "unknown":
            self._after(self.config.poll_interval_secs, lambda: self._dispatch_resolve(tracked))
        return 0

    def _requested(self, tracked: Tracked, item: Requested) -> int:
        coid = tracked.spec.client_order_id
        if item.outcome == "ok" and item.kind == "modify" and item.change is not None:
            return self._apply_change(tracked, item.change)
        if item.outcome == "refused":
            # Tiger refused the request itself; ask for the order's state (a fill may explain it).
            self._dispatch_poll(tracked)
            event: OrderEvent = (
                OrderCancelRejected(coid, *self._now2(), item.reason)
                if item.kind == "cancel"
                else OrderModifyRejected(coid, *self._now2(), item.reason)
            )
            return self._emit(event)
        # "ok" cancel, or any unknown outcome: a poll started after now settles it.
        tracked.confirm = item.kind if item.outcome == "unknown" else None
        tracked.pending_change = item.change
        tracked.confirm_ns = monotonic_ns()
        self._inflight.discard(("poll", tracked.coid))
        self._dispatch_poll(tracked)
        return 0

    def _apply_change(self, tracked: Tracked, change: Change) -> int:
        quantity, limit, stop = change
        tracked.quantity, tracked.limit_price, tracked.stop_price = quantity, limit, stop
        now = self._clock.timestamp_ns()
        return self._emit(
            OrderUpdated(tracked.spec.client_order_id, now, now, quantity, limit, stop)
        )

    def _settle_confirm(self, tracked: Tracked, order: WireOrder) -> int:
        """Settle a cancel or modify whose answer was lost, from a poll sent after it."""
        kind, tracked.confirm = tracked.confirm, None
        coid = tracked.spec.client_order_id
        if kind == "modify" and tracked.pending_change is not None:
            change, tracked.pending_change = tracked.pending_change, None
            quantity, limit, stop = change
            applied = order.quantity == quantity and (limit is None or order.limit_price == limit)
            applied = applied and (stop is None or order.stop_price == stop)
            if applied:
                return self._apply_change(tracked, change)
            return self._emit(
                OrderModifyRejected(coid, *self._now2(), "modify not applied at Tiger")
            )
        if kind == "cancel" and order.status not in _TERMINAL_WIRE:
            return self._emit(
                OrderCancelRejected(coid, *self._now2(), "cancel not applied at Tiger")
            )
        return 0

    def _on_order(self, order: WireOrder, poll_started_ns: int | None) -> int:
        """Fold Tiger's view of an order (push, poll or lookup) into its tracker."""
        coid = self._by_venue.get(order.venue_order_id) or order.client_order_id
        tracked = self._orders.get(coid)
        if tracked is None:
            self.stats["foreign_order_updates"] += 1
            return 0
        delivered = self._adopt(tracked, order.venue_order_id)
        if tracked.venue_id != order.venue_order_id:
            return delivered
        tracked.last_seen_ns = monotonic_ns()
        tracked.venue_filled = max(tracked.venue_filled, order.filled)
        if (
            tracked.confirm is not None
            and poll_started_ns is not None
            and poll_started_ns >= tracked.confirm_ns
        ):
            delivered += self._settle_confirm(tracked, order)
        if order.status in _TERMINAL_WIRE:
            tracked.venue_terminal = (order.status, order.reason)
        if tracked.venue_filled > tracked.filled_emitted:
            self._dispatch_fills(tracked)
        return delivered + self._maybe_finish(tracked)

    def _on_fill(self, fill: WireFill) -> int:
        """Fold one execution: duplicates are dropped by id, over-fills refused."""
        coid = self._by_venue.get(fill.venue_order_id)
        if coid is None:
            # Pushed before the place answer named its order (or for an order not ours): kept
            # until the id is known, boundedly, oldest forgotten first.
            if len(self._orphan_fills) >= MAX_ORPHANS:
                self._orphan_fills.pop(next(iter(self._orphan_fills)))
            self._orphan_fills.setdefault(fill.venue_order_id, []).append(fill)
            return 0
        tracked = self._orders[coid]
        if fill.trade_id in tracked.trade_ids:
            self.stats["duplicate_fills_dropped"] += 1
            return 0
        if tracked.filled_emitted + fill.quantity > tracked.quantity or fill.quantity <= 0:
            self.stats["overfills_refused"] += 1
            if fill.trade_id not in tracked.refused_ids:
                tracked.refused_ids.add(fill.trade_id)
                log.error("tiger: execution %s would over-fill %s; refused", fill.trade_id, coid)
            return 0
        tracked.trade_ids.add(fill.trade_id)
        tracked.filled_emitted += fill.quantity
        tracked.venue_filled = max(tracked.venue_filled, tracked.filled_emitted)
        tracked.last_seen_ns = monotonic_ns()
        event = parsing.fill_event(fill, coid, self._clock.timestamp_ns())
        return self._emit(event) + self._maybe_finish(tracked)

    def _maybe_finish(self, tracked: Tracked) -> int:
        """Emit the terminal event once every execution Tiger reported has been delivered."""
        if tracked.finished:
            return 0
        if tracked.filled_emitted >= tracked.quantity:
            tracked.state = "done"
            return 0
        if tracked.venue_terminal is None or tracked.filled_emitted < tracked.venue_filled:
            return 0
        status, reason = tracked.venue_terminal
        coid = tracked.spec.client_order_id
        if status is OrderStatus.FILLED:
            return 0
        tracked.state = "done"
        if status is OrderStatus.EXPIRED:
            return self._emit(OrderExpired(coid, *self._now2()))
        why = reason or "cancelled"
        if status is OrderStatus.REJECTED:
            why = f"rejected by Tiger after acceptance: {reason}"
        return self._emit(OrderCancelled(coid, *self._now2(), why))

    def _on_link(self, up: bool) -> int:
        if up:
            recovering = self._push_ever_up and not self._push_up
            self._push_up = self._push_ever_up = True
            self._reconnect_delay = self.config.reconnect_backoff_secs
            if recovering:
                self.stats["gap_recoveries"] += 1
                for tracked in self._orders.values():
                    if tracked.state == "live":
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
