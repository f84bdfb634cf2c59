"""How the Tiger broker follows one order: its tracking states and the one transition table.

This is Tiger's side of an order (did Tiger get it, under which id, is it over?), kept next to,
not instead of, the OMS's order state (``model/orders.py``). ``TRANSITIONS`` is the single
source of truth; :meth:`Tracked.advance` moves along it and any pair not in it raises
:class:`~slipstream.core.errors.InvalidTransitionError`. :mod:`.fold` maps each inbox record
(and each request from the core) to a :class:`Trigger` and decides the events to emit.

States
    ``NEW`` (created, nothing sent) → ``PLACING`` (a place request is out) → ``LIVE`` (Tiger's
    id is known; push and polls follow it) → ``DONE`` (its final event is delivered, or it was
    rejected). ``UNKNOWN``: a place answer was lost (or an order adopted after a restart has no
    Tiger id), so it is being looked up by its client order id; only a lookup that finds
    nothing sends it again.

Triggers that change nothing are listed as self-loops on purpose: the table says which news
each state expects (a place answer arriving after a lookup already found the order, a status
for an order already done), and anything else is a bug made loud.

A :class:`Tracked` is read and written on the broker's core thread alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from slipstream.brokers.tiger import parsing
from slipstream.core.errors import InvalidTransitionError
from slipstream.model.enums import OrderStatus
from slipstream.model.orders import Order
from slipstream.model.orders_spec import OrderSpec

#: A modify's new quantity, limit price and stop price.
Change = tuple[int, Decimal | None, Decimal | None]


class Tracking(StrEnum):
    """Where an order stands with Tiger."""

    NEW = "new"
    PLACING = "placing"
    UNKNOWN = "unknown"
    LIVE = "live"
    DONE = "done"


class RequestKind(StrEnum):
    """An order request sent to Tiger, at most once per call."""

    PLACE = "place"
    CANCEL = "cancel"
    MODIFY = "modify"


class Outcome(StrEnum):
    """How Tiger answered a request: done, said no, or the answer was lost."""

    OK = "ok"
    REFUSED = "refused"
    UNKNOWN = "unknown"


class Query(StrEnum):
    """A read-only question about one order (retried by the client, never a request)."""

    RESOLVE = "resolve"  # find the order by its client order id (Tiger's user_mark)
    POLL = "poll"  # the order's status, by Tiger's id
    FILLS = "fills"  # every execution of the order


class Trigger(StrEnum):
    """What can happen to an order the broker follows."""

    # the core thread
    SEND = "send"  # place it at Tiger
    UNSUPPORTED = "unsupported"  # Tiger cannot take this spec: rejected, nothing sent
    ADOPT = "adopt"  # follow an order sent before a restart, its Tiger id known
    ADOPT_UNACKED = "adopt_unacked"  # ... sent before a restart, its Tiger id never learnt
    CANCEL = "cancel"  # the OMS asks to cancel
    MODIFY = "modify"  # the OMS asks to modify
    # the answer to a place request
    PLACED = "placed"  # with Tiger's id
    PLACE_REFUSED = "place_refused"
    PLACE_LOST = "place_lost"
    # a lookup by client order id
    FOUND = "found"
    NOT_FOUND = "not_found"  # Tiger has no such order; attempts are left
    NOT_FOUND_EXHAUSTED = "not_found_exhausted"  # ... and every attempt is spent
    QUERY_FAILED = "query_failed"  # a lookup, poll or execution query failed
    # Tiger's news: order status (push, poll) and executions (push, query)
    STATUS = "status"
    FILL = "fill"  # a new execution, counted
    FILLED = "filled"  # every share of the order is executed
    ENDED = "ended"  # Tiger ended it (cancelled, expired, rejected); every execution counted
    # the answer to a cancel or modify request
    REQUEST_OK = "request_ok"
    REQUEST_REFUSED = "request_refused"
    REQUEST_LOST = "request_lost"


S = Tracking
T = Trigger


def _stay(states: tuple[Tracking, ...], *triggers: Trigger) -> dict[tuple[Tracking, Trigger], S]:
    return {(s, t): s for s in states for t in triggers}


_SENT = (S.PLACING, S.UNKNOWN, S.LIVE, S.DONE)
_KNOWN = (S.LIVE, S.DONE)

#: (state, trigger) -> next state. The one table; every pair not listed is an error.
TRANSITIONS: dict[tuple[Tracking, Trigger], Tracking] = {
    (S.NEW, T.SEND): S.PLACING,
    (S.NEW, T.UNSUPPORTED): S.DONE,
    (S.NEW, T.ADOPT): S.LIVE,
    (S.NEW, T.ADOPT_UNACKED): S.UNKNOWN,
    # A place is out: its answer, or a lookup or Tiger's push naming the order, settles it.
    (S.PLACING, T.PLACED): S.LIVE,
    (S.PLACING, T.PLACE_REFUSED): S.DONE,
    (S.PLACING, T.PLACE_LOST): S.UNKNOWN,
    (S.PLACING, T.FOUND): S.LIVE,
    (S.PLACING, T.STATUS): S.LIVE,
    **_stay((S.PLACING,), T.NOT_FOUND, T.NOT_FOUND_EXHAUSTED),  # the place is still out
    # The answer was lost: a lookup decides. Nothing found: send again, or give up.
    (S.UNKNOWN, T.FOUND): S.LIVE,
    (S.UNKNOWN, T.STATUS): S.LIVE,
    (S.UNKNOWN, T.NOT_FOUND): S.PLACING,
    (S.UNKNOWN, T.NOT_FOUND_EXHAUSTED): S.DONE,
    # Tiger has it. A late answer to an earlier place attempt or a lagging lookup adds nothing.
    **_stay((S.LIVE,), T.PLACED, T.PLACE_REFUSED, T.PLACE_LOST),
    **_stay((S.LIVE,), T.FOUND, T.NOT_FOUND, T.NOT_FOUND_EXHAUSTED, T.STATUS, T.FILL),
    (S.LIVE, T.FILLED): S.DONE,
    (S.LIVE, T.ENDED): S.DONE,
    # Over: late answers and lookups are ignored; Tiger's status and late executions are
    # still folded (a fill the venue made before it cancelled is counted).
    **_stay((S.DONE,), T.PLACED, T.PLACE_REFUSED, T.PLACE_LOST),
    **_stay((S.DONE,), T.FOUND, T.NOT_FOUND, T.NOT_FOUND_EXHAUSTED, T.STATUS, T.FILL),
    # Asked of any order sent (wanted, sent, or refused as finished); a failed query is retried.
    **_stay(_SENT, T.CANCEL, T.MODIFY, T.QUERY_FAILED),
    # Cancels and modifies go out only once Tiger's id is known.
    **_stay(_KNOWN, T.REQUEST_OK, T.REQUEST_REFUSED, T.REQUEST_LOST),
}

#: The trigger a cancel or modify answer stands for.
REQUEST_TRIGGERS: dict[Outcome, Trigger] = {
    Outcome.OK: T.REQUEST_OK,
    Outcome.REFUSED: T.REQUEST_REFUSED,
    Outcome.UNKNOWN: T.REQUEST_LOST,
}

#: The trigger a place answer stands for.
PLACE_TRIGGERS: dict[Outcome, Trigger] = {
    Outcome.OK: T.PLACED,
    Outcome.REFUSED: T.PLACE_REFUSED,
    Outcome.UNKNOWN: T.PLACE_LOST,
}


@dataclass(slots=True)
class Tracked:
    """One order as the broker follows it; moved only by :meth:`advance` (see the table)."""

    # what was asked: the spec, its wire fields, when (for lookups by client order id)
    spec: OrderSpec
    fields: dict[str, Any]
    submitted_ms: int
    # the order's current terms (a modify Tiger accepted changes them)
    quantity: int
    limit_price: Decimal | None
    stop_price: Decimal | None
    state: Tracking = Tracking.NEW
    venue_id: str | None = None
    attempts: int = 0  # place requests sent
    cancel_wanted: bool = False  # asked before Tiger's id was known: sent once it is
    # executions: delivered (by Tiger's execution id), refused as over-fills, Tiger's count
    trade_ids: set[str] = field(default_factory=set)
    refused_ids: set[str] = field(default_factory=set)
    filled_emitted: int = 0
    venue_filled: int = 0
    venue_terminal: tuple[OrderStatus, str] | None = None  # Tiger's final status and reason
    # a cancel or modify whose answer was lost: a poll started after confirm_ns settles it
    confirm: RequestKind | None = None
    confirm_ns: int = 0
    pending_change: Change | None = None
    # monotonic clock readings that drive the watchdog and the polling fallback
    sent_ns: int = 0
    last_seen_ns: int = 0
    last_fill_query_ns: int = 0

    @classmethod
    def of(cls, spec: OrderSpec, submitted_ms: int) -> Tracked:
        """A new order, about to be sent."""
        return cls(
            spec,
            parsing.order_fields(spec),
            submitted_ms,
            spec.quantity,
            spec.limit_price,
            spec.stop_price,
        )

    @classmethod
    def following(cls, order: Order) -> Tracked:
        """An order sent before a restart, as the journal left it (its executions counted)."""
        return cls(
            order.spec,
            parsing.order_fields(order.spec),
            order.events[0].ts_init // 1_000_000,
            order.quantity,
            order.limit_price,
            order.stop_price,
            venue_id=order.venue_order_id,
            trade_ids=set(order.trade_ids),
            filled_emitted=order.filled_qty,
            venue_filled=order.filled_qty,
        )

    @property
    def coid(self) -> str:
        return str(self.spec.client_order_id)

    @property
    def finished(self) -> bool:
        return self.state is Tracking.DONE

    def can(self, trigger: Trigger) -> bool:
        """Return whether ``trigger`` is an edge out of the current state."""
        return (self.state, trigger) in TRANSITIONS

    def advance(self, trigger: Trigger) -> Tracking:
        """Move along ``(state, trigger)`` and return the state left; other pairs raise."""
        source = self.state
        destination = TRANSITIONS.get((source, trigger))
        if destination is None:
            raise InvalidTransitionError(
                "trigger", trigger.value, f"not allowed from tracking state {source.value}"
            )
        self.state = destination
        return source
