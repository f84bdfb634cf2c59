"""The simulated venue: matches our orders against replayed real market data.

It implements the :class:`~slipstream.brokers.contract.Broker` contract plus
:meth:`SimulatedVenue.on_market`, which the kernel calls for every market record after advancing
the clock to it, and :meth:`SimulatedVenue.end_session`, which expires day orders. The matching
rules are listed in ``docs/simulated-venue.md``; in short:

* market orders take displayed liquidity only (book levels, the touch of a quote, or a bar's
  participation cap) and wait for more when it runs out; IOC cancels the rest, FOK fills in
  full at once or not at all;
* limit orders take what is marketable up to their limit, then rest, and fill at their limit
  when the market trades through them, quotes through them, or trades at them after the queue
  that was ahead of them;
* stops, stop-limits and trailing stops trigger on the last trade or the bid/ask, then behave
  as market or limit orders;
* the venue keeps its own orders, fills, positions and cash, for reconciliation.

Requests travel ``latency_ns`` to the venue and events ``latency_ns`` back, through clock
timers; with 0 everything happens synchronously inside the call.

Why one long module (about 700 lines): every order type's matching rule reads and changes the
same per-symbol book, queue and liquidity state in the same step, and the order in which the
rules run within a step is itself a rule; kept together, that order is visible in one place.
The state the rules share lives in ``liquidity.py`` and ``orders.py``; the impact overlay in
``impact_overlay.py``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from slipstream.brokers.contract import (
    AccountReport,
    EventSink,
    OrderStatusReport,
    PositionReport,
)
from slipstream.brokers.sim.impact_overlay import ImpactOverlay, ImpactOverlayConfig
from slipstream.brokers.sim.liquidity import VenueBook
from slipstream.brokers.sim.orders import SimOrder
from slipstream.brokers.sim.triggers import new_extreme, stop_triggered, trail_stop
from slipstream.core.clock import Clock
from slipstream.core.errors import (
    BrokerUnavailableError,
    ConfigError,
    InputError,
    UnknownInstrumentError,
)
from slipstream.core.ids import ClientOrderId, IdGenerator
from slipstream.marketdata.timeutil import next_eastern_midnight_ns
from slipstream.model.enums import (
    LiquiditySide,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
    TriggerSource,
)
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderCancelRejected,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderTriggered,
    OrderUpdated,
)
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import Bar, BookLevel, BookSnapshot, MarketRecord, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.portfolio.positions import Position

ZERO = Decimal(0)
BPS = Decimal(10_000)
_TAKER = LiquiditySide.TAKER
_MAKER = LiquiditySide.MAKER
_BUY = Side.BUY
_STOP_TYPES = (OrderType.STOP, OrderType.TRAILING_STOP)
_Payload = TypeVar("_Payload")


class SimulatedVenue:
    """A venue that matches orders against replayed market data.

    Parameters
    ----------
    clock:
        The session clock; the venue reads time from it and schedules latency on it.
    instruments:
        Known instruments (tick and lot rules); an order for another symbol is rejected.
    ids:
        Source of venue order ids and trade ids.
    latency_ns:
        One-way delay from us to the venue and back (0: synchronous).
    commission_per_share:
        Commission charged per filled share.
    impact:
        The impact overlay configuration (default: off).
    bar_half_spread_bps:
        Half-spread assumed around a bar's close when only bars are available.
    bar_participation:
        Share of a bar's volume our orders may take on each side, in (0, 1].
    initial_cash:
        The account's starting cash.
    name:
        Venue name (used in timer names and by the router).
    """

    def __init__(
        self,
        clock: Clock,
        instruments: InstrumentTable,
        ids: IdGenerator,
        latency_ns: int = 0,
        commission_per_share: Decimal = ZERO,
        impact: ImpactOverlayConfig | None = None,
        bar_half_spread_bps: Decimal = Decimal(2),
        bar_participation: Decimal = Decimal("0.1"),
        initial_cash: Decimal = Decimal(10_000_000),
        name: str = "sim",
    ) -> None:
        if latency_ns < 0:
            raise ConfigError(f"latency_ns must be >= 0, got {latency_ns}")
        if not ZERO < bar_participation <= 1:
            raise ConfigError(f"bar_participation must be in (0, 1], got {bar_participation}")
        if bar_half_spread_bps < 0:
            raise ConfigError(f"bar_half_spread_bps must be >= 0, got {bar_half_spread_bps}")
        self.name = name
        self._clock = clock
        self._instruments = instruments
        self._ids = ids
        self._latency_ns = latency_ns
        self._commission = Decimal(commission_per_share)
        self._overlay = ImpactOverlay(impact or ImpactOverlayConfig())
        self._impact_on = self._overlay.config.enabled
        self._bar_half_spread = bar_half_spread_bps / BPS
        self._bar_participation = bar_participation
        self._sink: EventSink | None = None
        self._orders: dict[str, SimOrder] = {}
        self._working: dict[str, list[SimOrder]] = {}
        self._markets: dict[str, VenueBook] = {}
        self._positions: dict[str, Position] = {}
        self._cash = Decimal(initial_cash)
        self._outbox: deque[tuple[int, OrderEvent]] = deque()
        self._requests = 0
        self._day_end_ns: int | None = None

    # --- Broker contract: requests -------------------------------------------------------

    def connect(self, sink: EventSink) -> None:
        """Start delivering order events to ``sink``."""
        self._sink = sink

    def close(self) -> None:
        """Stop delivering events (pending ones are dropped)."""
        self._sink = None
        self._outbox.clear()

    def submit(self, spec: OrderSpec) -> None:
        """Send ``spec`` to the venue; it arrives after ``latency_ns``."""
        self._send(self._arrive, spec)

    def cancel(self, client_order_id: str) -> None:
        """Request a cancel; it arrives after ``latency_ns``."""
        self._send(self._arrive_cancel, client_order_id)

    def modify(
        self,
        client_order_id: str,
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """Request a change (None keeps a price); it arrives after ``latency_ns``."""
        self._send(self._arrive_modify, (client_order_id, quantity, limit_price, stop_price))

    def _send(self, handler: Callable[[_Payload], None], payload: _Payload) -> None:
        """Hand ``payload`` to ``handler`` at the venue: now, or after ``latency_ns``."""
        if self._sink is None:
            raise BrokerUnavailableError(f"venue {self.name} is not connected")
        if not self._latency_ns:
            handler(payload)
            return
        self._requests += 1
        at_ns = self._clock.timestamp_ns() + self._latency_ns
        self._clock.set_timer(
            f"{self.name}.request.{self._requests}", at_ns, lambda _ts: handler(payload)
        )

    # --- Broker contract: reports --------------------------------------------------------

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        """Return the venue's report of an order, or None if it never arrived."""
        order = self._orders.get(client_order_id)
        return order.report() if order is not None else None

    def open_orders(self) -> list[OrderStatusReport]:
        """Return every order still working at the venue."""
        return [o.report() for o in self._orders.values() if not o.status.is_terminal]

    def positions(self) -> list[PositionReport]:
        """Return the venue's non-zero positions, folded from its own fills."""
        return [
            PositionReport(p.symbol, p.quantity, p.avg_cost)
            for p in sorted(self._positions.values(), key=lambda p: p.symbol)
            if p.quantity
        ]

    def account(self) -> AccountReport:
        """Return cash and net liquidation (positions at the last trade or mid)."""
        value = ZERO
        for position in self._positions.values():
            mark = self._mark(position.symbol)
            if position.quantity and mark is not None:
                value += mark * position.quantity
        return AccountReport(self._cash, self._cash, self._cash + value)

    def _mark(self, symbol: str) -> Decimal | None:
        market = self._markets.get(symbol)
        if market is None:
            return None
        if market.last is not None:
            return market.last
        if market.bid is not None and market.ask is not None:
            return (market.bid + market.ask) / 2
        return None

    # --- market data ----------------------------------------------------------------------

    def on_market(self, record: MarketRecord) -> None:
        """Update the market of ``record``'s symbol and match the orders working on it.

        The first record of a new US Eastern trading date ends the previous date's session
        first, so a day order never survives into the next day even if nobody called
        :meth:`end_session`.
        """
        day_end = self._day_end_ns
        if day_end is None or record.ts_event >= day_end:
            self._roll_day(record.ts_event)
        market = self._markets.get(record.symbol)
        if market is None:
            market = self._markets[record.symbol] = VenueBook(record.symbol)
        if isinstance(record, QuoteTick):
            market.on_quote(record)
            self._on_touch(market)
        elif isinstance(record, TradeTick):
            market.last = record.price
            if self._working.get(record.symbol):
                self._on_print(market, record.price, record.size, record.size)
        elif isinstance(record, BookSnapshot):
            market.on_book(record)
            self._on_touch(market)
        elif isinstance(record, Bar):
            self._on_bar(market, record)

    def _on_bar(self, market: VenueBook, bar: Bar) -> None:
        """Use a bar as prints along its assumed path, and as the touch when nothing better.

        Quotes or a book, when the symbol has them, stay the liquidity for market orders; the
        bar then only drives last-trade triggers and trade-through fills of resting limits.
        Either way our fills in one bar are capped by ``bar_participation`` of its volume.
        """
        cap = int(bar.volume * self._bar_participation)
        bars_only = not (market.has_quotes or market.has_book)
        if bars_only and bar.symbol in self._instruments:
            market.has_bars = True
            instrument = self._instruments.get(bar.symbol)
            half = bar.close * self._bar_half_spread
            market.set_touch(
                instrument.round_price(bar.close - half, "down"),
                instrument.round_price(bar.close + half, "up"),
                cap,
                cap,
            )
        # The path inside the bar is unknown: assume the usual open→low→high→close for an up
        # bar and open→high→low→close for a down bar.
        path = (
            (bar.open, bar.low, bar.high, bar.close)
            if bar.close >= bar.open
            else (bar.open, bar.high, bar.low, bar.close)
        )
        buy_room = sell_room = cap
        previous = None
        for price in path:
            market.last = price
            if price == previous or not self._working.get(bar.symbol):
                continue
            previous = price
            if bars_only:  # the synthetic touch and the prints share one cap per side
                buy_room, sell_room = market.ask_avail, market.bid_avail
            used_buy, used_sell = self._on_print(market, price, buy_room, sell_room)
            buy_room -= used_buy
            sell_room -= used_sell
            if bars_only:
                market.ask_avail, market.bid_avail = buy_room, sell_room
        if bars_only:
            self._on_touch(market)

    def observed(self, record: MarketRecord) -> MarketRecord:
        """Return ``record`` as the market looks with our own impact on it.

        With the overlay on, the venue matches against prices shifted by our own volume; the
        node publishes this view so algorithms, marks and TCA see the prices the venue trades
        at, not the recorded ones. With the overlay off (or no shift) the record is returned
        unchanged.
        """
        if not self._impact_on or record.symbol not in self._instruments:
            return record
        shift = self._offset(record.symbol)
        if not shift:
            return record
        if isinstance(record, QuoteTick):
            return replace(record, bid=record.bid + shift, ask=record.ask + shift)
        if isinstance(record, TradeTick):
            return replace(record, price=record.price + shift)
        if isinstance(record, Bar):
            return replace(
                record,
                open=record.open + shift,
                high=record.high + shift,
                low=record.low + shift,
                close=record.close + shift,
            )
        return replace(
            record,
            bids=tuple(BookLevel(lv.price + shift, lv.size) for lv in record.bids),
            asks=tuple(BookLevel(lv.price + shift, lv.size) for lv in record.asks),
        )

    # --- matching -------------------------------------------------------------------------

    def _offset(self, symbol: str) -> Decimal:
        if not self._impact_on:
            return ZERO
        tick = self._instruments.get(symbol).tick_size
        return self._overlay.offset(symbol, self._clock.timestamp_ns(), tick)

    def _on_touch(self, market: VenueBook) -> None:
        """React to a new touch or book: bid/ask triggers, waiting market orders, crossings."""
        orders = self._working.get(market.symbol)
        if not orders:
            return
        off = self._offset(market.symbol)
        for order in list(orders):
            if order.status.is_terminal:
                continue
            if not order.active:
                if order.trigger_source is TriggerSource.BID_ASK:
                    touch = market.opposite_touch(order.side)
                    if touch is not None:
                        self._check_trigger(order, market, touch + off, off)
            elif order.limit is None:
                self._take(order, market, off, None, None)
            else:
                self._take(order, market, off, order.limit, order.limit)
                if order.leaves:
                    self._cap_queue(order, market, off)

    def _on_print(
        self, market: VenueBook, raw_price: Decimal, buy_budget: int, sell_budget: int
    ) -> tuple[int, int]:
        """React to a print of ``raw_price``; return shares filled for buys and for sells.

        Each side may fill at most its budget (the print's size, or a bar's remaining cap).
        """
        orders = self._working.get(market.symbol)
        if not orders:
            return 0, 0
        off = self._offset(market.symbol)
        price = raw_price + off
        used = {Side.BUY: 0, Side.SELL: 0}
        budgets = {Side.BUY: buy_budget, Side.SELL: sell_budget}
        tape_only = not market.has_liquidity_data
        for order in list(orders):
            if order.status.is_terminal:
                continue
            if not order.active:
                if order.trigger_source is TriggerSource.LAST:
                    self._check_trigger(order, market, price, off)
                continue
            side = order.side
            room = budgets[side] - used[side]
            if room <= 0:
                continue
            limit = order.limit
            if limit is None:
                if tape_only:  # no quotes at all: a market order takes the prints
                    qty = min(order.leaves, room)
                    self._fill(order, qty, price, _TAKER)
                    used[side] += qty
                continue
            through = price < limit if side is _BUY else price > limit
            if through:
                qty = min(order.leaves, room)
            elif price == limit:
                ahead = order.queue_ahead
                if ahead is None:  # unknown queue: assume the whole print went ahead of us
                    continue
                qty = min(order.leaves, room, max(0, budgets[side] - ahead))
                order.queue_ahead = max(0, ahead - budgets[side])
            else:
                continue
            if qty > 0:
                self._fill(order, qty, limit, _MAKER)
                used[side] += qty
        return used[Side.BUY], used[Side.SELL]

    def _check_trigger(
        self, order: SimOrder, market: VenueBook, reference: Decimal, off: Decimal
    ) -> None:
        side = order.side
        spec = order.spec
        if spec.order_type is OrderType.TRAILING_STOP:
            order.extreme = new_extreme(side, order.extreme, reference)
            order.stop = trail_stop(side, order.extreme, spec.trail_amount, spec.trail_bps)
        stop = order.stop
        if stop is None or not stop_triggered(side, stop, reference):
            return
        order.active = True
        order.status = OrderStatus.TRIGGERED
        if spec.order_type in _STOP_TYPES:
            order.limit = None
        now = self._clock.timestamp_ns()
        self._emit(OrderTriggered(spec.client_order_id, now, now, reference))
        self._activate(order, market, off)

    def _activate(self, order: SimOrder, market: VenueBook, off: Decimal) -> None:
        """Start matching an order that just arrived or triggered (time in force applies now)."""
        tif = order.time_in_force
        if tif is TimeInForce.FOK:
            available = self._available(order, market, off)
            if available < order.leaves:
                self._cancel(order, f"fok: only {available} of {order.leaves} available")
                return
        self._take(order, market, off, order.limit, None)
        if order.filled >= order.quantity:
            return
        if tif is TimeInForce.IOC or tif is TimeInForce.FOK:
            self._cancel(order, f"{tif.value}: {order.leaves} unfilled")
            return
        if order.limit is not None:
            order.queue_ahead = market.queue_cap(order.side, order.limit - off)
        self._rest(order)

    def _rest(self, order: SimOrder) -> None:
        orders = self._working.get(order.symbol)
        if orders is None:
            self._working[order.symbol] = [order]
        elif order not in orders:
            orders.append(order)

    def _cap_queue(self, order: SimOrder, market: VenueBook, off: Decimal) -> None:
        assert order.limit is not None
        cap = market.queue_cap(order.side, order.limit - off)
        if cap is not None and (order.queue_ahead is None or cap < order.queue_ahead):
            order.queue_ahead = cap

    def _available(self, order: SimOrder, market: VenueBook, off: Decimal) -> int:
        limit = order.limit
        total = 0
        for raw, shares in market.levels(order.side):
            price = raw + off
            if limit is not None and (price > limit if order.side is _BUY else price < limit):
                break
            total += shares
        return total

    def _take(
        self,
        order: SimOrder,
        market: VenueBook,
        off: Decimal,
        limit: Decimal | None,
        maker_price: Decimal | None,
    ) -> None:
        """Take displayed liquidity up to ``limit``; price at the level, or ``maker_price``.

        A resting limit order crossed by the opposite touch fills at its own limit
        (``maker_price``): it was there first, the crossing side came to it.
        """
        side = order.side
        leaves = order.quantity - order.filled
        for raw, shares in market.levels(side):
            price = raw + off if off else raw
            if limit is not None and (price > limit if side is _BUY else price < limit):
                return
            if shares <= 0:
                continue
            qty = shares if shares < leaves else leaves
            market.consume(side, raw, qty)
            if maker_price is None:
                self._fill(order, qty, price, _TAKER)
            else:
                self._fill(order, qty, maker_price, _MAKER)
            leaves -= qty
            if not leaves:
                return

    def _fill(self, order: SimOrder, qty: int, price: Decimal, liquidity: LiquiditySide) -> None:
        now = self._clock.timestamp_ns()
        order.filled += qty
        notional = price * qty
        order.notional += notional
        commission = self._commission * qty
        event = OrderFilled(
            order.spec.client_order_id,
            now,
            now,
            self._ids.trade_id(),
            order.venue_order_id or "",
            order.symbol,
            order.side,
            qty,
            price,
            commission,
            liquidity,
        )
        order.fills.append(event)
        position = self._positions.get(order.symbol)
        if position is None:
            position = self._positions[order.symbol] = Position(order.symbol)
        position.apply_fill(event.trade_id, order.side, qty, price, commission)
        if order.side is _BUY:
            self._cash -= notional + commission
        else:
            self._cash += notional - commission
        if order.filled >= order.quantity:
            order.status = OrderStatus.FILLED
            if order.symbol in self._working:
                self._unwork(order)
        else:
            order.status = OrderStatus.PARTIALLY_FILLED
        if self._impact_on:
            self._overlay.on_fill(order.symbol, order.side, qty, price, now)
        self._emit(event)

    def _unwork(self, order: SimOrder) -> None:
        orders = self._working.get(order.symbol)
        if orders and order in orders:
            orders.remove(order)

    # --- arrivals at the venue -------------------------------------------------------------

    def _arrive(self, spec: OrderSpec) -> None:
        cid = spec.client_order_id
        if cid in self._orders:
            return  # the same client order id again: idempotent, the venue has it already
        now = self._clock.timestamp_ns()
        reason = self._refusal(spec)
        if reason is not None:
            order = SimOrder(spec, None)
            order.status = OrderStatus.REJECTED
            self._orders[cid] = order
            self._emit(OrderRejected(cid, now, now, reason))
            return
        order = SimOrder(spec, self._ids.venue_order_id())
        self._orders[cid] = order
        self._emit(OrderAccepted(cid, now, now, order.venue_order_id or ""))
        market = self._markets.get(spec.symbol)
        if market is None:
            market = self._markets[spec.symbol] = VenueBook(spec.symbol)
        off = self._offset(spec.symbol) if self._impact_on else ZERO
        if order.active:
            self._activate(order, market, off)
            return
        self._rest(order)
        if spec.trigger_source is TriggerSource.LAST:
            reference = market.last
        else:
            reference = market.opposite_touch(order.side)
        if reference is not None:
            self._check_trigger(order, market, reference + off, off)

    def _refusal(self, spec: OrderSpec) -> str | None:
        try:
            spec.validate(self._instruments.get(spec.symbol))
        except UnknownInstrumentError:
            return f"unknown symbol {spec.symbol!r}"
        except InputError as exc:
            return str(exc)
        return None

    def _arrive_cancel(self, client_order_id: str) -> None:
        order = self._orders.get(client_order_id)
        now = self._clock.timestamp_ns()
        cid = ClientOrderId(client_order_id)
        if order is None:
            self._emit(OrderCancelRejected(cid, now, now, "unknown order"))
        elif order.status.is_terminal:
            self._emit(OrderCancelRejected(cid, now, now, f"order already {order.status.value}"))
        else:
            self._cancel(order, "cancelled on request")

    def _cancel(self, order: SimOrder, reason: str) -> None:
        now = self._clock.timestamp_ns()
        order.status = OrderStatus.CANCELLED
        self._unwork(order)
        self._emit(OrderCancelled(order.spec.client_order_id, now, now, reason))

    def _arrive_modify(self, request: tuple[str, int, Decimal | None, Decimal | None]) -> None:
        client_order_id, quantity, limit, stop = request
        cid = ClientOrderId(client_order_id)
        now = self._clock.timestamp_ns()
        order = self._orders.get(client_order_id)
        reason = self._modify_refusal(order, quantity, limit, stop)
        if reason is not None or order is None:
            self._emit(OrderModifyRejected(cid, now, now, reason or "unknown order"))
            return
        new_limit = limit if limit is not None else order.limit
        new_stop = stop if stop is not None else order.stop
        reprice = new_limit != order.limit or quantity > order.quantity
        order.quantity, order.limit = quantity, new_limit
        if order.spec.order_type is not OrderType.TRAILING_STOP:
            order.stop = new_stop
        self._emit(OrderUpdated(cid, now, now, quantity, order.limit, order.stop))
        market = self._markets.get(order.symbol)
        if market is None:
            return
        off = self._offset(order.symbol)
        if not order.active:
            source = order.trigger_source
            reference = (
                market.last if source is TriggerSource.LAST else market.opposite_touch(order.side)
            )
            if reference is not None:
                self._check_trigger(order, market, reference + off, off)
        elif reprice and order.limit is not None:
            # A new price (or more shares) loses the queue place; a marketable price takes now.
            self._take(order, market, off, order.limit, None)
            if order.leaves:
                order.queue_ahead = market.queue_cap(order.side, order.limit - off)

    def _modify_refusal(
        self,
        order: SimOrder | None,
        quantity: int,
        limit: Decimal | None,
        stop: Decimal | None,
    ) -> str | None:
        if order is None:
            return "unknown order"
        if order.status.is_terminal:
            return f"order already {order.status.value}"
        instrument = self._instruments.get(order.symbol)
        order_type = order.spec.order_type
        try:
            instrument.check_quantity(quantity)
            if limit is not None:
                if order_type not in (OrderType.LIMIT, OrderType.STOP_LIMIT):
                    return f"limit_price is not used by a {order_type.value} order"
                instrument.check_price(limit, "limit_price")
            if stop is not None:
                if order_type not in (OrderType.STOP, OrderType.STOP_LIMIT):
                    return f"stop_price is not used by a {order_type.value} order"
                if order.active:
                    return "stop_price cannot change once the stop has triggered"
                instrument.check_price(stop, "stop_price")
        except InputError as exc:
            return str(exc)
        if quantity <= order.filled:
            return f"quantity {quantity} must exceed the filled {order.filled}"
        return None

    # --- session --------------------------------------------------------------------------

    def _roll_day(self, ts_ns: int) -> None:
        if self._day_end_ns is not None:
            self.end_session(self._day_end_ns)
        self._day_end_ns = next_eastern_midnight_ns(ts_ns)

    def end_session(self, ts_ns: int) -> None:
        """Expire every working day order at the session end ``ts_ns``; GTC orders stay.

        Events still travelling back are delivered first, then the expiries, at once.
        """
        self._flush(None)
        now = self._clock.timestamp_ns()
        for orders in self._working.values():
            for order in list(orders):
                if order.time_in_force is TimeInForce.DAY and not order.status.is_terminal:
                    order.status = OrderStatus.EXPIRED
                    orders.remove(order)
                    self._deliver(OrderExpired(order.spec.client_order_id, ts_ns, now))

    # --- events back to us ------------------------------------------------------------------

    def _emit(self, event: OrderEvent) -> None:
        if not self._latency_ns:
            self._deliver(event)
            return
        at_ns = event.ts_event + self._latency_ns
        self._outbox.append((at_ns, event))
        self._clock.set_timer(f"{self.name}.events.{at_ns}", at_ns, self._flush)

    def _flush(self, at_ns: int | None) -> None:
        """Deliver queued events due by ``at_ns`` (all of them when None), stamped on arrival."""
        outbox = self._outbox
        now = self._clock.timestamp_ns()
        while outbox and (at_ns is None or outbox[0][0] <= at_ns):
            due, event = outbox.popleft()
            self._deliver(replace(event, ts_init=due if at_ns is not None else now))

    def _deliver(self, event: OrderEvent) -> None:
        if self._sink is not None:
            self._sink(event)
