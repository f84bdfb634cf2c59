"""What the Tiger broker's worker and push threads tell its core thread.

Worker and push threads only ever build these frozen records and put them on the broker's
inbox; the core thread takes them off in :meth:`TigerBroker.drain` and folds them
(:mod:`.fold`). None of them touches order state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slipstream.brokers.contract import AccountReport, PositionReport
from slipstream.brokers.tiger.client import PushHandlers
from slipstream.brokers.tiger.parsing import WireFill, WireOrder
from slipstream.brokers.tiger.tracking import Change, Outcome, Query, RequestKind
from slipstream.model.events import OrderEvent

# -- about one order (``coid`` names it) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answered:
    """How Tiger answered a place, cancel or modify (``venue_id``: a place that went through)."""

    coid: str
    kind: RequestKind
    outcome: Outcome
    reason: str = ""
    venue_id: str = ""
    change: Change | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """A lookup by client order id: Tiger's order, or None if Tiger has none."""

    coid: str
    order: WireOrder | None


@dataclass(frozen=True, slots=True)
class Polled:
    """The order's status by Tiger's id, from a poll started at ``started_ns`` (monotonic)."""

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
    kind: Query
    error: str


#: The records that name their order.
OrderRecord = Answered | Resolved | Polled | Fills | QueryFailed

# -- from the push channel (matched to an order by Tiger's id or user mark) -------------------


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


def push_handlers(put: Callable[[object], None]) -> PushHandlers:
    """The push callbacks (run on the SDK's threads): each only puts a record on the inbox."""
    return PushHandlers(
        on_order=lambda order: put(PushOrder(order)),
        on_fill=lambda fill: put(PushFill(fill)),
        on_position=lambda report: put(PushPosition(report)),
        on_account=lambda report: put(PushAccount(report)),
        on_connected=lambda: put(PushLink(True)),
        on_disconnected=lambda: put(PushLink(False)),
    )


# -- from the core thread itself: an event to deliver on the next drain -----------------------


@dataclass(frozen=True, slots=True)
class Emit:
    event: OrderEvent
