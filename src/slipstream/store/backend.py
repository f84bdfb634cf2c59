"""The storage interface the journal writes through, and its SQLite implementation.

A backend stores rows ``(seq, ts_init, kind, payload, hash)`` append-only. SQLite runs in WAL
mode; durability depends on ``sync``:

- ``"full"``: every :meth:`SQLiteBackend.commit` is fsynced (``synchronous=FULL``): a committed
  record survives power loss.
- ``"normal"`` (default): ``synchronous=NORMAL`` in WAL mode: a committed record survives a crash
  of the process; a power loss may lose the last commits, never corrupt the file.

The journal batches appends into one transaction and commits every ``group_size`` records and
whenever asked (group commit). PostgreSQL can be added by implementing :class:`JournalBackend`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from slipstream.core.errors import ConfigError, JournalError

Row = tuple[int, int, str, bytes, str]


class JournalBackend(Protocol):
    """Append-only storage of journal rows."""

    def append_many(self, rows: list[Row]) -> None:
        """Stage ``rows`` in the current transaction."""
        ...

    def commit(self) -> None:
        """Make every staged row durable (per the backend's sync mode)."""
        ...

    def read(self, after_seq: int = 0) -> Iterator[Row]:
        """Yield committed rows with ``seq > after_seq`` in order."""
        ...

    def last(self) -> Row | None:
        """Return the last committed row, or None for an empty journal."""
        ...

    def close(self) -> None:
        """Commit and release the store."""
        ...


class SQLiteBackend:
    """Journal rows in one SQLite table, WAL mode."""

    def __init__(self, path: str | Path, sync: str = "normal") -> None:
        if sync not in ("normal", "full"):
            raise ConfigError(f"journal sync mode {sync!r}: must be 'normal' or 'full'")
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={sync.upper()}")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS journal ("
                "seq INTEGER PRIMARY KEY, ts_init INTEGER NOT NULL, kind TEXT NOT NULL, "
                "payload BLOB NOT NULL, hash TEXT NOT NULL)"
            )
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open journal {self.path}: {exc}") from exc
        self._in_tx = False

    def append_many(self, rows: list[Row]) -> None:
        try:
            if not self._in_tx:
                self._db.execute("BEGIN")
                self._in_tx = True
            self._db.executemany(
                "INSERT INTO journal (seq, ts_init, kind, payload, hash) VALUES (?,?,?,?,?)", rows
            )
        except sqlite3.Error as exc:
            raise JournalError(f"cannot append to journal {self.path}: {exc}") from exc

    def commit(self) -> None:
        if self._in_tx:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise JournalError(f"cannot commit journal {self.path}: {exc}") from exc
            self._in_tx = False

    def read(self, after_seq: int = 0) -> Iterator[Row]:
        try:
            cursor = self._db.execute(
                "SELECT seq, ts_init, kind, payload, hash FROM journal WHERE seq > ? ORDER BY seq",
                (after_seq,),
            )
            yield from cursor
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read journal {self.path}: {exc}") from exc

    def last(self) -> Row | None:
        try:
            row = self._db.execute(
                "SELECT seq, ts_init, kind, payload, hash FROM journal ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read journal {self.path}: {exc}") from exc
        return None if row is None else (row[0], row[1], row[2], row[3], row[4])

    def close(self) -> None:
        self.commit()
        self._db.close()
