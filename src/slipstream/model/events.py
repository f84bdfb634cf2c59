"""Order events: immutable, past tense, each with ``ts_event`` (venue time) and ``ts_init``.

Order state is a fold of these events through the one transition table in
:mod:`slipstream.model.orders`. ``bus_key`` lets the bus route an event to a single order's
subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.core.ids import ClientOrderId
from slipstream.core.records import fast_frozen_init
from slipstream.core.schema import journal_record
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.orders_spec import OrderSpec


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Base of every order event."""

    client_order_id: ClientOrderId
    ts_event: int
    ts_init: int

    @property
    def bus_key(self) -> str:
        """Return the key the bus matches keyed subscriptions against."""
        return self.client_order_id


@journal_record("order.initialized", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderInitialized(OrderEvent):
    """The OMS created the order from a command."""

    spec: OrderSpec


@journal_record("order.denied", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderDenied(OrderEvent):
    """Pre-trade risk refused the order; ``check`` is the stable reason code."""

    check: str
    reason: str


@journal_record("order.submitted", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderSubmitted(OrderEvent):
    """The order was handed to the router for a venue."""

    venue: str


@journal_record("order.accepted", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderAccepted(OrderEvent):
    """The venue acknowledged the order."""

    venue_order_id: str


@journal_record("order.rejected", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderRejected(OrderEvent):
    """The venue refused the order."""

    reason: str


@journal_record("order.pending_cancel", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderPendingCancel(OrderEvent):
    """A cancel was sent; the venue has not confirmed it yet."""


@journal_record("order.pending_replace", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderPendingReplace(OrderEvent):
    """A modify was sent; the venue has not confirmed it yet."""


@journal_record("order.cancel_rejected", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderCancelRejected(OrderEvent):
    """The venue refused a cancel (e.g. the order had already filled)."""

    reason: str


@journal_record("order.modify_rejected", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderModifyRejected(OrderEvent):
    """The venue refused a modify."""

    reason: str


@journal_record("order.updated", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderUpdated(OrderEvent):
    """The venue applied a modify: new quantity and/or prices."""

    quantity: int
    limit_price: Decimal | None
    stop_price: Decimal | None


@journal_record("order.triggered", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderTriggered(OrderEvent):
    """A stop, stop-limit or trailing stop was triggered at ``trigger_price``."""

    trigger_price: Decimal


@journal_record("order.filled", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderFilled(OrderEvent):
    """An execution. ``trade_id`` is unique per execution and makes duplicates harmless."""

    trade_id: str
    venue_order_id: str
    symbol: str
    side: Side
    last_qty: int
    last_px: Decimal
    commission: Decimal
    liquidity: LiquiditySide


@journal_record("order.cancelled", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderCancelled(OrderEvent):
    """The venue confirmed the cancel; no more fills."""

    reason: str


@journal_record("order.expired", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderExpired(OrderEvent):
    """The order's time in force ran out."""
