"""The write-ahead journal: every command and event is appended before it takes effect.

Appends are staged in memory, in order, and written as one batch every ``group_size`` records
(group commit) or on :meth:`Journal.flush`; the OMS flushes before anything leaves for a live
broker (``flush_before_send``), so there a record is on disk before the order it describes
exists anywhere else. A batch is encoded in one ``orjson`` call — about a microsecond per
record, which is what keeps the journal off the order path's profile.

Batches are chained with a keyed MAC: each batch's hash is BLAKE2b, keyed with the deployment's
journal key (:mod:`slipstream.store.keys`, never stored in the journal), over the previous hash
and the batch's bytes; and every commit rewrites, in the same transaction, a **signed head**
(the last sequence number and hash, MACed). :meth:`Journal.records` therefore finds an edited,
dropped, duplicated or reordered record even when the chain was recomputed (no key), and the
head finds what the chain alone cannot: the last batches deleted, or every row. Format-1
journals (unkeyed chain, no head) are still read, and said to be unsigned.

Three ways to open one (:func:`open_journal`):

- ``new``: the file must hold no records; the session's first record is ``SessionStarted``.
- ``continue``: a live engine restarted on its journal appends after the last record.
- ``verify``: a deterministic simulation re-executes from the start; every batch it would write
  that the file already holds must be byte-identical to the stored one (it is not written
  again), and only the batches after the stored ones are appended. Because the simulation is
  deterministic, the batches a crash lost are regenerated exactly; a batch that differs means
  the inputs changed, and the resume stops with the record where they part.

A record that cannot be encoded fails alone: the batch it was in is written without it and
:meth:`Journal.flush` raises a :class:`JournalError` naming it, so one bad value never costs
the records around it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from slipstream.core.errors import JournalError
from slipstream.store import codec
from slipstream.store.backend import FORMAT_SIGNED, Head, JournalBackend, Row, SQLiteBackend
from slipstream.store.codec import KINDS as _KINDS
from slipstream.store.keys import journal_key
from slipstream.store.records import JournalClosed

GENESIS = "0" * 32
OpenMode = Literal["new", "continue", "verify"]


def chain_hash(prev: str, payload: bytes, key: bytes = b"") -> str:
    """Return the MAC linking a batch to its predecessor (unkeyed for format-1 journals)."""
    return hashlib.blake2b(prev.encode() + payload, key=key, digest_size=16).hexdigest()


def sign_head(last_seq: int, last_hash: str, key: bytes) -> Head:
    """Return the signed head for a journal ending at ``last_seq`` with ``last_hash``."""
    text = f"slipstream-journal-head:{last_seq}:{last_hash}".encode()
    return last_seq, last_hash, hashlib.blake2b(text, key=key, digest_size=16).hexdigest()


class Journal:
    """Append-only, hash-chained log of commands and events."""

    def __init__(
        self,
        backend: JournalBackend,
        group_size: int = 1024,
        *,
        verify_prefix: bool = False,
        key: bytes | None = None,
    ) -> None:
        if group_size < 1:
            raise JournalError(f"group_size {group_size}: must be >= 1")
        self._backend = backend
        self.signed = backend.format() == FORMAT_SIGNED
        self._key = (key if key is not None else journal_key()) if self.signed else b""
        self._group_size = group_size
        self._pending: list[tuple[str, int, object]] = []
        self._stored: dict[int, Row] = {}
        last = backend.last()
        self.stored_records = last[0] + last[1] - 1 if last else 0
        if verify_prefix:
            self._stored = {row[0]: row for row in backend.read()}
            self._seq, self._hash = 0, GENESIS
        else:
            self._seq = self.stored_records
            self._hash = last[3] if last else GENESIS

    @property
    def seq(self) -> int:
        """Return the sequence number of the last appended record."""
        return self._seq

    def append(self, record: object, ts_init: int) -> int:
        """Append ``record``; return its sequence number."""
        cls = type(record)
        self._pending.append((_KINDS.get(cls) or codec.kind_of(cls), ts_init, record))
        self._seq += 1
        if len(self._pending) >= self._group_size:
            self.flush()
        return self._seq

    def flush(self) -> None:
        """Write and commit every staged record as one batch."""
        if not self._pending:
            return
        batch = self._pending
        self._pending = []
        try:
            payload = codec.encode_batch(batch)
        except JournalError:
            self._write_isolating(batch)
            return
        try:
            self._commit(batch, payload)
        except JournalError:
            # Not written (a full disk, a lost connection): keep the records staged, in order,
            # so a later flush writes them and the sequence has no hole.
            self._pending = batch + self._pending
            raise

    def _commit(self, batch: list[tuple[str, int, object]], payload: bytes) -> None:
        first_seq = self._seq - len(batch) + 1
        digest = chain_hash(self._hash, payload, self._key)
        if first_seq <= self.stored_records:
            self._match(first_seq, len(batch), payload, digest)
        else:
            head = sign_head(self._seq, digest, self._key)
            self._backend.append((first_seq, len(batch), payload, digest), head)
        self._hash = digest

    def _match(self, first_seq: int, count: int, payload: bytes, digest: str) -> None:
        """Check a re-executed batch against the stored one at the same sequence number."""
        stored = self._stored.get(first_seq)
        if stored is None or stored[1] != count or bytes(stored[2]) != payload:
            where = "no batch" if stored is None else f"a batch of {stored[1]} records"
            raise JournalError(
                f"resume diverged at record {first_seq}: the journal holds {where} there and "
                f"this run made a different batch of {count}; the orders, market data or "
                "settings are not those of the journalled session"
            )
        if stored[3] != digest:
            raise JournalError(
                f"journal hash chain broken in the batch at seq {first_seq} "
                "(its MAC does not match: edited or re-chained without the deployment's key)"
            )

    def _write_isolating(self, batch: list[tuple[str, int, object]]) -> None:
        """Write every encodable record of ``batch``, then raise naming those that were not."""
        good: list[tuple[str, int, object]] = []
        bad: list[str] = []
        for item in batch:
            try:
                codec.encode_batch([item])
            except JournalError as exc:
                bad.append(f"{type(item[2]).__name__} ({exc})")
            else:
                good.append(item)
        self._seq -= len(bad)
        if good:
            self._commit(good, codec.encode_batch(good))
        raise JournalError(f"not journalled, refused: {'; '.join(bad)}")

    def records(self) -> Iterator[tuple[int, int, Any]]:
        """Yield ``(seq, ts_init, record)`` for every stored record, verifying chain and head.

        Raises JournalError naming the batch where the chain breaks or the sequence jumps, and,
        after the last record, when the signed head does not vouch for where the journal ends.
        """
        prev = GENESIS
        expected = 1
        for first_seq, count, stored, digest in self._backend.read():
            payload = stored if isinstance(stored, bytes) else str(stored).encode()
            if first_seq != expected:
                raise JournalError(
                    f"journal sequence gap: records {expected} to {first_seq - 1} are missing"
                )
            if not self.signed and payload.startswith(b'{"v":'):
                # Only signed journals write format-2 batches: this one lost its signed head.
                raise JournalError(
                    f"journal batch at seq {first_seq} is in the signed format but the journal "
                    "has no signed head: the head table was removed"
                )
            if chain_hash(prev, payload, self._key) != digest:
                raise JournalError(
                    f"journal hash chain broken in the batch at seq {first_seq} (records "
                    f"{first_seq} to {first_seq + count - 1}: edited, or re-chained without "
                    "the deployment's key)"
                )
            prev = digest
            items = codec.decode_batch(payload)
            if len(items) != count:
                raise JournalError(
                    f"journal batch at seq {first_seq} holds {len(items)} of {count}"
                )
            for offset, (_kind, ts_init, record) in enumerate(items):
                yield first_seq + offset, ts_init, record
            expected = first_seq + count
        if self.signed:
            self._check_head(expected - 1, prev)

    def _check_head(self, last_seq: int, last_hash: str) -> None:
        """Compare where the journal ends with where its signed head says it ends."""
        head = self._backend.head()
        if head is None:
            if last_seq:
                raise JournalError(f"journal has {last_seq} records but no signed head")
            return
        if sign_head(head[0], head[1], self._key) != head:
            raise JournalError(
                "journal head signature does not match: the head was edited, or the journal "
                "is verified with another deployment's key"
            )
        if head[0] != last_seq:
            if last_seq == 0:
                raise JournalError(
                    f"every batch was removed: the signed head says {head[0]} records"
                )
            raise JournalError(
                f"journal ends at record {last_seq} but its signed head says {head[0]}: the "
                f"batches after record {last_seq} were removed"
            )
        if head[1] != last_hash:
            raise JournalError(
                f"journal's last batch does not match its signed head (record {last_seq})"
            )

    def verify(self) -> int:
        """Check the whole stored hash chain; return the number of stored records."""
        return sum(1 for _ in self.records())

    def close(self, clean: bool = True, ts_ns: int = 0) -> None:
        """Record a clean close (unless ``clean`` is False), flush and release the backend."""
        try:
            if clean:
                self.append(JournalClosed(self._seq, ts_ns), ts_ns)
            self.flush()
        finally:
            self._backend.close()


def open_journal(
    path: Path | str, mode: OpenMode, sync: str = "normal", group_size: int = 1024
) -> Journal:
    """Open the journal at ``path`` (a file, or a ``postgresql://`` URL) for writing in ``mode``
    (see the module docstring)."""
    from slipstream.store.locations import describe, open_backend

    backend = open_backend(path, sync)
    try:
        if mode == "new":
            if backend.last() is not None:
                raise JournalError(
                    f"journal {describe(path)} already holds a session; resume it or choose a "
                    "new file (a journal never holds two sessions)"
                )
        elif backend.last() is None:
            raise JournalError(f"journal {describe(path)} holds nothing to resume")
        return Journal(backend, group_size, verify_prefix=mode == "verify")
    except JournalError:
        backend.close()
        raise


def read_journal(path: Path | str) -> Journal:
    """Open the journal at ``path`` (a file or a URL) read-only (no lock, never writes)."""
    from slipstream.store.locations import open_backend

    return Journal(open_backend(path, read_only=True))


def delete_journal(path: Path | str) -> None:
    """Delete the journal at ``path``: an SQLite file and its side files, or a PostgreSQL
    journal's tables; refuse one a writer holds (taking the writer lock proves nobody is)."""
    from slipstream.store.locations import as_location

    path = as_location(path)
    if isinstance(path, str):
        from slipstream.store.postgres import PostgresBackend

        backend = PostgresBackend(path)
        try:
            backend.drop()
        finally:
            backend.close()
        return
    SQLiteBackend(path).close()  # taking the writer lock proves nobody is using it
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
