"""Tiger round trips through the official SDK to the local gateway process (loopback).

* order round trip: ``submit`` of a market order until its fill event reaches the core thread
  (signed HTTP ``place_order`` out, protobuf push of the execution back, parse, fold);
* query round trip: ``query_order`` (signed ``orders`` + ``order_transactions`` calls);
* the same orders with 5% of gateway calls failing: execution rate, duplicates, over-fills.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from slipstream.brokers.tiger import TigerBroker, start_local_gateway
from slipstream.core.clock import LiveClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import Side
from slipstream.model.events import OrderEvent, OrderFilled, OrderRejected
from slipstream.model.orders_spec import OrderSpec

ROUND_TRIPS = 400
FAULTED = 300


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _stats(name: str, values_ms: list[float]) -> dict[str, Any]:
    return {
        "name": name,
        "value": statistics.fmean(values_ms),
        "unit": "ms (mean)",
        "p50_ms": _pct(values_ms, 0.50),
        "p99_ms": _pct(values_ms, 0.99),
        "max_ms": max(values_ms),
        "n": len(values_ms),
    }


def _round_trips() -> list[dict[str, Any]]:
    done: list[OrderEvent] = []
    with start_local_gateway() as gateway:
        broker = TigerBroker.from_config(gateway.config(), LiveClock())
        broker.connect(done.append)
        orders_ms, queries_ms = [], []
        for i in range(ROUND_TRIPS):
            coid = f"RT{i}"
            start = time.perf_counter()
            broker.submit(OrderSpec(ClientOrderId(coid), "AAPL", (Side.BUY, Side.SELL)[i & 1], 100))
            while not (
                done and isinstance(done[-1], OrderFilled) and done[-1].client_order_id == coid
            ):
                broker.wait_events(1.0)
            orders_ms.append((time.perf_counter() - start) * 1e3)
            if i % 4 == 0:
                start = time.perf_counter()
                broker.query_order(coid)
                queries_ms.append((time.perf_counter() - start) * 1e3)
        broker.close()
    return [
        _stats("tiger order round trip (submit -> fill event)", orders_ms),
        _stats("tiger query_order round trip", queries_ms),
    ]


def _faulted() -> dict[str, Any]:
    events: list[OrderEvent] = []
    args = ("--fail-rate", "0.05", "--timeout-ms", "700", "--seed", "5")
    with start_local_gateway(None, *args) as gateway:
        broker = TigerBroker.from_config(gateway.config(timeout_secs=0.4), LiveClock())
        broker.connect(events.append)
        start = time.perf_counter()
        for i in range(FAULTED):
            spec = OrderSpec(ClientOrderId(f"FB{i}"), "MSFT", (Side.BUY, Side.SELL)[i & 1], 100)
            broker.submit(spec)
            if i % 25 == 24:
                while broker.pending_orders():
                    broker.wait_events(0.05)
        while broker.pending_orders():
            broker.wait_events(0.05)
        elapsed = time.perf_counter() - start
        stats = gateway.control("stats")
        broker.close()
    filled: dict[str, int] = {}
    for event in events:
        if isinstance(event, OrderFilled):
            filled[event.client_order_id] = filled.get(event.client_order_id, 0) + event.last_qty
    rejected = sum(1 for e in events if isinstance(e, OrderRejected))
    executed = sum(1 for qty in filled.values() if qty == 100)
    return {
        "name": "tiger execution success with 5% of calls failing",
        "value": 100.0 * executed / FAULTED,
        "unit": "%",
        "orders": FAULTED,
        "rejected": rejected,
        "over_filled": sum(1 for qty in filled.values() if qty > 100),
        "duplicate_orders": stats["duplicate_marks"],
        "faults_injected": sum(v for k, v in stats["injected"].items()),
        "elapsed_s": elapsed,
    }


def run() -> list[dict[str, Any]]:
    """Return order and query round-trip latency and the faulted execution rate."""
    return [*_round_trips(), _faulted()]


if __name__ == "__main__":
    for row in run():
        print(row)
