"""The fold: one order's tracking state and one record in, its next state and what to do out.

:func:`fold` takes a :class:`~.tracking.Tracked` and a record about it (a place, cancel or
modify answer, a lookup, a status from push or a poll, one execution, a failed query) and
returns a :class:`Step`: the domain events to deliver, the requests and queries to send next,
the counters to bump, and Tiger's id when it was just learnt. :func:`submitted`,
:func:`adopted`, :func:`cancel_asked` and :func:`modify_asked` do the same for what the core
asks. Each maps its input to a :class:`~.tracking.Trigger` and moves the order along
``TRANSITIONS`` before changing anything else, so an impossible pair raises with the order
untouched.

Orders are never blindly re-sent. Place, modify and cancel go out exactly once. When the
answer is lost (timeout, 5xx, Tiger's "server error"), the outcome is unknown and the order is
resolved by query: by Tiger's id, or by the client order id Tiger keeps as ``user_mark``. Only
when Tiger confirms it never saw the order is it placed again, with the same ``user_mark``, up
to ``max_place_attempts``. Executions are counted by Tiger's execution id and capped at the
order's quantity, so a repeated or replayed execution is never counted twice or over-fills.

Nothing here blocks, reads a clock, touches a thread or the SDK: times come in the
:class:`Context`, requests go out in the :class:`Step`, and the broker
(:mod:`.broker`) does the I/O. Like ``Order.apply``, the fold updates the tracker it is given
in place (the tracker is the state; the broker keeps one per order, on the core thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from slipstream.brokers.tiger import parsing
from slipstream.brokers.tiger.inbox import Answered, Polled, QueryFailed, Resolved
from slipstream.brokers.tiger.parsing import WireFill, WireOrder
from slipstream.brokers.tiger.tracking import (
    PLACE_TRIGGERS,
    REQUEST_TRIGGERS,
    Change,
    Outcome,
    Query,
    RequestKind,
    Tracked,
)
from slipstream.brokers.tiger.tracking import Tracking as S
from slipstream.brokers.tiger.tracking import Trigger as T
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderCancelRejected,
    OrderEvent,
    OrderExpired,
    OrderModifyRejected,
    OrderRejected,
    OrderUpdated,
)

log = logging.getLogger("slipstream.brokers.tiger")

#: Tiger statuses after which an order takes no more executions.
TERMINAL_WIRE = frozenset(
    (OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED)
)

#: What the fold takes: an answer or lookup, a status (pushed, or polled), one execution.
Record = Answered | Resolved | Polled | QueryFailed | WireOrder | WireFill


class Do(StrEnum):
    """A request or query the broker sends for the order, on a worker thread."""

    PLACE = "place"  # the place request (the attempt is already counted)
    CANCEL = "cancel"  # cancel by the order's Tiger id
    CANCEL_OTHER = "cancel_other"  # cancel a second Tiger order carrying our client order id
    MODIFY = "modify"
    POLL = "poll"  # the order's status, unless a poll is out already
    REPOLL = "repoll"  # a poll started from now on (one already out may predate a request)
    FILLS = "fills"  # every execution, unless that query is out already
    RESOLVE = "resolve"  # look the order up by client order id, now
    RESOLVE_SOON = "resolve_soon"  # ... after ``resolve_delay_secs`` (a place answer was lost)
    RESOLVE_LATER = "resolve_later"  # ... after ``poll_interval_secs`` (a lookup failed)


@dataclass(frozen=True, slots=True)
class Request:
    do: Do
    venue_id: str = ""  # CANCEL_OTHER: the other order
    change: Change | None = None  # MODIFY


@dataclass(slots=True)
class Context:
    """What the fold is told about the world: the time, the policy, fills waiting for an id."""

    now: int  # the clock, for events' timestamps (ns)
    mono: int  # a monotonic reading, for the watchdog and polling fields (ns)
    max_attempts: int  # place requests allowed before an order Tiger never saw is rejected
    #: executions pushed before their order's Tiger id was known, by that id; the fold takes
    #: (pops) an order's entries when it learns the id.
    orphans: dict[str, list[WireFill]] = field(default_factory=dict)


@dataclass(slots=True)
class Step:
    """What folding one record asks of the broker, in order."""

    events: list[OrderEvent] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)
    learnt: str | None = None  # Tiger's id, just learnt: the broker indexes the order by it


# -- what the core asks --------------------------------------------------------------------------


def submitted(t: Tracked, unsupported: str | None, ctx: Context) -> Step:
    """A new order: place it, or reject it at once when Tiger cannot take it."""
    step = Step()
    if unsupported is not None:
        t.advance(T.UNSUPPORTED)
        step.events.append(OrderRejected(t.spec.client_order_id, ctx.now, ctx.now, unsupported))
        return step
    t.advance(T.SEND)
    _send(t, step, ctx)
    return step


def adopted(t: Tracked, ctx: Context) -> Step:
    """An order sent before a restart: poll it by Tiger's id, or look it up; never send it."""
    step = Step()
    if t.venue_id is not None:
        t.advance(T.ADOPT)
        step.learnt = t.venue_id
        step.requests.append(Request(Do.POLL))
    else:
        # If Tiger has not got it, it is reported rejected: no attempts are left.
        t.advance(T.ADOPT_UNACKED)
        t.attempts = ctx.max_attempts
        step.requests.append(Request(Do.RESOLVE))
    return step


def cancel_asked(t: Tracked, ctx: Context) -> Step:
    """Cancel now, once Tiger's id is known, or refuse: the order is finished."""
    step = Step()
    t.advance(T.CANCEL)
    if t.finished:
        coid = t.spec.client_order_id
        step.events.append(OrderCancelRejected(coid, ctx.now, ctx.now, "order is finished"))
    elif t.venue_id is None:
        t.cancel_wanted = True
    else:
        _cancel(t, step)
    return step


def modify_asked(t: Tracked, change: Change, ctx: Context) -> Step:
    """Modify an order Tiger has acknowledged; refuse otherwise."""
    step = Step()
    t.advance(T.MODIFY)
    if t.finished or t.venue_id is None:
        why = "order is finished" if t.finished else "order is not acknowledged yet"
        step.events.append(OrderModifyRejected(t.spec.client_order_id, ctx.now, ctx.now, why))
    else:
        step.requests.append(Request(Do.MODIFY, change=change))
    return step


# -- what Tiger (or a worker) tells ----------------------------------------------------------


def fold(t: Tracked, record: Record, ctx: Context) -> Step:
    """Fold one record about ``t`` into it; return what follows."""
    step = Step()
    if isinstance(record, WireFill):
        _fill(t, record, step, ctx)
    elif isinstance(record, WireOrder):
        _status(t, T.STATUS, record, None, step, ctx)
    elif isinstance(record, Polled):
        if record.order is not None:
            _status(t, T.STATUS, record.order, record.started_ns, step, ctx)
    elif isinstance(record, Answered):
        if record.kind is RequestKind.PLACE:
            _place_answered(t, record, step, ctx)
        else:
            _request_answered(t, record, step, ctx)
    elif isinstance(record, Resolved):
        _resolved(t, record.order, step, ctx)
    elif isinstance(record, QueryFailed):
        _query_failed(t, record, step)
    else:  # pragma: no cover - the union above is exhaustive
        raise TypeError(f"not a tiger order record: {record!r}")
    return step


def _place_answered(t: Tracked, answer: Answered, step: Step, ctx: Context) -> None:
    source = t.advance(PLACE_TRIGGERS[answer.outcome])
    if answer.outcome is Outcome.OK:
        _acknowledge(t, answer.venue_id, step, ctx)
    elif source is not S.PLACING:
        return  # an earlier attempt's late answer: a lookup already found the order
    elif answer.outcome is Outcome.REFUSED:
        _refuse(t, answer.reason, step, ctx)
    else:
        step.counts.append("place_unknown")
        log.info("tiger: place of %s has an unknown outcome (%s); resolving", t.coid, answer.reason)
        step.requests.append(Request(Do.RESOLVE_SOON))


def _resolved(t: Tracked, order: WireOrder | None, step: Step, ctx: Context) -> None:
    if order is not None:
        if t.state is not S.DONE:
            _status(t, T.FOUND, order, None, step, ctx)
        else:
            t.advance(T.FOUND)
        return
    exhausted = t.attempts >= ctx.max_attempts
    source = t.advance(T.NOT_FOUND_EXHAUSTED if exhausted else T.NOT_FOUND)
    if source is not S.UNKNOWN:
        return  # the place is still out, or Tiger's id is known: a lagging lookup
    if exhausted:
        why = f"not received by Tiger (sent {t.attempts} times, looked up by client order id)"
        _refuse(t, why, step, ctx)
    else:
        step.counts.append("re_placed")
        _send(t, step, ctx)


def _query_failed(t: Tracked, item: QueryFailed, step: Step) -> None:
    t.advance(T.QUERY_FAILED)
    step.counts.append(f"{item.kind.value}_failed")
    log.warning("tiger %s query for %s failed: %s", item.kind.value, t.coid, item.error)
    if item.kind is Query.RESOLVE and t.state is S.UNKNOWN:
        step.requests.append(Request(Do.RESOLVE_LATER))


def _request_answered(t: Tracked, answer: Answered, step: Step, ctx: Context) -> None:
    t.advance(REQUEST_TRIGGERS[answer.outcome])
    coid = t.spec.client_order_id
    if answer.outcome is Outcome.OK and answer.change is not None:  # a modify went through
        _apply_change(t, answer.change, step, ctx)
        return
    if answer.outcome is Outcome.REFUSED:
        # Tiger refused the request itself; ask for the order's state (a fill may explain it).
        step.requests.append(Request(Do.POLL))
        step.events.append(
            OrderCancelRejected(coid, ctx.now, ctx.now, answer.reason)
            if answer.kind is RequestKind.CANCEL
            else OrderModifyRejected(coid, ctx.now, ctx.now, answer.reason)
        )
        return
    # A cancel that went through, or any lost answer: a poll started after now settles it.
    t.confirm = answer.kind if answer.outcome is Outcome.UNKNOWN else None
    t.pending_change = answer.change
    t.confirm_ns = ctx.mono
    step.requests.append(Request(Do.REPOLL))


def _status(
    t: Tracked,
    trigger: T,
    order: WireOrder,
    poll_started_ns: int | None,
    step: Step,
    ctx: Context,
) -> None:
    """Fold Tiger's view of the order (push, poll or lookup)."""
    t.advance(trigger)
    if not _acknowledge(t, order.venue_order_id, step, ctx):
        return
    t.last_seen_ns = ctx.mono
    t.venue_filled = max(t.venue_filled, order.filled)
    if t.confirm is not None and poll_started_ns is not None and poll_started_ns >= t.confirm_ns:
        _settle_confirm(t, order, step, ctx)
    if order.status in TERMINAL_WIRE:
        t.venue_terminal = (order.status, order.reason)
    if t.venue_filled > t.filled_emitted:
        step.requests.append(Request(Do.FILLS))
    _finish(t, step, ctx)


def _fill(t: Tracked, fill: WireFill, step: Step, ctx: Context) -> None:
    """Fold one execution: duplicates are dropped by id, over-fills refused."""
    if fill.trade_id in t.trade_ids:
        step.counts.append("duplicate_fills_dropped")
        return
    if t.filled_emitted + fill.quantity > t.quantity or fill.quantity <= 0:
        step.counts.append("overfills_refused")
        if fill.trade_id not in t.refused_ids:
            t.refused_ids.add(fill.trade_id)
            log.error("tiger: execution %s would over-fill %s; refused", fill.trade_id, t.coid)
        return
    t.advance(T.FILL)
    t.trade_ids.add(fill.trade_id)
    t.filled_emitted += fill.quantity
    t.venue_filled = max(t.venue_filled, t.filled_emitted)
    t.last_seen_ns = ctx.mono
    step.events.append(parsing.fill_event(fill, t.coid, ctx.now))
    _finish(t, step, ctx)


# -- shared steps ----------------------------------------------------------------------------


def _send(t: Tracked, step: Step, ctx: Context) -> None:
    t.attempts += 1
    t.sent_ns = ctx.mono
    step.requests.append(Request(Do.PLACE))


def _cancel(t: Tracked, step: Step) -> None:
    t.cancel_wanted = False
    step.requests.append(Request(Do.CANCEL))


def _acknowledge(t: Tracked, venue_id: str, step: Step, ctx: Context) -> bool:
    """Learn Tiger's id for the order (once); return whether ``venue_id`` is that id.

    The state has already moved. A second Tiger order carrying our client order id is
    cancelled and the first kept. Executions pushed before the id was known are folded now.
    """
    if t.venue_id is not None:
        if t.venue_id == venue_id:
            return True
        step.counts.append("duplicate_venue_orders")
        log.error("tiger: a second order %s for %s; cancelling it", venue_id, t.coid)
        step.requests.append(Request(Do.CANCEL_OTHER, venue_id))
        return False
    if t.finished:
        # Already reported rejected, yet Tiger has it: said loudly (the OMS sees an
        # acknowledgement after a rejection) and followed as far as its executions go.
        step.counts.append("acknowledged_after_done")
        log.error("tiger: %s was given up on, yet Tiger has it as %s", t.coid, venue_id)
    t.venue_id = venue_id
    t.last_seen_ns = ctx.mono
    step.learnt = venue_id
    step.events.append(OrderAccepted(t.spec.client_order_id, ctx.now, ctx.now, venue_id))
    for fill in ctx.orphans.pop(venue_id, ()):
        _fill(t, fill, step, ctx)
    if t.cancel_wanted:
        _cancel(t, step)
    return True


def _refuse(t: Tracked, reason: str, step: Step, ctx: Context) -> None:
    """The order was never placed (the state is already DONE): rejected, or cancelled if asked."""
    step.counts.append("rejected")
    coid = t.spec.client_order_id
    if t.cancel_wanted:
        step.events.append(OrderCancelled(coid, ctx.now, ctx.now, f"cancelled; {reason}"))
    else:
        step.events.append(OrderRejected(coid, ctx.now, ctx.now, reason))


def _apply_change(t: Tracked, change: Change, step: Step, ctx: Context) -> None:
    quantity, limit, stop = change
    t.quantity, t.limit_price, t.stop_price = quantity, limit, stop
    step.events.append(
        OrderUpdated(t.spec.client_order_id, ctx.now, ctx.now, quantity, limit, stop)
    )


def _settle_confirm(t: Tracked, order: WireOrder, step: Step, ctx: Context) -> None:
    """Settle a cancel or modify whose answer was lost, from a poll sent after it."""
    kind, t.confirm = t.confirm, None
    coid = t.spec.client_order_id
    if kind is RequestKind.MODIFY and t.pending_change is not None:
        change, t.pending_change = t.pending_change, None
        quantity, limit, stop = change
        applied = order.quantity == quantity and (limit is None or order.limit_price == limit)
        applied = applied and (stop is None or order.stop_price == stop)
        if applied:
            _apply_change(t, change, step, ctx)
        else:
            why = "modify not applied at Tiger"
            step.events.append(OrderModifyRejected(coid, ctx.now, ctx.now, why))
    elif kind is RequestKind.CANCEL and order.status not in TERMINAL_WIRE:
        why = "cancel not applied at Tiger"
        step.events.append(OrderCancelRejected(coid, ctx.now, ctx.now, why))


def _finish(t: Tracked, step: Step, ctx: Context) -> None:
    """End a live order once it is filled, or Tiger ended it and every execution is counted."""
    if t.state is not S.LIVE:
        return
    if t.filled_emitted >= t.quantity:
        t.advance(T.FILLED)
        return
    if t.venue_terminal is None or t.filled_emitted < t.venue_filled:
        return
    status, reason = t.venue_terminal
    if status is OrderStatus.FILLED:
        return
    t.advance(T.ENDED)
    coid = t.spec.client_order_id
    if status is OrderStatus.EXPIRED:
        step.events.append(OrderExpired(coid, ctx.now, ctx.now))
        return
    why = reason or "cancelled"
    if status is OrderStatus.REJECTED:
        why = f"rejected by Tiger after acceptance: {reason}"
    step.events.append(OrderCancelled(coid, ctx.now, ctx.now, why))
