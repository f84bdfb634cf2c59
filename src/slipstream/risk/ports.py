"""What pre-trade risk needs from its neighbours, as small protocols.

The OMS's ``OrderManager`` satisfies :class:`OrderEntry` and its store :class:`OpenOrders`; the
algorithm engine satisfies :class:`AlgoControl`. Risk reads them; it keeps no copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from slipstream.model.commands import CancelOrder, SubmitOrder
from slipstream.model.orders_spec import OrderSpec


class WorkingOrder(Protocol):
    """An order that is still working (``slipstream.model.orders.Order`` fits)."""

    @property
    def spec(self) -> OrderSpec: ...

    @property
    def leaves_qty(self) -> int: ...

    @property
    def limit_price(self) -> Decimal | None: ...


class OpenOrders(Protocol):
    """Where the working orders are (the OMS order store)."""

    def working(self) -> Iterable[WorkingOrder]: ...


class OrderEntry(Protocol):
    """The OMS command entry the kill switch sends its cancels and flattening orders through."""

    def submit(self, command: SubmitOrder) -> Any: ...

    def cancel(self, command: CancelOrder) -> bool: ...


class AlgoControl(Protocol):
    """The algorithm engine's emergency control."""

    def pause_all(self) -> object: ...
