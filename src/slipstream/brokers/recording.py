"""A broker that records what it is asked and answers nothing by itself: the dry-run venue.

Every request is kept in :attr:`RecordingBroker.requests` as ``(kind, client order id)`` and
submitted specs in :attr:`RecordingBroker.specs`; :meth:`RecordingBroker.emit` plays the venue by
handing an event to the OMS. It backs dry runs ("what would be sent"), benchmarks of the order
path without a venue (the kill switch), and tests that script a venue's answers by hand.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.brokers.contract import (
    AccountReport,
    EventSink,
    OrderStatusReport,
    PositionReport,
)
from slipstream.core.errors import StateError
from slipstream.model.events import OrderEvent
from slipstream.model.orders_spec import OrderSpec

ZERO = Decimal(0)


class RecordingBroker:
    """Record requests; report no orders, no positions and an empty account."""

    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.sink: EventSink | None = None
        self.requests: list[tuple[str, str]] = []
        self.specs: dict[str, OrderSpec] = {}

    def connect(self, sink: EventSink) -> None:
        """Keep ``sink`` for :meth:`emit`."""
        self.sink = sink

    def submit(self, spec: OrderSpec) -> None:
        """Record a new order."""
        self.requests.append(("submit", spec.client_order_id))
        self.specs[spec.client_order_id] = spec

    def cancel(self, client_order_id: str) -> None:
        """Record a cancel request."""
        self.requests.append(("cancel", client_order_id))

    def modify(
        self,
        client_order_id: str,
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """Record a modify request."""
        self.requests.append(("modify", client_order_id))

    def submitted(self) -> list[OrderSpec]:
        """Return the specs submitted, in order."""
        return [self.specs[c] for kind, c in self.requests if kind == "submit"]

    def cancels(self) -> list[str]:
        """Return the client order ids cancels were requested for, in order."""
        return [c for kind, c in self.requests if kind == "cancel"]

    def emit(self, event: OrderEvent) -> None:
        """Hand ``event`` to the connected OMS, as a venue would."""
        if self.sink is None:
            raise StateError("the recording broker is not connected to an OMS")
        self.sink(event)

    def query_order(self, client_order_id: str) -> OrderStatusReport | None:
        """Return None: the recording broker keeps no order state."""
        return None

    def open_orders(self) -> list[OrderStatusReport]:
        """Return no orders."""
        return []

    def positions(self) -> list[PositionReport]:
        """Return no positions."""
        return []

    def account(self) -> AccountReport:
        """Return an empty account."""
        return AccountReport(ZERO, ZERO, ZERO)

    def close(self) -> None:
        """Nothing to release."""
