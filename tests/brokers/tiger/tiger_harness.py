"""Shared helpers for the Tiger tests: fold broker events into orders as the OMS does."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from slipstream.brokers.tiger import TigerBroker
from slipstream.model.events import OrderEvent, OrderFilled, OrderInitialized, OrderSubmitted
from slipstream.model.orders import TRANSITIONS, Order
from slipstream.model.orders_spec import OrderSpec


class Book:
    """Orders we sent, folded from the broker's events (late acks dropped, over-fills raise)."""

    def __init__(self, broker: TigerBroker) -> None:
        self.broker = broker
        self.orders: dict[str, Order] = {}
        self.events: list[OrderEvent] = []
        self.fills: Counter[str] = Counter()
        self.late = 0

    def sink(self, event: OrderEvent) -> None:
        self.events.append(event)
        order = self.orders[event.client_order_id]
        if order.is_duplicate(event):
            return
        if (order.status, order.trigger_for(event)) not in TRANSITIONS:
            self.late += 1
            return
        order.apply(event)
        if isinstance(event, OrderFilled):
            self.fills[event.client_order_id] += event.last_qty

    def track(self, spec: OrderSpec) -> Order:
        order = Order(OrderInitialized(spec.client_order_id, 0, 0, spec))
        order.apply(OrderSubmitted(spec.client_order_id, 0, 0, "tiger"))
        self.orders[spec.client_order_id] = order
        return order

    def submit(self, spec: OrderSpec) -> Order:
        order = self.track(spec)
        self.broker.submit(spec)
        return order

    def wait(self, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            assert time.monotonic() < deadline, f"timed out; orders {list(self.orders.values())}"
            self.broker.wait_events(0.05)

    def of(self, client_order_id: str, kind: type[OrderEvent]) -> list[OrderEvent]:
        return [
            e for e in self.events if e.client_order_id == client_order_id and isinstance(e, kind)
        ]
