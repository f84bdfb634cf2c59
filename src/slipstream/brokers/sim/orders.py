"""The simulated venue's own record of an order: what it still has to do and what it did."""

from __future__ import annotations

from decimal import Decimal

from slipstream.brokers.contract import OrderStatusReport
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.events import OrderFilled
from slipstream.model.orders_spec import OrderSpec

_STOPS = (OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP)


class SimOrder:
    """An order as the venue sees it.

    ``active`` is False for a stop not yet triggered. Once active, ``limit`` set means the order
    behaves as a limit order (a limit, or a triggered stop-limit), else as a market order
    (a market order, or a triggered stop or trailing stop).
    ``queue_ahead`` estimates the shares ahead of a resting limit order at its price.
    """

    __slots__ = (
        "active",
        "extreme",
        "filled",
        "fills",
        "limit",
        "notional",
        "quantity",
        "queue_ahead",
        "side",
        "spec",
        "status",
        "stop",
        "symbol",
        "venue_order_id",
    )

    def __init__(self, spec: OrderSpec, venue_order_id: str | None) -> None:
        self.spec = spec
        self.venue_order_id = venue_order_id
        self.symbol = spec.symbol
        self.side: Side = spec.side
        self.quantity = spec.quantity
        self.filled = 0
        self.notional = Decimal(0)
        self.limit = spec.limit_price
        self.stop = spec.stop_price
        self.extreme: Decimal | None = None
        self.active = spec.order_type not in _STOPS
        self.queue_ahead: int | None = 0
        self.status = OrderStatus.ACCEPTED
        self.fills: list[OrderFilled] = []

    @property
    def leaves(self) -> int:
        """Return the shares still to fill (0 once the order is done)."""
        return 0 if self.status.is_terminal else self.quantity - self.filled

    @property
    def time_in_force(self) -> TimeInForce:
        """Return the order's time in force."""
        return self.spec.time_in_force

    @property
    def trigger_source(self) -> TriggerSource:
        """Return which price triggers the order if it is a stop."""
        return self.spec.trigger_source

    def report(self) -> OrderStatusReport:
        """Return the venue's report of this order."""
        avg = self.notional / self.filled if self.filled else None
        return OrderStatusReport(
            client_order_id=self.spec.client_order_id,
            venue_order_id=self.venue_order_id,
            symbol=self.symbol,
            status=self.status,
            quantity=self.quantity,
            filled_qty=self.filled,
            avg_px=avg,
            fills=tuple(self.fills),
        )
