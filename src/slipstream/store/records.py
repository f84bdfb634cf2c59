"""The journal's own records: which session it holds, and how it ended.

A journal opens with :class:`SessionStarted` (what kind of session, and the fingerprint of the
inputs that determine it) and ends with :class:`JournalClosed` when the session ends normally.
A journal without the close ended in a crash or was cut; ``slipstream replay`` says which record
it ends at. A live engine restarted on its own journal writes :class:`SessionResumed` and carries
on in the same session.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.core.schema import journal_record


@journal_record("journal.session_started", version=1)
@dataclass(frozen=True, slots=True)
class SessionStarted:
    """The first record of every journal.

    ``mode`` is ``simulation`` or ``live``; ``fingerprint`` maps each input that determines the
    session (orders file digest, market data, settings) to its text, so a resume can prove it is
    continuing the same session.
    """

    mode: str
    fingerprint: dict[str, str]
    ts_init: int


@journal_record("journal.session_resumed", version=1)
@dataclass(frozen=True, slots=True)
class SessionResumed:
    """A live engine restarted on this journal after ``records`` records."""

    records: int
    closed_cleanly: bool
    ts_init: int


@journal_record("journal.closed", version=1)
@dataclass(frozen=True, slots=True)
class JournalClosed:
    """The session ended normally; ``records`` counts every record before this one."""

    records: int
    ts_init: int
