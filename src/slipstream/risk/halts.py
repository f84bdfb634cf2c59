"""Automatic halts: the triggers that stop trading without waiting for a person.

Each is configurable (see :mod:`slipstream.risk.limits`):

* ``daily_loss`` — NAV has fallen ``auto_halt.daily_loss_pct`` below the day's starting NAV
  (the NAV at the first check of each New York calendar day, or at :meth:`AutoHalts.start_day`);
* ``drawdown`` — NAV is ``auto_halt.drawdown_pct`` below its peak;
* ``reject_rate`` — venue rejections and broker anomalies reach ``reject_rate_pct`` of orders
  submitted within ``reject_window_secs`` (once at least ``reject_min_orders`` were sent);
* ``stale_market_data`` — no quote, trade or bar for ``stale_data_secs``;
* ``position_break`` — reconciliation found our position differs from the broker's
  (:meth:`AutoHalts.on_position_break`, the reconciler's callback); this one always halts.

Triggers are evaluated before every order and, with :meth:`AutoHalts.start_watchdog`, on a
clock timer while no order is sent. The action is ``halt`` (HALTED) or ``reduce`` (REDUCING),
optionally followed by the kill switch. A manual resume or reduce re-arms the loss and drawdown
triggers from the NAV at that moment (:meth:`AutoHalts.rearm`). While :attr:`AutoHalts.replaying`
is set (a restart folding its journal) the counters follow the events but nothing is decided.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import InputError
from slipstream.core.timestamps import NS_PER_SEC, datetime_to_ns, ns_to_exchange
from slipstream.model.events import OrderRejected, OrderSubmitted
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.oms.records import EventAnomaly
from slipstream.portfolio.reconciliation import PositionBreak
from slipstream.risk.controls import SlidingCount, secs_to_ns
from slipstream.risk.limits import Limits
from slipstream.risk.ports import EmergencyStop, StateControl
from slipstream.risk.state import StateTrigger, TradingState


class AutoHalts:
    """The automatic halt triggers and what they watch: NAV, rejections, market data."""

    def __init__(
        self,
        desk: StateControl,
        nav_at: Callable[[int], Decimal],
        stop: EmergencyStop,
        clock: Clock,
        bus: MessageBus,
    ) -> None:
        self._desk = desk
        self._nav_at = nav_at
        self._stop = stop
        self._clock = clock
        #: True while a restarted kernel replays its journal: counters follow the replayed
        #: events, but nothing is decided (no automatic halt, no kill switch) on old facts.
        self.replaying = False
        window = secs_to_ns(desk.limits.reject_window_secs)
        self._submits = SlidingCount(window)
        self._rejects = SlidingCount(window)
        self._day_start_nav: Decimal | None = None
        self._day_end_ns = 0
        self._peak_nav: Decimal | None = None
        self._last_market_data_ns: int | None = None
        bus.subscribe(OrderSubmitted, self._on_submitted)
        bus.subscribe(OrderRejected, self._on_reject)
        bus.subscribe(EventAnomaly, self._on_reject)
        bus.subscribe(QuoteTick, self._on_market_data)
        bus.subscribe(TradeTick, self._on_market_data)
        bus.subscribe(Bar, self._on_market_data)

    def use_limits(self, limits: Limits) -> None:
        """Take new limits (the reject-rate window follows)."""
        self._submits.window_ns = self._rejects.window_ns = secs_to_ns(limits.reject_window_secs)

    def evaluate(self, ts_ns: int) -> None:
        """Check the NAV and market-data triggers and halt if one fires."""
        limits = self._desk.limits
        if self._desk.state is TradingState.HALTED:
            return
        nav = self._nav_at(ts_ns)
        start = self._day_start_nav
        if start is None or ts_ns >= self._day_end_ns:
            start = nav
            self._start_day(nav, ts_ns)
        peak = self._peak_nav if self._peak_nav is not None and self._peak_nav > nav else nav
        self._peak_nav = peak
        if limits.daily_loss_pct > 0 and start > 0:
            loss_pct = float((start - nav) / start * 100)
            if loss_pct >= limits.daily_loss_pct:
                self._halt(
                    "daily_loss",
                    f"NAV {nav} is {loss_pct:.2f}% below the day's start {start} "
                    f"(limit {limits.daily_loss_pct:g}%)",
                    ts_ns,
                )
                return
        if limits.drawdown_pct > 0 and peak > 0:
            drawdown = float((peak - nav) / peak * 100)
            if drawdown >= limits.drawdown_pct:
                self._halt(
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
                self._halt(
                    "stale_market_data",
                    f"no market data for {age:.1f}s (limit {limits.stale_data_secs:g}s)",
                    ts_ns,
                )

    def start_day(self, ts_ns: int) -> None:
        """Take the NAV at ``ts_ns`` as the start of the trading day (days also roll by
        themselves at midnight New York time, at the first check after it)."""
        self._start_day(self._nav_at(ts_ns), ts_ns)

    def _start_day(self, nav: Decimal, ts_ns: int) -> None:
        self._day_start_nav = nav
        local = ns_to_exchange(ts_ns)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        self._day_end_ns = datetime_to_ns(midnight)

    def rearm(self, ts_ns: int) -> None:
        """Measure daily loss and drawdown from the NAV at ``ts_ns`` (after a manual decision)."""
        nav = self._nav_at(ts_ns)
        self._day_start_nav = self._peak_nav = nav

    def on_position_break(self, found: PositionBreak) -> None:
        """Halt: reconciliation found our position differs from the broker's."""
        self._halt(
            "position_break",
            f"position break in {found.symbol}: ours {found.local_quantity}, "
            f"broker {found.broker_quantity}",
            found.ts_ns,
            always_halt=True,
        )

    def start_watchdog(self, interval_secs: float) -> None:
        """Evaluate the triggers every ``interval_secs`` of clock time."""
        if not interval_secs > 0:
            raise InputError("interval_secs", interval_secs, "must be > 0")
        step = secs_to_ns(interval_secs)
        clock = self._clock

        def tick(ts_ns: int) -> None:
            self.evaluate(ts_ns)
            clock.set_timer("risk.watchdog", ts_ns + step, tick)

        clock.set_timer("risk.watchdog", clock.timestamp_ns() + step, tick)

    def _halt(self, rule: str, reason: str, ts_ns: int, always_halt: bool = False) -> None:
        if self.replaying:
            return
        desk = self._desk
        limits = desk.limits
        trigger = (
            StateTrigger.HALT
            if always_halt or limits.auto_halt_action == "halt"
            else StateTrigger.REDUCE
        )
        state = desk.state
        if state is TradingState.HALTED or (
            trigger is StateTrigger.REDUCE and state is TradingState.REDUCING
        ):
            return
        desk.move(trigger, f"auto:{rule}", reason, None, ts_ns)
        if limits.auto_halt_kill_switch:
            self._stop.trip(f"auto:{rule}", reason, ts_ns)

    def _on_submitted(self, event: OrderSubmitted) -> None:
        self._submits.add(event.ts_init)

    def _on_reject(self, event: OrderRejected | EventAnomaly) -> None:
        limits = self._desk.limits
        now = event.ts_init
        self._rejects.add(now)
        if limits.reject_rate_pct <= 0:
            return
        sent = self._submits.count(now)
        rejected = self._rejects.count(now)
        if sent >= limits.reject_min_orders and rejected / sent * 100 >= limits.reject_rate_pct:
            self._halt(
                "reject_rate",
                f"{rejected} rejections/errors for {sent} orders in "
                f"{limits.reject_window_secs:g}s (limit {limits.reject_rate_pct:g}%)",
                now,
            )

    def _on_market_data(self, event: QuoteTick | TradeTick | Bar) -> None:
        self._last_market_data_ns = max(self._last_market_data_ns or 0, event.ts_event)
