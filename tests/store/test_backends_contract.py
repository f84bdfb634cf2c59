"""The journal backend contract, run against the SQLite file and the PostgreSQL database alike.

Every test takes ``backend_location`` (tests/store/conftest.py): once with an SQLite path and
once with a ``postgresql://`` URL, so both stores are held to the same behaviour: round trip,
batch and head atomic, one writer, readers beside the writer, the Journal class on top, and the
same tampering named the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from slipstream.core.errors import JournalError
from slipstream.store.backend import FORMAT_SIGNED, Head, Row
from slipstream.store.inspection import JournalStatus, has_records, inspect_journal
from slipstream.store.journal import (
    Journal,
    chain_hash,
    delete_journal,
    open_journal,
    read_journal,
    sign_head,
)
from slipstream.store.keys import journal_key
from slipstream.store.locations import JournalLocation, describe, open_backend
from slipstream.store.records import JournalClosed, SessionResumed, SessionStarted

Tamper = Callable[..., None]
IN_USE = "is in use by another Slipstream process (one writer per journal)"


def _rows(n: int, key: bytes = b"k" * 32) -> list[tuple[Row, Head]]:
    """``n`` chained batch rows of 2 records each, with the head after each."""
    out: list[tuple[Row, Head]] = []
    prev = "0" * 32
    for i in range(n):
        payload = f"batch-{i}".encode() + bytes(range(256))  # every byte value survives
        digest = chain_hash(prev, payload, key)
        row = (2 * i + 1, 2, payload, digest)
        out.append((row, sign_head(2 * i + 2, digest, key)))
        prev = digest
    return out


def _session(journal: Journal, records: int) -> None:
    """Append a small session: SessionStarted and ``records - 1`` more."""
    journal.append(SessionStarted("simulation", {"orders": "x"}, 1), 1)
    for i in range(2, records + 1):
        journal.append(SessionResumed(i, i % 2 == 0, i), i)


# Round trip ---------------------------------------------------------------------------------


def test_append_read_last_head_round_trip(backend_location: JournalLocation) -> None:
    rows = _rows(5)
    backend = open_backend(backend_location)
    try:
        assert backend.format() == FORMAT_SIGNED
        assert backend.last() is None
        assert backend.head() is None
        assert list(backend.read()) == []
        for row, head in rows:
            backend.append(row, head)
        assert list(backend.read()) == [row for row, _ in rows]
        assert backend.last() == rows[-1][0]
        assert backend.head() == rows[-1][1]
    finally:
        backend.close()
    reader = open_backend(backend_location, read_only=True)
    try:
        assert list(reader.read()) == [row for row, _ in rows]
        assert reader.last() == rows[-1][0]
        assert reader.head() == rows[-1][1]
        assert all(isinstance(row[2], bytes) for row in reader.read())
    finally:
        reader.close()


def test_many_batches_read_back_in_order(backend_location: JournalLocation) -> None:
    rows = _rows(150)  # more than one read page of the PostgreSQL backend
    backend = open_backend(backend_location)
    try:
        for row, head in rows:
            backend.append(row, head)
        assert [r[0] for r in backend.read()] == [row[0] for row, _ in rows]
    finally:
        backend.close()


def test_a_batch_and_its_head_commit_together_or_not_at_all(
    backend_location: JournalLocation,
) -> None:
    rows = _rows(3)
    backend = open_backend(backend_location)
    try:
        backend.append(*rows[0])
        # The batch row goes in first; the head that follows it fails (NOT NULL): the whole
        # transaction must go, batch included.
        bad_head = cast(Head, (rows[1][1][0], rows[1][1][1], None))
        with pytest.raises(JournalError, match="cannot append to journal"):
            backend.append(rows[1][0], bad_head)
        assert list(backend.read()) == [rows[0][0]]
        assert backend.head() == rows[0][1]
        # A batch that clashes with a stored one leaves the head as it was too.
        with pytest.raises(JournalError, match="cannot append to journal"):
            backend.append(rows[0][0], rows[2][1])
        assert backend.head() == rows[0][1]
        # And the store still takes the next good batch.
        backend.append(*rows[1])
        assert backend.last() == rows[1][0]
        assert backend.head() == rows[1][1]
    finally:
        backend.close()


def test_a_reader_is_refused_where_nothing_was_written(backend_location: JournalLocation) -> None:
    with pytest.raises(JournalError):
        open_backend(backend_location, read_only=True)
    assert not has_records(backend_location)


def test_a_store_of_another_application_is_refused_and_left_alone(
    backend_location: JournalLocation, tamper: Tamper
) -> None:
    open_backend(backend_location).close()
    tamper(backend_location, "DROP TABLE {head}")
    tamper(backend_location, "DROP TABLE {journal}")
    tamper(backend_location, "CREATE TABLE {schema}.orders (id int)")
    for read_only in (False, True):
        with pytest.raises(JournalError, match="is not a Slipstream journal"):
            open_backend(backend_location, read_only=read_only)
    assert inspect_journal(backend_location).status is JournalStatus.NOT_A_JOURNAL


# One writer, many readers -------------------------------------------------------------------

HOLD = (
    "import sys, time\n"
    "from slipstream.store.locations import journal_location, open_backend\n"
    "backend = open_backend(journal_location(sys.argv[1]))\n"
    "print('locked', flush=True)\n"
    "time.sleep(120)\n"
)


@contextlib.contextmanager
def _holder(location: JournalLocation) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``location``'s writer lock until it is killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(location)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _open_when_released(location: JournalLocation) -> Any:
    """Open a writer, waiting (briefly) for the server to see a killed holder's session end."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return open_backend(location)
        except JournalError as exc:
            if IN_USE not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_one_writer_a_second_process_is_refused_until_the_holder_dies(
    backend_location: JournalLocation,
) -> None:
    with _holder(backend_location) as proc:
        with pytest.raises(JournalError) as refused:
            open_backend(backend_location)
        assert str(refused.value) == f"journal {describe(backend_location)} {IN_USE}"
        with pytest.raises(JournalError, match="in use"):
            open_journal(backend_location, "continue")
        with pytest.raises(JournalError, match="in use"):
            delete_journal(backend_location)
        reader = open_backend(backend_location, read_only=True)  # readers take no lock
        assert list(reader.read()) == []
        reader.close()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    _open_when_released(backend_location).close()  # the lock died with its holder


def test_one_writer_in_this_process_too(backend_location: JournalLocation) -> None:
    first = open_backend(backend_location)
    try:
        with pytest.raises(JournalError, match="in use"):
            open_backend(backend_location)
    finally:
        first.close()
    open_backend(backend_location).close()  # closing released it


WRITER = (
    "import sys, time\n"
    "from slipstream.store.journal import Journal\n"
    "from slipstream.store.locations import journal_location, open_backend\n"
    "from slipstream.store.records import SessionResumed, SessionStarted\n"
    "journal = Journal(open_backend(journal_location(sys.argv[1])), group_size=3)\n"
    "journal.append(SessionStarted('simulation', {}, 1), 1)\n"
    "journal.flush()\n"
    "print('started', flush=True)\n"
    "for i in range(2, 302):\n"
    "    journal.append(SessionResumed(i, False, i), i)\n"
    "    if i % 30 == 0:\n"
    "        time.sleep(0.01)\n"
    "journal.close(clean=True, ts_ns=999)\n"
)


def test_readers_verify_while_the_writer_writes(backend_location: JournalLocation) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(backend_location)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        counts: list[int] = []
        while proc.poll() is None or not counts:
            reader = read_journal(backend_location)
            try:
                counts.append(reader.verify())  # batches and head from one snapshot
            finally:
                reader.close(clean=False)
        proc.wait(timeout=30)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert counts == sorted(counts)
    assert all(n >= 1 for n in counts)
    assert inspect_journal(backend_location).status is JournalStatus.CLOSED
    assert read_journal(backend_location).verify() == 302


def test_a_reader_keeps_its_snapshot_while_the_writer_commits(
    backend_location: JournalLocation,
) -> None:
    writer = open_journal(backend_location, "new", group_size=2)
    try:
        _session(writer, 4)
        writer.flush()
        early = read_journal(backend_location)
        _session(writer, 4)
        writer.flush()
        late = read_journal(backend_location)
        assert early.verify() == 4  # what was committed when it opened, head included
        assert late.verify() == 8
        early.close(clean=False)
        late.close(clean=False)
    finally:
        writer.close()
    assert read_journal(backend_location).verify() == 9


# The Journal class on either store ----------------------------------------------------------


def test_journal_records_round_trip_and_verify(backend_location: JournalLocation) -> None:
    journal = open_journal(backend_location, "new", group_size=4)
    _session(journal, 10)
    journal.close(ts_ns=11)
    reader = read_journal(backend_location)
    try:
        assert reader.signed
        records = list(reader.records())
        assert [seq for seq, _, _ in records] == list(range(1, 12))
        assert records[0][2] == SessionStarted("simulation", {"orders": "x"}, 1)
        assert records[5][2] == SessionResumed(6, True, 6)
        assert records[-1][2] == JournalClosed(10, 11)
        assert reader.verify() == 11
    finally:
        reader.close(clean=False)
    found = inspect_journal(backend_location)
    assert found.status is JournalStatus.CLOSED
    assert found.count == 11
    assert has_records(backend_location)


def test_a_journal_continues_and_verifies_on_reopen(backend_location: JournalLocation) -> None:
    first = open_journal(backend_location, "new", group_size=3)
    _session(first, 5)
    first.close(clean=False)
    with pytest.raises(JournalError, match="already holds a session"):
        open_journal(backend_location, "new")
    again = open_journal(backend_location, "continue", group_size=3)
    assert again.stored_records == 5
    again.append(SessionResumed(5, False, 50), 50)
    again.close(ts_ns=51)
    replayed = open_journal(backend_location, "verify", group_size=3)
    assert replayed.verify() == 7
    replayed.close(clean=False)


def test_delete_journal_removes_it(backend_location: JournalLocation) -> None:
    journal = open_journal(backend_location, "new")
    _session(journal, 3)
    journal.close()
    delete_journal(backend_location)
    assert not has_records(backend_location)
    journal = open_journal(backend_location, "new")  # a fresh journal where it was
    journal.close()
    assert read_journal(backend_location).verify() == 1


# Tampering is named the same way on both ----------------------------------------------------


@pytest.fixture
def written(backend_location: JournalLocation) -> JournalLocation:
    """A closed journal of 12 records in 4 batches of 3."""
    journal = open_journal(backend_location, "new", group_size=3)
    _session(journal, 11)
    journal.close(ts_ns=12)
    assert read_journal(backend_location).verify() == 12
    return backend_location


def _verify_error(location: JournalLocation) -> str:
    reader = read_journal(location)
    try:
        with pytest.raises(JournalError) as caught:
            reader.verify()
    finally:
        reader.close(clean=False)
    return str(caught.value)


def test_deleting_the_last_batch_is_named_by_the_head(
    written: JournalLocation, tamper: Tamper
) -> None:
    tamper(written, "DELETE FROM {journal} WHERE first_seq = 10")
    assert "signed head says 12" in _verify_error(written)
    assert inspect_journal(written).status is JournalStatus.BROKEN


def test_deleting_every_batch_is_named(written: JournalLocation, tamper: Tamper) -> None:
    tamper(written, "DELETE FROM {journal}")
    assert "every batch was removed" in _verify_error(written)


def test_a_gap_is_named(written: JournalLocation, tamper: Tamper) -> None:
    tamper(written, "DELETE FROM {journal} WHERE first_seq = 4")
    assert "sequence gap: records 4 to 6 are missing" in _verify_error(written)


def _stored(location: JournalLocation) -> list[Row]:
    reader = open_backend(location, read_only=True)
    try:
        return list(reader.read())
    finally:
        reader.close()  # an open PostgreSQL reader would hold off DROP TABLE


def test_an_edited_payload_breaks_the_chain(written: JournalLocation, tamper: Tamper) -> None:
    row = next(r for r in _stored(written) if r[0] == 7)
    edited = row[2][:-1] + bytes([row[2][-1] ^ 1])
    tamper(written, "UPDATE {journal} SET payload = ? WHERE first_seq = 7", (edited,))
    assert "hash chain broken in the batch at seq 7" in _verify_error(written)


def test_a_rechained_journal_fails_the_keyed_mac(written: JournalLocation, tamper: Tamper) -> None:
    """Recomputing the chain without the key (here: with another key) is found."""
    other = b"x" * 32
    rows = _stored(written)
    prev = "0" * 32
    for first_seq, _count, payload, _digest in rows:
        prev = chain_hash(prev, payload, other)
        tamper(written, "UPDATE {journal} SET hash = ? WHERE first_seq = ?", (prev, first_seq))
    assert "hash chain broken in the batch at seq 1" in _verify_error(written)
    assert journal_key() != other


def test_an_edited_head_is_named(written: JournalLocation, tamper: Tamper) -> None:
    tamper(written, "UPDATE {head} SET last_seq = 9")
    assert "head signature does not match" in _verify_error(written)


def test_a_dropped_journal_table_is_named(written: JournalLocation, tamper: Tamper) -> None:
    tamper(written, "DROP TABLE {journal}")
    for read_only in (True, False):
        with pytest.raises(JournalError, match="its journal table was dropped"):
            open_backend(written, read_only=read_only)
    found = inspect_journal(written)
    assert found.status is JournalStatus.NOT_A_JOURNAL
    assert "its journal table was dropped (only the head is left)" in found.detail


def test_sqlite_path_given_as_text_is_a_file(tmp_path: Path) -> None:
    """A ``str`` that is not a URL is a file path (what the old ``Path`` callers relied on)."""
    journal = open_journal(str(tmp_path / "j.db"), "new")
    journal.close()
    assert (tmp_path / "j.db").is_file()
    assert read_journal(str(tmp_path / "j.db")).verify() == 1
