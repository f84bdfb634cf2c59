"""Tamper evidence that holds: ten ways to doctor a journal, each detected and named.

Each case starts from a real journal (the parents example), edits the SQLite file the way an
intruder without the deployment's key could — including recomputing the hash chain with the
unkeyed BLAKE2b a format-1 journal used — and runs ``slipstream audit verify``: non-zero exit, a
message that names what was done and where, and the file's bytes unchanged by verification.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from slipstream.cli.main import main
from slipstream.kernel.crash_harness import example_session_args

ROOT = Path(__file__).resolve().parents[2]
ARGS = example_session_args(ROOT, group_commit=64)
GENESIS = "0" * 32
FILL = "order.filled"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tamper") / "journal.db"
    assert main([*ARGS, "--journal", str(path), "--json"]) == 0
    return path


def _rows(path: Path) -> list[tuple[int, int, bytes, str]]:
    db = sqlite3.connect(path)
    rows = db.execute("SELECT first_seq, count, payload, hash FROM journal ORDER BY first_seq")
    found = [(int(a), int(b), bytes(c), str(d)) for a, b, c, d in rows]
    db.close()
    return found


def _sql(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    db = sqlite3.connect(path)
    for sql, params in statements:
        db.execute(sql, params)
    db.commit()
    db.close()


def _rechain(path: Path) -> None:
    """Recompute every batch's hash the only way someone without the key can: unkeyed."""
    prev = GENESIS
    updates = []
    for first_seq, _count, payload, _hash in _rows(path):
        prev = hashlib.blake2b(prev.encode() + payload, digest_size=16).hexdigest()
        updates.append(("UPDATE journal SET hash = ? WHERE first_seq = ?", (prev, first_seq)))
    _sql(path, *updates)


def _fill_batch(path: Path) -> tuple[int, dict[str, object]]:
    for first_seq, _count, payload, _hash in _rows(path):
        batch = orjson.loads(payload)
        kinds = [k[0] if isinstance(k, list) else k for k in batch["kinds"]]
        if any(FILL in str(k) or "OrderFilled" in str(k) for k in kinds):
            return first_seq, batch
    raise AssertionError("the example journal holds fills")


def _fill_index(batch: dict[str, object]) -> int:
    kinds = [k[0] if isinstance(k, list) else k for k in batch["kinds"]]  # type: ignore[attr-defined]
    return next(i for i, k in enumerate(kinds) if FILL in str(k) or "OrderFilled" in str(k))


def edit_fill_price(path: Path) -> str:
    first_seq, batch = _fill_batch(path)
    index = _fill_index(batch)
    records = batch["records"]
    assert isinstance(records, list)
    row = next(r for r in records if r[0] == index)
    row[2] = [
        (
            "999.99"
            if isinstance(v, str) and v.count(".") == 1 and v[0].isdigit() and len(v) < 9
            else v
        )
        for v in row[2]
    ]
    _sql(
        path,
        ("UPDATE journal SET payload = ? WHERE first_seq = ?", (orjson.dumps(batch), first_seq)),
    )
    _rechain(path)
    return f"batch at seq {first_seq}"


def duplicate_fill(path: Path) -> str:
    first_seq, batch = _fill_batch(path)
    index = _fill_index(batch)
    records = batch["records"]
    assert isinstance(records, list)
    records.append(next(r for r in records if r[0] == index))
    _sql(
        path,
        ("UPDATE journal SET payload = ? WHERE first_seq = ?", (orjson.dumps(batch), first_seq)),
    )
    _rechain(path)
    return f"batch at seq {first_seq}"


def delete_last(n: int) -> Callable[[Path], str]:
    def tamper(path: Path) -> str:
        rows = _rows(path)
        for first_seq, *_ in rows[-n:]:
            _sql(path, ("DELETE FROM journal WHERE first_seq = ?", (first_seq,)))
        return f"journal ends at record {rows[-n][0] - 1} but its signed head says"

    return tamper


def drop_middle(path: Path) -> str:
    rows = _rows(path)
    middle = rows[len(rows) // 2]
    _sql(path, ("DELETE FROM journal WHERE first_seq = ?", (middle[0],)))
    return f"records {middle[0]} to {middle[0] + middle[1] - 1} are missing"


def sequence_gap(path: Path) -> str:
    rows = _rows(path)
    last = rows[-1][0]
    _sql(path, ("UPDATE journal SET first_seq = ? WHERE first_seq = ?", (last + 100, last)))
    return "sequence gap"


def delete_every_row(path: Path) -> str:
    _sql(path, ("DELETE FROM journal", ()))
    return "every batch was removed"


def drop_table(path: Path) -> str:
    _sql(path, ("DROP TABLE journal", ()))
    return "journal table was dropped"


def zero_bytes(path: Path) -> str:
    path.write_bytes(b"")
    for side in path.parent.glob(path.name + "-*"):
        side.unlink()
    return "empty"


def another_application(path: Path) -> str:
    path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('ada')")
    db.commit()
    db.close()
    return "not a Slipstream journal"


CASES: dict[str, Callable[[Path], str]] = {
    "last batch deleted": delete_last(1),
    "last two batches deleted": delete_last(2),
    "a batch in the middle dropped": drop_middle,
    "a sequence gap": sequence_gap,
    "a fill price edited, chain recomputed": edit_fill_price,
    "a fill duplicated, chain recomputed": duplicate_fill,
    "every row deleted": delete_every_row,
    "the journal table dropped": drop_table,
    "a 0-byte file": zero_bytes,
    "another application's SQLite file": another_application,
}


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_untouched_journal_verifies(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.db"
    shutil.copyfile(pristine, path)
    assert main(["audit", "verify", str(path), "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["verified"] and verdict["signed"] and verdict["status"] == "closed cleanly"


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_and_named_and_nothing_is_written(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path = tmp_path / "journal.db"
    shutil.copyfile(pristine, path)
    named = CASES[case](path)
    before = _snapshot(tmp_path)
    code = main(["audit", "verify", str(path), "--json"])
    captured = capsys.readouterr()
    assert code == 6, captured.out
    verdict = json.loads(captured.out)
    assert not verdict["verified"]
    assert named in verdict["detail"], verdict["detail"]
    assert _snapshot(tmp_path) == before  # verification wrote nothing


def test_a_journal_checked_with_another_deployments_key_fails(
    pristine: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "journal.db"
    shutil.copyfile(pristine, path)
    other = tmp_path / "other.key"
    other.write_text("ab" * 32 + "\n")
    monkeypatch.setenv("SLIPSTREAM_JOURNAL_KEY_FILE", str(other))
    assert main(["audit", "verify", str(path), "--json"]) == 6
    assert (
        "hash chain broken in the batch at seq 1" in json.loads(capsys.readouterr().out)["detail"]
    )


def test_the_format_1_fixture_is_intact_but_unsigned(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = Path(__file__).parent / "fixtures" / "journal_format1.sqlite"
    assert main(["audit", "verify", str(fixture), "--json"]) == 6
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["status"] == "closed cleanly" and not verdict["signed"]
    assert main(["audit", "verify", str(fixture), "--allow-unsigned", "--json"]) == 0
