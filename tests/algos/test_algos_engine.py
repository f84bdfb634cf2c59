"""Each algorithm driven through the real OMS and AlgoEngine, against a scripted venue.

The venue double lets each edge case be staged exactly: partial fills, a fill racing a cancel,
a cancel that the venue is slow to confirm, a gate that denies.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from algos_harness import Harness, RecordingRisk

from slipstream.algos.engine import ParentState
from slipstream.algos.parent import (
    ParentAccepted,
    ParentCancelled,
    ParentClosing,
    ParentCompleted,
    ParentDenied,
    ParentPaused,
    ParentResumed,
)
from slipstream.algos.template import MarketInputs
from slipstream.core.errors import InputError, StateError, UnknownInstrumentError
from slipstream.model.enums import OrderStatus
from slipstream.model.instrument import InstrumentTable

Make = Callable[..., Harness]


@pytest.fixture
def harness(instruments: InstrumentTable) -> Make:
    def make(**kwargs: Any) -> Harness:
        return Harness(instruments, **kwargs)

    return make


def _filled(h: Harness, pid: str = "P1") -> int:
    return sum(o.filled_qty for o in h.oms.store.children_of(pid))


def test_twap_tracks_its_cumulative_target_and_completes(harness: Make) -> None:
    h = harness()
    h.fill_instantly()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 1000, duration_secs=400, params={"slices": "4"})
    filled_at = []
    for _ in range(4):
        filled_at.append(_filled(h))
        h.advance(100)
    assert filled_at == [250, 500, 750, 1000]
    assert [s.quantity for s in h.venue.submitted()] == [250, 250, 250, 250]
    kinds = [type(e) for e in h.parent_events]
    # Closing is journalled before the (here: no) child cancels, then the completion.
    assert kinds == [ParentAccepted, ParentClosing, ParentCompleted]
    done = h.parent_events[-1]
    assert isinstance(done, ParentCompleted)
    assert (done.reason, done.filled_qty, done.children) == ("filled", 1000, 4)


def test_lot_rounding_remainder_goes_in_last_slice(harness: Make) -> None:
    h = harness()
    h.fill_instantly()
    h.quote("LOT", "20.00", "20.05")
    h.submit("twap", 1300, symbol="LOT", duration_secs=400, params={"slices": "4"})
    h.advance(400)
    assert [s.quantity for s in h.venue.submitted()] == [300, 300, 300, 400]


def test_quantity_smaller_than_slices(harness: Make) -> None:
    h = harness()
    h.fill_instantly()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 3, duration_secs=100, params={"slices": "10"})
    h.advance(100)
    sent = h.venue.submitted()
    assert [s.quantity for s in sent] == [1, 1, 1]
    # Children go out at the slices where floor(3·(k+1)/10) steps up: k = 3, 6, 9.
    assert _filled(h) == 3


def test_nothing_before_start_and_first_child_at_start(harness: Make) -> None:
    h = harness()
    h.fill_instantly()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 100, start_delay_secs=60, duration_secs=100, params={"slices": "2"})
    h.advance(59)
    assert h.venue.submitted() == []
    h.advance(1)
    assert [s.quantity for s in h.venue.submitted()] == [50]


def test_limit_price_cap_is_never_crossed(harness: Make) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.10")
    h.submit("twap", 100, urgency="high", limit_price="185.04", params={"slices": "1"})
    (child,) = h.venue.submitted()
    assert child.limit_price == Decimal("185.04")
    h2 = harness()
    h2.quote("IBM", "185.00", "185.10")
    h2.submit(
        "twap", 100, side="sell", urgency="high", limit_price="185.06", params={"slices": "1"}
    )
    assert h2.venue.submitted()[0].limit_price == Decimal("185.06")


def test_partial_fills_never_over_execute(harness: Make) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 400, duration_secs=400, params={"slices": "4"})
    (first,) = h.venue.submitted()
    h.venue.ack(first.client_order_id)
    h.venue.fill(first.client_order_id, 40)
    # Slice 2 is due (200): 160 are overdue, so the resting 60 are re-priced a step closer to
    # the ask: cancel first, and only after the confirmation one child for all 160.
    h.advance(100)
    assert h.venue.cancels() == [first.client_order_id]
    assert len(h.venue.submitted()) == 1
    h.venue.confirm_cancel(first.client_order_id)
    sent = h.venue.submitted()
    assert [s.quantity for s in sent] == [100, 160]
    assert sent[1].limit_price == Decimal("185.01")
    filled, working = h.working_and_filled()
    assert (filled, working) == (40, 160)


def test_cancel_in_flight_holds_the_replacement_until_confirmed(harness: Make) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 200, duration_secs=200, urgency="low", params={"slices": "2"})
    (first,) = h.venue.submitted()
    assert first.limit_price == Decimal("185.00")  # patient: joins the bid
    h.venue.ack(first.client_order_id)
    h.quote("IBM", "185.10", "185.12")  # the market runs away: the child is stale
    h.advance(10)
    assert h.venue.cancels() == [first.client_order_id]
    h.advance(10)
    assert len(h.venue.submitted()) == 1  # cancel unconfirmed: no replacement yet
    h.venue.fill(first.client_order_id, 30)  # the fill wins the race with the cancel
    h.venue.confirm_cancel(first.client_order_id)
    sent = h.venue.submitted()
    assert len(sent) == 2
    assert sent[1].quantity == 70  # only what the schedule still needs
    assert sent[1].limit_price == Decimal("185.10")


def test_pause_resume_and_kill_switch(harness: Make) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 400, duration_secs=400, params={"slices": "4"})
    (first,) = h.venue.submitted()
    h.venue.ack(first.client_order_id)
    assert h.engine.pause_all("kill switch") == 1
    assert h.venue.cancels() == [first.client_order_id]
    h.venue.confirm_cancel(first.client_order_id)
    h.advance(250)
    assert len(h.venue.submitted()) == 1  # paused: nothing new, even as slices come due
    with pytest.raises(StateError):
        h.engine.pause("P1")
    h.fill_instantly()
    h.engine.resume("P1")
    # The cumulative target catches up at once: slices 0–2 are due (300 shares).
    assert _filled(h) == 300
    kinds = [type(e) for e in h.parent_events]
    assert kinds == [ParentAccepted, ParentPaused, ParentResumed]
    assert h.engine.summary("P1").state is ParentState.ACTIVE


def test_cancel_parent_waits_for_children(harness: Make) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 400, duration_secs=400, params={"slices": "4"})
    (first,) = h.venue.submitted()
    h.venue.ack(first.client_order_id)
    h.engine.cancel("P1", "user")
    assert h.engine.summary("P1").state is ParentState.CANCELLING
    assert not any(isinstance(e, ParentCancelled) for e in h.parent_events)
    h.venue.confirm_cancel(first.client_order_id)
    assert isinstance(h.parent_events[-1], ParentCancelled)
    h.advance(400)
    assert len(h.venue.submitted()) == 1
    with pytest.raises(StateError):
        h.engine.cancel("P1")


def test_completion_at_end_time_with_unfilled_remainder(harness: Make) -> None:
    h = harness()
    h.venue.on_submit = lambda spec: h.venue.ack(spec.client_order_id)  # never fills
    h.venue.on_cancel = h.venue.confirm_cancel
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 100, duration_secs=100, urgency="low", params={"slices": "2"})
    h.advance(100)
    done = h.parent_events[-1]
    assert isinstance(done, ParentCompleted)
    assert (done.reason, done.filled_qty) == ("end_time", 0)
    assert all(o.status.is_terminal for o in h.oms.store.children_of("P1"))
    # In the last 5 % of the horizon the algorithm crossed to try to finish.
    assert any(s.limit_price == Decimal("185.02") for s in h.venue.submitted())


def test_denied_children_are_not_hammered(harness: Make) -> None:
    h = harness(risk=RecordingRisk(deny=True))
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 100, duration_secs=100, params={"slices": "1", "interval_secs": "10"})
    h.advance(35)
    children = h.oms.store.children_of("P1")
    assert len(children) == 4  # once at start, then once per 10 s interval
    assert all(o.status is OrderStatus.DENIED for o in children)
    assert h.venue.submitted() == []


def test_parent_is_checked_by_risk_and_a_denied_parent_sends_nothing(harness: Make) -> None:
    h = harness(risk=RecordingRisk(deny_parents=True))
    h.quote("IBM", "185.00", "185.02")
    summary = h.submit("twap", 400, duration_secs=400, params={"slices": "4"})
    assert summary.state is ParentState.DENIED and summary.reason.startswith("position_limit")
    h.advance(400)
    assert h.venue.submitted() == [] and h.oms.store.children_of("P1") == []
    assert [type(e) for e in h.parent_events] == [ParentDenied]
    assert h.risk.parents_seen == ["P1"]


def test_every_child_at_the_venue_was_seen_by_risk(harness: Make) -> None:
    h = harness()
    h.fill_instantly()
    h.quote("IBM", "185.00", "185.02")
    h.submit("is", 5000, duration_secs=300, urgency="high")
    h.advance(300)
    sent = {s.client_order_id for s in h.venue.submitted()}
    assert sent and sent <= set(h.risk.seen)


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"symbol": "XYZ"}, UnknownInstrumentError),
        ({"symbol": "LOT", "qty": 150}, InputError),
        ({"duration_secs": 10, "start_delay_secs": -20}, InputError),
        ({"algo": "vwap"}, InputError),  # no profile source and no explicit profile
        ({"algo": "iceberg", "symbol": "LOT", "params": {"display_qty": "50"}}, InputError),
    ],
)
def test_bad_parents_send_nothing(harness: Make, kw: dict[str, object], error: type) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.02")
    args: dict[str, object] = {"algo": "twap", "qty": 100}
    args.update(kw)
    with pytest.raises(error):
        h.submit(**args)  # type: ignore[arg-type]
    assert h.venue.requests == [] and h.parent_events == [] and len(h.oms.store) == 0


def test_duplicate_parent_id_refused(harness: Make) -> None:
    h = harness()
    h.quote("IBM", "185.00", "185.02")
    h.submit("twap", 100)
    with pytest.raises(InputError, match="parent_id"):
        h.submit("twap", 100)


def test_vwap_follows_the_profile(harness: Make) -> None:
    h = harness(profile=[1.0, 3.0, 6.0])
    h.fill_instantly()
    h.quote("IBM", "185.00", "185.02")
    h.submit("vwap", 1000, duration_secs=300, params={"slices": "3"})
    h.advance(300)
    assert [s.quantity for s in h.venue.submitted()] == [100, 300, 600]


def test_is_front_loads_with_urgency(harness: Make) -> None:
    first = {}
    for urgency in ("low", "high"):
        h = harness(inputs=MarketInputs(185.0, 5e6, 0.012, 1.2))
        h.fill_instantly()
        h.quote("IBM", "185.00", "185.02")
        h.submit("is", 10_000, duration_secs=600, urgency=urgency)
        first[urgency] = h.venue.submitted()[0].quantity
        h.advance(600)
        assert _filled(h) == 10_000
    assert first["low"] == pytest.approx(1000, abs=30)  # κT = 0.25: nearly TWAP
    assert first["high"] > 3 * first["low"]


def test_pov_tracks_participation_of_the_tape(harness: Make) -> None:
    h = harness()
    h.fill_instantly()
    h.quote("IBM", "185.00", "185.02")
    h.submit(
        "pov",
        100_000,
        duration_secs=600,
        params={"participation": "0.1", "adaptive": "false", "interval_secs": "5"},
    )
    assert h.venue.submitted() == []  # no volume yet, nothing is due
    volume = 0
    for _ in range(60):
        h.trade("IBM", "185.01", 1000)
        volume += 1000
        h.advance(5)
        assert _filled(h) <= 0.1 * volume
        assert _filled(h) >= 0.1 * volume - 100
    assert _filled(h) == 6000


def test_iceberg_shows_only_the_display_quantity(harness: Make) -> None:
    h = harness()
    h.venue.on_submit = lambda spec: h.venue.ack(spec.client_order_id)
    h.quote("IBM", "185.00", "185.02")
    h.submit(
        "iceberg", 1000, limit_price="185.01", duration_secs=600, params={"display_qty": "200"}
    )
    for _ in range(5):
        working = [o for o in h.oms.store.children_of("P1") if not o.status.is_terminal]
        assert [o.leaves_qty for o in working] == [200]
        assert working[0].limit_price == Decimal("185.01")
        h.venue.fill(working[0].client_order_id, 200)
    assert _filled(h) == 1000
    assert isinstance(h.parent_events[-1], ParentCompleted)
