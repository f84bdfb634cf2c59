"""Crash harness: 1,000 SIGKILLs of a busy simulated session at random moments, each resumed.

The session is the bundled parents example (five algorithms, single orders, amend, pause,
resume and cancel actions) on IBM, 2013-10-08 09:59-10:50. Each kill point runs the session in
a forked process, SIGKILLs it at a random moment of its run, resumes it from its journal in
another process and compares the resumed summary and journal with an uninterrupted run's.
Set ``SLIPSTREAM_CRASH_KILLS`` to change the number of kill points.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from slipstream.cli.commands.simulate import prepare
from slipstream.cli.main import build_parser
from slipstream.kernel.crash_harness import example_session_args, run_harness

ROOT = Path(__file__).resolve().parents[1]


def run() -> list[dict[str, Any]]:
    """Return the harness figures: kill points, mismatches, resume times."""
    kills = int(os.environ.get("SLIPSTREAM_CRASH_KILLS", "1000"))
    plan = prepare(build_parser().parse_args(example_session_args(ROOT)))

    def progress(done: int) -> None:
        if done % 100 == 0:
            print(f"  {done}/{kills} kill points", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="slipstream-crash-") as folder:
        report = run_harness(plan, Path(folder), kills, seed=2026, progress=progress)
    figures = report.as_dict()
    assert figures["mismatches"] == 0, "a resumed session differed from the uninterrupted one"
    return [
        {
            "name": "crash harness: kill points",
            "value": figures["kill_points"],
            "unit": "kills",
            **figures,
        },
        {
            "name": "crash harness: mismatches after resume",
            "value": figures["mismatches"],
            "unit": "runs",
        },
        {
            "name": "crash harness: resume time, mean",
            "value": figures["resume_ms_mean"],
            "unit": "ms",
        },
        {
            "name": "crash harness: resume time, max",
            "value": figures["resume_ms_max"],
            "unit": "ms",
        },
    ]
