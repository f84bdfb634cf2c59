"""Shared helpers of the kernel tests: the bundled parents example and the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slipstream.cli.main import main
from slipstream.paths import data_dir

ROOT = Path(__file__).resolve().parents[2]
PARENTS_FILE = ROOT / "examples" / "parents" / "orders.csv"
TICKS = data_dir() / "ticks"
#: The example's window on the bundled day (about 10,000 IBM quotes and trades).
WINDOW = ["--date", "2013-10-08", "--start", "09:59", "--end", "10:50"]


def simulate_args(orders: Path = PARENTS_FILE, *extra: str) -> list[str]:
    """Return the argv of ``slipstream simulate`` on the example window."""
    return ["simulate", str(orders), "--market", str(TICKS), *WINDOW, *extra]


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Any]:
    """Run the CLI with ``--json``; return its exit code and parsed stdout (None if empty)."""
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def run_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict[str, Any]]:
    """Run the CLI with ``--json`` expecting an error; return the code and the error object."""
    code = main([*argv, "--json"])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    return code, json.loads(err)
