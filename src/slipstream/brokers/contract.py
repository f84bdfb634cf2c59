"""The broker contract every venue implements: the simulated venue and Tiger Brokers alike.

Requests (:meth:`Broker.submit`, :meth:`Broker.cancel`, :meth:`Broker.modify`) return at once;
outcomes come back later as order events through the sink given to :meth:`Broker.connect`,
always on the core's thread. A broker never raises for a business outcome (a rejection is an
``OrderRejected`` event); it raises :class:`~slipstream.core.errors.BrokerError` subclasses only
when the request itself could not be handed over. Reports (:class:`OrderStatusReport`,
:class:`PositionReport`, :class:`AccountReport`) are the broker's own view, used by
reconciliation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from slipstream.model.enums import OrderStatus
from slipstream.model.events import OrderEvent, OrderFilled
from slipstream.model.orders_spec import OrderSpec

EventSink = Callable[[OrderEvent], None]


@dataclass(frozen=True, slots=True)
class OrderStatusReport:
    """The broker's view of one order."""

    client_order_id: str
    venue_order_id: str | None
    symbol: str
    status: OrderStatus
    quantity: int
    filled_qty: int
    avg_px: Decimal | None
    fills: tuple[OrderFilled, ...] = ()


@dataclass(frozen=True, slots=True)
class PositionReport:
    """The broker's view of one position (signed quantity: short is negative)."""

    symbol: str
    quantity: int
    avg_cost: Decimal


@dataclass(frozen=True, slots=True)
class AccountReport:
    """The broker's view of the account's cash and buying power."""

    cash: Decimal
    buying_power: Decimal
    net_liquidation: Decimal


class Broker(Protocol):
    """What the router needs from a venue."""

    name: str

    def connect(self, sink: EventSink) -> None:
        """Start delivering order events to ``sink``."""
        ...

    def submit(self, spec: OrderSpec) -> None:
        """Send a new order; the outcome arrives as events."""
        ...

    def cancel(self, client_order_id: str) -> None:
        """Request a cancel; ``OrderCancelled`` or ``OrderCancelRejected`` follows."""
        ...

    def modify(
        self,
        client_order_id: str,
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """Request a change; ``OrderUpdated`` or ``OrderModifyRejected`` follows."""
        ...

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        """Return the broker's report of an order, or None if it never saw it."""
        ...

    def open_orders(self) -> list[OrderStatusReport]:
        """Return every order the broker still has working."""
        ...

    def positions(self) -> list[PositionReport]:
        """Return the broker's positions."""
        ...

    def account(self) -> AccountReport:
        """Return the broker's cash and buying power."""
        ...

    def close(self) -> None:
        """Stop delivering events and release resources."""
        ...
