"""What the Tiger broker's threads tell its core thread, and the per-order state it keeps.

Worker and push threads only ever build the frozen records below and put them on the broker's
inbox; :class:`Tracked` (one per order) is read and written on the core thread alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from slipstream.brokers.contract import AccountReport, PositionReport
from slipstream.brokers.tiger.parsing import WireFill, WireOrder
from slipstream.model.enums import OrderStatus
from slipstream.model.events import OrderEvent
from slipstream.model.orders_spec import OrderSpec

#: A modify's new quantity, limit price and stop price.
Change = tuple[int, Decimal | None, Decimal | None]

# -- records put on the inbox by worker and push threads --------------------------------------


@dataclass(frozen=True, slots=True)
class Placed:
    coid: str
    venue_id: str


@dataclass(frozen=True, slots=True)
class PlaceRefused:
    coid: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlaceUnknown:
    coid: str
    error: str


@dataclass(frozen=True, slots=True)
class Resolved:
    coid: str
    order: WireOrder | None


@dataclass(frozen=True, slots=True)
class Polled:
    coid: str
    order: WireOrder | None
    started_ns: int


@dataclass(frozen=True, slots=True)
class Fills:
    coid: str
    fills: tuple[WireFill, ...]


@dataclass(frozen=True, slots=True)
class QueryFailed:
    coid: str
    kind: str
    error: str


@dataclass(frozen=True, slots=True)
class Requested:
    """A cancel or modify went through (``ok``), was refused, or has an unknown outcome."""

    coid: str
    kind: str
    outcome: str
    reason: str = ""
    change: Change | None = None


@dataclass(frozen=True, slots=True)
class PushOrder:
    order: WireOrder


@dataclass(frozen=True, slots=True)
class PushFill:
    fill: WireFill


@dataclass(frozen=True, slots=True)
class PushLink:
    up: bool


@dataclass(frozen=True, slots=True)
class PushPosition:
    report: PositionReport


@dataclass(frozen=True, slots=True)
class PushAccount:
    report: AccountReport


@dataclass(frozen=True, slots=True)
class Emit:
    event: OrderEvent


# -- per-order state, touched only on the core thread -----------------------------------------


@dataclass
class Tracked:
    """One order as the broker follows it (``state``: placing, unknown, live or done)."""

    spec: OrderSpec
    fields: dict[str, Any]
    quantity: int
    limit_price: Decimal | None
    stop_price: Decimal | None
    submitted_ms: int
    venue_id: str | None = None
    state: str = "placing"
    attempts: int = 0
    place_inflight: bool = False
    sent_ns: int = 0
    last_seen_ns: int = 0
    trade_ids: set[str] = field(default_factory=set)
    refused_ids: set[str] = field(default_factory=set)
    filled_emitted: int = 0
    venue_filled: int = 0
    venue_terminal: tuple[OrderStatus, str] | None = None
    cancel_wanted: bool = False
    confirm: str | None = None  # "cancel" | "modify": a poll after confirm_ns must settle it
    confirm_ns: int = 0
    pending_change: Change | None = None
    last_fill_query_ns: int = 0

    @property
    def coid(self) -> str:
        return str(self.spec.client_order_id)

    @property
    def finished(self) -> bool:
        return self.state == "done"
