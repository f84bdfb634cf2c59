"""The Tiger broker end to end through the SDK against the local gateway process.

Each test trades its own symbol, so the module shares one gateway.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from tiger_harness import Book

from slipstream.brokers.tiger import GatewayHandle, TigerBroker, start_local_gateway
from slipstream.core.clock import LiveClock
from slipstream.core.errors import BrokerRequestError
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.events import (
    OrderCancelled,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderUpdated,
)
from slipstream.model.orders_spec import OrderSpec

D = Decimal
SYMBOLS = [f"S{i:02d}" for i in range(20)]


@pytest.fixture(scope="module")
def gateway() -> Iterator[GatewayHandle]:
    symbols = ",".join(f"{s}=50.00" for s in SYMBOLS)
    with start_local_gateway(None, "--symbols", symbols, "--algo-interval-ms", "30") as handle:
        yield handle


def _book(gateway: GatewayHandle, **overrides: Any) -> Iterator[Book]:
    broker = TigerBroker.from_config(gateway.config(**overrides), LiveClock())
    book = Book(broker)
    broker.connect(book.sink)
    try:
        yield book
    finally:
        broker.close()
        gateway.control("faults", script=[], push_drop_rate=0.0, latency_ms=0.0)


@pytest.fixture
def book(gateway: GatewayHandle) -> Iterator[Book]:
    yield from _book(gateway)


@pytest.fixture
def polled_book(gateway: GatewayHandle) -> Iterator[Book]:
    """A broker without push: every outcome must come from queries."""
    yield from _book(gateway, use_push=False, poll_interval_secs=0.2)


def spec(coid: str, symbol: str, side: Side, qty: int = 100, /, **kw: Any) -> OrderSpec:
    return OrderSpec(ClientOrderId(coid), symbol, side, qty, **kw)


def quote(gateway: GatewayHandle, symbol: str, bid: str, ask: str) -> None:
    last = (D(bid) + D(ask)) / 2
    gateway.control("quote", symbol=symbol, bid=bid, ask=ask, last=str(last))


def test_stop_triggers_when_the_market_crosses(gateway: GatewayHandle, book: Book) -> None:
    order = book.submit(
        spec("stp", "S00", Side.SELL, order_type=OrderType.STOP, stop_price=D("49"))
    )
    book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    quote(gateway, "S00", "48.90", "48.92")
    book.wait(lambda: order.status is OrderStatus.FILLED)
    assert order.avg_px == D("48.90")  # a triggered sell stop takes the bid


def test_stop_limit_rests_at_its_limit_after_triggering(gateway: GatewayHandle, book: Book) -> None:
    order = book.submit(
        spec(
            "stpl",
            "S01",
            Side.BUY,
            order_type=OrderType.STOP_LIMIT,
            stop_price=D("51"),
            limit_price=D("51.05"),
        )
    )
    book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    quote(gateway, "S01", "51.08", "51.10")  # triggered, but the ask is above the limit
    book.broker.wait_events(0.3)
    assert order.filled_qty == 0
    quote(gateway, "S01", "51.02", "51.04")
    book.wait(lambda: order.status is OrderStatus.FILLED)
    assert order.avg_px == D("51.04")


@pytest.mark.parametrize(
    ("coid", "symbol", "trail"),
    [("trl-amt", "S02", {"trail_amount": D("1.00")}), ("trl-pct", "S03", {"trail_bps": D("200")})],
)
def test_trailing_stop_follows_the_high(
    gateway: GatewayHandle, book: Book, coid: str, symbol: str, trail: dict[str, Decimal]
) -> None:
    order = book.submit(spec(coid, symbol, Side.SELL, order_type=OrderType.TRAILING_STOP, **trail))
    book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    quote(gateway, symbol, "54.99", "55.01")  # high water 55.00: stop 54.00 (amount) / 53.90 (2%)
    quote(gateway, symbol, "54.19", "54.21")  # 54.20: above both stops
    book.broker.wait_events(0.3)
    assert order.filled_qty == 0
    quote(gateway, symbol, "53.79", "53.81")  # 53.80: below both
    book.wait(lambda: order.status is OrderStatus.FILLED)
    assert order.avg_px == D("53.79")


def test_submit_is_idempotent(gateway: GatewayHandle, book: Book) -> None:
    before = gateway.control("stats")["calls"].get("place_order", 0)
    the_spec = spec("idem", "S06", Side.BUY)
    order = book.submit(the_spec)
    book.broker.submit(the_spec)
    book.wait(lambda: order.status is OrderStatus.FILLED)
    assert gateway.control("stats")["calls"]["place_order"] == before + 1
    assert order.filled_qty == 100


def test_time_in_force_tiger_lacks_is_rejected_without_a_request(book: Book) -> None:
    order = book.submit(spec("ioc", "S06", Side.BUY, time_in_force=TimeInForce.IOC))
    book.wait(lambda: order.status is OrderStatus.REJECTED)
    assert "ioc" in book.of("ioc", OrderRejected)[0].reason  # type: ignore[attr-defined]


def test_polling_recovers_dropped_push(gateway: GatewayHandle, book: Book) -> None:
    order = book.submit(
        spec("drop", "S07", Side.BUY, order_type=OrderType.LIMIT, limit_price=D("40"))
    )
    book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    gateway.control("faults", push_drop_rate=1.0)
    gateway.control("fill", user_mark="drop", qty=100)
    book.wait(lambda: order.status is OrderStatus.FILLED, timeout_s=5)
    assert book.broker.stats["polls"] >= 1 and book.broker.stats["fill_queries"] >= 1


def test_push_reconnects_resubscribes_and_recovers_the_gap(
    gateway: GatewayHandle, book: Book
) -> None:
    order = book.submit(
        spec("gap", "S08", Side.BUY, order_type=OrderType.LIMIT, limit_price=D("40"))
    )
    book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    gateway.control("disconnect_push")
    gateway.control("fill", user_mark="gap", qty=30)  # while nobody listens
    book.wait(lambda: order.filled_qty == 30, timeout_s=5)
    book.wait(lambda: book.broker.stats["gap_recoveries"] >= 1, timeout_s=5)
    assert gateway.control("stats")["push_connections"] >= 1
    gateway.control("fill", user_mark="gap", qty=70)  # pushed again after resubscribing
    book.wait(lambda: order.status is OrderStatus.FILLED, timeout_s=5)


@pytest.mark.parametrize("when", ["before", "after"])
def test_place_timeout_is_resolved_by_query_never_duplicated(
    gateway: GatewayHandle, polled_book: Book, when: str
) -> None:
    coid = f"tmo-{when}"
    dups = gateway.control("stats")["duplicate_marks"]
    gateway.control("faults", script=[{"method": "place_order", "kind": "timeout", "when": when}])
    order = polled_book.submit(spec(coid, "S09", Side.SELL))
    polled_book.wait(lambda: order.status is OrderStatus.FILLED, timeout_s=10)
    stats = polled_book.broker.stats
    assert stats["place_unknown"] == 1 and stats["resolve_queries"] >= 1
    # Re-sent only when Tiger confirmed it never saw the order.
    assert stats["re_placed"] == (1 if when == "before" else 0)
    assert gateway.control("stats")["duplicate_marks"] == dups
    assert order.filled_qty == 100


def test_cancel_timeout_is_settled_by_a_poll(gateway: GatewayHandle, polled_book: Book) -> None:
    order = polled_book.submit(
        spec("cxl-tmo", "S10", Side.BUY, order_type=OrderType.LIMIT, limit_price=D("40"))
    )
    polled_book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    gateway.control(
        "faults", script=[{"method": "cancel_order", "kind": "http_5xx", "when": "after"}]
    )
    order.apply(OrderPendingCancel(order.client_order_id, 0, 0))
    polled_book.broker.cancel("cxl-tmo")
    polled_book.wait(lambda: order.status is OrderStatus.CANCELLED)
    assert len(polled_book.of("cxl-tmo", OrderCancelled)) == 1


def test_modify_lost_answer_and_refusal(gateway: GatewayHandle, polled_book: Book) -> None:
    order = polled_book.submit(
        spec("mod", "S11", Side.BUY, order_type=OrderType.LIMIT, limit_price=D("40"))
    )
    polled_book.wait(lambda: order.status is OrderStatus.ACCEPTED)
    gateway.control(
        "faults", script=[{"method": "modify_order", "kind": "timeout", "when": "after"}]
    )
    order.apply(OrderPendingReplace(order.client_order_id, 0, 0))
    polled_book.broker.modify("mod", 300, D("40.50"), None)
    polled_book.wait(lambda: order.status is OrderStatus.ACCEPTED and order.quantity == 300)
    assert order.limit_price == D("40.50") and len(polled_book.of("mod", OrderUpdated)) == 1
    gateway.control("fill", user_mark="mod", qty=200)
    polled_book.wait(lambda: order.filled_qty == 200)
    order.apply(OrderPendingReplace(order.client_order_id, 0, 0))
    polled_book.broker.modify("mod", 100, D("40.50"), None)  # below the filled quantity
    polled_book.wait(lambda: bool(polled_book.of("mod", OrderModifyRejected)))
    assert order.quantity == 300 and order.status is OrderStatus.PARTIALLY_FILLED


def test_watchdog_looks_up_an_order_stuck_without_ack(gateway: GatewayHandle) -> None:
    gateway.control("faults", latency_ms=600.0)
    for book in _book(gateway, watchdog_secs=0.2, timeout_secs=3.0, use_push=False):
        stuck = book.submit(spec("stuck", "S12", Side.BUY))
        book.wait(lambda: stuck.status is OrderStatus.FILLED, timeout_s=10)  # noqa: B023
        assert book.broker.stats["watchdog_lookups"] >= 1
        assert stuck.filled_qty == 100


def test_market_data_positions_and_account(gateway: GatewayHandle, book: Book) -> None:
    quote(gateway, "S13", "20.00", "20.02")
    buy = book.submit(spec("md-b", "S13", Side.BUY, 300))
    sell = book.submit(spec("md-s", "S13", Side.SELL, 100))
    book.wait(lambda: buy.status is sell.status is OrderStatus.FILLED)
    (q,) = book.broker.quotes(["S13"])
    assert (q.bid, q.ask) == (D("20.00"), D("20.02"))
    prints = book.broker.trades("S13")
    assert sorted((t.size, t.price, t.aggressor) for t in prints) == [
        (100, D("20.00"), -1),
        (300, D("20.02"), 1),
    ]
    bars = book.broker.bars("S13")
    assert sum(b.volume for b in bars) == 400 and bars[-1].close in (D("20.00"), D("20.02"))
    positions = {p.symbol: p for p in book.broker.positions()}
    assert positions["S13"].quantity == 200
    account = book.broker.account()
    assert account.net_liquidation > 0 and account.buying_power > 0
    assert book.broker.instrument("S13").tick_size == D("0.01")
    with pytest.raises(BrokerRequestError):
        book.broker.instrument("NOPE")
    with pytest.raises(BrokerRequestError):
        book.broker.bars("S13", period="7min")
