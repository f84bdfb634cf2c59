"""Real-time cost attribution: every child fill updates its parent's running cost, on the bus.

:class:`RealTimeAttribution` listens on the :class:`~slipstream.core.bus.MessageBus` for quotes
and trades (to know the mid and the interval VWAP), for ``OrderInitialized`` of children (the
first child of a parent fixes its arrival price: the mid at that moment) and for
``OrderFilled``. After every fill it publishes a :class:`ParentCostUpdated` keyed by the parent
id, so a dashboard or the working algorithm can subscribe to one parent.

The running shortfall is the implementation shortfall as if the order stopped now: executed
shares at their fills, unexecuted shares marked at the current mid (the end price of the
post-trade report is not known yet). It is computed by the same exact function as the
post-trade report, so the last update of a completed parent equals the report's figure when
the same prices are used.

Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by side;
the shortfall in bps of the paper portfolio (decision price × intended quantity).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.schema import journal_record
from slipstream.model.events import OrderFilled, OrderInitialized
from slipstream.model.market import QuoteTick, TradeTick
from slipstream.tca.conventions import BPS
from slipstream.tca.records import ParentRecord
from slipstream.tca.shortfall import implementation_shortfall


@journal_record("tca.parent_cost_updated", version=1)
@dataclass(frozen=True, slots=True)
class ParentCostUpdated:
    """A parent's running cost after a fill.

    Sign convention: cost > 0, improvement < 0, signed by side. ``shortfall_bps`` is in bps of
    the paper portfolio (decision price × intended quantity); ``arrival_slippage_bps`` and
    ``vwap_slippage_bps`` are in bps of the executed shares' notional at the benchmark
    (arrival mid, market VWAP since arrival). ``vwap_slippage_bps`` is None until the market
    has printed volume since arrival.
    """

    parent_id: str
    symbol: str
    ts_event: int
    ts_init: int
    executed_qty: int
    intended_qty: int
    avg_price: Decimal
    decision_price: Decimal
    arrival_price: Decimal
    shortfall_usd: Decimal
    shortfall_bps: float
    arrival_slippage_bps: float
    interval_vwap: float | None
    vwap_slippage_bps: float | None

    @property
    def bus_key(self) -> str:
        """Return the key the bus matches keyed subscriptions against (the parent id)."""
        return self.parent_id


@dataclass(slots=True)
class _TapeTotals:
    """Running totals of one symbol's market prints, so VWAP since any instant is O(1)."""

    value: float = 0.0
    volume: int = 0


@dataclass(slots=True)
class _ParentState:
    parent_id: str
    symbol: str
    side_sign: int
    intended_qty: int | None
    decision_price: Decimal | None
    arrival_price: Decimal | None = None
    tape_at_arrival: tuple[float, int] = (0.0, 0)
    executed_qty: int = 0
    executed_value: Decimal = Decimal(0)
    executed_mid_value: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    trade_ids: set[str] = field(default_factory=set)


class RealTimeAttribution:
    """Keep each working parent's running cost and publish it after every child fill.

    ``parent_of(client_order_id)`` names the parent of a child (None for an order without a
    parent, whose fills are ignored here). ``parent_info(parent_id)``, or :meth:`track`, gives
    the parent's side, intended quantity and decision price; a parent known neither way is
    tracked from its fills alone (intended = executed so far, decision price = arrival), so
    its shortfall then covers the executed shares only.
    """

    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        parent_of: Callable[[str], str | None],
        parent_info: Callable[[str], ParentRecord | None] | None = None,
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._parent_of = parent_of
        self._parent_info = parent_info
        self._mids: dict[str, Decimal] = {}
        self._tape: dict[str, _TapeTotals] = {}
        self._parents: dict[str, _ParentState] = {}
        self._latest: dict[str, ParentCostUpdated] = {}
        bus.subscribe(QuoteTick, self._on_quote)
        bus.subscribe(TradeTick, self._on_trade)
        bus.subscribe(OrderInitialized, self._on_child_created)
        bus.subscribe(OrderFilled, self._on_fill)

    def track(self, parent: ParentRecord) -> None:
        """Start tracking ``parent`` (its decision price, if any, is used as given)."""
        self._parents[parent.parent_id] = _ParentState(
            parent.parent_id,
            parent.symbol,
            parent.side.sign,
            parent.quantity,
            parent.decision_price,
        )

    def latest(self, parent_id: str) -> ParentCostUpdated | None:
        """Return the last update published for ``parent_id``, if any."""
        return self._latest.get(parent_id)

    def _state(self, parent_id: str, symbol: str, side_sign: int) -> _ParentState:
        state = self._parents.get(parent_id)
        if state is None:
            info = self._parent_info(parent_id) if self._parent_info else None
            if info is not None:
                self.track(info)
                return self._parents[parent_id]
            state = _ParentState(parent_id, symbol, side_sign, None, None)
            self._parents[parent_id] = state
        return state

    def _fix_arrival(self, state: _ParentState, fallback: Decimal) -> None:
        if state.arrival_price is None:
            state.arrival_price = self._mids.get(state.symbol, fallback)
            tape = self._tape.get(state.symbol, _TapeTotals())
            state.tape_at_arrival = (tape.value, tape.volume)
        if state.decision_price is None:
            state.decision_price = state.arrival_price

    def _on_quote(self, quote: QuoteTick) -> None:
        self._mids[quote.symbol] = quote.mid

    def _on_trade(self, trade: TradeTick) -> None:
        tape = self._tape.setdefault(trade.symbol, _TapeTotals())
        tape.value += float(trade.price) * trade.size
        tape.volume += trade.size

    def _on_child_created(self, event: OrderInitialized) -> None:
        parent_id = event.spec.parent_id or self._parent_of(event.client_order_id)
        mid = self._mids.get(event.spec.symbol)
        if parent_id is None or mid is None:
            return
        self._fix_arrival(self._state(parent_id, event.spec.symbol, event.spec.side.sign), mid)

    def _on_fill(self, fill: OrderFilled) -> None:
        parent_id = self._parent_of(fill.client_order_id)
        if parent_id is None:
            return
        state = self._state(parent_id, fill.symbol, fill.side.sign)
        if fill.trade_id in state.trade_ids:
            return  # a duplicate execution report changes nothing
        state.trade_ids.add(fill.trade_id)
        self._fix_arrival(state, fill.last_px)
        mid = self._mids.get(fill.symbol, fill.last_px)
        state.executed_qty += fill.last_qty
        state.executed_value += fill.last_px * fill.last_qty
        state.executed_mid_value += mid * fill.last_qty
        state.fees += fill.commission
        self._publish(state, fill.ts_event, mid)

    def _publish(self, state: _ParentState, ts_event: int, mid: Decimal) -> None:
        assert state.arrival_price is not None and state.decision_price is not None
        intended = max(state.intended_qty or 0, state.executed_qty)
        breakdown = implementation_shortfall(
            side_sign=state.side_sign,
            intended_qty=intended,
            decision_price=state.decision_price,
            arrival_price=state.arrival_price,
            executed_qty=state.executed_qty,
            executed_value=state.executed_value,
            executed_mid_value=state.executed_mid_value,
            end_price=mid,
            fees=state.fees,
        )
        avg = state.executed_value / state.executed_qty
        arrival = float(state.arrival_price)
        tape = self._tape.get(state.symbol, _TapeTotals())
        volume = tape.volume - state.tape_at_arrival[1]
        vwap = (tape.value - state.tape_at_arrival[0]) / volume if volume > 0 else None
        update = ParentCostUpdated(
            parent_id=state.parent_id,
            symbol=state.symbol,
            ts_event=ts_event,
            ts_init=self._clock.timestamp_ns(),
            executed_qty=state.executed_qty,
            intended_qty=intended,
            avg_price=avg,
            decision_price=state.decision_price,
            arrival_price=state.arrival_price,
            shortfall_usd=breakdown.total_usd,
            shortfall_bps=breakdown.bps(breakdown.total_usd),
            arrival_slippage_bps=state.side_sign * (float(avg) - arrival) / arrival * BPS,
            interval_vwap=vwap,
            vwap_slippage_bps=(
                state.side_sign * (float(avg) - vwap) / vwap * BPS if vwap is not None else None
            ),
        )
        self._latest[state.parent_id] = update
        self._bus.publish(update)
