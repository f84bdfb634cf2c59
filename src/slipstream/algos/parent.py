"""Parent orders and their lifecycle events.

A parent order is what a portfolio manager asks for ("buy 400,000 AAPL by 15:30, urgency
high"); the :class:`~slipstream.algos.engine.AlgoEngine` works it into child orders. The record
is validated once, when built by :func:`~slipstream.algos.registry.make_parent`, so an engine
never holds a parent it cannot work. Lifecycle events are published on the bus keyed by
``parent_id``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slipstream.algos.params import AlgoParams
from slipstream.core.ids import ParentOrderId
from slipstream.core.schema import journal_record
from slipstream.model.enums import Side


@dataclass(frozen=True, slots=True)
class ParentOrder:
    """A validated parent order.

    Attributes
    ----------
    urgency : level in [0, 1] (see :mod:`slipstream.algos.urgency`).
    limit_price : price cap: no child buys above it (sells below it); None for no cap.
    start_ns, end_ns : the horizon, UTC nanoseconds; the parent completes at ``end_ns``.
    """

    parent_id: ParentOrderId
    symbol: str
    side: Side
    quantity: int
    algo: str
    params: AlgoParams
    start_ns: int
    end_ns: int
    urgency: float = 0.5
    limit_price: Decimal | None = None

    @property
    def duration_ns(self) -> int:
        """Return the length of the horizon in nanoseconds."""
        return self.end_ns - self.start_ns


@dataclass(frozen=True, slots=True)
class ParentEvent:
    """Base of every parent lifecycle event."""

    parent_id: ParentOrderId
    ts_event: int
    ts_init: int

    @property
    def bus_key(self) -> str:
        """Return the key the bus matches keyed subscriptions against (the parent id)."""
        return self.parent_id


@journal_record("parent.accepted", version=1)
@dataclass(frozen=True, slots=True)
class ParentAccepted(ParentEvent):
    """The engine accepted the parent and started its algorithm.

    The parent travels as plain fields with its parameters as a mapping, so the record
    round-trips through the journal exactly;
    :func:`~slipstream.algos.registry.parent_from_accepted` rebuilds the typed parent.
    """

    symbol: str
    side: Side
    quantity: int
    algo: str
    start_ns: int
    end_ns: int
    urgency: float
    limit_price: Decimal | None
    params: dict[str, Any]

    @classmethod
    def of(cls, parent: ParentOrder, ts_ns: int) -> ParentAccepted:
        """Return the event recording that ``parent`` was accepted at ``ts_ns``."""
        return cls(
            parent.parent_id,
            ts_ns,
            ts_ns,
            parent.symbol,
            parent.side,
            parent.quantity,
            parent.algo,
            parent.start_ns,
            parent.end_ns,
            parent.urgency,
            parent.limit_price,
            dataclasses.asdict(parent.params),
        )


@journal_record("parent.denied", version=1)
@dataclass(frozen=True, slots=True)
class ParentDenied(ParentEvent):
    """Pre-trade risk refused the parent when it was offered; no child was sent.

    ``check`` is the risk check's stable reason code.
    """

    check: str
    reason: str


@journal_record("parent.paused", version=1)
@dataclass(frozen=True, slots=True)
class ParentPaused(ParentEvent):
    """The parent stopped sending children; its working children were cancelled."""

    reason: str


@journal_record("parent.resumed", version=1)
@dataclass(frozen=True, slots=True)
class ParentResumed(ParentEvent):
    """The parent is working again; its schedule catches up from the cumulative target."""


@journal_record("parent.completed", version=1)
@dataclass(frozen=True, slots=True)
class ParentCompleted(ParentEvent):
    """The parent finished: filled, or its end time came (``filled_qty`` may be short)."""

    reason: str
    filled_qty: int
    avg_px: Decimal | None
    children: int


@journal_record("parent.cancelled", version=1)
@dataclass(frozen=True, slots=True)
class ParentCancelled(ParentEvent):
    """The parent was cancelled and every child is done."""

    reason: str
    filled_qty: int
    avg_px: Decimal | None
    children: int


@journal_record("parent.amended", version=1)
@dataclass(frozen=True, slots=True)
class ParentAmended(ParentEvent):
    """The parent's quantity, price cap or end time changed; its schedule was rebuilt."""

    quantity: int
    limit_price: Decimal | None
    end_ns: int
    reason: str


@journal_record("parent.closing", version=1)
@dataclass(frozen=True, slots=True)
class ParentClosing(ParentEvent):
    """The parent stopped working (cancelled, filled or at its end) and is cancelling its children.

    Journalled before the first child cancel leaves, so a restart in the middle of it resumes
    closing the parent instead of working it again; ``ParentCompleted``/``ParentCancelled``
    follows once every child is done. ``outcome`` is ``cancelled`` or ``completed``.
    """

    outcome: str
    reason: str
