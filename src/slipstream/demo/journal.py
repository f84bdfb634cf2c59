"""The demo's journal file: replaced only when it is the demo's own and nobody holds it."""

from __future__ import annotations

from pathlib import Path

from slipstream.core.errors import JournalError
from slipstream.store.inspection import has_records, inspect_journal
from slipstream.store.journal import delete_journal
from slipstream.store.locations import JournalLocation


def replace_own_journal(journal: JournalLocation) -> None:
    """Remove a previous demo's journal; refuse a journal that is not a finished demo's.

    A journal another process holds, or one that a different session wrote, is never deleted.
    """
    if not has_records(journal) and not (isinstance(journal, Path) and journal.exists()):
        return
    found = inspect_journal(journal)
    fingerprint = found.session.fingerprint if found.session is not None else {}
    if "demo" not in fingerprint:
        raise JournalError(
            f"{journal} is not a journal the demo wrote ({found.detail}); choose another --out"
        )
    delete_journal(journal)
