"""The demo day journalled to PostgreSQL by changing one setting (``--journal URL``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slipstream.cli.main import main


def test_the_demo_journals_to_postgresql_with_one_setting(
    pg_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path), "--journal", pg_location, "--json"]) == 0
    demo = json.loads(capsys.readouterr().out)
    assert not (tmp_path / "journal.db").exists()  # nothing went to SQLite
    assert main(["audit", "verify", pg_location, "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["verified"] and verdict["signed"] and verdict["records"] > 2_000
    assert main(["replay", pg_location, "--json"]) == 0
    replayed = json.loads(capsys.readouterr().out)
    live = {p["symbol"]: p["quantity"] for p in demo["positions"]}
    assert {p["symbol"]: p["quantity"] for p in replayed["positions"]} == live
