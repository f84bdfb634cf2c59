"""The algorithm template: optional hooks, a few actions, and the schedule-following loop.

An algorithm never calls a broker and never reads the wall clock: it reacts to hooks
(``on_start``, ``on_timer``, ``on_quote``, ``on_trade``, ``on_bar``, ``on_child_filled``,
``on_child_done``, ``on_pause``, ``on_resume``) and acts through its :class:`AlgoContext`
(``submit_child``, ``cancel_child``, ``set_timer``, ``complete``), which the
:class:`~slipstream.algos.engine.AlgoEngine` implements on top of the OMS, so every child takes
the one path through risk and the journal.

:class:`ScheduleFollower` is the loop that TWAP, VWAP, POV, Implementation Shortfall and Iceberg
share. At each decision it asks the subclass for the cumulative target, prices the child with
:mod:`~slipstream.algos.pricing`, sizes it with :mod:`~slipstream.algos.sizing`, cancels stale
children, and **sends nothing while a cancel is in flight**: the shares of a child being
cancelled still count as working until the venue confirms, so filled + working never exceeds the
parent even when the cancel loses the race with a fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Protocol

from slipstream.algos.market import SymbolView
from slipstream.algos.params import AlgoParams, P, SlicedParams
from slipstream.algos.parent import ParentOrder
from slipstream.algos.pricing import (
    CROSS_TIME_LEFT,
    PriceDecision,
    aggression,
    is_stale,
    limit_price,
)
from slipstream.algos.schedule import (
    cumulative_fraction,
    slice_index,
    slice_start_ns,
    target_quantity,
)
from slipstream.algos.sizing import SizingInputs, child_quantity
from slipstream.core.errors import InputError
from slipstream.core.ids import ClientOrderId
from slipstream.core.timestamps import NS_PER_SEC
from slipstream.impact import sqrt_cost_bps
from slipstream.impact.square_root import TAPE_CALIBRATED_Y
from slipstream.model.enums import OrderStatus, OrderType, TimeInForce
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import Instrument
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.model.orders import Order


@dataclass(frozen=True, slots=True)
class MarketInputs:
    """Daily statistics of a symbol that models need (from history, not from the live feed).

    Attributes
    ----------
    price : reference price, $/share
    adv : average daily volume, shares
    sigma_daily : daily volatility of returns, a fraction (0.02 = 2 %)
    spread_bps : typical quoted spread, bps of the price
    """

    price: float
    adv: float
    sigma_daily: float
    spread_bps: float


class AlgoContext(Protocol):
    """The actions and the read-only state an algorithm is given."""

    @property
    def parent(self) -> ParentOrder:
        """Return the parent order being worked."""
        ...

    @property
    def instrument(self) -> Instrument:
        """Return the instrument (tick, lot, minimum notional)."""
        ...

    @property
    def market(self) -> SymbolView:
        """Return the live market state of the parent's symbol."""
        ...

    @property
    def inputs(self) -> MarketInputs | None:
        """Return the daily statistics of the symbol, when known."""
        ...

    @property
    def filled_qty(self) -> int:
        """Return the shares filled across every child."""
        ...

    @property
    def working_qty(self) -> int:
        """Return the open shares of every non-terminal child (including pending cancels)."""
        ...

    def now_ns(self) -> int:
        """Return the current time, UTC nanoseconds."""
        ...

    def working_children(self) -> list[Order]:
        """Return the non-terminal children, oldest first."""
        ...

    def volume_profile(self, slices: int) -> list[float] | None:
        """Return the expected share of volume in each of ``slices`` equal slices, if known."""
        ...

    def submit_child(
        self,
        quantity: int,
        order_type: OrderType = OrderType.LIMIT,
        limit_price: Decimal | None = None,
        time_in_force: TimeInForce = TimeInForce.DAY,
    ) -> ClientOrderId | None:
        """Send a child through the OMS; return its id, or None if nothing could be sent."""
        ...

    def cancel_child(self, child_id: ClientOrderId) -> None:
        """Ask the OMS to cancel a working child."""
        ...

    def set_timer(self, at_ns: int) -> None:
        """Call ``on_timer`` at ``at_ns`` (replacing the algorithm's pending timer)."""
        ...

    def complete(self, reason: str) -> None:
        """Finish the parent: cancel working children, then publish ParentCompleted."""
        ...


class ExecAlgorithm:
    """Base of every algorithm: every hook is optional."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[AlgoParams]] = AlgoParams

    def __init__(self, ctx: AlgoContext) -> None:
        self.ctx = ctx

    def on_start(self) -> None:
        """Begin working the parent."""

    def on_timer(self, ts_ns: int) -> None:
        """React to the timer set with ``ctx.set_timer``."""

    def on_quote(self, quote: QuoteTick) -> None:
        """React to a new top of book in the parent's symbol."""

    def on_trade(self, trade: TradeTick) -> None:
        """React to a print in the parent's symbol."""

    def on_bar(self, bar: Bar) -> None:
        """React to a bar in the parent's symbol."""

    def on_child_filled(self, fill: OrderFilled) -> None:
        """React to a fill of one of the parent's children."""

    def on_child_done(self, child: Order) -> None:
        """React to a child reaching a terminal state (filled, cancelled, denied, ...)."""

    def on_pause(self) -> None:
        """React to the parent being paused (the engine has cancelled the children)."""

    def on_resume(self) -> None:
        """React to the parent being resumed."""


class ScheduleFollower(ExecAlgorithm):
    """Keep cumulative fills on a cumulative target; subclasses say what the target is."""

    def __init__(self, ctx: AlgoContext) -> None:
        super().__init__(ctx)
        self.params = ctx.parent.params
        self._deciding = False

    # -- what subclasses define ------------------------------------------------------------

    def target_qty(self, now_ns: int) -> int:
        """Return the whole-lot quantity that should be filled by ``now_ns``."""
        raise NotImplementedError

    def child_unit(self, now_ns: int) -> float:
        """Return the size of a typical child, shares (the unit of "behind schedule")."""
        raise NotImplementedError

    def next_check_ns(self, now_ns: int) -> int:
        """Return when to decide again (default: one interval later)."""
        return now_ns + int(self.params.interval_secs * NS_PER_SEC)

    def price(self, behind: float, time_left: float) -> PriceDecision:
        """Return the child price for ``behind`` typical children overdue (adaptive pricing)."""
        ctx = self.ctx
        assert ctx.market.bid is not None and ctx.market.ask is not None
        level = aggression(ctx.parent.urgency, behind, time_left)
        return limit_price(
            ctx.instrument,
            ctx.parent.side,
            ctx.market.bid,
            ctx.market.ask,
            level,
            ctx.parent.limit_price,
        )

    def impact_forecast(self) -> Callable[[int], float] | None:
        """Return the square-root impact (bps) of a child of ``q`` shares, or None (no budget)."""
        inputs = self.ctx.inputs
        if inputs is None or self.params.impact_budget_bps is None:
            return None
        return lambda q: sqrt_cost_bps(
            max(q, 1) / inputs.adv, inputs.sigma_daily, TAPE_CALIBRATED_Y
        )

    # -- hooks -----------------------------------------------------------------------------

    def on_start(self) -> None:
        self.decide()

    def on_timer(self, ts_ns: int) -> None:
        self.decide()

    def on_resume(self) -> None:
        self.decide()

    def on_child_filled(self, fill: OrderFilled) -> None:
        if self.ctx.filled_qty >= self.ctx.parent.quantity:
            self.ctx.complete("filled")

    def on_child_done(self, child: Order) -> None:
        # A confirmed cancel or a completed child frees room: decide now (an iceberg refills,
        # a replacement goes out) rather than at the next timer. Denials and rejections wait
        # for the timer, so a refusing gate or venue is not hammered.
        if child.status in (OrderStatus.CANCELLED, OrderStatus.FILLED):
            self.decide()

    # -- the loop --------------------------------------------------------------------------

    def decide(self) -> None:
        """Run one decision, unless one is already running further up the stack."""
        # The OMS may answer a child synchronously (a denial, a fill on an instant venue)
        # and call back into this algorithm while it is still deciding.
        if self._deciding:
            return
        self._deciding = True
        try:
            self._step(self.ctx.now_ns())
        finally:
            self._deciding = False

    def _step(self, now: int) -> None:
        ctx, parent = self.ctx, self.ctx.parent
        if now < parent.start_ns:
            ctx.set_timer(parent.start_ns)
            return
        filled = ctx.filled_qty
        if filled >= parent.quantity:
            ctx.complete("filled")
            return
        if now >= parent.end_ns:
            ctx.complete("end_time")
            return
        # Also decide as the final stretch begins, when pricing turns to crossing (see pricing).
        sweep_ns = parent.end_ns - int(parent.duration_ns * CROSS_TIME_LEFT)
        next_ns = min(self.next_check_ns(now), parent.end_ns)
        ctx.set_timer(min(next_ns, sweep_ns) if now < sweep_ns else next_ns)
        market = ctx.market
        if market.bid is None or market.ask is None:
            return  # no touch to price against yet
        due = self.target_qty(now) - filled
        unit = max(self.child_unit(now), float(ctx.instrument.lot_size))
        decision = self.price(due / unit, (parent.end_ns - now) / parent.duration_ns)
        children = ctx.working_children()  # Order objects: their status updates in place
        for child in children:
            if (
                child.status is not OrderStatus.PENDING_CANCEL
                and child.limit_price is not None
                and is_stale(ctx.instrument, parent.side, child.limit_price, decision.limit_price)
            ):
                ctx.cancel_child(child.client_order_id)
        if any(c.status is OrderStatus.PENDING_CANCEL for c in children):
            return  # the replacement waits for the venue to confirm the cancel
        working = ctx.working_qty
        qty = child_quantity(
            SizingInputs(
                need=due - working,
                remaining=parent.quantity - filled - working,
                lot_size=ctx.instrument.lot_size,
                price=decision.limit_price,
                min_notional=ctx.instrument.min_notional,
                crossing=decision.crossing,
                far_size=market.ask_size if parent.side.sign > 0 else market.bid_size,
                volume_rate=market.volume_rate(),
                interval_secs=self.params.interval_secs,
                max_participation=self.params.max_participation,
                impact_bps=self.impact_forecast(),
                impact_budget_bps=self.params.impact_budget_bps,
            )
        )
        if qty > 0:
            ctx.submit_child(qty, OrderType.LIMIT, decision.limit_price, TimeInForce.DAY)


class SlicedSchedule(ScheduleFollower):
    """A schedule of ``N`` equal slices with cumulative fractions fixed at the start.

    Subclasses only build the fractions (TWAP: equal; VWAP: the volume profile; IS: the
    Almgren–Chriss trajectory); the target, the typical child and the decision times follow.
    """

    params: SlicedParams

    def __init__(self, ctx: AlgoContext) -> None:
        super().__init__(ctx)
        self.params = expect_params(ctx.parent, SlicedParams)
        self.fractions = self.build_fractions()

    def build_fractions(self) -> list[float]:
        """Return the ``N`` cumulative fractions of the parent due once each slice starts."""
        raise NotImplementedError

    def _slice(self, now_ns: int) -> int:
        p = self.ctx.parent
        return slice_index(p.start_ns, p.end_ns, len(self.fractions), now_ns)

    def target_qty(self, now_ns: int) -> int:
        p = self.ctx.parent
        fraction = cumulative_fraction(self.fractions, p.start_ns, p.end_ns, now_ns)
        return target_quantity(p.quantity, fraction, self.ctx.instrument.lot_size)

    def child_unit(self, now_ns: int) -> float:
        k = min(max(self._slice(now_ns), 0), len(self.fractions) - 1)
        step = self.fractions[k] - (self.fractions[k - 1] if k else 0.0)
        return self.ctx.parent.quantity * step

    def next_check_ns(self, now_ns: int) -> int:
        p = self.ctx.parent
        boundary = slice_start_ns(
            p.start_ns, p.end_ns, len(self.fractions), self._slice(now_ns) + 1
        )
        return min(super().next_check_ns(now_ns), boundary)


def expect_params(parent: ParentOrder, cls: type[P]) -> P:
    """Return the parent's params as ``cls``, refusing parameters built for another algorithm."""
    if not isinstance(parent.params, cls):
        raise InputError(
            "params", type(parent.params).__name__, f"algo {parent.algo!r} needs {cls.__name__}"
        )
    return parent.params
