"""Nothing journalled can be unregistered: real sessions journal only declared record kinds.

A simulated session of the bundled parents example and the risk showcase (which journals the
risk records: overrides, limits, halts, the kill switch) run with a spy on the codec; every
record class the journal encoded, nested ones included, must be registered, live in a module
of ``RECORD_MODULES``, and come back from the journal file (read with sqlite3) as itself.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from slipstream.cli.main import main
from slipstream.core import schema
from slipstream.paths import data_dir
from slipstream.store import codec

ROOT = Path(__file__).resolve().parents[2]
SIMULATE = [
    "simulate",
    str(ROOT / "examples" / "parents" / "orders.csv"),
    "--market",
    str(data_dir() / "ticks"),
    "--date",
    "2013-10-08",
    "--start",
    "09:59",
    "--end",
    "10:50",
]


class Spy:
    """Wraps ``codec.encode_batch``, keeping every record class it was given."""

    def __init__(self) -> None:
        self.classes: set[type] = set()
        self._encode = codec.encode_batch

    def __call__(self, items: list[tuple[str, int, object]]) -> bytes:
        self.classes.update(type(record) for _kind, _ts, record in items)
        return self._encode(items)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    found = Spy()
    monkeypatch.setattr(codec, "encode_batch", found)
    return found


def _rows(path: Path) -> list[bytes]:
    db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        return [bytes(p) for (p,) in db.execute("SELECT payload FROM journal ORDER BY first_seq")]
    finally:
        db.close()


def _check(classes: set[type], payloads: list[bytes]) -> set[str]:
    everything = set(classes)
    for cls in classes:
        everything.update(codec.nested_records(cls))
    for cls in everything:
        entry = schema.record_type(cls)  # raises naming an unregistered class
        assert cls.__module__ in schema.RECORD_MODULES, (entry.kind, cls.__module__)
    kinds: set[str] = set()
    for payload in payloads:
        batch = orjson.loads(payload)
        assert batch["v"] == 2
        for kind, version, fields in batch["kinds"]:
            entry = schema.by_kind(kind)
            assert (version, tuple(fields)) == (entry.version, entry.fields)
            kinds.add(kind)
        for kind, _ts, record in codec.decode_batch(payload):
            assert schema.record_type(type(record)).kind == kind
    assert kinds == {schema.record_type(c).kind for c in everything}
    return kinds


def test_a_simulated_session_journals_only_registered_records(
    spy: Spy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.db"
    assert main([*SIMULATE, "--journal", str(path), "--json"]) == 0
    capsys.readouterr()
    kinds = _check(spy.classes, _rows(path))
    assert {
        "journal.session_started",
        "portfolio.seeded",
        "command.submit_order",
        "order.initialized",
        "order.spec",
        "order.filled",
        "parent.accepted",
        "tca.parent_cost_updated",
        "journal.closed",
    } <= kinds


def test_the_risk_showcase_journals_only_registered_records(
    spy: Spy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from slipstream.cli import risk_showcase

    kept: list[Path] = []
    showcase = risk_showcase.Showcase

    def keep(journal_path: Path) -> Any:
        kept.append(journal_path)
        return showcase(tmp_path / "risk.db")

    monkeypatch.setattr(risk_showcase, "Showcase", keep)
    assert main(["risk", "demo", "--json"]) == 0
    capsys.readouterr()
    assert kept
    kinds = _check(spy.classes, _rows(tmp_path / "risk.db"))
    assert {
        "risk.override_granted",
        "risk.denial_overridden",
        "risk.limits_changed",
        "risk.trading_state_changed",
        "risk.kill_switch_activated",
        "order.denied",
        "portfolio.seed_position",
    } <= kinds


def test_a_fresh_process_decodes_a_journal_without_importing_the_record_modules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.db"
    assert main([*SIMULATE, "--journal", str(path), "--json"]) == 0
    capsys.readouterr()
    script = (
        "import sqlite3, sys\n"
        "from slipstream.store import codec\n"
        "assert 'slipstream.model.events' not in sys.modules\n"
        f"db = sqlite3.connect({str(path)!r})\n"
        "n = sum(len(codec.decode_batch(p)) for (p,) in db.execute('SELECT payload FROM journal'))\n"
        "print(n)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000
