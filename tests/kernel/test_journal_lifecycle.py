"""What ``slipstream replay`` reports for a journal, and the one-writer, one-session rules.

Reference values come from reading the SQLite file directly (``sqlite3``, opened immutable so
the reading itself creates nothing) and hashing its bytes (``hashlib``), never from Slipstream.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from kernel_helpers import PARENTS_FILE, run_error, run_json, simulate_args

from slipstream.cli.main import main
from slipstream.core.errors import JournalError
from slipstream.risk.events import TradingStateChanged
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import open_journal, read_journal
from slipstream.store.records import JournalClosed, SessionStarted

JOURNAL_EXIT = JournalError.exit_code
#: Small group commits, so the example's journal has many batches to cut.
GROUP = ["--group-commit", "64"]


def _rows(path: Path) -> list[tuple[int, int, bytes, str]]:
    """Return the journal table's rows, read straight from the file."""
    assert not Path(f"{path}-wal").exists(), "immutable reading would miss a -wal file"
    db = sqlite3.connect(f"file:{path.resolve()}?immutable=1", uri=True)
    try:
        found = db.execute(
            "SELECT first_seq, count, payload, hash FROM journal ORDER BY first_seq"
        ).fetchall()
    finally:
        db.close()
    return [(int(a), int(b), bytes(c), str(d)) for a, b, c, d in found]


def _record_count(path: Path) -> int:
    return sum(count for _first, count, _payload, _hash in _rows(path))


def _execute(path: Path, sql: str, *params: object) -> None:
    """Change the file behind Slipstream's back (a plain SQLite client)."""
    db = sqlite3.connect(path)
    try:
        db.execute(sql, params)
        db.commit()
    finally:
        db.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal written by ``slipstream simulate`` on the parents example (closed cleanly)."""
    path = tmp_path_factory.mktemp("simulated") / "journal.db"
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = main([*simulate_args(PARENTS_FILE, "--journal", str(path), *GROUP), "--json"])
    assert code == 0, sink.getvalue()[-2000:]
    return path


def _copy(source: Path, folder: Path, name: str = "journal.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(source, target)
    return target


def _live_journal(path: Path) -> Path:
    """A live engine's journal, stopped cleanly (no broker needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    journal = open_journal(path, "new")
    journal.append(SessionStarted("live", {}, 1), 1)
    journal.close()
    return path


def _replay(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str, str]:
    code = main(["replay", str(path), "--json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# 1. A clean journal -------------------------------------------------------------------------


def test_replay_of_a_simulated_journal_reports_closed_cleanly_with_every_record(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    expected = _record_count(path)
    assert expected > 500  # the example journals parents, children, fills and costs
    code, report = run_json(capsys, ["replay", str(path)])
    assert code == 0
    assert report["status"] == "closed cleanly"
    assert report["records"] == expected
    assert report["detail"] == f"closed cleanly after {expected} records"
    assert report["restarts"] == 0


# 2. A cut tail: the signed head names it ------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 2])
def test_replay_of_a_cut_journal_names_where_it_ends_and_what_the_head_says(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path, cut: int
) -> None:
    path = _copy(simulated, tmp_path)
    rows = _rows(path)
    total = _record_count(path)
    assert len(rows) > cut + 1
    for first_seq, *_ in rows[-cut:]:
        _execute(path, "DELETE FROM journal WHERE first_seq = ?", first_seq)
    expected = sum(count for _first, count, _p, _h in rows[:-cut])
    assert _record_count(path) == expected
    code, err = run_error(capsys, ["replay", str(path)])
    assert code == JOURNAL_EXIT == 6
    assert f"journal ends at record {expected} but its signed head says {total}" in err["message"]


def test_cutting_more_names_an_earlier_end(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    messages = []
    for cut in (1, 2):
        path = _copy(simulated, tmp_path / f"cut{cut}")
        rows = _rows(path)
        for first_seq, *_ in rows[-cut:]:
            _execute(path, "DELETE FROM journal WHERE first_seq = ?", first_seq)
        code, err = run_error(capsys, ["replay", str(path)])
        assert code == JOURNAL_EXIT
        messages.append(err["message"])
        assert f"record {rows[-cut][0] - 1} " in err["message"]
    assert messages[0] != messages[1]


# 3. Files that are not a whole journal ------------------------------------------------------


def test_a_journal_with_every_row_deleted_is_named_by_its_head(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    total = _record_count(path)
    _execute(path, "DELETE FROM journal")
    assert _rows(path) == []
    code, err = run_error(capsys, ["replay", str(path)])
    assert code == JOURNAL_EXIT
    assert f"every batch was removed: the signed head says {total} records" in err["message"]


def test_a_zero_byte_file_is_refused_as_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "journal.db"
    path.write_bytes(b"")
    code, err = run_error(capsys, ["replay", str(path)])
    assert code != 0
    assert "empty" in err["message"]
    assert path.read_bytes() == b""
    assert _listing(tmp_path) == ["journal.db"]


def test_a_text_file_is_not_a_slipstream_journal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "journal.db"
    path.write_text("first_seq,count\n1,2\n")
    before = _sha(path)
    code, err = run_error(capsys, ["replay", str(path)])
    assert code != 0
    assert "not a Slipstream journal" in err["message"]
    assert _sha(path) == before
    assert _listing(tmp_path) == ["journal.db"]


def test_another_applications_sqlite_file_is_refused_and_left_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('olga'), ('ivan')")
    db.commit()
    db.close()
    before, listing = _sha(path), _listing(tmp_path)
    code, err = run_error(capsys, ["replay", str(path)])
    assert code != 0
    assert "not a Slipstream journal" in err["message"]
    assert "users" in err["message"]
    assert _sha(path) == before
    assert _listing(tmp_path) == listing == ["app.db"]


def test_a_journal_whose_table_was_dropped_is_refused(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    _execute(path, "DROP TABLE journal")
    code, err = run_error(capsys, ["replay", str(path)])
    assert code != 0
    assert "journal table" in err["message"]


def test_a_missing_middle_batch_is_a_sequence_gap(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    rows = _rows(path)
    first_seq, count, _payload, _hash = rows[len(rows) // 2]
    _execute(path, "DELETE FROM journal WHERE first_seq = ?", first_seq)
    code, err = run_error(capsys, ["replay", str(path)])
    assert code == JOURNAL_EXIT
    assert "sequence gap" in err["message"]
    assert f"records {first_seq} to {first_seq + count - 1} are missing" in err["message"]


def test_an_edited_fill_price_breaks_the_hash_chain(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    fill_kind = "order.filled"
    first_seq, payload = next(
        (row[0], row[2])
        for row in _rows(path)
        if fill_kind in [k[0] for k in orjson.loads(row[2])["kinds"]]
    )
    batch = orjson.loads(payload)
    assert orjson.dumps(batch) == payload  # re-encoding alone changes nothing
    index = [k[0] for k in batch["kinds"]].index(fill_kind)
    fill = next(r for r in batch["records"] if r[0] == index)
    price = batch["kinds"][index][2].index("last_px")  # the batch names each kind's fields
    last_px = fill[2][price]
    fill[2][price] = str(float(last_px) + 1)
    _execute(
        path, "UPDATE journal SET payload = ? WHERE first_seq = ?", orjson.dumps(batch), first_seq
    )
    code, err = run_error(capsys, ["replay", str(path)])
    assert code == JOURNAL_EXIT
    assert "hash chain broken" in err["message"]
    assert f"seq {first_seq}" in err["message"]


# 4. replay never writes ---------------------------------------------------------------------


@pytest.mark.parametrize("cut", [False, True])
def test_replay_writes_nothing(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path, cut: bool
) -> None:
    path = _copy(simulated, tmp_path)
    if cut:
        _execute(path, "DELETE FROM journal WHERE first_seq = ?", _rows(path)[-1][0])
    before, listing = _sha(path), _listing(tmp_path)
    assert listing == ["journal.db"]
    code, _out, _err = _replay(capsys, path)
    assert code == (JOURNAL_EXIT if cut else 0)
    assert _sha(path) == before
    assert _listing(tmp_path) == listing  # no -wal or -shm left beside it


def test_replay_in_a_read_only_folder(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    path = _copy(simulated, folder)
    before, listing = _sha(path), _listing(folder)
    expected = _record_count(path)
    modes = {p: p.stat().st_mode for p in (folder, path)}
    for p in modes:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        code, report = run_json(capsys, ["replay", str(path)])
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    # As root the permissions are bypassed; the bytes and the listing must not change anyway.
    assert code == 0
    assert report["records"] == expected
    assert _sha(path) == before
    assert _listing(folder) == listing


# 5. One writer ------------------------------------------------------------------------------


def test_a_writer_open_in_this_process_refuses_simulate_resume_and_halt(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    sim = _copy(simulated, tmp_path / "sim")
    live = _live_journal(tmp_path / "live" / "journal.db")
    sim_rows, live_rows = _rows(sim), _rows(live)
    holders = [SQLiteBackend(sim), SQLiteBackend(live)]
    try:
        code, err = run_error(
            capsys, simulate_args(PARENTS_FILE, "--journal", str(sim), *GROUP, "--resume")
        )
        assert code == JOURNAL_EXIT
        assert "in use" in err["message"]
        code, err = run_error(capsys, ["halt", "--journal", str(live), "--reason", "x"])
        assert code == JOURNAL_EXIT
        assert "in use" in err["message"]
    finally:
        for holder in holders:
            holder.close()
    assert _rows(sim) == sim_rows
    assert _rows(live) == live_rows


HOLD = (
    "import sys, time\n"
    "from slipstream.store.backend import SQLiteBackend\n"
    "backend = SQLiteBackend(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    "time.sleep(120)\n"
)


@contextlib.contextmanager
def _holder(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``path``'s writer lock until it is killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
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


def test_a_writer_in_another_process_refuses_the_cli_until_it_dies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live = _live_journal(tmp_path / "journal.db")
    count = _record_count(live)
    with _holder(live) as proc:
        code, err = run_error(capsys, ["halt", "--journal", str(live), "--reason", "x"])
        assert code == JOURNAL_EXIT
        assert "in use" in err["message"]
        with pytest.raises(JournalError, match="in use"):
            SQLiteBackend(live)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
    SQLiteBackend(live).close()  # the lock died with its holder
    code, out = run_json(capsys, ["halt", "--journal", str(live), "--reason", "x"])
    assert code == 0
    assert out["state"] == "halted"
    assert _record_count(live) == count + 2  # the change and a new close


# 6. One session per journal -----------------------------------------------------------------


def test_a_second_simulate_without_resume_is_refused_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    rows, listing = _rows(path), _listing(tmp_path)
    code, err = run_error(capsys, simulate_args(PARENTS_FILE, "--journal", str(path), *GROUP))
    assert code == JOURNAL_EXIT
    assert "already holds a session" in err["message"]
    assert _rows(path) == rows
    assert _listing(tmp_path) == listing


# 7. The demo never deletes a journal it did not write ---------------------------------------


def test_demo_refuses_an_out_folder_holding_a_journal_it_did_not_write(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path / "demo")
    before, listing = _sha(path), _listing(path.parent)
    code = main(["demo", "--out", str(path.parent)])
    err = capsys.readouterr().err
    assert code == JOURNAL_EXIT, err[-2000:]
    assert "not a journal the demo wrote" in err
    assert "replaying" not in err  # refused before the session ran
    assert _sha(path) == before
    assert _listing(path.parent) == listing


# 8. Resume checks it is the same session ----------------------------------------------------


def test_resume_with_a_different_orders_file_names_orders(
    capsys: pytest.CaptureFixture[str], simulated: Path, tmp_path: Path
) -> None:
    path = _copy(simulated, tmp_path)
    rows = _rows(path)
    changed = _copy(PARENTS_FILE, tmp_path / "changed", PARENTS_FILE.name)
    text = changed.read_text()
    assert "P-TWAP-IBM,,IBM,buy,3000," in text
    changed.write_text(text.replace("P-TWAP-IBM,,IBM,buy,3000,", "P-TWAP-IBM,,IBM,buy,3100,"))
    code, err = run_error(
        capsys, simulate_args(changed, "--journal", str(path), *GROUP, "--resume")
    )
    assert code == 2
    assert "field 'orders'" in err["message"]
    assert "differs from the journalled session" in err["message"]
    assert _rows(path) == rows
    # The same bytes under the same name elsewhere are the same session: the resume verifies.
    same = _copy(PARENTS_FILE, tmp_path / "same", PARENTS_FILE.name)
    code, _summary = run_json(
        capsys, simulate_args(same, "--journal", str(path), *GROUP, "--resume")
    )
    assert code == 0
    assert _rows(path) == rows


def test_resume_needs_a_journal(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_error(capsys, simulate_args(PARENTS_FILE, "--resume"))
    assert code == 2
    assert "--journal" in err["message"]


# 9. The trading state lives in the journal --------------------------------------------------


def _states(path: Path) -> list[TradingStateChanged]:
    journal = read_journal(path)
    try:
        return [r for _s, _t, r in journal.records() if isinstance(r, TradingStateChanged)]
    finally:
        journal.close(clean=False)


def test_halt_and_resume_are_recorded_in_the_journal_and_nowhere_else(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    simulated: Path,
    tmp_path: Path,
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("SLIPSTREAM_OUT", raising=False)
    live = _live_journal(tmp_path / "live" / "journal.db")
    assert _record_count(live) == 2  # SessionStarted and JournalClosed

    argv = ["halt", "--journal", str(live), "--reason", "broker outage", "--user", "olga"]
    code, out = run_json(capsys, argv)
    assert code == 0
    assert (out["state"], out["changed"], out["previous"]) == ("halted", True, "active")
    (halted,) = _states(live)
    assert (halted.previous, halted.state) == ("active", "halted")
    assert (halted.user, halted.reason, halted.trigger) == ("olga", "broker outage", "manual")
    journal = read_journal(live)
    kinds = [type(r).__name__ for _s, _t, r in journal.records()]
    journal.close(clean=False)
    assert kinds[-2:] == ["TradingStateChanged", "JournalClosed"]

    resume = ["resume", "--journal", str(live), "--reason", "broker back", "--user", "olga"]
    code, out = run_json(capsys, resume)
    assert code == 0
    assert out["state"] == "active"
    assert [(c.previous, c.state) for c in _states(live)] == [
        ("active", "halted"),
        ("halted", "active"),
    ]

    count = _record_count(live)
    code, err = run_error(capsys, [*argv, "--role", "trader"])
    assert code == 2
    assert "role" in err["message"]
    code, err = run_error(capsys, ["halt", "--journal", str(live), "--reason", "   "])
    assert code == 2
    assert "reason" in err["message"]
    code, err = run_error(capsys, ["halt", "--journal", str(live), "--reason", ""])
    assert code == 2
    assert _record_count(live) == count

    sim = _copy(simulated, tmp_path / "sim")
    rows = _rows(sim)
    code, err = run_error(capsys, ["halt", "--journal", str(sim), "--reason", "x"])
    assert code == 2
    assert "simulated session" in err["message"]
    assert _rows(sim) == rows

    assert not (cwd / "out" / "trading_state.json").exists()
    assert _listing(cwd) == []  # no state file, no output folder
    assert _listing(live.parent) == ["journal.db"]
    assert _states(live)[-1].state == "active"
    journal = read_journal(live)
    last = list(journal.records())[-1][2]
    journal.close(clean=False)
    assert isinstance(last, JournalClosed)


def test_a_killed_writers_journal_is_read_without_touching_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A writer SIGKILLed mid-session leaves a WAL whose index must be rebuilt: replay reads it
    (through a private copy) and leaves the file, its WAL and the folder as they were."""
    path = tmp_path / "killed.db"
    pid = os.fork()
    if pid == 0:
        journal = open_journal(path, "new", group_size=1)
        journal.append(SessionStarted("live", {}, 1), 1)
        journal.append(SessionStarted("live", {"second": "x"}, 2), 2)
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)
    assert Path(f"{path}-wal").exists()  # the crash left committed batches in the WAL
    before = {p.name: _sha(p) for p in sorted(tmp_path.iterdir())}
    code, out, _ = _replay(capsys, path)
    assert code == JournalError.exit_code and "ended without a close at record 2" in out
    assert {p.name: _sha(p) for p in sorted(tmp_path.iterdir())} == before
