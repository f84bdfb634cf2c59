"""The router: which broker an order goes to, and where its cancels and modifies follow.

One broker per venue name; symbols can be pinned to a venue, everything else goes to the
default. Cancels and modifies always go to the venue the order was sent to.
"""

from __future__ import annotations

from slipstream.brokers.contract import Broker
from slipstream.core.errors import ConfigError
from slipstream.model.orders_spec import OrderSpec


class Router:
    """Map orders to brokers."""

    def __init__(self, default: Broker, others: list[Broker] | None = None) -> None:
        self.default = default
        self._brokers = {default.name: default}
        for broker in others or []:
            self._brokers[broker.name] = broker
        self._by_symbol: dict[str, str] = {}

    def pin(self, symbol: str, venue: str) -> None:
        """Send every order in ``symbol`` to ``venue``."""
        if venue not in self._brokers:
            raise ConfigError(f"routing: venue {venue!r} for {symbol} is not configured")
        self._by_symbol[symbol] = venue

    def venue_for(self, spec: OrderSpec) -> str:
        """Return the venue name for a new order."""
        return self._by_symbol.get(spec.symbol, self.default.name)

    def broker(self, venue: str) -> Broker:
        """Return the broker for ``venue``."""
        return self._brokers[venue]

    def brokers(self) -> list[Broker]:
        """Return every configured broker."""
        return list(self._brokers.values())
