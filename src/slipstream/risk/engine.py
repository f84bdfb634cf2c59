"""The risk engine: the OMS's risk gate, a facade over parts that each own their state.

It wires and delegates, and decides nothing itself: the checks on each order and the throttle
(:mod:`~slipstream.risk.gate`), scenarios, clusters and the exposure snapshot
(:mod:`~slipstream.risk.exposure`), the automatic halts (:mod:`~slipstream.risk.halts`), the
trading state, limits and overrides a risk officer controls (:mod:`~slipstream.risk.desk`), and
the kill switch (:mod:`~slipstream.risk.killswitch`). The parts see each other only through the
protocols of :mod:`slipstream.risk.ports`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Unpack

import pandas as pd

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.model.instrument import InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.risk_gate import Denial
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.reconciliation import PositionBreak
from slipstream.risk.controls import SlidingCount
from slipstream.risk.desk import OverrideScope, TradingDesk
from slipstream.risk.events import LimitsChanged, OverrideGranted, TradingStateChanged
from slipstream.risk.exposure import ExposureBook
from slipstream.risk.gate import PreTradeGate, RiskDecision
from slipstream.risk.halts import AutoHalts
from slipstream.risk.killswitch import KillSwitch, KillSwitchReport
from slipstream.risk.limits import Limits
from slipstream.risk.ports import AlgoControl, OpenOrders, OrderEntry
from slipstream.risk.scenarios import ScenarioSet
from slipstream.risk.state import TradingState, User
from slipstream.risk.valuation import Valuation


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
        self._clock = clock
        self._desk = desk = TradingDesk(clock, bus, limits or Limits(), self._limits_changed)
        self._exposure = exposure = ExposureBook(portfolio, instruments, returns, desk.limits, bus)
        self._kill = kill = KillSwitch(desk, portfolio, instruments, open_orders, clock, bus)
        self._halts = halts = AutoHalts(desk, exposure.nav, kill, clock, bus)
        self._gate = PreTradeGate(
            exposure, portfolio, open_orders, desk, halts.evaluate, kill.flattening
        )

    def attach(self, oms: OrderEntry | None = None, algos: AlgoControl | None = None) -> None:
        """Give the kill switch the OMS (cancels, flattening) and the algorithm engine."""
        self._kill.attach(oms, algos)

    def _limits_changed(self, new: Limits, changed: frozenset[str]) -> None:
        self._gate.use_limits(new)
        self._halts.use_limits(new)
        self._exposure.use_limits(new, changed)

    # -- what the engine holds -----------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        """Return the limits in force."""
        return self._desk.limits

    @property
    def state(self) -> TradingState:
        """Return the trading state."""
        return self._desk.state

    @property
    def state_reason(self) -> str:
        """Return why trading is not ACTIVE ("" when it is)."""
        return self._desk.state_reason

    @property
    def replaying(self) -> bool:
        """True while a restarted kernel replays its journal: nothing is decided on old facts."""
        return self._halts.replaying

    @replaying.setter
    def replaying(self, value: bool) -> None:
        self._halts.replaying = value

    @property
    def throttle(self) -> SlidingCount:
        """Return the order-rate throttle (approved orders in its window)."""
        return self._gate.throttle

    @property
    def scenarios(self) -> ScenarioSet:
        """Return the scenario set Expected Shortfall is taken over."""
        return self._exposure.scenarios

    @property
    def clusters(self) -> dict[str, tuple[str, ...]]:
        """Return the correlation clusters by name."""
        return self._exposure.clusters

    def valuation(self, ts_ns: int) -> Valuation:
        """Return the exposure snapshot, rebuilt if stale (see :mod:`slipstream.risk.valuation`)."""
        return self._exposure.valuation(ts_ns)

    def sector_of(self, symbol: str) -> str:
        """Return ``symbol``'s sector (instrument table first, then the portfolio's map)."""
        return self._exposure.sector_of(symbol)

    def cluster_of(self, symbol: str) -> str | None:
        """Return the correlation cluster of ``symbol``, or None if it is in none."""
        return self._exposure.cluster_of(symbol)

    def cash(self) -> Decimal:
        """Return the account's cash."""
        return self._gate.cash()

    # -- the gate ------------------------------------------------------------------------------

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Return the first denial for ``spec`` or None (the OMS's ``RiskGate`` method)."""
        return self._gate.check_order(spec, ts_ns)

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Check a parent order when accepted: state, buying power and exposure limits."""
        return self._gate.check_parent(spec, ts_ns)

    def evaluate(self, spec: OrderSpec, ts_ns: int | None = None) -> RiskDecision:
        """Run every check on ``spec`` without side effects (the what-if report)."""
        return self._gate.evaluate(spec, self._clock.timestamp_ns() if ts_ns is None else ts_ns)

    # -- automatic halts -----------------------------------------------------------------------

    def evaluate_triggers(self, ts_ns: int) -> None:
        """Check the NAV, reject-rate and market-data triggers and halt if one fires."""
        self._halts.evaluate(ts_ns)

    def start_day(self, ts_ns: int | None = None) -> None:
        """Take the current NAV as the start of the trading day for the daily-loss trigger."""
        self._halts.start_day(self._clock.timestamp_ns() if ts_ns is None else ts_ns)

    def on_position_break(self, found: PositionBreak) -> None:
        """Halt on a reconciliation break (pass this as the reconciler's callback)."""
        self._halts.on_position_break(found)

    def start_watchdog(self, interval_secs: float) -> None:
        """Evaluate the automatic halt triggers every ``interval_secs`` of clock time."""
        self._halts.start_watchdog(interval_secs)

    # -- manual control ------------------------------------------------------------------------

    def restore_state(self, change: TradingStateChanged) -> None:
        """Take the trading state a journalled change left (a restart replaying its journal)."""
        self._desk.restore_state(change)

    def halt(self, user: User, reason: str) -> None:
        """Stop every new order (risk officer only; reason mandatory)."""
        self._desk.halt(user, reason)

    def reduce(self, user: User, reason: str) -> None:
        """Allow only exposure-reducing orders and re-arm the loss triggers from the current NAV."""
        self._desk.reduce(user, reason)
        self._rearm()

    def resume(self, user: User, reason: str) -> None:
        """Return to ACTIVE and re-arm the loss triggers from the current NAV."""
        self._desk.resume(user, reason)
        self._rearm()

    def _rearm(self) -> None:
        self._exposure.invalidate()
        self._halts.rearm(self._clock.timestamp_ns())

    def set_limits(self, changes: Mapping[str, Any], user: User, reason: str) -> LimitsChanged:
        """Change limits at run time (risk officer only), validated as a whole, journalled."""
        return self._desk.set_limits(changes, user, reason)

    def grant_override(
        self, check: str, user: User, reason: str, **scope: Unpack[OverrideScope]
    ) -> OverrideGranted:
        """Let ``check`` pass for one order id, or the next ``max_uses`` orders (audited)."""
        return self._desk.grant_override(check, user, reason, **scope)

    def kill_switch(self, user: User, reason: str, flatten: bool = False) -> KillSwitchReport:
        """Halt, pause every algorithm, cancel every working order, optionally flatten."""
        return self._kill.activate(user, reason, flatten)
