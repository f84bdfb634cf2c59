"""Identifiers: distinct types made from the clock plus a counter (never random).

A replayed simulation therefore produces the same ids. A child's id carries its parent's id, so
any fill can be traced to the parent order it belongs to.
"""

from __future__ import annotations

from typing import NewType

from slipstream.core.clock import Clock

ClientOrderId = NewType("ClientOrderId", str)
VenueOrderId = NewType("VenueOrderId", str)
TradeId = NewType("TradeId", str)
ParentOrderId = NewType("ParentOrderId", str)


class IdGenerator:
    """Make ids of the form ``<prefix>-<clock ns>-<counter>``; unique within one process run."""

    def __init__(self, clock: Clock, prefix: str = "O") -> None:
        self._clock = clock
        self._prefix = prefix
        self._count = 0

    def _next(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}-{self._clock.timestamp_ns()}-{self._count}"

    def skip_past(self, used: int) -> None:
        """Never hand out a counter at or below ``used`` (ids made before a restart)."""
        self._count = max(self._count, used)

    def client_order_id(self) -> ClientOrderId:
        """Return a new client order id."""
        return ClientOrderId(self._next(self._prefix))

    def parent_order_id(self) -> ParentOrderId:
        """Return a new parent order id."""
        return ParentOrderId(self._next("P"))

    def child_order_id(self, parent: ParentOrderId) -> ClientOrderId:
        """Return a child order id that carries its parent's id."""
        self._count += 1
        return ClientOrderId(f"{parent}.{self._count}")

    def venue_order_id(self) -> VenueOrderId:
        """Return a new venue order id (used by simulated venues)."""
        return VenueOrderId(self._next("V"))

    def trade_id(self) -> TradeId:
        """Return a new trade (execution) id (used by simulated venues)."""
        return TradeId(self._next("T"))
