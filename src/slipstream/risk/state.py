"""Trading state (ACTIVE, REDUCING, HALTED), who may change it, and its state file.

ACTIVE lets every order through to the limit checks; REDUCING lets only orders that reduce an
existing position; HALTED lets nothing new out (the kill switch's own flattening orders are the
one exception, see :mod:`slipstream.risk.killswitch`). Leaving HALTED or REDUCING is a manual
act by a user with the ``risk_officer`` role and a reason; entering them is manual or automatic.

The state belongs to the engine it applies to: every change is a ``TradingStateChanged`` record
in that engine's journal (with who and why), and a restarted engine takes the state its journal
left. ``slipstream halt|reduce|resume --journal FILE`` records a change in the journal of an
engine that is not running.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from slipstream.core.errors import InputError
from slipstream.core.fsm import StateMachine
from slipstream.risk.events import TradingStateChanged

RISK_OFFICER = "risk_officer"


class TradingState(StrEnum):
    """What may leave: everything, only reducing orders, or nothing."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class StateTrigger(StrEnum):
    """Requests that move the trading state."""

    HALT = "halt"
    REDUCE = "reduce"
    RESUME = "resume"


A, R, H = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED
#: The trading-state table; asking for the state one is already in is a no-op, not an edge.
STATE_TABLE: dict[tuple[TradingState, StateTrigger], TradingState] = {
    (A, StateTrigger.HALT): H,
    (A, StateTrigger.REDUCE): R,
    (R, StateTrigger.HALT): H,
    (R, StateTrigger.RESUME): A,
    (H, StateTrigger.RESUME): A,
    (H, StateTrigger.REDUCE): R,
}
_TARGET = {StateTrigger.HALT: H, StateTrigger.REDUCE: R, StateTrigger.RESUME: A}


@dataclass(frozen=True, slots=True)
class User:
    """Who asks for a control action, and in which role."""

    name: str
    role: str


def require_risk_officer(user: User, action: str) -> None:
    """Raise :class:`InputError` unless ``user`` holds the risk-officer role."""
    if user.role != RISK_OFFICER:
        raise InputError("role", user.role, f"only a {RISK_OFFICER} may {action}")


def require_reason(reason: str) -> str:
    """Return ``reason`` stripped, or raise :class:`InputError` if it is empty."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InputError("reason", reason, "a reason is mandatory")
    return text


class TradingStateKeeper:
    """Hold the trading state and move it along :data:`STATE_TABLE`, recording every move."""

    def __init__(self, initial: TradingState = TradingState.ACTIVE) -> None:
        self._machine: StateMachine[TradingState, StateTrigger] = StateMachine(STATE_TABLE, initial)
        self.last_change: TradingStateChanged | None = None

    @property
    def state(self) -> TradingState:
        """Return the current state."""
        return self._machine.state

    def move(
        self, trigger: StateTrigger, cause: str, reason: str, user: str | None, ts_ns: int
    ) -> TradingStateChanged | None:
        """Apply ``trigger``; return the change record, or None if already in the target state."""
        if self._machine.state is _TARGET[trigger]:
            return None
        previous = self._machine.state
        self._machine.trigger(trigger)
        change = TradingStateChanged(
            previous.value, self._machine.state.value, cause, reason, user, ts_ns, ts_ns
        )
        self.last_change = change
        return change
