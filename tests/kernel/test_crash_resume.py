"""Kill a busy simulated session anywhere, resume it, and get the uninterrupted result.

200 SIGKILLs at random moments (four seeds of 50, so the work spreads over the test workers),
each resumed from whatever the journal held; plus the real command line killed and resumed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kernel_helpers import simulate_args

from slipstream.cli.commands.simulate import prepare
from slipstream.cli.main import build_parser
from slipstream.kernel.crash_harness import journal_rows, run_harness
from slipstream.store.inspection import JournalStatus, inspect_journal

KILLS_PER_SEED = 50


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_any_kill_then_resume_ends_identical(tmp_path: Path, seed: int) -> None:
    plan = prepare(build_parser().parse_args(simulate_args()))
    report = run_harness(plan, tmp_path, KILLS_PER_SEED, seed=seed, group_size=8)
    figures = report.as_dict()
    assert figures["kill_points"] == KILLS_PER_SEED
    assert figures["mismatches"] == 0, [p for p in report.points if not p.summary_matches]
    # The kills really land mid-run, and really cost committed records that resume regenerated.
    killed = [p for p in report.points if not p.finished_before_kill]
    assert len(killed) >= KILLS_PER_SEED // 4
    assert any(0 < p.records_at_kill < report.records for p in killed)
    assert report.records > 500  # a busy session: parents, children, fills, costs


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "slipstream.cli.main", *argv]


def test_the_command_line_killed_and_resumed_prints_the_uninterrupted_json(
    tmp_path: Path,
) -> None:
    reference = subprocess.run(
        _cli(
            *simulate_args(),
            "--json",
            "--journal",
            str(tmp_path / "ref.db"),
            "--group-commit",
            "16",
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    journal = tmp_path / "killed.db"
    argv = _cli(*simulate_args(), "--json", "--journal", str(journal), "--group-commit", "16")
    victim = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill once the session has committed part of its journal (the data load comes first).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(r[1] for r in journal_rows(journal)) < 200:
        time.sleep(0.005)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    found = inspect_journal(journal)
    assert found.status is JournalStatus.OPEN, found.detail  # cut short: no close record
    resumed = subprocess.run([*argv, "--resume"], capture_output=True, text=True, check=True).stdout
    assert resumed == reference
    assert journal_rows(journal) == journal_rows(tmp_path / "ref.db")
    assert inspect_journal(journal).status is JournalStatus.CLOSED
