"""Every (state, trigger) pair of the Tiger tracking table: allowed edges advance, others raise.

Walked twice: on the table's own mechanics (``Tracked.advance``), and through the fold with the
record or request each trigger stands for, so the fold's mapping is checked too. No threads,
no SDK, no gateway.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from slipstream.brokers.tiger import fold
from slipstream.brokers.tiger.fold import Context, Step
from slipstream.brokers.tiger.inbox import Answered, Polled, QueryFailed, Resolved
from slipstream.brokers.tiger.parsing import WireFill, WireOrder
from slipstream.brokers.tiger.tracking import (
    TRANSITIONS,
    Outcome,
    Query,
    RequestKind,
    Tracked,
    Tracking,
    Trigger,
)
from slipstream.core.errors import InvalidTransitionError
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus, OrderType, Side
from slipstream.model.orders_spec import OrderSpec

S = Tracking
T = Trigger
QTY = 100
MAX_ATTEMPTS = 3
SPEC = OrderSpec(
    ClientOrderId("C-1"), "IBM", Side.BUY, QTY, OrderType.LIMIT, limit_price=Decimal("10.00")
)

# Independent statement of the intended table (not read from the code under test).
EXPECTED: dict[tuple[S, T], S] = {
    (S.NEW, T.SEND): S.PLACING,
    (S.NEW, T.UNSUPPORTED): S.DONE,
    (S.NEW, T.ADOPT): S.LIVE,
    (S.NEW, T.ADOPT_UNACKED): S.UNKNOWN,
    (S.PLACING, T.PLACED): S.LIVE,
    (S.PLACING, T.PLACE_REFUSED): S.DONE,
    (S.PLACING, T.PLACE_LOST): S.UNKNOWN,
    (S.PLACING, T.FOUND): S.LIVE,
    (S.PLACING, T.STATUS): S.LIVE,
    (S.PLACING, T.NOT_FOUND): S.PLACING,
    (S.PLACING, T.NOT_FOUND_EXHAUSTED): S.PLACING,
    (S.UNKNOWN, T.FOUND): S.LIVE,
    (S.UNKNOWN, T.STATUS): S.LIVE,
    (S.UNKNOWN, T.NOT_FOUND): S.PLACING,
    (S.UNKNOWN, T.NOT_FOUND_EXHAUSTED): S.DONE,
    (S.LIVE, T.FILLED): S.DONE,
    (S.LIVE, T.ENDED): S.DONE,
}
for known in (S.LIVE, S.DONE):
    for news in (
        T.PLACED,
        T.PLACE_REFUSED,
        T.PLACE_LOST,
        T.FOUND,
        T.NOT_FOUND,
        T.NOT_FOUND_EXHAUSTED,
        T.STATUS,
        T.FILL,
        T.REQUEST_OK,
        T.REQUEST_REFUSED,
        T.REQUEST_LOST,
    ):
        EXPECTED[(known, news)] = known
for sent in (S.PLACING, S.UNKNOWN, S.LIVE, S.DONE):
    for asked in (T.CANCEL, T.MODIFY, T.QUERY_FAILED):
        EXPECTED[(sent, asked)] = sent

# -- records ---------------------------------------------------------------------------------

_N = itertools.count(1)


def ctx() -> Context:
    n = next(_N)
    return Context(now=n, mono=n * 1_000, max_attempts=MAX_ATTEMPTS)


def wire(
    status: OrderStatus, filled: int = 0, qty: int = QTY, limit: Decimal = Decimal("10.00")
) -> WireOrder:
    return WireOrder("V1", "C-1", "IBM", Side.BUY, status, qty, filled, None, limit, None, "", 1)


def execution(qty: int, trade_id: str | None = None) -> WireFill:
    tid = trade_id if trade_id is not None else f"X{next(_N)}"
    return WireFill(tid, "V1", "IBM", Side.BUY, qty, Decimal("10.00"), 1)


def placed(venue_id: str = "V1") -> Answered:
    return Answered("C-1", RequestKind.PLACE, Outcome.OK, venue_id=venue_id)


def names(step: Step) -> list[str]:
    return [type(e).__name__ for e in step.events]


def state_of(t: Tracked) -> S:
    """The tracker's state, read afresh (not narrowed by an earlier assert)."""
    return t.state


def does(step: Step) -> list[fold.Do]:
    return [r.do for r in step.requests]


# -- bringing a fresh tracker into each state, through the fold ------------------------------

PATHS: dict[S, list[Callable[[Tracked], Step]]] = {
    S.NEW: [],
    S.PLACING: [lambda t: fold.submitted(t, None, ctx())],
    S.UNKNOWN: [
        lambda t: fold.submitted(t, None, ctx()),
        lambda t: fold.fold(t, Answered("C-1", RequestKind.PLACE, Outcome.UNKNOWN), ctx()),
    ],
    S.LIVE: [lambda t: fold.submitted(t, None, ctx()), lambda t: fold.fold(t, placed(), ctx())],
    S.DONE: [
        lambda t: fold.submitted(t, None, ctx()),
        lambda t: fold.fold(t, placed(), ctx()),
        lambda t: fold.fold(t, wire(OrderStatus.CANCELLED), ctx()),
    ],
}


def tracked_in(state: S) -> Tracked:
    t = Tracked.of(SPEC, 0)
    for step in PATHS[state]:
        step(t)
    assert t.state is state
    return t


# -- the record or request each trigger stands for -------------------------------------------


def _adopt(t: Tracked) -> Step:
    t.venue_id = t.venue_id or "V1"
    return fold.adopted(t, ctx())


def _adopt_unacked(t: Tracked) -> Step:
    t.venue_id = None
    return fold.adopted(t, ctx())


def _not_found_exhausted(t: Tracked) -> Step:
    t.attempts = MAX_ATTEMPTS
    return fold.fold(t, Resolved("C-1", None), ctx())


def _answer(kind: RequestKind, outcome: Outcome) -> Callable[[Tracked], Step]:
    return lambda t: fold.fold(t, Answered("C-1", kind, outcome, "why"), ctx())


STIMULI: dict[T, Callable[[Tracked], Step]] = {
    T.SEND: lambda t: fold.submitted(t, None, ctx()),
    T.UNSUPPORTED: lambda t: fold.submitted(t, "not offered", ctx()),
    T.ADOPT: _adopt,
    T.ADOPT_UNACKED: _adopt_unacked,
    T.CANCEL: lambda t: fold.cancel_asked(t, ctx()),
    T.MODIFY: lambda t: fold.modify_asked(t, (QTY, Decimal("10.50"), None), ctx()),
    T.PLACED: lambda t: fold.fold(t, placed(t.venue_id or "V1"), ctx()),
    T.PLACE_REFUSED: _answer(RequestKind.PLACE, Outcome.REFUSED),
    T.PLACE_LOST: _answer(RequestKind.PLACE, Outcome.UNKNOWN),
    T.FOUND: lambda t: fold.fold(t, Resolved("C-1", wire(OrderStatus.ACCEPTED)), ctx()),
    T.NOT_FOUND: lambda t: fold.fold(t, Resolved("C-1", None), ctx()),
    T.NOT_FOUND_EXHAUSTED: _not_found_exhausted,
    T.QUERY_FAILED: lambda t: fold.fold(t, QueryFailed("C-1", Query.POLL, "timeout"), ctx()),
    T.STATUS: lambda t: fold.fold(t, wire(OrderStatus.ACCEPTED), ctx()),
    T.FILL: lambda t: fold.fold(t, execution(10), ctx()),
    T.FILLED: lambda t: fold.fold(t, execution(t.quantity - t.filled_emitted), ctx()),
    T.ENDED: lambda t: fold.fold(t, wire(OrderStatus.CANCELLED), ctx()),
    T.REQUEST_OK: _answer(RequestKind.CANCEL, Outcome.OK),
    T.REQUEST_REFUSED: _answer(RequestKind.CANCEL, Outcome.REFUSED),
    T.REQUEST_LOST: _answer(RequestKind.CANCEL, Outcome.UNKNOWN),
}

#: Triggers the fold derives from what it has just folded (a fill, a status), only on a live
#: order; a record can never ask for them in another state.
DERIVED = {T.FILLED, T.ENDED}


@pytest.fixture
def edges(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[S, T, S]]]:
    """Record every edge the fold takes: (from, trigger, to)."""
    taken: list[tuple[S, T, S]] = []
    advance = Tracked.advance

    def recording(self: Tracked, trigger: T) -> S:
        source = advance(self, trigger)
        taken.append((source, trigger, self.state))
        return source

    monkeypatch.setattr(Tracked, "advance", recording)
    yield taken


def test_table_matches_the_specification() -> None:
    assert TRANSITIONS == EXPECTED


def test_every_trigger_has_a_stimulus() -> None:
    assert set(STIMULI) == set(T)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", list(T))
def test_every_state_trigger_pair(state: S, trigger: T) -> None:
    tracked = tracked_in(state)
    expected = EXPECTED.get((state, trigger))
    if expected is None:
        with pytest.raises(InvalidTransitionError):
            tracked.advance(trigger)
        assert tracked.state is state
        return
    assert tracked.advance(trigger) is state
    assert tracked.state is expected


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", list(T))
def test_every_pair_through_the_fold(state: S, trigger: T, edges: list[tuple[S, T, S]]) -> None:
    tracked = tracked_in(state)
    edges.clear()
    expected = EXPECTED.get((state, trigger))
    if expected is not None:
        STIMULI[trigger](tracked)
        assert (state, trigger, expected) in edges
    elif trigger in DERIVED:
        # The fold asks for it only of a live order (a status may make this one live first).
        with contextlib.suppress(InvalidTransitionError):
            STIMULI[trigger](tracked)
        assert all(source is S.LIVE for source, t, _ in edges if t is trigger)
    else:
        with pytest.raises(InvalidTransitionError):
            STIMULI[trigger](tracked)
        assert tracked.state is state
        assert edges == []


# -- what the fold does, without threads --------------------------------------------------------


def test_placed_filled_in_two_executions() -> None:
    t = Tracked.of(SPEC, 0)
    assert does(fold.submitted(t, None, ctx())) == [fold.Do.PLACE] and t.attempts == 1
    step = fold.fold(t, placed(), ctx())
    assert names(step) == ["OrderAccepted"] and step.learnt == "V1" and state_of(t) is S.LIVE
    assert names(fold.fold(t, execution(40), ctx())) == ["OrderFilled"]
    assert names(fold.fold(t, execution(60), ctx())) == ["OrderFilled"]
    assert state_of(t) is S.DONE and t.filled_emitted == QTY


def test_unsupported_spec_is_rejected_without_a_request() -> None:
    t = Tracked.of(SPEC, 0)
    step = fold.submitted(t, "time in force ioc is not offered", ctx())
    assert names(step) == ["OrderRejected"] and step.requests == [] and t.finished


def test_fills_pushed_before_the_id_are_folded_after_the_acknowledgement() -> None:
    t = tracked_in(S.PLACING)
    early = execution(30)
    context = ctx()
    context.orphans["V1"] = [early]
    step = fold.fold(t, placed(), context)
    assert names(step) == ["OrderAccepted", "OrderFilled"]
    assert context.orphans == {} and t.filled_emitted == 30


def test_a_lost_place_is_resolved_and_sent_again_only_when_tiger_never_saw_it() -> None:
    t = tracked_in(S.PLACING)
    lost = fold.fold(t, Answered("C-1", RequestKind.PLACE, Outcome.UNKNOWN, "timeout"), ctx())
    assert state_of(t) is S.UNKNOWN and does(lost) == [fold.Do.RESOLVE_SOON]
    assert lost.counts == ["place_unknown"] and lost.events == []
    again = fold.fold(t, Resolved("C-1", None), ctx())
    assert state_of(t) is S.PLACING and does(again) == [fold.Do.PLACE] and t.attempts == 2
    assert again.counts == ["re_placed"]
    # While the place is out, a lookup that finds nothing changes nothing.
    assert fold.fold(t, Resolved("C-1", None), ctx()) == Step()
    found = fold.fold(t, Resolved("C-1", wire(OrderStatus.ACCEPTED)), ctx())
    assert state_of(t) is S.LIVE and names(found) == ["OrderAccepted"]


def test_a_lost_place_is_rejected_once_every_attempt_is_spent() -> None:
    t = tracked_in(S.PLACING)
    for attempt in range(1, MAX_ATTEMPTS):
        fold.fold(t, Answered("C-1", RequestKind.PLACE, Outcome.UNKNOWN), ctx())
        fold.fold(t, Resolved("C-1", None), ctx())
        assert t.attempts == attempt + 1
    fold.fold(t, Answered("C-1", RequestKind.PLACE, Outcome.UNKNOWN), ctx())
    step = fold.fold(t, Resolved("C-1", None), ctx())
    assert names(step) == ["OrderRejected"] and step.requests == [] and t.finished
    assert "sent 3 times" in step.events[0].reason  # type: ignore[attr-defined]


def test_a_cancel_asked_before_the_acknowledgement_is_sent_with_it() -> None:
    t = tracked_in(S.PLACING)
    asked = fold.cancel_asked(t, ctx())
    assert asked == Step() and t.cancel_wanted
    step = fold.fold(t, placed(), ctx())
    assert names(step) == ["OrderAccepted"] and does(step) == [fold.Do.CANCEL]
    assert not t.cancel_wanted


def test_a_refused_place_with_a_cancel_wanted_is_reported_cancelled() -> None:
    t = tracked_in(S.PLACING)
    fold.cancel_asked(t, ctx())
    step = fold.fold(t, Answered("C-1", RequestKind.PLACE, Outcome.REFUSED, "1200"), ctx())
    assert names(step) == ["OrderCancelled"] and t.finished


def test_a_lost_cancel_is_settled_by_a_poll_started_after_it() -> None:
    t = tracked_in(S.LIVE)
    before = ctx().mono
    step = fold.fold(t, Answered("C-1", RequestKind.CANCEL, Outcome.UNKNOWN, "5xx"), ctx())
    assert does(step) == [fold.Do.REPOLL] and t.confirm is RequestKind.CANCEL
    assert fold.fold(t, Polled("C-1", wire(OrderStatus.ACCEPTED), before), ctx()).events == []
    assert t.confirm is RequestKind.CANCEL  # a poll that predates the request settles nothing
    settled = fold.fold(t, Polled("C-1", wire(OrderStatus.ACCEPTED), t.confirm_ns), ctx())
    assert names(settled) == ["OrderCancelRejected"] and t.confirm is None


def test_a_lost_modify_that_tiger_applied_updates_the_order() -> None:
    t = tracked_in(S.LIVE)
    change = (300, Decimal("10.50"), None)
    answer = Answered("C-1", RequestKind.MODIFY, Outcome.UNKNOWN, "timeout", change=change)
    fold.fold(t, answer, ctx())
    now_at_tiger = wire(OrderStatus.ACCEPTED, qty=300, limit=Decimal("10.50"))
    step = fold.fold(t, Polled("C-1", now_at_tiger, t.confirm_ns), ctx())
    assert names(step) == ["OrderUpdated"] and t.quantity == 300 and t.pending_change is None


def test_late_answers_to_an_earlier_attempt_change_nothing_once_live() -> None:
    t = tracked_in(S.PLACING)
    fold.fold(t, Resolved("C-1", wire(OrderStatus.ACCEPTED)), ctx())  # the watchdog's lookup
    assert state_of(t) is S.LIVE
    for outcome in (Outcome.REFUSED, Outcome.UNKNOWN):
        late = fold.fold(t, Answered("C-1", RequestKind.PLACE, outcome, "late"), ctx())
        assert late == Step() and state_of(t) is S.LIVE
    second = fold.fold(t, placed("V2"), ctx())  # a second Tiger order with our user mark
    assert second.requests == [fold.Request(fold.Do.CANCEL_OTHER, "V2")]
    assert second.counts == ["duplicate_venue_orders"] and t.venue_id == "V1"


def test_repeated_and_over_filling_executions_are_dropped() -> None:
    t = tracked_in(S.LIVE)
    fold.fold(t, execution(60, trade_id="X-a"), ctx())
    assert fold.fold(t, execution(60, trade_id="X-a"), ctx()).counts == ["duplicate_fills_dropped"]
    over = fold.fold(t, execution(50, trade_id="X-b"), ctx())
    assert over.counts == ["overfills_refused"] and over.events == []
    assert t.filled_emitted == 60 and t.refused_ids == {"X-b"} and state_of(t) is S.LIVE


def test_tiger_ends_the_order_once_every_execution_it_reported_is_delivered() -> None:
    t = tracked_in(S.LIVE)
    ended = fold.fold(t, wire(OrderStatus.CANCELLED, filled=30), ctx())
    assert ended.events == [] and does(ended) == [fold.Do.FILLS] and state_of(t) is S.LIVE
    step = fold.fold(t, execution(30), ctx())
    assert names(step) == ["OrderFilled", "OrderCancelled"] and t.finished
    late = fold.fold(t, execution(10), ctx())  # a fill the venue made before it cancelled
    assert names(late) == ["OrderFilled"] and t.finished


def test_adopted_orders_are_followed_never_sent() -> None:
    acked = Tracked.of(SPEC, 0)
    acked.venue_id = "V9"
    step = fold.adopted(acked, ctx())
    assert state_of(acked) is S.LIVE and step.learnt == "V9" and does(step) == [fold.Do.POLL]
    unacked = Tracked.of(SPEC, 0)
    step = fold.adopted(unacked, ctx())
    assert state_of(unacked) is S.UNKNOWN and does(step) == [fold.Do.RESOLVE]
    gone = fold.fold(unacked, Resolved("C-1", None), ctx())
    assert names(gone) == ["OrderRejected"] and fold.Do.PLACE not in does(gone)


def test_an_order_tiger_names_after_it_was_given_up_on_is_said_loudly() -> None:
    t = Tracked.of(SPEC, 0)
    fold.adopted(t, ctx())
    fold.fold(t, Resolved("C-1", None), ctx())
    assert t.finished
    step = fold.fold(t, wire(OrderStatus.ACCEPTED), ctx())
    assert names(step) == ["OrderAccepted"] and step.counts == ["acknowledged_after_done"]
    assert state_of(t) is S.DONE and step.learnt == "V1"
