"""Property: every order that reaches the venue has a recorded passing risk decision first.

Random sequences of orders (parents and children, buys and sells, limit and market), venue
fills, halts, resumes, limit changes and kill switches run through the real OMS with the risk
engine as its gate and a real journal. Afterwards the journal must hold exactly one
``RiskApproved`` for every order the venue saw, written before that order's ``OrderSubmitted``,
and no denied order may have reached the venue.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from risk_testkit import T0, RecordingBroker, order, rig

from slipstream.model.commands import SubmitOrder
from slipstream.model.enums import LiquiditySide
from slipstream.model.events import OrderDenied, OrderFilled, OrderSubmitted
from slipstream.oms.records import RiskApproved
from slipstream.risk.events import (
    DenialOverridden,
    KillSwitchActivated,
    LimitsChanged,
    OverrideGranted,
    TradingStateChanged,
)
from slipstream.risk.state import RISK_OFFICER, User
from slipstream.store import codec
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal

OFFICER = User("olga", RISK_OFFICER)
MARKS = {"AAA": "100", "BBB": "50", "CCC": "20", "DDD": "10", "EEE": "75"}

submit = st.tuples(
    st.just("submit"),
    st.sampled_from(sorted(MARKS)),
    st.sampled_from(["buy", "sell"]),
    st.integers(1, 3000),
    st.sampled_from([None, "-6", "-1", "0", "1", "6"]),  # limit offset in percent
    st.booleans(),  # child of the previous order?
)
action = st.one_of(
    submit,
    st.tuples(st.just("fill"), st.integers(0, 50)),
    st.tuples(st.sampled_from(["halt", "resume", "reduce", "kill", "flatten", "limits"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=40))
def test_every_order_at_the_venue_has_a_passing_risk_decision(actions: list[tuple]) -> None:  # type: ignore[type-arg]
    broker = RecordingBroker()
    journal = Journal(SQLiteBackend(":memory:"), group_size=1)
    r = rig(
        cash="2000000",
        marks=MARKS,
        limits={"throttle.max_orders": 15},
        broker=broker,
        journal=journal,
    )
    oms = r.oms
    assert oms is not None
    r.bus.subscribe(OrderFilled, r.portfolio.on_fill)
    placed: list[str] = []
    trades = 0
    for step, act in enumerate(actions):
        now = T0 + step * 10_000_000
        r.clock.advance_to(now)
        kind = act[0]
        if kind == "submit":
            _, symbol, side, qty, offset, child = act
            limit = None
            if offset is not None:
                mark = Decimal(MARKS[symbol])
                limit = str((mark * (100 + Decimal(offset)) / 100).quantize(Decimal("0.01")))
            parent = placed[-1] if child and placed else None
            spec = order(symbol, side, qty, limit=limit, parent=parent)
            oms.submit(SubmitOrder(now, spec))
            placed.append(spec.client_order_id)
        elif kind == "fill":
            sent = broker.submitted()
            if sent:
                spec = sent[act[1] % len(sent)]
                live = oms.store.get(spec.client_order_id)
                if live is not None and live.status.is_working and live.leaves_qty:
                    trades += 1
                    px = spec.limit_price or Decimal(MARKS[spec.symbol])
                    oms.on_broker_event(
                        OrderFilled(
                            spec.client_order_id,
                            now,
                            now,
                            f"X{trades}",
                            "V",
                            spec.symbol,
                            spec.side,
                            live.leaves_qty,
                            px,
                            Decimal(0),
                            LiquiditySide.TAKER,
                        )
                    )
        elif kind == "halt":
            r.engine.halt(OFFICER, "property halt")
        elif kind == "resume":
            r.engine.resume(OFFICER, "property resume")
        elif kind == "reduce":
            r.engine.reduce(OFFICER, "property reduce")
        elif kind in ("kill", "flatten"):
            r.engine.kill_switch(OFFICER, "property kill", flatten=kind == "flatten")
        elif kind == "limits":
            r.engine.set_limits({"position.max_nav_pct": 12.0}, OFFICER, "property limits")
    journal.flush()
    records = [rec for _seq, _ts, rec in journal.records()]
    approved_at = {
        rec.client_order_id: i for i, rec in enumerate(records) if isinstance(rec, RiskApproved)
    }
    submitted_at = {
        rec.client_order_id: i for i, rec in enumerate(records) if isinstance(rec, OrderSubmitted)
    }
    denied = {rec.client_order_id for rec in records if isinstance(rec, OrderDenied)}
    at_venue = [spec.client_order_id for spec in broker.submitted()]
    assert len(at_venue) == len(set(at_venue))
    for coid in at_venue:
        assert coid in approved_at, f"{coid} reached the venue without a risk decision"
        assert approved_at[coid] < submitted_at[coid]
        assert coid not in denied
    assert set(approved_at) == set(at_venue)  # 100% coverage, nothing approved but unsent


def test_risk_records_round_trip_through_the_journal_codec() -> None:
    broker = RecordingBroker()
    r = rig(marks=MARKS, limits={"order.max_quantity": 10}, broker=broker)
    assert r.oms is not None
    r.engine.grant_override("order_size", OFFICER, "codec check", client_order_id="BIG")
    r.oms.submit(SubmitOrder(T0, order("AAA", "buy", 11, cid="BIG")))
    r.engine.set_limits({"sector.max_nav_pct": 20.0}, OFFICER, "codec check")
    r.engine.kill_switch(OFFICER, "codec check")
    kinds = (
        TradingStateChanged,
        LimitsChanged,
        OverrideGranted,
        DenialOverridden,
        KillSwitchActivated,
    )
    records = [e for e in r.events if isinstance(e, kinds)]
    assert {type(e) for e in records} == set(kinds)
    batch: list[tuple[str, int, object]] = [
        (codec.kind_of(type(record)), 0, record) for record in records
    ]
    assert [back for _, _, back in codec.decode_batch(codec.encode_batch(batch))] == records
