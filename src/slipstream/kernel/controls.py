"""Trading-state changes recorded in the journal of an engine that is not running.

The trading state belongs to the engine it applies to: a risk officer who halts an engine while
it is down writes the change into that engine's journal, and the engine takes it when it
restarts (:class:`~slipstream.kernel.live.LiveKernel` replays every ``TradingStateChanged``).
The journal's writer lock makes this refuse a running engine's journal. Only live journals take
such a record: a simulated session is resumed by re-executing it, so a record it would not
make itself has no place in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.core.errors import InputError
from slipstream.risk.events import TradingStateChanged
from slipstream.risk.state import (
    StateTrigger,
    TradingState,
    TradingStateKeeper,
    User,
    require_reason,
    require_risk_officer,
)
from slipstream.store.journal import open_journal
from slipstream.store.locations import JournalLocation, describe
from slipstream.store.records import JournalClosed, SessionStarted


@dataclass(frozen=True, slots=True)
class StateChangeOutcome:
    """The state a journal's engine was in, and the change recorded (None: already there)."""

    state: TradingState
    change: TradingStateChanged | None


def record_state_change(
    path: JournalLocation, trigger: StateTrigger, user: User, reason: str, ts_ns: int
) -> StateChangeOutcome:
    """Append a manual trading-state change to the journal at ``path`` (risk officer only)."""
    require_risk_officer(user, f"{trigger.value} trading")
    text = require_reason(reason)
    journal = open_journal(path, "continue")
    closed = False
    try:
        state = TradingState.ACTIVE
        for _seq, _ts, record in journal.records():
            if isinstance(record, SessionStarted) and record.mode != "live":
                raise InputError(
                    "--journal",
                    describe(path),
                    "holds a simulated session; its trading state comes from re-executing it",
                )
            if isinstance(record, TradingStateChanged):
                state = TradingState(record.state)
            closed = isinstance(record, JournalClosed)
        change = TradingStateKeeper(state).move(trigger, "manual", text, user.name, ts_ns)
        if change is not None:
            journal.append(change, ts_ns)
            state = TradingState(change.state)
    except BaseException:
        journal.close(clean=False, ts_ns=ts_ns)
        raise
    journal.close(clean=closed and change is not None, ts_ns=ts_ns)
    return StateChangeOutcome(state, change)
