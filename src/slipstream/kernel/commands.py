"""Parent-order commands as journal records: what a user asked of a parent, before it happened.

The algorithm engine's own lifecycle events (``ParentAccepted``, ``ParentAmended``,
``ParentPaused`` …) say what came of a command; these say what was asked, by whom, so the audit
trail holds refused commands too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from slipstream.core.schema import journal_record


class ParentAction(StrEnum):
    """What can be asked of a parent order."""

    SUBMIT = "submit"
    AMEND = "amend"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"


@journal_record("parent.commanded", version=1)
@dataclass(frozen=True, slots=True)
class ParentCommanded:
    """A command for a parent order, journalled before it takes effect.

    ``changes`` holds the amended fields as text (``quantity``, ``limit_price``, ``end_ns``).
    """

    parent_id: str
    action: ParentAction
    user: str
    reason: str
    changes: dict[str, str]
    ts_init: int


@journal_record("command.refused", version=1)
@dataclass(frozen=True, slots=True)
class CommandRefused:
    """A scheduled command (an orders-file action) was refused; the session carried on."""

    target: str
    action: str
    error: str
    ts_init: int
