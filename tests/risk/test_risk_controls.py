"""Trading state, automatic halts, manual override, run-time limit changes and the kill switch."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from risk_testkit import T0, RecordingBroker, Rig, only, order, rig

from slipstream.brokers.contract import PositionReport
from slipstream.core.errors import BrokerUnavailableError, ConfigError, InputError, StateError
from slipstream.core.ids import ClientOrderId
from slipstream.model.commands import CancelOrder, SubmitOrder
from slipstream.model.enums import OrderStatus, Side
from slipstream.model.events import OrderRejected, OrderSubmitted
from slipstream.model.market import QuoteTick
from slipstream.oms.manager import OrderManager
from slipstream.portfolio.reconciliation import OrderReport, PositionBreak, Reconciler
from slipstream.risk.events import (
    DenialOverridden,
    KillSwitchActivated,
    LimitsChanged,
    OverrideGranted,
    TradingStateChanged,
)
from slipstream.risk.state import RISK_OFFICER, TradingState, User

OFFICER = User("olga", RISK_OFFICER)
TRADER = User("tom", "trader")
SEC = 1_000_000_000


def _state(r: Rig) -> TradingState:
    """``r.engine.state`` read afresh: mypy keeps an earlier ``is`` narrowing across calls."""
    return r.engine.state


def changes(r: Rig) -> list[TradingStateChanged]:
    return [e for e in r.events if isinstance(e, TradingStateChanged)]


# -- automatic halts ----------------------------------------------------------------------


def test_daily_loss_halts_at_the_limit_not_before() -> None:
    limits = {**only(), "valuation.max_age_secs": 0.0, "auto_halt.drawdown_pct": 0.0}
    r = rig(cash="900000", positions={"AAA": (1000, "100")}, limits=limits)
    r.engine.start_day(T0)  # NAV 1,000,000
    r.portfolio.mark("AAA", Decimal("70.01"))  # −2.999%
    assert r.engine.check_order(order("AAA", "sell", 1), T0 + 1) is None
    r.portfolio.mark("AAA", Decimal("70"))  # −3.000%
    denial = r.engine.check_order(order("AAA", "sell", 1), T0 + 2)
    assert denial is not None and denial.check == "trading_state" and "3.00%" in denial.reason
    (change,) = changes(r)
    assert change.state == "halted" and change.trigger == "auto:daily_loss" and change.user is None


def test_the_daily_loss_baseline_rolls_at_new_york_midnight() -> None:
    limits = {**only(), "valuation.max_age_secs": 0.0, "auto_halt.drawdown_pct": 0.0}
    r = rig(cash="900000", positions={"AAA": (1000, "100")}, limits=limits)
    day1 = 1_700_000_000 * SEC  # 2023-11-14 17:13 New York
    r.engine.evaluate_triggers(day1)  # the day starts at NAV 1,000,000
    r.portfolio.mark("AAA", Decimal("75"))  # −2.5% on the day
    r.engine.evaluate_triggers(day1 + 3600 * SEC)
    r.portfolio.mark("AAA", Decimal("50"))
    before_midnight = day1 + (6 * 3600 + 46 * 60) * SEC  # 23:59 New York
    after_midnight = before_midnight + 120 * SEC
    r.engine.evaluate_triggers(after_midnight)  # a new day starts at NAV 950,000
    assert r.engine.state is TradingState.ACTIVE
    r.portfolio.mark("AAA", Decimal("21.50"))  # 950,000 → 921,500: exactly −3%
    r.engine.evaluate_triggers(after_midnight + 1)
    assert _state(r) is TradingState.HALTED


def test_drawdown_from_peak_nav() -> None:
    limits = {**only(), "valuation.max_age_secs": 0.0, "auto_halt.daily_loss_pct": 0.0}
    r = rig(cash="900000", positions={"AAA": (1000, "100")}, limits=limits)
    r.portfolio.mark("AAA", Decimal("150"))  # NAV 1,050,000: the peak
    r.engine.evaluate_triggers(T0 + 1)
    r.portfolio.mark("AAA", Decimal("45.01"))  # NAV 945,010: 9.999% below the peak
    r.engine.evaluate_triggers(T0 + 2)
    assert r.engine.state is TradingState.ACTIVE
    r.portfolio.mark("AAA", Decimal("45"))  # NAV 945,000: 10% below
    r.engine.evaluate_triggers(T0 + 3)
    assert _state(r) is TradingState.HALTED
    assert changes(r)[-1].trigger == "auto:drawdown"


def test_reject_rate_over_a_window() -> None:
    limits = {"auto_halt.reject_rate_pct": 50.0, "auto_halt.reject_min_orders": 20}
    r = rig(limits=limits)
    for i in range(20):
        r.bus.publish(OrderSubmitted(f"S{i}", T0, T0, "rec"))  # type: ignore[arg-type]
    for i in range(9):
        r.bus.publish(OrderRejected(f"S{i}", T0, T0, "venue says no"))  # type: ignore[arg-type]
    assert r.engine.state is TradingState.ACTIVE  # 45%
    r.bus.publish(OrderRejected("S9", T0, T0, "venue says no"))  # type: ignore[arg-type]
    assert _state(r) is TradingState.HALTED  # 50%
    assert "10 rejections/errors for 20 orders" in changes(r)[-1].reason


def test_stale_market_data() -> None:
    r = rig(marks={"AAA": "100"}, limits={**only(), "auto_halt.stale_data_secs": 30.0})
    q = QuoteTick("AAA", Decimal("99.99"), Decimal("100.01"), 100, 100, T0)
    r.bus.publish(q)
    assert r.engine.check_order(order("AAA", "buy", 1), T0 + 30 * SEC) is None
    denial = r.engine.check_order(order("AAA", "buy", 1), T0 + 30 * SEC + 1)
    assert denial is not None and "no market data for 30.0s" in denial.reason


def test_position_break_always_halts_even_when_the_action_is_reduce() -> None:
    r = rig(limits={"auto_halt.action": "reduce"})
    r.engine.on_position_break(PositionBreak("AAA", 100, 0, T0))
    assert r.engine.state is TradingState.HALTED
    assert changes(r)[-1].trigger == "auto:position_break"


def test_watchdog_halts_on_stale_data_while_no_order_is_sent() -> None:
    r = rig(limits={"auto_halt.stale_data_secs": 5.0})
    r.bus.publish(QuoteTick("AAA", Decimal("99.99"), Decimal("100.01"), 100, 100, T0))
    r.engine.start_watchdog(1.0)
    r.clock.advance_to(T0 + 5 * SEC)
    assert r.engine.state is TradingState.ACTIVE
    r.clock.advance_to(T0 + 6 * SEC)
    assert _state(r) is TradingState.HALTED
    assert changes(r)[-1].trigger == "auto:stale_market_data"


def test_reduce_action_lets_closing_orders_out() -> None:
    limits = {
        **only(),
        "auto_halt.action": "reduce",
        "valuation.max_age_secs": 0.0,
        "auto_halt.drawdown_pct": 0.0,
    }
    r = rig(cash="900000", positions={"AAA": (1000, "100")}, limits=limits)
    r.engine.start_day(T0)
    r.portfolio.mark("AAA", Decimal("60"))
    assert r.engine.check_order(order("AAA", "sell", 1000), T0 + 1) is None
    assert r.engine.state is TradingState.REDUCING
    assert r.engine.check_order(order("AAA", "buy", 1), T0 + 2) is not None


def test_resume_rearms_the_loss_trigger_from_the_current_nav() -> None:
    limits = {**only(), "valuation.max_age_secs": 0.0}
    r = rig(cash="900000", positions={"AAA": (1000, "100")}, limits=limits)
    r.engine.start_day(T0)
    r.portfolio.mark("AAA", Decimal("60"))
    r.engine.evaluate_triggers(T0 + 1)
    assert r.engine.state is TradingState.HALTED
    r.engine.resume(OFFICER, "loss understood, desk flat soon")
    assert r.engine.check_order(order("AAA", "sell", 10), T0 + 2) is None
    assert _state(r) is TradingState.ACTIVE


# -- manual control and its audit ---------------------------------------------------------


def test_manual_state_changes_need_a_risk_officer_and_a_reason() -> None:
    r = rig()
    with pytest.raises(InputError, match="role"):
        r.engine.halt(TRADER, "panic")
    with pytest.raises(InputError, match="reason"):
        r.engine.halt(OFFICER, "   ")
    assert r.engine.state is TradingState.ACTIVE and not changes(r)
    r.engine.halt(OFFICER, "exchange outage")
    r.engine.resume(OFFICER, "exchange back")
    halt, resume = changes(r)
    assert (halt.previous, halt.state, halt.user, halt.reason) == (
        "active",
        "halted",
        "olga",
        "exchange outage",
    )
    assert resume.state == "active" and resume.trigger == "manual"


def test_single_order_override_is_scoped_and_audited() -> None:
    r = rig(marks={"AAA": "100"}, limits=only("position_limit"))
    with pytest.raises(InputError, match="role"):
        r.engine.grant_override("position_limit", TRADER, "pls", client_order_id="X1")
    with pytest.raises(InputError, match="check"):
        r.engine.grant_override("trading_state", OFFICER, "no", client_order_id="X1")
    grant = r.engine.grant_override(
        "position_limit", OFFICER, "client block trade", client_order_id="X1"
    )
    assert r.engine.evaluate(order("AAA", "buy", 900, cid="X1"), T0).approved  # what-if: no use
    assert r.engine.check_order(order("AAA", "buy", 900, cid="X2"), T0) is not None
    assert r.engine.check_order(order("AAA", "buy", 900, cid="X1"), T0) is None
    assert r.engine.check_order(order("AAA", "buy", 900, cid="X1"), T0) is not None  # used up
    granted = [e for e in r.events if isinstance(e, OverrideGranted)]
    used = [e for e in r.events if isinstance(e, DenialOverridden)]
    assert granted == [grant]
    assert len(used) == 1 and used[0].client_order_id == "X1" and used[0].user == "olga"
    assert used[0].override_id == grant.override_id and used[0].check == "position_limit"


def test_override_for_n_orders_of_a_symbol_until_a_time() -> None:
    r = rig(marks={"AAA": "100", "BBB": "100"}, limits=only("position_limit"))
    with pytest.raises(InputError, match="scope"):
        r.engine.grant_override("position_limit", OFFICER, "too broad", max_uses=5)
    r.engine.grant_override(
        "position_limit", OFFICER, "rebalance", symbol="AAA", max_uses=2, until_ns=T0 + SEC
    )
    assert r.engine.check_order(order("BBB", "buy", 900), T0) is not None  # other symbol
    assert r.engine.check_order(order("AAA", "buy", 900), T0 + SEC + 1) is not None  # expired
    assert r.engine.check_order(order("AAA", "buy", 900), T0) is None
    assert r.engine.check_order(order("AAA", "buy", 900), T0) is None
    assert r.engine.check_order(order("AAA", "buy", 900), T0) is not None  # two uses only


def test_run_time_limit_change_is_validated_and_journalled() -> None:
    r = rig(marks={"AAA": "100"}, limits=only("position_limit"))
    assert r.engine.check_order(order("AAA", "buy", 1000), T0) is not None
    with pytest.raises(InputError, match="role"):
        r.engine.set_limits({"position.max_nav_pct": 10.0}, TRADER, "wider")
    with pytest.raises(ConfigError, match=r"position.max_nav_pct.*-1"):
        r.engine.set_limits({"position.max_nav_pct": -1}, OFFICER, "oops")
    assert r.engine.limits.position_max_nav_pct == 8.0  # nothing half-applied
    record = r.engine.set_limits({"position.max_nav_pct": 10.0}, OFFICER, "mandate widened")
    assert record.changes == (("position.max_nav_pct", "8.0", "10.0"),)
    assert [e for e in r.events if isinstance(e, LimitsChanged)] == [record]
    assert r.engine.check_order(order("AAA", "buy", 1000), T0) is None


def test_changing_the_correlation_threshold_rebuilds_clusters() -> None:
    r = rig()
    assert r.engine.cluster_of("AAA") is not None
    r.engine.set_limits({"correlation.threshold": 0.999}, OFFICER, "tighter clusters")
    assert r.engine.cluster_of("AAA") is None


# -- kill switch through the real OMS -----------------------------------------------------


def _oms_rig(n_orders: int, **kw: Any) -> tuple[Rig, OrderManager, RecordingBroker]:
    broker = RecordingBroker()
    r = rig(broker=broker, **kw)
    assert r.oms is not None
    for i in range(n_orders):
        r.oms.submit(SubmitOrder(T0, order("CCC", "buy", 10, limit="50.00", cid=f"W{i}")))
    return r, r.oms, broker


class Algos:
    """Pausing cancels the children of the paused parents, as the algorithm engine does."""

    def __init__(self, oms: OrderManager | None = None, children: tuple[str, ...] = ()) -> None:
        self.paused = 0
        self.oms = oms
        self.children = children

    def pause_all(self) -> int:
        self.paused += 1
        for child in self.children:
            assert self.oms is not None
            self.oms.cancel(CancelOrder(T0, ClientOrderId(child), "algo paused"))
        return len(self.children)


def test_kill_switch_halts_pauses_and_cancels_every_working_order() -> None:
    with pytest.raises(StateError, match="oms"):
        rig().engine.kill_switch(OFFICER, "runaway algo")
    r, oms, broker = _oms_rig(50, marks={"CCC": "50"})
    algos = Algos()
    r.engine.attach(algos=algos)
    with pytest.raises(InputError, match="role"):
        r.engine.kill_switch(TRADER, "runaway algo")
    report = r.engine.kill_switch(OFFICER, "runaway algo")
    assert report.cancels_sent == 50 and report.cancel_failures == 0 and report.algos_paused
    assert report.already_cancelling == 0
    assert algos.paused == 1
    assert sorted(broker.cancels()) == sorted(f"W{i}" for i in range(50))
    assert all(o.status is OrderStatus.PENDING_CANCEL for o in oms.store.working())
    assert r.engine.state is TradingState.HALTED
    (activated,) = [e for e in r.events if isinstance(e, KillSwitchActivated)]
    assert activated.cancels_sent == 50 and activated.user == "olga"
    late = oms.submit(SubmitOrder(T0, order("CCC", "buy", 1)))
    assert late.status is OrderStatus.DENIED


def test_kill_switch_pauses_algorithms_before_it_cancels() -> None:
    r, oms, broker = _oms_rig(6, marks={"CCC": "50"})
    r.engine.attach(algos=Algos(oms, ("W0", "W1")))  # their pause cancels two children
    report = r.engine.kill_switch(OFFICER, "runaway algo")
    assert (report.cancels_sent, report.already_cancelling) == (4, 2)
    assert broker.cancels()[:2] == ["W0", "W1"]  # the algorithms went first
    assert sorted(broker.cancels()) == [f"W{i}" for i in range(6)]


def test_kill_switch_flatten_sends_closing_orders_that_pass_in_halted() -> None:
    r, oms, broker = _oms_rig(
        3,
        cash="500000",
        positions={"AAA": (2500, "100"), "DDD": (-300, "20")},
        marks={"CCC": "50"},
        limits={"order.max_quantity": 1000},
    )
    report = r.engine.kill_switch(OFFICER, "flatten the book", flatten=True)
    sent = [s for s in broker.submitted() if s.client_order_id in report.flatten_orders]
    assert [(s.symbol, s.side, s.quantity) for s in sent] == [
        ("AAA", Side.SELL, 1000),
        ("AAA", Side.SELL, 1000),
        ("AAA", Side.SELL, 500),
        ("DDD", Side.BUY, 300),
    ]
    assert r.engine.state is TradingState.HALTED
    assert oms.submit(SubmitOrder(T0, order("AAA", "sell", 1))).status is OrderStatus.DENIED


def test_automatic_halt_can_run_the_kill_switch() -> None:
    r, _oms, broker = _oms_rig(5, marks={"CCC": "50"}, limits={"auto_halt.kill_switch": True})
    r.engine.on_position_break(PositionBreak("CCC", 10, 0, T0))
    assert len(broker.cancels()) == 5
    assert [e.trigger for e in changes(r)] == ["auto:position_break"]


def test_reconciliation_position_break_halts_through_the_callback() -> None:
    class Reports:
        def query_order(self, client_order_id: str) -> None:
            return None

        def open_orders(self) -> list[OrderReport]:
            return []

        def positions(self) -> list[PositionReport]:
            return [PositionReport("AAA", 100, Decimal("100"))]

    r = rig(positions={"AAA": (90, "100")})
    reconciler = Reconciler(
        Reports(), r.clock, lambda _e: None, on_position_break=r.engine.on_position_break
    )
    reconciler.reconcile([], lambda: {"AAA": 90})
    assert r.engine.state is TradingState.HALTED
    assert "position break in AAA: ours 90, broker 100" in r.engine.state_reason


def test_kill_switch_counts_cancels_the_broker_refuses_and_carries_on() -> None:
    class FlakyBroker(RecordingBroker):
        def cancel(self, client_order_id: str) -> None:
            if client_order_id in ("W1", "W3"):
                raise BrokerUnavailableError("gateway down")
            super().cancel(client_order_id)

    broker = FlakyBroker()
    r = rig(marks={"CCC": "50"}, broker=broker)
    assert r.oms is not None
    for i in range(5):
        r.oms.submit(SubmitOrder(T0, order("CCC", "buy", 10, limit="50.00", cid=f"W{i}")))
    report = r.engine.kill_switch(OFFICER, "gateway trouble")
    assert (report.cancels_sent, report.cancel_failures) == (3, 2)
    assert sorted(broker.cancels()) == ["W0", "W2", "W4"]
    assert r.engine.state is TradingState.HALTED
