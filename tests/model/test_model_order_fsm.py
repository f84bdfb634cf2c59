"""Every (state, trigger) pair of the one order state table: allowed edges advance, others raise."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest

from slipstream.core.errors import InvalidTransitionError
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, OrderStatus, OrderType, Side
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
from slipstream.model.orders import RESTORE, TRANSITIONS, Order, Trigger
from slipstream.model.orders_spec import OrderSpec

CID = ClientOrderId("C-1")
S = OrderStatus
T = Trigger

# Independent statement of the intended table (not read from the code under test).
EXPECTED: dict[tuple[S, T], S | str] = {
    (S.INITIALIZED, T.DENY): S.DENIED,
    (S.INITIALIZED, T.SUBMIT): S.SUBMITTED,
    (S.INITIALIZED, T.CANCEL): S.CANCELLED,
    (S.SUBMITTED, T.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, T.REJECT): S.REJECTED,
    (S.SUBMITTED, T.TRIGGER): S.TRIGGERED,
    (S.PENDING_CANCEL, T.ACCEPT): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.TRIGGER): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.FILL_PARTIAL): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.FILL_COMPLETE): S.FILLED,
    (S.PENDING_CANCEL, T.CANCEL): S.CANCELLED,
    (S.PENDING_CANCEL, T.CANCEL_REJECT): "restore",
    (S.PENDING_CANCEL, T.EXPIRE): S.EXPIRED,
    (S.PENDING_REPLACE, T.ACCEPT): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.TRIGGER): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.FILL_PARTIAL): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.FILL_COMPLETE): S.FILLED,
    (S.PENDING_REPLACE, T.REPLACE): "restore",
    (S.PENDING_REPLACE, T.REPLACE_REJECT): "restore",
    (S.PENDING_REPLACE, T.CANCEL_REQUEST): S.PENDING_CANCEL,
    (S.PENDING_REPLACE, T.CANCEL): S.CANCELLED,
    (S.PENDING_REPLACE, T.EXPIRE): S.EXPIRED,
    (S.CANCELLED, T.FILL_PARTIAL): S.CANCELLED,
    (S.CANCELLED, T.FILL_COMPLETE): S.FILLED,
    (S.EXPIRED, T.FILL_PARTIAL): S.EXPIRED,
    (S.EXPIRED, T.FILL_COMPLETE): S.FILLED,
    (S.ACCEPTED, T.TRIGGER): S.TRIGGERED,
    (S.ACCEPTED, T.REPLACE): S.ACCEPTED,
    (S.TRIGGERED, T.REPLACE): S.TRIGGERED,
    (S.PARTIALLY_FILLED, T.REPLACE): S.PARTIALLY_FILLED,
}
for working in (S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED):
    EXPECTED.update(
        {
            (working, T.CANCEL_REQUEST): S.PENDING_CANCEL,
            (working, T.REPLACE_REQUEST): S.PENDING_REPLACE,
            (working, T.FILL_PARTIAL): S.PARTIALLY_FILLED,
            (working, T.FILL_COMPLETE): S.FILLED,
            (working, T.CANCEL): S.CANCELLED,
            (working, T.EXPIRE): S.EXPIRED,
        }
    )

# Paths (events) that bring a fresh order into each state.
_SPEC = OrderSpec(CID, "IBM", Side.BUY, 100, OrderType.STOP, stop_price=Decimal("10.00"))
_N = itertools.count(1)


def _fill(qty: int) -> OrderFilled:
    n = next(_N)
    return OrderFilled(
        CID,
        n,
        n,
        f"T{n}",
        "V1",
        "IBM",
        Side.BUY,
        qty,
        Decimal("10"),
        Decimal(0),
        LiquiditySide.TAKER,
    )


def _sub() -> OrderSubmitted:
    return OrderSubmitted(CID, 1, 1, "sim")


def _acc() -> OrderAccepted:
    return OrderAccepted(CID, 2, 2, "V1")


PATHS: dict[S, list[OrderEvent]] = {
    S.INITIALIZED: [],
    S.DENIED: [OrderDenied(CID, 1, 1, "x", "y")],
    S.SUBMITTED: [_sub()],
    S.ACCEPTED: [_sub(), _acc()],
    S.REJECTED: [_sub(), OrderRejected(CID, 2, 2, "no")],
    S.PENDING_CANCEL: [_sub(), _acc(), OrderPendingCancel(CID, 3, 3)],
    S.PENDING_REPLACE: [_sub(), _acc(), OrderPendingReplace(CID, 3, 3)],
    S.PARTIALLY_FILLED: [_sub(), _acc()],  # + a partial fill, added in _order_in
    S.FILLED: [_sub(), _acc()],  # + a complete fill
    S.CANCELLED: [_sub(), _acc(), OrderCancelled(CID, 3, 3, "user")],
    S.EXPIRED: [_sub(), _acc(), OrderExpired(CID, 3, 3)],
    S.TRIGGERED: [_sub(), _acc(), OrderTriggered(CID, 3, 3, Decimal("10"))],
}


def _status(order: Order) -> S:
    """``order.status`` read afresh: mypy keeps an earlier ``is`` narrowing across ``apply``."""
    return order.status


def _order_in(state: S) -> Order:
    order = Order(OrderInitialized(CID, 0, 0, _SPEC))
    for event in PATHS[state]:
        order.apply(event)
    if state is S.PARTIALLY_FILLED:
        order.apply(_fill(40))
    if state is S.FILLED:
        order.apply(_fill(100))
    assert order.status is state
    return order


def _event_for(trigger: T, order: Order) -> OrderEvent:
    leaves = order.quantity - order.filled_qty
    events: dict[T, Callable[[], OrderEvent]] = {
        T.DENY: lambda: OrderDenied(CID, 9, 9, "x", "y"),
        T.SUBMIT: lambda: OrderSubmitted(CID, 9, 9, "sim"),
        T.ACCEPT: lambda: OrderAccepted(CID, 9, 9, "V1"),
        T.REJECT: lambda: OrderRejected(CID, 9, 9, "no"),
        T.CANCEL_REQUEST: lambda: OrderPendingCancel(CID, 9, 9),
        T.REPLACE_REQUEST: lambda: OrderPendingReplace(CID, 9, 9),
        T.CANCEL_REJECT: lambda: OrderCancelRejected(CID, 9, 9, "too late"),
        T.REPLACE_REJECT: lambda: OrderModifyRejected(CID, 9, 9, "no"),
        T.REPLACE: lambda: OrderUpdated(CID, 9, 9, order.quantity, None, Decimal("11.00")),
        T.TRIGGER: lambda: OrderTriggered(CID, 9, 9, Decimal("10")),
        T.FILL_PARTIAL: lambda: _fill(max(1, leaves // 2) if leaves > 1 else 1),
        T.FILL_COMPLETE: lambda: _fill(max(leaves, 1)),
        T.CANCEL: lambda: OrderCancelled(CID, 9, 9, "user"),
        T.EXPIRE: lambda: OrderExpired(CID, 9, 9),
    }
    return events[trigger]()


def test_table_matches_the_specification() -> None:
    actual = {k: ("restore" if v is RESTORE else v) for k, v in TRANSITIONS.items()}
    assert actual == EXPECTED


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", list(T))
def test_every_state_trigger_pair(state: S, trigger: T) -> None:
    order = _order_in(state)
    event = _event_for(trigger, order)
    expected = EXPECTED.get((state, trigger))
    if trigger is T.FILL_PARTIAL and expected is not None:
        # Every state with a partial-fill edge still has shares left to fill partially.
        assert order.filled_qty + getattr(event, "last_qty", 0) < order.quantity
    if expected is None:
        with pytest.raises(InvalidTransitionError):
            order.apply(event)
        assert order.status is state
        return
    order.apply(event)
    if expected == "restore":
        assert order.status in (S.ACCEPTED, S.PARTIALLY_FILLED, S.TRIGGERED, S.SUBMITTED)
        assert order.status is (S.PARTIALLY_FILLED if order.filled_qty else S.ACCEPTED)
    else:
        assert order.status is expected


def test_restore_returns_to_partially_filled_after_fill_while_pending_cancel() -> None:
    order = _order_in(S.PENDING_CANCEL)
    order.apply(_fill(30))
    assert order.status is S.PENDING_CANCEL
    order.apply(OrderCancelRejected(CID, 9, 9, "too late"))
    assert _status(order) is S.PARTIALLY_FILLED
    assert order.leaves_qty == 70


def test_restore_returns_to_triggered() -> None:
    order = _order_in(S.TRIGGERED)
    order.apply(OrderPendingReplace(CID, 9, 9))
    order.apply(OrderModifyRejected(CID, 9, 9, "no"))
    assert order.status is S.TRIGGERED


def test_duplicate_fill_is_counted_once_and_overfill_raises() -> None:
    order = _order_in(S.ACCEPTED)
    fill = _fill(60)
    order.apply(fill)
    order.apply(fill)
    assert order.filled_qty == 60
    with pytest.raises(InvalidTransitionError):
        order.apply(_fill(41))
    assert order.filled_qty == 60


def test_average_price_over_fills() -> None:
    order = _order_in(S.ACCEPTED)
    order.apply(
        OrderFilled(
            CID,
            5,
            5,
            "a",
            "V",
            "IBM",
            Side.BUY,
            30,
            Decimal("10.00"),
            Decimal(0),
            LiquiditySide.TAKER,
        )
    )
    order.apply(
        OrderFilled(
            CID,
            6,
            6,
            "b",
            "V",
            "IBM",
            Side.BUY,
            70,
            Decimal("10.10"),
            Decimal("0.35"),
            LiquiditySide.MAKER,
        )
    )
    assert order.avg_px == (Decimal("300.00") + Decimal("707.00")) / 100
    assert order.commission == Decimal("0.35")
    assert order.status is S.FILLED and order.leaves_qty == 0


def test_event_of_another_order_raises() -> None:
    order = _order_in(S.SUBMITTED)
    with pytest.raises(InvalidTransitionError):
        order.apply(OrderAccepted(ClientOrderId("other"), 1, 1, "V"))
