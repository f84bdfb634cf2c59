"""The storage interface the journal writes through, and its SQLite implementation.

The journal stores *batches*: one row per group commit, holding the encoded records of that
batch, the sequence number of its first record, how many it holds, and the hash that chains it
to the previous batch. SQLite runs in WAL mode; durability depends on ``sync``:

- ``"full"``: every :meth:`SQLiteBackend.commit` is fsynced (``synchronous=FULL``): a committed
  batch survives power loss.
- ``"normal"`` (default): ``synchronous=NORMAL`` in WAL mode: a committed batch survives a crash
  of the process; a power loss may lose the last commits, never corrupt the file.

One writer per journal: a writing backend holds an exclusive ``flock`` on the database file for
its whole life, so a second process (or a second backend in this one) that opens the same journal
for writing is refused at once; the lock dies with the process, so a crash never leaves a journal
locked. A reader (``read_only=True``) takes no lock, creates nothing beside the file and never
writes to it (see :meth:`SQLiteBackend._open_read_only`), so verification works on read-only
media.
A file that is not SQLite, or an SQLite file of another application, is refused by name and left
untouched.

PostgreSQL can be added by implementing :class:`JournalBackend` (four methods).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from slipstream.core.errors import ConfigError, JournalError

#: Pages of WAL (4 KiB each) between automatic checkpoints.
WAL_CHECKPOINT_PAGES = 10_000

#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
_COLUMNS = ("first_seq", "count", "payload", "hash")

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

    def __init__(self, path: str | Path, sync: str = "normal", *, read_only: bool = False) -> None:
        if sync not in ("normal", "full"):
            raise ConfigError(f"journal sync mode {sync!r}: must be 'normal' or 'full'")
        self.path = str(path)
        self.read_only = read_only
        self._lock_fd: int | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        in_memory = self.path == ":memory:"  # a test's private journal: no file to lock
        if not in_memory:
            check_journal_file(Path(path), must_exist=read_only)
        if not read_only and not in_memory:
            self._lock_fd = _lock(self.path)
        try:
            if read_only:
                self._db = self._open_read_only(Path(path))
                self._check_schema()
                return
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._check_schema()
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
            self._release()
            raise JournalError(f"cannot open journal {self.path}: {exc}") from exc
        except JournalError:
            self._release()
            raise

    def _open_read_only(self, path: Path) -> sqlite3.Connection:
        """Open ``path`` without writing to it or beside it, even when its writer died.

        Without a -wal file the database file holds every committed batch: it is opened
        immutable, or SQLite would create -wal and -shm files beside it even in ``mode=ro``.
        A -wal (a running writer, or one that was killed) holds committed batches not yet
        checkpointed, and reading it through SQLite would update the shared -shm index (and,
        after a crash, need to rebuild it); so the file and its WAL are copied to a private
        temporary folder and the copy is read — a consistent snapshot, and the original is
        never touched.
        """
        if not path.with_name(path.name + "-wal").exists():
            uri = f"file:{path.resolve()}?mode=ro&immutable=1"
            return sqlite3.connect(uri, uri=True, isolation_level=None)
        self._scratch = tempfile.TemporaryDirectory(prefix="slipstream-read-")
        copy = Path(self._scratch.name) / path.name
        for suffix in ("", "-wal"):
            source = path.with_name(path.name + suffix)
            if source.exists():
                shutil.copyfile(source, copy.with_name(copy.name + suffix))
        return sqlite3.connect(copy, isolation_level=None)

    def _check_schema(self) -> None:
        """Refuse an SQLite file that holds tables but not a Slipstream journal table."""
        found = self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        tables = {str(name) for (name,) in found}
        if not tables:
            if self.read_only:
                self._db.close()
                raise JournalError(f"{self.path} is an empty SQLite file: no journal table")
            return
        columns = tuple(r[1] for r in self._db.execute("PRAGMA table_info(journal)"))
        if columns != _COLUMNS:
            self._db.close()
            raise JournalError(
                f"{self.path} is not a Slipstream journal "
                f"(an SQLite file with tables {', '.join(sorted(tables))})"
            )

    def _release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

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
            if not self.read_only:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot checkpoint journal {self.path}: {exc}") from exc
        finally:
            self._db.close()
            # After SQLite's own handle: closing our descriptor first would drop its locks.
            self._release()
            if self._scratch is not None:
                self._scratch.cleanup()


def check_journal_file(path: Path, must_exist: bool) -> None:
    """Raise a JournalError unless ``path`` is absent (when allowed) or an SQLite file."""
    if not path.exists():
        if must_exist:
            raise JournalError(f"journal {path} does not exist")
        return
    if not path.is_file():
        raise JournalError(f"journal {path} is not a file")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if not head:
        if must_exist:
            raise JournalError(f"journal {path} is empty (0 bytes): nothing was ever committed")
        return
    if head != SQLITE_MAGIC:
        raise JournalError(f"{path} is not a Slipstream journal (not an SQLite file)")


def _lock(path: str) -> int:
    """Take the journal's exclusive writer lock; raise JournalError if another writer holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalError(
            f"journal {path} is in use by another Slipstream process (one writer per journal)"
        ) from None
    return fd
