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
#: The signed head, rewritten with every batch: (last_seq, last_hash, signature).
Head = tuple[int, str, str]
#: Journal formats: 1 (unkeyed chain, no head; read only), 2 (keyed MAC chain, signed head).
FORMAT_UNSIGNED, FORMAT_SIGNED = 1, 2


class JournalBackend(Protocol):
    """Append-only storage of journal batches and the signed head that anchors their end."""

    def append(self, row: Row, head: Head) -> None:
        """Store one batch row and the new head in one transaction, and commit."""
        ...

    def head(self) -> Head | None:
        """Return the signed head, or None when the store has none."""
        ...

    def format(self) -> int:
        """Return the journal format (:data:`FORMAT_UNSIGNED` for a journal without a head)."""
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
        self._tables: set[str] = set()
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
            if not self._tables:
                self._db.executescript(
                    "BEGIN; CREATE TABLE journal (first_seq INTEGER PRIMARY KEY, "
                    "count INTEGER NOT NULL, payload BLOB NOT NULL, hash TEXT NOT NULL); "
                    "CREATE TABLE journal_head (id INTEGER PRIMARY KEY CHECK (id = 1), "
                    "last_seq INTEGER NOT NULL, last_hash TEXT NOT NULL, "
                    "signature TEXT NOT NULL); COMMIT;"
                )
                self._tables = {"journal", "journal_head"}
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
        tables = self._tables = {str(name) for (name,) in found}
        if tables == {"journal_head"}:
            self._db.close()
            raise JournalError(
                f"{self.path}: its journal table was dropped (only the head is left)"
            )
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

    def append(self, row: Row, head: Head) -> None:
        if self.format() != FORMAT_SIGNED:
            raise JournalError(
                f"journal {self.path} is in the unsigned format 1: it can be read, not extended"
            )
        try:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO journal (first_seq, count, payload, hash) VALUES (?,?,?,?)", row
            )
            self._db.execute(
                "INSERT OR REPLACE INTO journal_head (id, last_seq, last_hash, signature) "
                "VALUES (1, ?, ?, ?)",
                head,
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise JournalError(f"cannot append to journal {self.path}: {exc}") from exc

    def format(self) -> int:
        return FORMAT_SIGNED if "journal_head" in self._tables else FORMAT_UNSIGNED

    def head(self) -> Head | None:
        if self.format() != FORMAT_SIGNED:
            return None
        try:
            row = self._db.execute(
                "SELECT last_seq, last_hash, signature FROM journal_head WHERE id = 1"
            ).fetchone()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the head of journal {self.path}: {exc}") from exc
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

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
