"""What a journal file holds, told without writing to it: closed, cut short, empty or foreign.

``slipstream replay`` reports one of these and exits non-zero unless the journal closed
cleanly: a journal that ends without its close record was cut short (a crash, a killed process
or a truncated file look the same from the file alone), and an empty file, a file that is not a
Slipstream journal or a broken hash chain are never reported as verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from slipstream.core.errors import JournalError
from slipstream.store.journal import read_journal
from slipstream.store.records import JournalClosed, SessionResumed, SessionStarted


class JournalStatus(StrEnum):
    """How a journal file ends."""

    CLOSED = "closed cleanly"
    OPEN = "ended without a close"
    EMPTY = "empty"
    NOT_A_JOURNAL = "not a Slipstream journal"
    BROKEN = "broken"


@dataclass
class JournalInspection:
    """The outcome of reading a journal end to end."""

    path: Path | str
    status: JournalStatus
    detail: str
    session: SessionStarted | None = None
    restarts: int = 0
    signed: bool = False
    #: ``(ts_init, record)`` of every record read, in order.
    timed: list[tuple[int, Any]] = field(default_factory=list)

    def numbered(self) -> list[tuple[int, int, Any]]:
        """Return ``(seq, ts_init, record)`` for every record read (ts_init as journalled)."""
        return [(n, ts, r) for n, (ts, r) in enumerate(self.timed, start=1)]

    @property
    def records(self) -> list[Any]:
        """Return every record read, in order."""
        return [record for _ts, record in self.timed]

    @property
    def count(self) -> int:
        """Return how many records were read (before any break)."""
        return len(self.timed)

    @property
    def ok(self) -> bool:
        """Return whether the journal is complete and intact."""
        return self.status is JournalStatus.CLOSED


def inspect_journal(path: Path | str) -> JournalInspection:
    """Read ``path`` read-only and say how it ends; never raises for a bad file."""
    try:
        journal = read_journal(path)
    except JournalError as exc:
        text = str(exc)
        status = JournalStatus.EMPTY if "empty" in text else JournalStatus.NOT_A_JOURNAL
        return JournalInspection(path, status, text)
    found = JournalInspection(path, JournalStatus.EMPTY, "no record was ever committed")
    found.signed = journal.signed
    try:
        for seq, ts_init, record in journal.records():
            if seq == 1 and not isinstance(record, SessionStarted):
                found.status = JournalStatus.NOT_A_JOURNAL
                found.detail = f"record 1 is {type(record).__name__}, not SessionStarted"
                return found
            if isinstance(record, SessionStarted):
                found.session = record
            elif isinstance(record, SessionResumed):
                found.restarts += 1
            found.timed.append((ts_init, record))
    except JournalError as exc:
        found.status = JournalStatus.BROKEN
        found.detail = f"{exc} (after {found.count} good records)"
        return found
    finally:
        journal.close(clean=False)
    if not found.timed:
        return found
    unsigned = "" if found.signed else " (unsigned journal format 1)"
    if isinstance(found.timed[-1][1], JournalClosed):
        found.status = JournalStatus.CLOSED
        found.detail = f"closed cleanly after {found.count} records{unsigned}"
    else:
        found.status = JournalStatus.OPEN
        found.detail = f"ended without a close at record {found.count}{unsigned}"
    return found


def has_records(path: Path | str) -> bool:
    """Return whether ``path`` is a journal holding at least one committed record."""
    try:
        journal = read_journal(path)
    except JournalError:
        return False
    try:
        return journal.stored_records > 0
    finally:
        journal.close(clean=False)
