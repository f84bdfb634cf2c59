"""The order and its one state machine table.

``TRANSITIONS`` is the single source of truth for order state. A fill becomes ``FILL_PARTIAL``
or ``FILL_COMPLETE`` by whether it completes the order, so the table stays a pure mapping.
Where the destination is ``RESTORE`` the order goes back to the working state it had before
the pending request, derived from facts: partially filled if it has fills, else triggered if
triggered, else accepted if acknowledged, else submitted.

**One decision per event, and the order makes it.** :meth:`Order.decide` is the only code that
judges an event against the order: it belongs to this order, it is not a fill already counted
(same ``trade_id``: ``DUPLICATE``), a fill's quantity is positive and does not over-fill, and
the table has the edge. It changes nothing and answers the destination, ``DUPLICATE`` or a
:class:`Refusal` (the trigger, when the event stands for one, and the error). Folding is then
two ways into the same :meth:`Order.advance`:

* :meth:`Order.apply` decides and advances; it raises the refusal's
  :class:`~slipstream.core.errors.InvalidTransitionError` (the table test relies on it) and
  ignores a duplicate, so a fill replayed by a broker can never be counted twice.
* The OMS (``oms/manager.py``) decides first, because it must choose what to do with a refusal
  (drop an event the order has moved past, record an anomaly) *before* it journals the event,
  then journals it and advances with the destination it was given — nothing is checked twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from slipstream.core.errors import InvalidTransitionError
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus as S
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from slipstream.model.orders_spec import OrderSpec


class Trigger(StrEnum):
    """What can happen to an order."""

    DENY = "deny"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    CANCEL_REQUEST = "cancel_request"
    REPLACE_REQUEST = "replace_request"
    CANCEL_REJECT = "cancel_reject"
    REPLACE_REJECT = "replace_reject"
    REPLACE = "replace"
    TRIGGER = "trigger"
    FILL_PARTIAL = "fill_partial"
    FILL_COMPLETE = "fill_complete"
    CANCEL = "cancel"
    EXPIRE = "expire"


class _Restore(StrEnum):
    RESTORE = "restore"


RESTORE = _Restore.RESTORE
T = Trigger


class _Duplicate(StrEnum):
    DUPLICATE = "duplicate"


#: :meth:`Order.decide`'s answer for a fill the order has already counted: nothing to do.
DUPLICATE = _Duplicate.DUPLICATE

#: Where an event takes the order: a state, or ``RESTORE`` (the working state it left).
Destination = S | _Restore


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an event cannot be folded into an order in its state (:meth:`Order.decide`).

    ``trigger`` is what the event stands for (None when it is no order trigger, or belongs to
    another order); ``error`` is what :meth:`Order.apply` raises, and its message the reason.
    """

    trigger: Trigger | None
    error: InvalidTransitionError

    @property
    def reason(self) -> str:
        """Return the refusal as a sentence (the error's message)."""
        return str(self.error)


_WORKING_EDGES: dict[Trigger, S | _Restore] = {
    T.CANCEL_REQUEST: S.PENDING_CANCEL,
    T.REPLACE_REQUEST: S.PENDING_REPLACE,
    T.FILL_PARTIAL: S.PARTIALLY_FILLED,
    T.FILL_COMPLETE: S.FILLED,
    T.CANCEL: S.CANCELLED,
    T.EXPIRE: S.EXPIRED,
}

#: (state, trigger) -> next state. The one table; every pair not listed is an error.
TRANSITIONS: dict[tuple[S, Trigger], S | _Restore] = {
    (S.INITIALIZED, T.DENY): S.DENIED,
    (S.INITIALIZED, T.SUBMIT): S.SUBMITTED,
    (S.INITIALIZED, T.CANCEL): S.CANCELLED,
    (S.SUBMITTED, T.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, T.REJECT): S.REJECTED,
    (S.SUBMITTED, T.TRIGGER): S.TRIGGERED,
    **{(S.SUBMITTED, t): s for t, s in _WORKING_EDGES.items()},
    **{(S.ACCEPTED, t): s for t, s in _WORKING_EDGES.items()},
    (S.ACCEPTED, T.TRIGGER): S.TRIGGERED,
    (S.ACCEPTED, T.REPLACE): S.ACCEPTED,
    **{(S.TRIGGERED, t): s for t, s in _WORKING_EDGES.items()},
    (S.TRIGGERED, T.REPLACE): S.TRIGGERED,
    **{(S.PARTIALLY_FILLED, t): s for t, s in _WORKING_EDGES.items()},
    (S.PARTIALLY_FILLED, T.REPLACE): S.PARTIALLY_FILLED,
    # A cancel is in flight: fills may still arrive; the venue confirms or refuses.
    (S.PENDING_CANCEL, T.ACCEPT): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.TRIGGER): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.FILL_PARTIAL): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.FILL_COMPLETE): S.FILLED,
    (S.PENDING_CANCEL, T.CANCEL): S.CANCELLED,
    (S.PENDING_CANCEL, T.CANCEL_REJECT): RESTORE,
    (S.PENDING_CANCEL, T.EXPIRE): S.EXPIRED,
    # A modify is in flight.
    (S.PENDING_REPLACE, T.ACCEPT): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.TRIGGER): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.FILL_PARTIAL): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.FILL_COMPLETE): S.FILLED,
    (S.PENDING_REPLACE, T.REPLACE): RESTORE,
    (S.PENDING_REPLACE, T.REPLACE_REJECT): RESTORE,
    (S.PENDING_REPLACE, T.CANCEL_REQUEST): S.PENDING_CANCEL,
    (S.PENDING_REPLACE, T.CANCEL): S.CANCELLED,
    (S.PENDING_REPLACE, T.EXPIRE): S.EXPIRED,
    # A fill the venue made before it cancelled/expired the order, reported late.
    (S.CANCELLED, T.FILL_PARTIAL): S.CANCELLED,
    (S.CANCELLED, T.FILL_COMPLETE): S.FILLED,
    (S.EXPIRED, T.FILL_PARTIAL): S.EXPIRED,
    (S.EXPIRED, T.FILL_COMPLETE): S.FILLED,
}

_SIMPLE_TRIGGERS: dict[type[OrderEvent], Trigger] = {
    OrderDenied: T.DENY,
    OrderSubmitted: T.SUBMIT,
    OrderAccepted: T.ACCEPT,
    OrderRejected: T.REJECT,
    OrderPendingCancel: T.CANCEL_REQUEST,
    OrderPendingReplace: T.REPLACE_REQUEST,
    OrderCancelRejected: T.CANCEL_REJECT,
    OrderModifyRejected: T.REPLACE_REJECT,
    OrderUpdated: T.REPLACE,
    OrderTriggered: T.TRIGGER,
    OrderCancelled: T.CANCEL,
    OrderExpired: T.EXPIRE,
}


class Order:
    """A single order: its spec, its state, and the events that made it."""

    __slots__ = (
        "avg_px",
        "commission",
        "events",
        "filled_qty",
        "limit_price",
        "quantity",
        "spec",
        "status",
        "stop_price",
        "trade_ids",
        "trigger_price",
        "triggered",
        "venue_order_id",
    )

    def __init__(self, init: OrderInitialized) -> None:
        self.spec: OrderSpec = init.spec
        self.status: S = S.INITIALIZED
        self.quantity = init.spec.quantity
        self.limit_price = init.spec.limit_price
        self.stop_price = init.spec.stop_price
        self.filled_qty = 0
        self.avg_px: Decimal | None = None
        self.commission = Decimal(0)
        self.venue_order_id: str | None = None
        self.triggered = False
        self.trigger_price: Decimal | None = None
        self.trade_ids: set[str] = set()
        self.events: list[OrderEvent] = [init]

    @property
    def client_order_id(self) -> ClientOrderId:
        """Return the client order id (the idempotency key)."""
        return self.spec.client_order_id

    @property
    def leaves_qty(self) -> int:
        """Return the quantity still open (0 once terminal)."""
        return 0 if self.status.is_terminal else self.quantity - self.filled_qty

    def trigger_for(self, event: OrderEvent) -> Trigger:
        """Return the state-machine trigger ``event`` stands for in this order's state."""
        if isinstance(event, OrderFilled):
            done = self.filled_qty + event.last_qty >= self.quantity
            return T.FILL_COMPLETE if done else T.FILL_PARTIAL
        try:
            return _SIMPLE_TRIGGERS[type(event)]
        except KeyError:
            raise InvalidTransitionError(
                "event", type(event).__name__, "is not an order trigger"
            ) from None

    def is_duplicate(self, event: OrderEvent) -> bool:
        """Return whether ``event`` is a fill this order has already counted."""
        return isinstance(event, OrderFilled) and event.trade_id in self.trade_ids

    def decide(self, event: OrderEvent) -> Destination | _Duplicate | Refusal:
        """Judge ``event`` against this order, changing nothing (the one decision: module doc).

        Return where it takes the order, ``DUPLICATE`` for a fill already counted, or a
        :class:`Refusal`: an event of another order, no order trigger, a fill of no shares or one
        that would over-fill, or an edge the table does not have.
        """
        if event.client_order_id != self.spec.client_order_id:  # the property, read directly
            return Refusal(
                None,
                InvalidTransitionError(
                    "client_order_id",
                    event.client_order_id,
                    f"does not belong to {self.client_order_id}",
                ),
            )
        if isinstance(event, OrderFilled):
            if event.trade_id in self.trade_ids:
                return DUPLICATE
            total = self.filled_qty + event.last_qty
            trigger = T.FILL_COMPLETE if total >= self.quantity else T.FILL_PARTIAL
            if event.last_qty <= 0 or total > self.quantity:
                return Refusal(
                    trigger,
                    InvalidTransitionError(
                        "last_qty",
                        event.last_qty,
                        f"would fill {total} of {self.quantity} (over-fill)",
                    ),
                )
        else:
            simple = _SIMPLE_TRIGGERS.get(type(event))
            if simple is None:
                return Refusal(
                    None,
                    InvalidTransitionError(
                        "event", type(event).__name__, "is not an order trigger"
                    ),
                )
            trigger = simple
        destination = TRANSITIONS.get((self.status, trigger))
        if destination is None:
            return Refusal(
                trigger,
                InvalidTransitionError(
                    "trigger", trigger.value, f"not allowed from state {self.status.value}"
                ),
            )
        return destination

    def apply(self, event: OrderEvent) -> None:
        """Fold ``event`` into the order: decide, then advance.

        Raises the :class:`Refusal`'s ``InvalidTransitionError`` (nothing changes); a fill
        already counted is ignored.
        """
        decision = self.decide(event)
        if isinstance(decision, Refusal):
            raise decision.error
        if decision is not DUPLICATE:
            self.advance(event, decision)

    def advance(self, event: OrderEvent, destination: Destination) -> None:
        """Fold ``event``, which :meth:`decide` has just judged to lead to ``destination``.

        No check is repeated: call it only with what ``decide`` answered for this event in the
        order's current state (the OMS does, between deciding and folding it journals the event).
        """
        self._mutate(event)
        self.status = destination if isinstance(destination, S) else self._working_state()
        self.events.append(event)

    def _working_state(self) -> S:
        if self.filled_qty > 0:
            return S.PARTIALLY_FILLED
        if self.triggered:
            return S.TRIGGERED
        if self.venue_order_id is not None:
            return S.ACCEPTED
        return S.SUBMITTED

    def _mutate(self, event: OrderEvent) -> None:
        if isinstance(event, OrderFilled):
            total = self.filled_qty + event.last_qty
            prev = self.avg_px if self.avg_px is not None else Decimal(0)
            self.avg_px = (prev * self.filled_qty + event.last_px * event.last_qty) / total
            self.filled_qty = total
            self.commission += event.commission
            self.trade_ids.add(event.trade_id)
            if self.venue_order_id is None:
                self.venue_order_id = event.venue_order_id
        elif isinstance(event, OrderAccepted):
            self.venue_order_id = event.venue_order_id
        elif isinstance(event, OrderTriggered):
            self.triggered = True
            self.trigger_price = event.trigger_price
        elif isinstance(event, OrderUpdated):
            self.quantity = event.quantity
            self.limit_price = event.limit_price
            self.stop_price = event.stop_price

    def __repr__(self) -> str:
        return (
            f"Order({self.client_order_id} {self.spec.side.value} {self.quantity} "
            f"{self.spec.symbol} {self.status.value} filled={self.filled_qty})"
        )
