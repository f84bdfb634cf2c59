"""1,000 orders through the SDK while 5% of gateway calls fail: no duplicates, no over-fills.

The gateway fails 5% of calls at random (timeouts, HTTP 5xx, Tiger ``server error``), half of
the failed order requests *after* the venue took them, and drops or repeats 2% of push
messages. Every order must end in a definite state, none may be placed twice, none may fill
beyond its quantity, and more than 99.5% must execute.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from tiger_harness import Book

from slipstream.brokers.tiger import GatewayHandle, TigerBroker, start_local_gateway
from slipstream.core.clock import LiveClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus, Side
from slipstream.model.orders_spec import OrderSpec

ORDERS = 1_000
WAVE = 50
SYMBOLS = ("AAPL", "MSFT", "IBM", "BAC", "SPY")


@pytest.fixture(scope="module")
def faulty_gateway() -> Iterator[GatewayHandle]:
    args: tuple[str, ...] = ("--fail-rate", "0.05", "--timeout-ms", "700", "--seed", "11")
    args += ("--push-drop-rate", "0.02", "--push-dup-rate", "0.02")
    with start_local_gateway(None, *args) as gateway:
        yield gateway


def test_thousand_orders_with_five_percent_failures(faulty_gateway: GatewayHandle) -> None:
    broker = TigerBroker.from_config(faulty_gateway.config(timeout_secs=0.4), LiveClock())
    book = Book(broker)
    orders, fills = book.orders, book.fills
    broker.connect(book.sink)
    try:
        for start in range(0, ORDERS, WAVE):
            for i in range(start, start + WAVE):
                coid = ClientOrderId(f"F{i:04d}")
                spec = OrderSpec(coid, SYMBOLS[i % 5], Side.BUY if i % 2 else Side.SELL, 100)
                book.submit(spec)
            deadline = time.monotonic() + 30
            while broker.pending_orders() and time.monotonic() < deadline:
                broker.wait_events(0.05)
        stats = faulty_gateway.control("stats")
    finally:
        broker.close()

    statuses = Counter(o.status for o in orders.values())
    print(f"statuses={dict(statuses)} broker={dict(broker.stats)} gateway={stats}")
    executed = statuses[OrderStatus.FILLED]
    assert sum(statuses.values()) == ORDERS
    assert executed / ORDERS > 0.995, statuses
    assert all(o.status.is_terminal for o in orders.values()), statuses
    # No over-fills: every execution counted once, never past the order's quantity.
    assert all(fills[c] == o.filled_qty <= o.quantity for c, o in orders.items())
    assert stats["overfills"] == 0
    assert stats["max_fill_ratio"] <= 1.0
    # No duplicates: the venue never saw a client order id twice, one venue order per id.
    assert stats["duplicate_marks"] == 0
    assert stats["orders"] == stats["user_marks"] <= ORDERS
    # The faults really happened (about 5% of several thousand calls).
    injected = sum(v for k, v in stats["injected"].items() if not k.startswith("push"))
    assert injected >= 0.03 * sum(stats["calls"].values())
    assert broker.stats["place_unknown"] > 0
