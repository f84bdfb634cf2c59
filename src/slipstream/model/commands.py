"""Commands: imperative requests to the OMS. Every command is journalled before it acts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.core.ids import ClientOrderId
from slipstream.core.records import fast_frozen_init
from slipstream.core.schema import journal_record
from slipstream.model.orders_spec import OrderSpec


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command."""

    ts_init: int


@journal_record("command.submit_order", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class SubmitOrder(Command):
    """Place a new order. ``spec.client_order_id`` is the idempotency key."""

    spec: OrderSpec


@journal_record("command.cancel_order", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class CancelOrder(Command):
    """Cancel a working order."""

    client_order_id: ClientOrderId
    reason: str = "user"


@journal_record("command.modify_order", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class ModifyOrder(Command):
    """Change quantity and/or prices of a working order (None keeps the current value)."""

    client_order_id: ClientOrderId
    quantity: int | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
