"""The crash harness: SIGKILL a simulated session at random moments, resume it, compare.

The proof that nothing is lost: one session (a plan of parents, single orders and actions on
real data) runs once uninterrupted; then, again and again, it runs in a forked process that is
sent ``SIGKILL`` at a random moment of its run, and is resumed (``--resume``, in another
process) from whatever its journal holds. Each resumed run must end with the same summary
(orders, fills, parents, positions: the ``--json`` output) **and** a journal whose stored
batches are byte-identical to the uninterrupted run's. Forking after the market data is loaded
keeps a kill point to a fraction of a second, so a thousand of them fit in a benchmark.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from slipstream.core.errors import JournalError
from slipstream.core.jsontext import to_json
from slipstream.kernel.session import SessionSummary
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal


def example_session_args(root: Path, group_commit: int | None = None) -> list[str]:
    """Return ``slipstream simulate`` arguments of the busy session the harness is shown on.

    The bundled parents example (five algorithms, single orders, amend, pause, resume and
    cancel actions) on IBM, 2013-10-08 09:59-10:50, from the source checkout at ``root``.
    """
    args = [
        "simulate",
        str(root / "examples" / "parents" / "orders.csv"),
        "--market",
        str(root / "data" / "ticks"),
        "--date",
        "2013-10-08",
        "--start",
        "09:59",
        "--end",
        "10:50",
    ]
    return args if group_commit is None else [*args, "--group-commit", str(group_commit)]


class Plan(Protocol):
    """A simulated session that can run against a journal (``SimulationPlan``)."""

    def with_journal(self, path: Path, resume: bool, group_size: int | None = None) -> Plan:
        """Return the plan journalling to ``path``."""
        ...

    def execute(self, progress: Callable[[int], None] | None = None) -> SessionSummary:
        """Run the session to its end."""
        ...


@dataclass
class KillPoint:
    """One kill and its resume."""

    delay_ms: float
    records_at_kill: int
    finished_before_kill: bool
    resume_ms: float
    summary_matches: bool
    journal_matches: bool


@dataclass
class CrashReport:
    """What the harness found over every kill point."""

    points: list[KillPoint] = field(default_factory=list)
    uninterrupted_ms: float = 0.0
    records: int = 0

    @property
    def mismatches(self) -> int:
        """Return kill points whose resumed summary or journal differs from the reference."""
        return sum(1 for p in self.points if not (p.summary_matches and p.journal_matches))

    def as_dict(self) -> dict[str, Any]:
        """Return the figures (for JSON, the README and the benchmark table)."""
        resumes = [p.resume_ms for p in self.points] or [0.0]
        killed = [p for p in self.points if not p.finished_before_kill]
        return {
            "kill_points": len(self.points),
            "killed_mid_run": len(killed),
            "mismatches": self.mismatches,
            "journal_records": self.records,
            "records_at_kill_min": min((p.records_at_kill for p in killed), default=0),
            "records_at_kill_max": max((p.records_at_kill for p in killed), default=0),
            "uninterrupted_ms": round(self.uninterrupted_ms, 1),
            "resume_ms_mean": round(sum(resumes) / len(resumes), 1),
            "resume_ms_max": round(max(resumes), 1),
        }


def journal_rows(path: Path) -> list[tuple[Any, ...]]:
    """Return the stored batches of a journal, read without writing to it (none if absent)."""
    try:
        backend = SQLiteBackend(path, read_only=True)
    except JournalError:
        return []  # killed before its first commit: no journal table yet
    try:
        return [tuple(row) for row in backend.read()]
    finally:
        backend.close()


def _in_child(action: Callable[[], None]) -> int:
    """Run ``action`` in a forked process; return its pid (the child never returns)."""
    pid = os.fork()
    if pid == 0:  # the child: run, then leave without running the parent's cleanup
        code = 0
        try:
            action()
        except BaseException:
            code = 1
        os._exit(code)
    return pid


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def run_harness(
    plan: Plan,
    folder: Path,
    kills: int,
    seed: int = 0,
    group_size: int = 8,
    progress: Callable[[int], None] | None = None,
) -> CrashReport:
    """Kill ``plan`` ``kills`` times at random moments, resume each, compare with a clean run."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    reference = folder / "reference.db"
    started = time.perf_counter()
    expected = to_json(plan.with_journal(reference, False, group_size).execute().as_dict())
    report = CrashReport(uninterrupted_ms=(time.perf_counter() - started) * 1e3)
    expected_rows = journal_rows(reference)
    report.records = sum(row[1] for row in expected_rows)
    # Kill moments are drawn over the run time of a forked child (warm caches), not the first run.
    mark = time.perf_counter()
    calibration = folder / "calibration.db"
    _wait(_in_child(lambda: _run(plan.with_journal(calibration, False, group_size), None)))
    window_s = time.perf_counter() - mark
    for stale in folder.glob("calibration.*"):
        stale.unlink()
    for n in range(kills):
        journal = folder / f"kill-{n}.db"
        result = folder / f"kill-{n}.json"
        # Every other kill lands at a random moment of wall time; the others at a random record
        # of the session (the victim kills itself right after staging it), so half the kill
        # points are spread over the whole run however loaded the machine is.
        delay = rng.uniform(0.0, window_s) if n % 2 else 0.0
        at_record = 0 if n % 2 else rng.randint(1, report.records)
        victim = _in_child(
            lambda j=journal, r=at_record: _run(  # type: ignore[misc]
                plan.with_journal(j, False, group_size), None, kill_at_record=r
            )
        )
        time.sleep(delay)
        if delay:
            os.kill(victim, signal.SIGKILL)
        finished = _wait(victim) == 0
        left = journal_rows(journal)
        mark = time.perf_counter()
        resumer = _in_child(
            lambda j=journal, r=result: _run(plan.with_journal(j, True, group_size), r)  # type: ignore[misc]
        )
        ok = _wait(resumer) == 0
        resume_ms = (time.perf_counter() - mark) * 1e3
        report.points.append(
            KillPoint(
                delay * 1e3,
                sum(row[1] for row in left),
                finished,
                resume_ms,
                ok and result.read_text() == expected,
                ok and journal_rows(journal) == expected_rows,
            )
        )
        for stale in folder.glob(f"kill-{n}.*"):
            stale.unlink()
        if progress is not None:
            progress(n + 1)
    return report


def _run(plan: Plan, result: Path | None, kill_at_record: int = 0) -> None:
    if kill_at_record:
        _die_after_record(kill_at_record)
    summary = plan.execute()
    if result is not None:
        result.write_text(to_json(summary.as_dict()))


def _die_after_record(target: int) -> None:
    """Make this (forked) process SIGKILL itself once its journal has staged record ``target``."""
    append = Journal.append

    def append_then_maybe_die(self: Journal, record: object, ts_init: int) -> int:
        seq = append(self, record, ts_init)
        if seq >= target:
            os.kill(os.getpid(), signal.SIGKILL)
        return seq

    Journal.append = append_then_maybe_die  # type: ignore[method-assign]
