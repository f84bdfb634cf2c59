"""The storage interface the journal writes through, and its SQLite implementation.

The journal stores *batches*: one row per group commit, holding the encoded records of that
batch, the sequence number of its first record, how many it holds, and the hash that chains it
to the previous batch. SQLite runs in WAL mode; durability depends on ``sync``:

- ``"full"``: every :meth:`SQLiteBackend.commit` is fsynced (``synchronous=FULL``): a committed
  batch survives power loss.
- ``"normal"`` (default): ``synchronous=NORMAL`` in WAL mode: a committed batch survives a crash
  of the process; a power loss may lose the last commits, never corrupt the file.

PostgreSQL can be added by implementing :class:`JournalBackend` (four methods).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from slipstream.core.errors import ConfigError, JournalError

#: Pages of WAL (4 KiB each) between automatic checkpoints.
WAL_CHECKPOINT_PAGES = 10_000

#: (first_seq, count, payload, hash)
Row = tuple[int, int, bytes, str]


class JournalBackend(Protocol):
    """Append-only storage of journal batches."""

    def append(self, row: Row) -> None:
        """Store one batch row and commit it (per the backend's sync mode)."""
        ...

    def read(self) -> Iterator[Row]:
        """Yield every committed batch row in order."""
        ...

    def last(self) -> Row | None:
        """Return the last committed batch row, or None for an empty journal."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...


class SQLiteBackend:
    """Journal batches in one SQLite table, WAL mode."""

    def __init__(self, path: str | Path, sync: str = "normal") -> None:
        if sync not in ("normal", "full"):
            raise ConfigError(f"journal sync mode {sync!r}: must be 'normal' or 'full'")
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={sync.upper()}")
            # Checkpoints (copying the WAL into the database, with an fsync) cost far more than
            # the appends; run them every ~40 MB of WAL instead of SQLite's 4 MB, and on close.
            # Durability of committed batches does not depend on checkpoints.
            self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS journal (first_seq INTEGER PRIMARY KEY, "
                "count INTEGER NOT NULL, payload BLOB NOT NULL, hash TEXT NOT NULL)"
            )
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open journal {self.path}: {exc}") from exc

    def append(self, row: Row) -> None:
        try:
            self._db.execute(
                "INSERT INTO journal (first_seq, count, payload, hash) VALUES (?,?,?,?)", row
            )
        except sqlite3.Error as exc:
            raise JournalError(f"cannot append to journal {self.path}: {exc}") from exc

    def read(self) -> Iterator[Row]:
        try:
            cursor = self._db.execute(
                "SELECT first_seq, count, payload, hash FROM journal ORDER BY first_seq"
            )
            yield from cursor
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read journal {self.path}: {exc}") from exc

    def last(self) -> Row | None:
        try:
            row = self._db.execute(
                "SELECT first_seq, count, payload, hash FROM journal "
                "ORDER BY first_seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read journal {self.path}: {exc}") from exc
        return None if row is None else (row[0], row[1], row[2], row[3])

    def close(self) -> None:
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot checkpoint journal {self.path}: {exc}") from exc
        finally:
            self._db.close()
