"""The risk engine: the OMS's risk gate, the trading state, automatic halts and the kill switch.

``check_order`` runs the checks of :mod:`slipstream.risk.checks` in order and returns the first
denial (after any single-denial override a risk officer granted for it). Before the checks it
evaluates the automatic halt triggers, so a breach stops the very order that would follow it.

Automatic halts (each configurable, see :mod:`slipstream.risk.limits`):

* ``daily_loss`` — NAV has fallen ``auto_halt.daily_loss_pct`` below the day's starting NAV
  (the NAV at the first check of each New York calendar day, or at :meth:`RiskEngine.start_day`);
* ``drawdown`` — NAV is ``auto_halt.drawdown_pct`` below its peak;
* ``reject_rate`` — venue rejections and broker anomalies reach ``reject_rate_pct`` of orders
  submitted within ``reject_window_secs`` (once at least ``reject_min_orders`` were sent);
* ``stale_market_data`` — no quote, trade or bar for ``stale_data_secs``;
* ``position_break`` — reconciliation found our position differs from the broker's
  (:meth:`RiskEngine.on_position_break`, the reconciler's callback); this one always halts.

Triggers are evaluated before every order and, with :meth:`RiskEngine.start_watchdog`, on a
clock timer while no order is sent.

The action is ``halt`` (HALTED) or ``reduce`` (REDUCING), optionally followed by the kill
switch. A manual resume or reduce re-arms the loss and drawdown triggers from the NAV at that
moment.
Every state change, limit change and override is published on the bus as a frozen record, and
the journal, subscribed to every bus event, writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import InputError, SlipstreamError, StateError
from slipstream.core.ids import IdGenerator
from slipstream.core.timestamps import datetime_to_ns, ns_to_exchange
from slipstream.model.commands import CancelOrder, SubmitOrder
from slipstream.model.enums import OrderType, Side
from slipstream.model.events import OrderFilled, OrderRejected, OrderSubmitted
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.records import EventAnomaly
from slipstream.oms.risk_gate import Denial
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.reconciliation import PositionBreak
from slipstream.risk.checks import CHECKS, PARENT_CHECKS, Check, OrderContext, Pending
from slipstream.risk.controls import OverrideRegister, SlidingCount
from slipstream.risk.data import daily_returns
from slipstream.risk.events import (
    DenialOverridden,
    KillSwitchActivated,
    LimitsChanged,
    OverrideGranted,
    TradingStateChanged,
)
from slipstream.risk.limits import CHECK_NAMES, Limits
from slipstream.risk.ports import AlgoControl, OpenOrders, OrderEntry
from slipstream.risk.scenarios import ScenarioSet, correlation_clusters
from slipstream.risk.state import (
    StateTrigger,
    TradingState,
    TradingStateKeeper,
    User,
    require_reason,
    require_risk_officer,
)
from slipstream.risk.valuation import Valuation, build_valuation, fingerprint, revalue_symbols

NS_PER_SEC = 1_000_000_000
_MODEL_KEYS = frozenset(
    {
        "correlation.threshold",
        "correlation.lookback_days",
        "expected_shortfall.window_days",
        "expected_shortfall.level",
        "expected_shortfall.scenarios",
    }
)


def secs_to_ns(secs: float) -> int:
    """Return ``secs`` as whole nanoseconds."""
    return round(secs * NS_PER_SEC)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict in a what-if evaluation, with every figure it used."""

    check: str
    passed: bool
    reason: str
    figures: dict[str, str]
    enabled: bool = True
    override_id: str | None = None


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """Every check's verdict on one order; ``denial`` is what the gate would answer."""

    client_order_id: str
    approved: bool
    denial: Denial | None
    results: tuple[CheckResult, ...]


@dataclass(frozen=True, slots=True)
class KillSwitchReport:
    """What the kill switch did."""

    cancels_sent: int
    cancel_failures: int
    already_cancelling: int
    algos_paused: bool
    flatten_orders: tuple[str, ...]


class RiskEngine:
    """Pre-trade risk for one account; implements the OMS's ``RiskGate``."""

    name = "risk_engine"

    def __init__(
        self,
        portfolio: Portfolio,
        instruments: InstrumentTable,
        open_orders: OpenOrders,
        clock: Clock,
        bus: MessageBus,
        limits: Limits | None = None,
        returns: pd.DataFrame | None = None,
    ) -> None:
        self._portfolio = portfolio
        self._instruments = instruments
        self._open_orders = open_orders
        self._clock = clock
        self._bus = bus
        self.limits = limits or Limits()
        self._returns = returns if returns is not None else daily_returns()
        self._history: list[dict[str, Any]] = []
        self._keeper = TradingStateKeeper(TradingState.ACTIVE)
        self.state_reason = ""
        #: True while a restarted kernel replays its journal: counters follow the replayed
        #: events, but nothing is decided (no automatic halt, no kill switch) on old facts.
        self.replaying = False
        self.throttle = SlidingCount(secs_to_ns(self.limits.throttle_window_secs))
        self._submits = SlidingCount(secs_to_ns(self.limits.reject_window_secs))
        self._rejects = SlidingCount(secs_to_ns(self.limits.reject_window_secs))
        self._overrides = OverrideRegister()
        self._flatten_ids: set[str] = set()
        self._ids = IdGenerator(clock, prefix="RISK")
        self._oms: OrderEntry | None = None
        self._algos: AlgoControl | None = None
        self._valuation: Valuation | None = None
        self._filled: set[str] = set()
        self._day_start_nav: Decimal | None = None
        self._day_end_ns = 0
        self._peak_nav: Decimal | None = None
        self._last_market_data_ns: int | None = None
        self._build_models()
        bus.subscribe(OrderFilled, self._on_fill)
        bus.subscribe(OrderSubmitted, self._on_submitted)
        bus.subscribe(OrderRejected, self._on_reject)
        bus.subscribe(EventAnomaly, self._on_reject)
        bus.subscribe(QuoteTick, self._on_market_data)
        bus.subscribe(TradeTick, self._on_market_data)
        bus.subscribe(Bar, self._on_market_data)

    # -- wiring ------------------------------------------------------------------------------

    def attach(self, oms: OrderEntry | None = None, algos: AlgoControl | None = None) -> None:
        """Give the kill switch the OMS (cancels, flattening) and the algorithm engine."""
        if oms is not None:
            self._oms = oms
        if algos is not None:
            self._algos = algos

    def _build_models(self) -> None:
        limits = self.limits
        self.scenarios = ScenarioSet(
            self._returns,
            limits.es_window_days,
            self.sector_of,
            volatility_weighted=limits.es_scenarios == "volatility_weighted",
        )
        self.scratch = np.empty(self.scenarios.days)  # reused by the ES check on every order
        self.clusters = correlation_clusters(
            self._returns, limits.correlation_lookback_days, limits.correlation_threshold
        )
        self._cluster_of = {s: c for c, members in self.clusters.items() for s in members}
        self._valuation = None

    # -- shared state the checks read ---------------------------------------------------------

    @property
    def state(self) -> TradingState:
        """Return the trading state."""
        return self._keeper.state

    def sector_of(self, symbol: str) -> str:
        """Return ``symbol``'s sector (instrument table first, then the portfolio's map)."""
        sector = self._instruments.sector_of(symbol)
        return sector if sector != "Unknown" else self._portfolio.sector_of(symbol)

    def cluster_of(self, symbol: str) -> str | None:
        """Return the correlation cluster of ``symbol``, or None if it is in none."""
        return self._cluster_of.get(symbol)

    def mark_of(self, symbol: str) -> Decimal | None:
        """Return the reference price of ``symbol`` (the portfolio's latest mark)."""
        return self._portfolio.mark_of(symbol)

    def cash(self) -> Decimal:
        """Return the account's cash."""
        return self._portfolio.cash

    def valuation(self, ts_ns: int) -> Valuation:
        """Return the exposure snapshot, rebuilt if stale (see :mod:`slipstream.risk.valuation`)."""
        snap = self._valuation
        if snap is not None and self._filled and snap.built_ns <= ts_ns:
            revalue_symbols(
                snap,
                self._portfolio,
                self._filled,
                self.sector_of,
                self._cluster_of,
                self.scenarios,
                self.limits.es_level,
            )
        self._filled.clear()
        if (
            snap is None
            or snap.fingerprint != fingerprint(self._portfolio)
            or ts_ns - snap.built_ns > secs_to_ns(self.limits.valuation_max_age_secs)
            or ts_ns < snap.built_ns
        ):
            snap = build_valuation(
                self._portfolio,
                self.sector_of,
                self._cluster_of,
                self.scenarios,
                self.limits.es_level,
                ts_ns,
            )
            self._valuation = snap
        return snap

    # -- the gate ----------------------------------------------------------------------------

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Return the first denial for ``spec`` or None (the OMS's ``RiskGate`` method)."""
        denial = self._gate(spec, ts_ns, CHECKS)
        if denial is None and spec.client_order_id not in self._flatten_ids:
            self.throttle.add(ts_ns)
        return denial

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Check a parent order when it is accepted: state, buying power and exposure limits.

        The per-order checks (throttle, size, notional, collar) are for what reaches a venue,
        so they wait for the children; a parent of 400,000 shares is judged by the position,
        sector, cluster and ES it would leave once complete.
        """
        return self._gate(spec, ts_ns, PARENT_CHECKS)

    def _gate(
        self, spec: OrderSpec, ts_ns: int, checks: tuple[tuple[str, Check], ...]
    ) -> Denial | None:
        self.evaluate_triggers(ts_ns)
        order = self._context(spec, ts_ns)
        disabled = self.limits.disabled_checks
        for name, check in checks:
            if disabled and name in disabled:
                continue
            order.figures = {}  # a denial carries its own check's figures only
            denial = check(self, order)
            if denial is None:
                continue
            override = (
                None
                if name == "trading_state"
                else self._overrides.use(name, spec.client_order_id, spec.symbol, ts_ns)
            )
            if override is None:
                return denial
            self._publish(
                DenialOverridden(
                    spec.client_order_id,
                    name,
                    denial.reason,
                    override.override_id,
                    override.user,
                    ts_ns,
                    ts_ns,
                )
            )
        return None

    def evaluate(self, spec: OrderSpec, ts_ns: int | None = None) -> RiskDecision:
        """Run every check on ``spec`` without side effects (the what-if report)."""
        now = self._clock.timestamp_ns() if ts_ns is None else ts_ns
        order = self._context(spec, now)
        results: list[CheckResult] = []
        first: Denial | None = None
        for name, check in CHECKS:
            order.figures = {}
            enabled = name not in self.limits.disabled_checks
            denial = check(self, order)
            figures = {k: str(v) for k, v in order.figures.items()}
            override = (
                self._overrides.find(name, spec.client_order_id, spec.symbol, now)
                if denial is not None and name != "trading_state"
                else None
            )
            passed = denial is None or override is not None or not enabled
            results.append(
                CheckResult(
                    name,
                    passed,
                    denial.reason if denial else "",
                    figures,
                    enabled,
                    override.override_id if override else None,
                )
            )
            if not passed and first is None:
                first = denial
        return RiskDecision(spec.client_order_id, first is None, first, tuple(results))

    def _context(self, spec: OrderSpec, ts_ns: int) -> OrderContext:
        symbol = spec.symbol
        position = self._portfolio.positions.get(symbol)
        held = position.quantity if position is not None else 0
        mark = self._portfolio.mark_of(symbol)
        if mark is None and position is not None and held:
            mark = position.avg_cost
        if spec.limit_price is not None:
            order_px: Decimal | None = spec.limit_price
        elif spec.stop_price is not None:
            order_px = spec.stop_price
        else:
            order_px = mark
        signed = spec.quantity if spec.side is Side.BUY else -spec.quantity
        pending = self._open_order_figures(spec)
        flatten = spec.client_order_id in self._flatten_ids
        projected = held + pending.same_side + signed
        reducing = flatten or (
            held != 0
            and signed * held < 0
            and abs(projected) <= abs(held)
            and projected * held >= 0
        )
        return OrderContext(
            spec,
            ts_ns,
            signed,
            held,
            pending,
            order_px,
            mark if mark is not None else order_px,
            reducing,
            flatten,
            self.valuation(ts_ns),
        )

    def _open_order_figures(self, spec: OrderSpec) -> Pending:
        """Sum what the working orders add: same-name shares, group exposure, reserved cash.

        The order itself and, for a child, its parent are left out: the child's quantity is
        part of the parent's. A working order in another name counts toward the candidate's
        sector or cluster when it adds to its own name's exposure (opening or increasing).
        """
        pending = Pending()
        own, parent = spec.client_order_id, spec.parent_id
        sector = self.sector_of(spec.symbol)
        cluster = self._cluster_of.get(spec.symbol)
        positions = self._portfolio.positions
        for order in self._open_orders.working():
            other = order.spec
            if other.client_order_id == own or other.client_order_id == parent:
                continue
            leaves = order.leaves_qty
            if leaves <= 0:
                continue
            symbol = other.symbol
            px = order.limit_price if order.limit_price is not None else self.mark_of(symbol)
            if other.side is Side.BUY and px is not None:
                pending.reserved += px * leaves
            if symbol == spec.symbol:
                if other.side is spec.side:
                    pending.same_side += leaves
                continue
            in_sector = self.sector_of(symbol) == sector
            in_cluster = cluster is not None and self._cluster_of.get(symbol) == cluster
            if px is None or not (in_sector or in_cluster):
                continue
            held = positions[symbol].quantity if symbol in positions else 0
            if held == 0 or (held > 0) == (other.side is Side.BUY):
                amount = px * leaves
                if in_sector:
                    pending.sector += amount
                if in_cluster:
                    pending.cluster += amount
        if spec.side is Side.SELL:
            pending.same_side = -pending.same_side
        return pending

    # -- automatic halts ---------------------------------------------------------------------

    def evaluate_triggers(self, ts_ns: int) -> None:
        """Check the NAV, reject-rate and market-data triggers and halt if one fires."""
        limits = self.limits
        if self.state is TradingState.HALTED:
            return
        nav = self.valuation(ts_ns).nav
        start = self._day_start_nav
        if start is None or ts_ns >= self._day_end_ns:
            start = nav
            self._start_day(nav, ts_ns)
        peak = self._peak_nav if self._peak_nav is not None and self._peak_nav > nav else nav
        self._peak_nav = peak
        if limits.daily_loss_pct > 0 and start > 0:
            loss_pct = float((start - nav) / start * 100)
            if loss_pct >= limits.daily_loss_pct:
                self._auto_halt(
                    "daily_loss",
                    f"NAV {nav} is {loss_pct:.2f}% below the day's start {start} "
                    f"(limit {limits.daily_loss_pct:g}%)",
                    ts_ns,
                )
                return
        if limits.drawdown_pct > 0 and peak > 0:
            drawdown = float((peak - nav) / peak * 100)
            if drawdown >= limits.drawdown_pct:
                self._auto_halt(
                    "drawdown",
                    f"NAV {nav} is {drawdown:.2f}% below its peak {peak} "
                    f"(limit {limits.drawdown_pct:g}%)",
                    ts_ns,
                )
                return
        last = self._last_market_data_ns
        if limits.stale_data_secs > 0 and last is not None:
            age = (ts_ns - last) / NS_PER_SEC
            if age > limits.stale_data_secs:
                self._auto_halt(
                    "stale_market_data",
                    f"no market data for {age:.1f}s (limit {limits.stale_data_secs:g}s)",
                    ts_ns,
                )

    def start_day(self, ts_ns: int | None = None) -> None:
        """Take the current NAV as the start of the trading day for the daily-loss trigger.

        Days also roll by themselves at midnight New York time (the first check after it).
        """
        now = self._clock.timestamp_ns() if ts_ns is None else ts_ns
        self._start_day(self.valuation(now).nav, now)

    def _start_day(self, nav: Decimal, ts_ns: int) -> None:
        self._day_start_nav = nav
        local = ns_to_exchange(ts_ns)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        self._day_end_ns = datetime_to_ns(midnight)

    def on_position_break(self, found: PositionBreak) -> None:
        """Halt: reconciliation found our position differs from the broker's.

        Pass this method as the reconciler's ``on_position_break`` callback.
        """
        self._auto_halt(
            "position_break",
            f"position break in {found.symbol}: ours {found.local_quantity}, "
            f"broker {found.broker_quantity}",
            found.ts_ns,
            always_halt=True,
        )

    def start_watchdog(self, interval_secs: float) -> None:
        """Evaluate the automatic halt triggers every ``interval_secs`` of clock time.

        Checks already evaluate them before every order; the watchdog also catches a loss or
        stale data while no order is being sent.
        """
        if not interval_secs > 0:
            raise InputError("interval_secs", interval_secs, "must be > 0")
        step = secs_to_ns(interval_secs)

        def tick(ts_ns: int) -> None:
            self.evaluate_triggers(ts_ns)
            self._clock.set_timer("risk.watchdog", ts_ns + step, tick)

        self._clock.set_timer("risk.watchdog", self._clock.timestamp_ns() + step, tick)

    def restore_state(self, change: TradingStateChanged) -> None:
        """Take the trading state a journalled change left (a restart replaying its journal)."""
        self._keeper = TradingStateKeeper(TradingState(change.state))
        self.state_reason = change.reason if change.state != TradingState.ACTIVE.value else ""
        self._history.append(asdict(change))

    def _auto_halt(self, rule: str, reason: str, ts_ns: int, always_halt: bool = False) -> None:
        if self.replaying:
            return
        trigger = (
            StateTrigger.HALT
            if always_halt or self.limits.auto_halt_action == "halt"
            else StateTrigger.REDUCE
        )
        if self.state is TradingState.HALTED or (
            trigger is StateTrigger.REDUCE and self.state is TradingState.REDUCING
        ):
            return
        self._change(trigger, f"auto:{rule}", reason, None, ts_ns)
        if self.limits.auto_halt_kill_switch and self._oms is not None:
            self._kill(f"auto:{rule}", reason, flatten=False, ts_ns=ts_ns)

    def _on_fill(self, fill: OrderFilled) -> None:
        # The portfolio may fold this fill after us: note the name, revalue it on next use.
        self._filled.add(fill.symbol)

    def _on_submitted(self, event: OrderSubmitted) -> None:
        self._submits.add(event.ts_init)

    def _on_reject(self, event: OrderRejected | EventAnomaly) -> None:
        limits = self.limits
        now = event.ts_init
        self._rejects.add(now)
        if limits.reject_rate_pct <= 0:
            return
        sent = self._submits.count(now)
        rejected = self._rejects.count(now)
        if sent >= limits.reject_min_orders and rejected / sent * 100 >= limits.reject_rate_pct:
            self._auto_halt(
                "reject_rate",
                f"{rejected} rejections/errors for {sent} orders in "
                f"{limits.reject_window_secs:g}s (limit {limits.reject_rate_pct:g}%)",
                now,
            )

    def _on_market_data(self, event: QuoteTick | TradeTick | Bar) -> None:
        self._last_market_data_ns = max(self._last_market_data_ns or 0, event.ts_event)

    # -- manual control ----------------------------------------------------------------------

    def halt(self, user: User, reason: str) -> None:
        """Stop every new order (risk officer only; reason mandatory)."""
        self._manual(StateTrigger.HALT, user, reason, "halt trading")

    def reduce(self, user: User, reason: str) -> None:
        """Allow only exposure-reducing orders and re-arm the loss triggers from the current NAV."""
        self._manual(StateTrigger.REDUCE, user, reason, "set trading to reducing")
        self._rearm()

    def resume(self, user: User, reason: str) -> None:
        """Return to ACTIVE and re-arm the loss triggers from the current NAV."""
        self._manual(StateTrigger.RESUME, user, reason, "resume trading")
        self._rearm()

    def _rearm(self) -> None:
        """Measure daily loss and drawdown from the current NAV (after a manual decision)."""
        self._valuation = None
        nav = self.valuation(self._clock.timestamp_ns()).nav
        self._day_start_nav = self._peak_nav = nav

    def _manual(self, trigger: StateTrigger, user: User, reason: str, action: str) -> None:
        require_risk_officer(user, action)
        text = require_reason(reason)
        self._change(trigger, "manual", text, user.name, self._clock.timestamp_ns())

    def _change(
        self, trigger: StateTrigger, cause: str, reason: str, user: str | None, ts_ns: int
    ) -> None:
        change = self._keeper.move(trigger, cause, reason, user, ts_ns)
        if change is None:
            return
        self.state_reason = reason if change.state != TradingState.ACTIVE.value else ""
        self._history.append(asdict(change))
        self._publish(change)

    def set_limits(self, changes: Mapping[str, Any], user: User, reason: str) -> LimitsChanged:
        """Change limits at run time (risk officer only), validated as a whole, journalled."""
        require_risk_officer(user, "change limits")
        text = require_reason(reason)
        new = self.limits.changed(changes, "limits change")
        diffs = tuple(
            (key, str(self.limits.value_of(key)), str(new.value_of(key)))
            for key in changes
            if self.limits.value_of(key) != new.value_of(key)
        )
        old, self.limits = self.limits, new
        if old.throttle_window_secs != new.throttle_window_secs:
            self.throttle.window_ns = secs_to_ns(new.throttle_window_secs)
        if old.reject_window_secs != new.reject_window_secs:
            self._submits.window_ns = self._rejects.window_ns = secs_to_ns(new.reject_window_secs)
        if any(key in _MODEL_KEYS for key, _old, _new in diffs):
            self._build_models()
        self._valuation = None
        now = self._clock.timestamp_ns()
        record = LimitsChanged(user.name, text, diffs, now, now)
        self._publish(record)
        return record

    def grant_override(
        self,
        check: str,
        user: User,
        reason: str,
        *,
        client_order_id: str | None = None,
        symbol: str | None = None,
        max_uses: int = 1,
        until_ns: int | None = None,
    ) -> OverrideGranted:
        """Let ``check`` pass for one order id, or the next ``max_uses`` orders (audited).

        The trading state cannot be overridden order by order: resume or reduce instead.
        """
        require_risk_officer(user, "override a risk denial")
        text = require_reason(reason)
        if check not in CHECK_NAMES or check == "trading_state":
            names = ", ".join(c for c in CHECK_NAMES if c != "trading_state")
            raise InputError("check", check, f"must be one of {names}")
        override = self._overrides.grant(
            check, user.name, text, client_order_id, symbol, max_uses, until_ns
        )
        now = self._clock.timestamp_ns()
        record = OverrideGranted(
            override.override_id,
            check,
            user.name,
            text,
            client_order_id,
            symbol,
            override.remaining,
            until_ns,
            now,
            now,
        )
        self._publish(record)
        return record

    # -- kill switch -------------------------------------------------------------------------

    def kill_switch(self, user: User, reason: str, flatten: bool = False) -> KillSwitchReport:
        """Halt, pause every algorithm, cancel every working order, optionally flatten.

        Algorithms are paused first so none reacts to the cancels with new children. Cancels
        go one ``CancelOrder`` per order through the OMS, the one path. Flattening sends market
        orders that close each position, sliced to the per-order caps; they are the only orders
        the HALTED state lets out, and they skip the throttle.
        """
        require_risk_officer(user, "use the kill switch")
        text = require_reason(reason)
        if self._oms is None:
            raise StateError("oms", None, "the kill switch needs the OMS attached (attach(oms=))")
        return self._kill(user.name, text, flatten, self._clock.timestamp_ns())

    def _kill(self, who: str, reason: str, flatten: bool, ts_ns: int) -> KillSwitchReport:
        oms = self._oms
        assert oms is not None
        self._change(StateTrigger.HALT, "kill_switch", reason, who, ts_ns)
        paused = False
        if self._algos is not None:
            self._algos.pause_all()
            paused = True
        sent = failed = already = 0
        for order in list(self._open_orders.working()):
            try:
                if oms.cancel(CancelOrder(ts_ns, order.spec.client_order_id, "kill_switch")):
                    sent += 1
                else:  # a paused algorithm already asked to cancel its children
                    already += 1
            except SlipstreamError:
                failed += 1
        flattening = self._flatten(oms, ts_ns) if flatten else ()
        self._publish(KillSwitchActivated(who, reason, sent, len(flattening), ts_ns, ts_ns))
        return KillSwitchReport(sent, failed, already, paused, flattening)

    def _flatten(self, oms: OrderEntry, ts_ns: int) -> tuple[str, ...]:
        ids: list[str] = []
        for position in self._portfolio.holdings():
            symbol = position.symbol
            lot = self._instruments.get(symbol).lot_size if symbol in self._instruments else 1
            px = self.mark_of(symbol) or position.avg_cost
            cap = self.limits.max_quantity(symbol)
            if px > 0:
                cap = min(cap, int(self.limits.order_max_notional / px))
            cap -= cap % lot
            remaining = abs(position.quantity)
            side = Side.SELL if position.quantity > 0 else Side.BUY
            while remaining > 0 and cap > 0:
                qty = min(cap, remaining)
                coid = self._ids.client_order_id()
                self._flatten_ids.add(coid)
                spec = OrderSpec(coid, symbol, side, qty, OrderType.MARKET)
                oms.submit(SubmitOrder(ts_ns, spec))
                ids.append(coid)
                remaining -= qty
        return tuple(ids)

    def _publish(self, record: object) -> None:
        self._bus.publish(record)
