"""Conformance drivers: how the suite moves the market and injects faults for each broker."""

from __future__ import annotations

from decimal import Decimal

from slipstream.brokers.tiger import GatewayHandle, TigerBroker
from slipstream.core.clock import LiveClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import Side
from slipstream.model.orders_spec import OrderSpec

#: More than the local gateway accepts in one order (it refuses with Tiger's code 1200).
TOO_LARGE = 2_000_000


class TigerDriver:
    """Drive Tiger through the SDK against the local gateway process."""

    name = "tiger"
    tick = Decimal("0.01")

    def __init__(self, gateway: GatewayHandle, symbol: str) -> None:
        self.gateway = gateway
        self.symbol = symbol
        self.broker = TigerBroker.from_config(gateway.config(), LiveClock())

    def pump(self, seconds: float) -> None:
        self.broker.wait_events(seconds)

    def touch(self) -> tuple[Decimal, Decimal]:
        quote = self.broker.quotes([self.symbol])[0]
        return quote.bid, quote.ask

    def fill(self, client_order_id: str, quantity: int) -> None:
        self.gateway.control("fill", user_mark=client_order_id, qty=quantity)

    def rejectable(self, client_order_id: str) -> OrderSpec:
        return OrderSpec(ClientOrderId(client_order_id), self.symbol, Side.BUY, TOO_LARGE)

    def arm_place_timeout(self) -> None:
        self.gateway.control(
            "faults", script=[{"method": "place_order", "kind": "timeout", "when": "after"}]
        )

    def arm_duplicate_fill(self) -> None:
        self.gateway.control("faults", push_dup_rate=1.0)

    def disarm(self) -> None:
        self.gateway.control("faults", script=[], push_dup_rate=0.0, push_drop_rate=0.0)

    def duplicate_orders(self) -> int:
        stats = self.gateway.control("stats")
        return int(stats["duplicate_marks"]) + int(stats["overfills"])

    def close(self) -> None:
        self.broker.close()
