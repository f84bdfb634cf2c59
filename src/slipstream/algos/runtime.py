"""A hosted parent order: its state, its children, and the context its algorithm acts through.

:class:`ParentRuntime` implements :class:`~slipstream.algos.template.AlgoContext` for one parent
on top of the engine that hosts it (:class:`~slipstream.algos.engine.AlgoEngine`): the engine
owns the parents and routes events; the runtime keeps one parent's facts (state, open children,
fill totals) and turns its algorithm's actions into OMS commands through the guards that hold
whatever the algorithm does (see the engine's docstring).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from slipstream.algos.market import SymbolView
from slipstream.algos.parent import ParentOrder
from slipstream.algos.template import ExecAlgorithm, MarketInputs
from slipstream.core.ids import ClientOrderId, ParentOrderId
from slipstream.model.commands import CancelOrder, SubmitOrder
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.events import OrderEvent, OrderFilled, OrderInitialized
from slipstream.model.instrument import Instrument
from slipstream.model.orders import Order
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.risk_gate import RiskGate

if TYPE_CHECKING:
    from slipstream.algos.engine import AlgoEngine

InputsSource = Callable[[str], MarketInputs | None]
ProfileSource = Callable[[str, int, int, int], Sequence[float] | None]


class OrderStoreView(Protocol):
    """The part of the OMS order store the engine reads."""

    def get(self, client_order_id: str) -> Order | None:
        """Return the order or None."""
        ...


class OrderGateway(Protocol):
    """The part of the OMS the engine commands (``OrderManager`` satisfies it)."""

    @property
    def store(self) -> OrderStoreView:
        """Return the order store."""
        ...

    @property
    def risk(self) -> RiskGate:
        """Return the pre-trade risk gate (parents are checked when offered)."""
        ...

    def submit(self, command: SubmitOrder) -> Order:
        """Place a new order."""
        ...

    def cancel(self, command: CancelOrder) -> bool:
        """Request a cancel."""
        ...


class ParentState(StrEnum):
    """Where a parent order is in its lifecycle."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETING = "completing"
    CANCELLING = "cancelling"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DENIED = "denied"

    @property
    def is_done(self) -> bool:
        """Return whether the parent has finished for good."""
        return self in (ParentState.COMPLETED, ParentState.CANCELLED, ParentState.DENIED)


@dataclass(frozen=True, slots=True)
class ParentSummary:
    """A snapshot of a parent's progress for reports and the CLI."""

    parent_id: ParentOrderId
    symbol: str
    side: Side
    quantity: int
    algo: str
    state: ParentState
    filled_qty: int
    working_qty: int
    avg_px: Decimal | None
    children: int
    reason: str


class ParentRuntime:
    """One hosted parent: implements the :class:`AlgoContext` its algorithm acts through."""

    def __init__(
        self,
        engine: AlgoEngine,
        parent: ParentOrder,
        instrument: Instrument,
        market: SymbolView,
        inputs: MarketInputs | None,
    ) -> None:
        self._engine = engine
        self._parent = parent
        self._instrument = instrument
        self._market = market
        self._inputs = inputs
        self.state = ParentState.ACTIVE
        self.reason = ""
        self.children: list[ClientOrderId] = []
        # Folded from the child events the OMS publishes (each applied exactly once), so the
        # hot path never rescans every child: open children by id, and running fill totals.
        self.open: dict[str, Order] = {}
        self.filled = 0
        self.filled_value = Decimal(0)
        self.timer_name = f"algo:{parent.parent_id}"
        # A do-nothing placeholder until the engine builds the real algorithm with this context.
        self.algo: ExecAlgorithm = ExecAlgorithm(self)

    # -- read-only state -------------------------------------------------------------------

    @property
    def parent(self) -> ParentOrder:
        return self._parent

    @property
    def instrument(self) -> Instrument:
        return self._instrument

    @property
    def market(self) -> SymbolView:
        return self._market

    @property
    def inputs(self) -> MarketInputs | None:
        return self._inputs

    @property
    def filled_qty(self) -> int:
        return self.filled

    @property
    def working_qty(self) -> int:
        return sum(o.leaves_qty for o in self.open.values())

    def working_children(self) -> list[Order]:
        return list(self.open.values())

    def parent_replaced(self, parent: ParentOrder) -> None:
        """Work ``parent`` (an amended copy of the same parent) from now on."""
        self._parent = parent

    def on_child_event(self, event: OrderEvent, order: Order) -> None:
        """Fold one child event into the open set and the fill totals."""
        if isinstance(event, OrderInitialized):
            self.open[order.client_order_id] = order
        elif isinstance(event, OrderFilled):
            self.filled += event.last_qty
            self.filled_value += event.last_px * event.last_qty
        if order.status.is_terminal:
            self.open.pop(order.client_order_id, None)

    def now_ns(self) -> int:
        return self._engine.clock.timestamp_ns()

    def volume_profile(self, slices: int) -> list[float] | None:
        source = self._engine.profile_source
        if source is None:
            return None
        p = self._parent
        weights = source(p.symbol, p.start_ns, p.end_ns, slices)
        return None if weights is None else [float(w) for w in weights]

    # -- actions ---------------------------------------------------------------------------

    def submit_child(
        self,
        quantity: int,
        order_type: OrderType = OrderType.LIMIT,
        limit_price: Decimal | None = None,
        time_in_force: TimeInForce = TimeInForce.DAY,
    ) -> ClientOrderId | None:
        if self.state is not ParentState.ACTIVE:
            return None
        p = self._parent
        room = p.quantity - self.filled_qty - self.working_qty
        quantity = min(quantity, room // self._instrument.lot_size * self._instrument.lot_size)
        if quantity <= 0:
            return None
        cap = p.limit_price
        if cap is not None:
            if order_type is OrderType.MARKET:
                order_type, limit_price = OrderType.LIMIT, cap
            elif limit_price is not None:
                limit_price = min(limit_price, cap) if p.side is Side.BUY else max(limit_price, cap)
        engine = self._engine
        child_id = engine.ids.child_order_id(p.parent_id)
        # Register before submitting: the OMS may publish the child's events synchronously.
        engine.owner[child_id] = self
        self.children.append(child_id)
        spec = OrderSpec(
            client_order_id=child_id,
            symbol=p.symbol,
            side=p.side,
            quantity=quantity,
            order_type=order_type,
            time_in_force=time_in_force,
            limit_price=limit_price,
            parent_id=p.parent_id,
        )
        engine.oms.submit(SubmitOrder(self.now_ns(), spec))
        return child_id

    def cancel_child(self, child_id: ClientOrderId) -> None:
        order = self._engine.oms.store.get(child_id)
        if order is None or order.status.is_terminal:
            return
        if order.status is OrderStatus.PENDING_CANCEL:
            return
        reason = f"algo {self._parent.parent_id}"
        self._engine.oms.cancel(CancelOrder(self.now_ns(), child_id, reason))

    def cancel_all_children(self) -> None:
        for child in self.working_children():
            self.cancel_child(child.client_order_id)

    def set_timer(self, at_ns: int) -> None:
        if self.state is ParentState.ACTIVE:
            self._engine.clock.set_timer(self.timer_name, at_ns, self._on_timer)

    def _on_timer(self, ts_ns: int) -> None:
        if self.state is ParentState.ACTIVE:
            self.algo.on_timer(ts_ns)

    def complete(self, reason: str) -> None:
        self._engine.finish(self, ParentState.COMPLETING, reason)

    def summary(self) -> ParentSummary:
        p = self._parent
        return ParentSummary(
            p.parent_id,
            p.symbol,
            p.side,
            p.quantity,
            p.algo,
            self.state,
            self.filled,
            self.working_qty,
            self.filled_value / self.filled if self.filled else None,
            len(self.children),
            self.reason,
        )
