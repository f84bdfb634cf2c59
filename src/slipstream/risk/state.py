"""Trading state (ACTIVE, REDUCING, HALTED), who may change it, and its state file.

ACTIVE lets every order through to the limit checks; REDUCING lets only orders that reduce an
existing position; HALTED lets nothing new out (the kill switch's own flattening orders are the
one exception, see :mod:`slipstream.risk.killswitch`). Leaving HALTED or REDUCING is a manual
act by a user with the ``risk_officer`` role and a reason; entering them is manual or automatic.

The state file (JSON) carries the state between runs, since ``slipstream halt`` and
``slipstream resume`` act on it while no engine is running::

    {"state": "halted", "trigger": "manual", "reason": "...", "user": "...", "ts_ns": 0,
     "history": [{"previous": "active", "state": "halted", ...}, ...]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from slipstream.core.errors import ConfigError, InputError
from slipstream.core.fsm import StateMachine
from slipstream.risk.events import TradingStateChanged

RISK_OFFICER = "risk_officer"
DEFAULT_STATE_FILE = Path("out/trading_state.json")


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


def read_state_file(path: Path) -> tuple[TradingState, list[dict[str, Any]]]:
    """Return the persisted state and its history (ACTIVE and empty if the file is absent)."""
    if not path.exists():
        return TradingState.ACTIVE, []
    try:
        document = json.loads(path.read_text())
        state = TradingState(document["state"])
        history = list(document.get("history", []))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"trading state file {path}: unreadable: {exc}") from exc
    return state, history


def write_state_file(
    path: Path, change: TradingStateChanged, history: list[dict[str, Any]]
) -> None:
    """Persist ``change`` as the current state, appending it to ``history`` (atomic replace)."""
    record = asdict(change)
    document = {
        "state": change.state,
        "trigger": change.trigger,
        "reason": change.reason,
        "user": change.user,
        "ts_ns": change.ts_event,
        "history": [*history, record],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n")
    tmp.replace(path)


def change_state_file(
    path: Path, trigger: StateTrigger, user: User, reason: str, ts_ns: int
) -> TradingStateChanged | None:
    """Apply a manual ``trigger`` to the persisted state (risk officer, reason mandatory).

    Return the change, or None when the file already records the target state.
    """
    require_risk_officer(user, f"{trigger.value} trading")
    text = require_reason(reason)
    state, history = read_state_file(path)
    change = TradingStateKeeper(state).move(trigger, "manual", text, user.name, ts_ns)
    if change is not None:
        write_state_file(path, change, history)
    return change
