"""The desk's controls: the trading state, the limits in force and single-denial overrides.

:class:`TradingDesk` owns the trading state (moved manually here, automatically by the halts
and the kill switch through :meth:`TradingDesk.move`), the limits, and the register of
overrides. Every manual act needs a user with the risk-officer role and a reason, and every
change — state, limits, override granted, override used — is published on the bus as a frozen
record (so the journal writes it). A restarted engine takes the state its journal left
(:meth:`TradingDesk.restore_state`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import InputError
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.risk_gate import Denial
from slipstream.risk.controls import OverrideRegister
from slipstream.risk.events import (
    DenialOverridden,
    LimitsChanged,
    OverrideGranted,
    TradingStateChanged,
)
from slipstream.risk.limits import CHECK_NAMES, Limits
from slipstream.risk.state import (
    StateTrigger,
    TradingState,
    TradingStateKeeper,
    User,
    require_reason,
    require_risk_officer,
)

#: Called with the new limits and the keys whose values changed, before the change is published.
LimitsListener = Callable[[Limits, frozenset[str]], None]


class OverrideScope(TypedDict, total=False):
    """What an override covers (keywords of :meth:`TradingDesk.grant_override`)."""

    client_order_id: str | None
    symbol: str | None
    max_uses: int
    until_ns: int | None


class TradingDesk:
    """The trading state, limits and overrides a risk officer controls."""

    def __init__(
        self, clock: Clock, bus: MessageBus, limits: Limits, on_limits: LimitsListener
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._on_limits = on_limits
        self._keeper = TradingStateKeeper(TradingState.ACTIVE)
        self._overrides = OverrideRegister()
        self.limits = limits
        #: The trading state (a copy of the keeper's, read on every order) and why it is not
        #: ACTIVE ("" when it is).
        self.state = self._keeper.state
        self.state_reason = ""

    def move(
        self, trigger: StateTrigger, cause: str, reason: str, user: str | None, ts_ns: int
    ) -> None:
        """Apply ``trigger`` (a no-op when already in its target state) and publish the change."""
        change = self._keeper.move(trigger, cause, reason, user, ts_ns)
        if change is None:
            return
        self.state = self._keeper.state
        self.state_reason = reason if change.state != TradingState.ACTIVE.value else ""
        self._bus.publish(change)

    def restore_state(self, change: TradingStateChanged) -> None:
        """Take the trading state a journalled change left (a restart replaying its journal)."""
        self._keeper = TradingStateKeeper(TradingState(change.state))
        self.state = self._keeper.state
        self.state_reason = change.reason if change.state != TradingState.ACTIVE.value else ""

    # -- manual control ----------------------------------------------------------------------

    def halt(self, user: User, reason: str) -> None:
        """Stop every new order (risk officer only; reason mandatory)."""
        self._manual(StateTrigger.HALT, user, reason, "halt trading")

    def reduce(self, user: User, reason: str) -> None:
        """Allow only exposure-reducing orders (risk officer only; reason mandatory)."""
        self._manual(StateTrigger.REDUCE, user, reason, "set trading to reducing")

    def resume(self, user: User, reason: str) -> None:
        """Return to ACTIVE (risk officer only; reason mandatory)."""
        self._manual(StateTrigger.RESUME, user, reason, "resume trading")

    def _manual(self, trigger: StateTrigger, user: User, reason: str, action: str) -> None:
        require_risk_officer(user, action)
        text = require_reason(reason)
        self.move(trigger, "manual", text, user.name, self._clock.timestamp_ns())

    def set_limits(self, changes: Mapping[str, Any], user: User, reason: str) -> LimitsChanged:
        """Change limits at run time (risk officer only), validated as a whole, journalled."""
        require_risk_officer(user, "change limits")
        text = require_reason(reason)
        old = self.limits
        new = old.changed(changes, "limits change")
        diffs = tuple(
            (key, str(old.value_of(key)), str(new.value_of(key)))
            for key in changes
            if old.value_of(key) != new.value_of(key)
        )
        self.limits = new
        self._on_limits(new, frozenset(key for key, _old, _new in diffs))
        now = self._clock.timestamp_ns()
        record = LimitsChanged(user.name, text, diffs, now, now)
        self._bus.publish(record)
        return record

    # -- overrides ---------------------------------------------------------------------------

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
        self._bus.publish(record)
        return record

    def use_override(self, check: str, denial: Denial, spec: OrderSpec, ts_ns: int) -> bool:
        """Consume an override that lets ``denial`` pass, publish its use, say whether one did."""
        coid = spec.client_order_id
        override = self._overrides.use(check, coid, spec.symbol, ts_ns)
        if override is None:
            return False
        self._bus.publish(
            DenialOverridden(
                coid, check, denial.reason, override.override_id, override.user, ts_ns, ts_ns
            )
        )
        return True

    def find_override(self, check: str, spec: OrderSpec, ts_ns: int) -> str | None:
        """Return the id of the override that would let ``check`` pass, without using it."""
        override = self._overrides.find(check, spec.client_order_id, spec.symbol, ts_ns)
        return override.override_id if override is not None else None
