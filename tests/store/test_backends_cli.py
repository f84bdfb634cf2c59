"""The command line on a PostgreSQL journal: ``--journal postgresql://...`` as with a file.

``simulate`` of the bundled parents example journalled to PostgreSQL prints the same parents,
orders and positions as journalled to an SQLite file, and ``replay`` of the URL says it closed
cleanly; ``simulate --resume`` verifies it; ``halt`` records a change in a live journal held in
either store and is refused while a writer holds it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slipstream.cli.main import main
from slipstream.paths import data_dir
from slipstream.store.journal import open_journal, read_journal
from slipstream.store.locations import JournalLocation, open_backend
from slipstream.store.records import SessionStarted

ROOT = Path(__file__).resolve().parents[2]
SIMULATE = [
    "simulate",
    str(ROOT / "examples" / "parents" / "orders.csv"),
    "--market",
    str(data_dir() / "ticks"),
    *("--date", "2013-10-08", "--start", "09:59", "--end", "10:50"),
]
JOURNAL_EXIT = 6


@pytest.fixture(autouse=True)
def scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Any, str]:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_simulate_to_postgresql_prints_what_sqlite_does_and_replays_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pg_location: str
) -> None:
    code, on_file, _ = _json(capsys, [*SIMULATE, "--journal", str(tmp_path / "j.db")])
    assert code == 0
    code, on_pg, _ = _json(capsys, [*SIMULATE, "--journal", pg_location])
    assert code == 0
    for part in ("parents", "orders", "positions"):
        assert on_pg[part] == on_file[part], part
    assert on_pg == on_file
    code, replayed, _ = _json(capsys, ["replay", pg_location])
    assert code == 0
    assert replayed["status"] == "closed cleanly"
    code, from_file, _ = _json(capsys, ["replay", str(tmp_path / "j.db")])
    assert replayed["records"] == from_file["records"]
    assert replayed["positions"] == from_file["positions"]
    # The stored batches are the same bytes in both stores.
    file_rows = list(open_backend(tmp_path / "j.db", read_only=True).read())
    pg_reader = open_backend(pg_location, read_only=True)
    try:
        assert [r[2] for r in pg_reader.read()] == [r[2] for r in file_rows]
    finally:
        pg_reader.close()
    # A resume of a closed journal verifies it end to end and writes nothing.
    code, resumed, _ = _json(capsys, [*SIMULATE, "--journal", pg_location, "--resume"])
    assert code == 0
    assert resumed == on_pg
    assert read_journal(pg_location).verify() == from_file["records"]


def _live(location: JournalLocation) -> JournalLocation:
    journal = open_journal(location, "new")
    journal.append(SessionStarted("live", {}, 1), 1)
    journal.close()
    return location


def test_halt_on_a_journal_in_either_store(
    capsys: pytest.CaptureFixture[str], backend_location: JournalLocation
) -> None:
    live = _live(backend_location)
    holder = open_backend(live)
    try:
        code = main(["halt", "--journal", str(live), "--reason", "x", "--json"])
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert code == JOURNAL_EXIT
        assert "in use" in json.loads(err)["message"]
    finally:
        holder.close()
    code, out, _ = _json(capsys, ["halt", "--journal", str(live), "--reason", "x"])
    assert code == 0
    assert out["state"] == "halted"
    assert read_journal(live).verify() == 4  # started, closed, the change and a new close


def test_replay_of_an_empty_postgresql_journal_says_so(
    capsys: pytest.CaptureFixture[str], pg_location: str
) -> None:
    code = main(["replay", pg_location, "--json"])
    err = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert code == JOURNAL_EXIT
    assert "empty" in err["message"]


def test_a_bad_journal_url_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["replay", "postgresql://u:secret@127.0.0.1:1/db?journal=Bad-Name"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "journal name is a lower-case identifier" in err
    assert "secret" not in err
