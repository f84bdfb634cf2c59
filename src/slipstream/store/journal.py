"""The write-ahead journal: every command and event is appended before it takes effect.

Records are hash-chained: each row's hash is BLAKE2b over the previous hash, the kind and the
payload, so :meth:`Journal.verify` finds any edited, dropped or reordered row. Appends are
staged in memory and written as one transaction every ``group_size`` records (group commit) or
on :meth:`Journal.flush`; the OMS flushes before anything leaves for a live broker, so a record
is on disk before the order it describes exists anywhere else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from slipstream.core.errors import JournalError
from slipstream.store import codec
from slipstream.store.backend import JournalBackend, Row

GENESIS = "0" * 32


def chain_hash(prev: str, kind: str, payload: bytes) -> str:
    """Return the hash linking a record to its predecessor."""
    return hashlib.blake2b(f"{prev}{kind}".encode() + payload, digest_size=16).hexdigest()


class Journal:
    """Append-only, hash-chained log of commands and events."""

    def __init__(self, backend: JournalBackend, group_size: int = 256) -> None:
        if group_size < 1:
            raise JournalError(f"group_size {group_size}: must be >= 1")
        self._backend = backend
        self._group_size = group_size
        self._pending: list[Row] = []
        last = backend.last()
        self._seq = last[0] if last else 0
        self._hash = last[4] if last else GENESIS

    @property
    def seq(self) -> int:
        """Return the sequence number of the last appended record."""
        return self._seq

    def append(self, record: object, ts_init: int) -> int:
        """Append ``record``; return its sequence number."""
        kind, payload = codec.encode(record)
        self._seq += 1
        self._hash = chain_hash(self._hash, kind, payload)
        self._pending.append((self._seq, ts_init, kind, payload, self._hash))
        if len(self._pending) >= self._group_size:
            self.flush()
        return self._seq

    def flush(self) -> None:
        """Write and commit every staged record."""
        if self._pending:
            self._backend.append_many(self._pending)
            self._pending = []
        self._backend.commit()

    def records(self) -> Iterator[tuple[int, int, Any]]:
        """Yield ``(seq, ts_init, record)`` for every committed record, verifying the chain."""
        prev = GENESIS
        for seq, ts_init, kind, stored, digest in self._backend.read():
            payload = stored if isinstance(stored, bytes) else str(stored).encode()
            if chain_hash(prev, kind, payload) != digest:
                raise JournalError(f"journal hash chain broken at seq {seq} ({kind})")
            prev = digest
            yield seq, ts_init, codec.decode(kind, payload)

    def verify(self) -> int:
        """Check the whole hash chain; return the number of records."""
        return sum(1 for _ in self.records())

    def close(self) -> None:
        """Flush and close the backend."""
        self.flush()
        self._backend.close()
