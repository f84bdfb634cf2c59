"""The order store: orders by client id, the working set and children by parent.

State only; the manager is the only writer.
"""

from __future__ import annotations

from collections.abc import Iterator

from slipstream.model.orders import Order


class OrderStore:
    """Index orders for the lookups the OMS, algorithms and risk need."""

    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._working: dict[str, Order] = {}
        self._children: dict[str, list[Order]] = {}

    def add(self, order: Order) -> None:
        """Index a new order."""
        self._orders[order.client_order_id] = order
        self._working[order.client_order_id] = order
        if order.spec.parent_id is not None:
            self._children.setdefault(order.spec.parent_id, []).append(order)

    def refresh(self, order: Order) -> None:
        """Move ``order`` out of the working set once terminal (and back if a late fill)."""
        if order.status.is_terminal:
            self._working.pop(order.client_order_id, None)
        else:
            self._working[order.client_order_id] = order

    def get(self, client_order_id: str) -> Order | None:
        """Return the order or None."""
        return self._orders.get(client_order_id)

    def working(self) -> list[Order]:
        """Return the orders that are not in a terminal state, oldest first."""
        return list(self._working.values())

    def children_of(self, parent_id: str) -> list[Order]:
        """Return the child orders of ``parent_id``, oldest first."""
        return list(self._children.get(parent_id, ()))

    def __iter__(self) -> Iterator[Order]:
        return iter(self._orders.values())

    def __len__(self) -> int:
        return len(self._orders)
