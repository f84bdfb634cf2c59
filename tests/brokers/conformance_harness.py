"""The broker conformance suite: scenarios every broker must pass, and a driver per broker.

A scenario talks to the broker only through the :class:`~slipstream.brokers.contract.Broker`
contract, and folds the events it receives into real :class:`~slipstream.model.orders.Order`
objects exactly as the OMS does (the OMS's own ``OrderSubmitted`` / ``OrderPendingCancel`` /
``OrderPendingReplace`` first; late acknowledgements and repeated fills dropped; anything else
the state table refuses is an error). What a scenario cannot do through the contract — move the
market, force an execution, make the venue refuse an order, lose a response, repeat a message —
it asks of the broker's :class:`Driver`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from slipstream.brokers.contract import Broker
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus, OrderType, Side
from slipstream.model.events import (
    OrderCancelled,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderSubmitted,
)
from slipstream.model.orders import TRANSITIONS, Order, Trigger
from slipstream.model.orders_spec import OrderSpec

#: Triggers a broker may repeat harmlessly once the order has moved on (as the OMS drops them).
LATE_OK = {
    Trigger.ACCEPT,
    Trigger.TRIGGER,
    Trigger.CANCEL_REJECT,
    Trigger.REPLACE_REJECT,
    Trigger.REPLACE,
    Trigger.CANCEL,
    Trigger.EXPIRE,
}


class Driver(Protocol):
    """What the suite needs from each broker beyond the contract."""

    name: str
    symbol: str
    tick: Decimal

    @property
    def broker(self) -> Broker:
        """The broker under test (each driver holds its own concrete class)."""

    def pump(self, seconds: float) -> None:
        """Let the broker deliver events (wait for I/O, or advance simulated time)."""

    def touch(self) -> tuple[Decimal, Decimal]:
        """Return the current bid and ask of ``symbol``."""

    def fill(self, client_order_id: str, quantity: int) -> None:
        """Make the venue execute ``quantity`` of a resting order now."""

    def rejectable(self, client_order_id: str) -> OrderSpec:
        """Return an order the venue will refuse."""

    def arm_place_timeout(self) -> None:
        """Make the next place request lose its answer after the venue took the order."""

    def arm_duplicate_fill(self) -> None:
        """Make the venue's next execution reports arrive twice."""

    def disarm(self) -> None:
        """Undo any armed fault."""

    def duplicate_orders(self) -> int:
        """Return how many times the venue saw a client order id it already had."""


class Session:
    """One scenario's view: the broker's events folded into orders, as the OMS folds them."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.orders: dict[str, Order] = {}
        self.events: list[OrderEvent] = []
        self.fills: list[OrderFilled] = []
        self.dropped = 0
        self._ts = 0

    def sink(self, event: OrderEvent) -> None:
        """Fold one broker event (the sink given to ``Broker.connect``)."""
        self.events.append(event)
        order = self.orders[event.client_order_id]
        if order.is_duplicate(event):
            self.dropped += 1
            return
        trigger = order.trigger_for(event)
        if (order.status, trigger) not in TRANSITIONS and trigger in LATE_OK:
            self.dropped += 1
            return
        order.apply(event)  # raises on an illegal edge or an over-fill
        if isinstance(event, OrderFilled):
            self.fills.append(event)

    def _now(self) -> int:
        self._ts += 1
        return self._ts

    def submit(self, spec: OrderSpec) -> Order:
        now = self._now()
        order = Order(OrderInitialized(spec.client_order_id, now, now, spec))
        order.apply(OrderSubmitted(spec.client_order_id, now, now, self.driver.name))
        self.orders[spec.client_order_id] = order
        self.driver.broker.submit(spec)
        return order

    def cancel(self, client_order_id: str) -> None:
        now = self._now()
        self.orders[client_order_id].apply(
            OrderPendingCancel(ClientOrderId(client_order_id), now, now)
        )
        self.driver.broker.cancel(client_order_id)

    def modify(self, client_order_id: str, quantity: int, limit: Decimal | None) -> None:
        now = self._now()
        self.orders[client_order_id].apply(
            OrderPendingReplace(ClientOrderId(client_order_id), now, now)
        )
        self.driver.broker.modify(client_order_id, quantity, limit, None)

    def wait_until(self, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                states = {k: repr(v) for k, v in self.orders.items()}
                raise AssertionError(f"{self.driver.name}: condition not met; orders {states}")
            self.driver.pump(0.05)

    def settle(self, seconds: float = 0.3) -> None:
        """Pump a little longer so late or repeated messages have arrived."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.driver.pump(0.05)

    def of(self, client_order_id: str, kind: type[OrderEvent]) -> list[OrderEvent]:
        return [
            e for e in self.events if e.client_order_id == client_order_id and isinstance(e, kind)
        ]

    def filled(self, client_order_id: str) -> int:
        return sum(f.last_qty for f in self.fills if f.client_order_id == client_order_id)


def _spec(coid: str, driver: Driver, side: Side, qty: int, **kw: object) -> OrderSpec:
    return OrderSpec(ClientOrderId(coid), driver.symbol, side, qty, **kw)  # type: ignore[arg-type]


def _resting_buy(coid: str, driver: Driver, qty: int) -> OrderSpec:
    bid, _ = driver.touch()
    limit = bid - 100 * driver.tick
    return _spec(coid, driver, Side.BUY, qty, order_type=OrderType.LIMIT, limit_price=limit)


# -- the scenarios ------------------------------------------------------------------------------


def submit_ack_fill(s: Session, p: str) -> None:
    """A marketable order is acknowledged and filled in full, once."""
    order = s.submit(_spec(f"{p}-mkt", s.driver, Side.BUY, 100))
    s.wait_until(lambda: order.status is OrderStatus.FILLED)
    s.settle()
    assert order.venue_order_id
    assert order.filled_qty == 100 == s.filled(order.client_order_id)
    assert order.avg_px is not None and order.avg_px > 0


def partial_fills(s: Session, p: str) -> None:
    """Executions of part of an order leave it partially filled until the rest fills."""
    order = s.submit(_resting_buy(f"{p}-part", s.driver, 100))
    s.wait_until(lambda: order.status is OrderStatus.ACCEPTED)
    s.driver.fill(order.client_order_id, 40)
    s.wait_until(lambda: order.filled_qty == 40)
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.leaves_qty == 60
    s.driver.fill(order.client_order_id, 60)
    s.wait_until(lambda: order.status is OrderStatus.FILLED)
    s.settle()
    assert s.filled(order.client_order_id) == 100


def cancel(s: Session, p: str) -> None:
    """A resting order is cancelled and no longer reported open."""
    order = s.submit(_resting_buy(f"{p}-cxl", s.driver, 100))
    s.wait_until(lambda: order.status is OrderStatus.ACCEPTED)
    s.cancel(order.client_order_id)
    s.wait_until(lambda: order.status is OrderStatus.CANCELLED)
    assert order.filled_qty == 0
    open_ids = {r.client_order_id for r in s.driver.broker.open_orders()}
    assert order.client_order_id not in open_ids


def cancel_after_fill_race(s: Session, p: str) -> None:
    """A cancel that loses the race to a full fill leaves the order filled, never over-filled."""
    order = s.submit(_resting_buy(f"{p}-race", s.driver, 100))
    s.wait_until(lambda: order.status is OrderStatus.ACCEPTED)
    s.driver.fill(order.client_order_id, 100)
    s.cancel(order.client_order_id)
    s.wait_until(lambda: order.status is OrderStatus.FILLED)
    s.settle()
    assert order.filled_qty == 100 == s.filled(order.client_order_id)
    assert not any(isinstance(e, OrderCancelled) for e in order.events)


def modify(s: Session, p: str) -> None:
    """A resting order's quantity and limit change; the broker reports the new quantity."""
    order = s.submit(_resting_buy(f"{p}-mod", s.driver, 100))
    s.wait_until(lambda: order.status is OrderStatus.ACCEPTED)
    assert order.limit_price is not None
    new_limit = order.limit_price + s.driver.tick
    s.modify(order.client_order_id, 200, new_limit)
    s.wait_until(lambda: order.status is OrderStatus.ACCEPTED and order.quantity == 200)
    assert order.limit_price == new_limit
    report = s.driver.broker.query_order(order.client_order_id)
    assert report is not None and report.quantity == 200


def reject(s: Session, p: str) -> None:
    """An order the venue refuses ends rejected, with a reason."""
    spec = s.driver.rejectable(f"{p}-rej")
    order = s.submit(spec)
    s.wait_until(lambda: order.status is OrderStatus.REJECTED)
    assert order.filled_qty == 0


def unknown_symbol(s: Session, p: str) -> None:
    """An order for a symbol the venue does not list is rejected, not lost."""
    spec = OrderSpec(ClientOrderId(f"{p}-sym"), "NOSUCH", Side.BUY, 100)
    order = s.submit(spec)
    s.wait_until(lambda: order.status is OrderStatus.REJECTED)


def timeout_on_place(s: Session, p: str) -> None:
    """A place whose answer is lost is resolved by query: one order at the venue, filled once."""
    before = s.driver.duplicate_orders()
    s.driver.arm_place_timeout()
    try:
        order = s.submit(_spec(f"{p}-tmo", s.driver, Side.SELL, 100))
        s.wait_until(lambda: order.status is OrderStatus.FILLED, timeout_s=15)
        s.settle(0.5)
    finally:
        s.driver.disarm()
    assert order.filled_qty == 100 == s.filled(order.client_order_id)
    assert s.driver.duplicate_orders() == before


def duplicate_fill_message(s: Session, p: str) -> None:
    """An execution reported twice is counted once."""
    s.driver.arm_duplicate_fill()
    try:
        order = s.submit(_spec(f"{p}-dup", s.driver, Side.BUY, 100))
        s.wait_until(lambda: order.status is OrderStatus.FILLED)
        s.settle(0.5)
    finally:
        s.driver.disarm()
    assert order.filled_qty == 100 == s.filled(order.client_order_id)


SCENARIOS: list[Callable[[Session, str], None]] = [
    submit_ack_fill,
    partial_fills,
    cancel,
    cancel_after_fill_race,
    modify,
    reject,
    unknown_symbol,
    timeout_on_place,
    duplicate_fill_message,
]
