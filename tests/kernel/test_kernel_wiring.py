"""The kernel is the one composition root: nothing in ``demo/`` or ``cli/`` wires components.

The check reads the source (AST), so a new module cannot slip past it: any call that builds an
OMS, a router, a venue, a journal or its backend, an algorithm engine, real-time TCA, a
reconciler or a simulated clock outside the kernel fails here. (``risk check``/``risk report``
build a bare risk engine for a what-if on a portfolio file: no order path, no journal.)
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from kernel_helpers import run_json, simulate_args

import slipstream
from slipstream.store.journal import read_journal

PACKAGE = Path(slipstream.__file__).parent
#: Constructors only the kernel (and the layers below it) may call.
COMPONENTS = frozenset(
    {
        "OrderManager",
        "SimulatedVenue",
        "Journal",
        "SQLiteBackend",
        "PostgresBackend",
        "open_backend",
        "open_journal",
        "AlgoEngine",
        "RealTimeAttribution",
        "Reconciler",
        "SimClock",
        "Router",
    }
)


def _calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            names.add(name)
    return names


@pytest.mark.parametrize("layer", ["demo", "cli"])
def test_no_module_outside_the_kernel_builds_components(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_calls(path) & COMPONENTS)
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if _calls(path) & COMPONENTS
    }
    assert offenders == {}


def test_the_walk_sees_a_module_that_wires(tmp_path: Path) -> None:
    wired = tmp_path / "wired.py"
    wired.write_text("from x import OrderManager\noms = OrderManager(1, 2)\n")
    assert _calls(wired) & COMPONENTS == {"OrderManager"}


def test_simulate_attaches_the_kill_switch_to_automatic_halts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A daily-loss trigger a spread's cost sets off, asking for the kill switch on auto-halt.
    limits = tmp_path / "limits.toml"
    limits.write_text("[auto_halt]\ndaily_loss_pct = 0.0001\nkill_switch = true\n")
    journal = tmp_path / "j.db"
    code, out = run_json(
        capsys, [*simulate_args(), "--limits", str(limits), "--journal", str(journal)]
    )
    assert code == 0
    records = [r for _, _, r in read_journal(journal).records()]
    kinds = [type(r).__name__ for r in records]
    assert "KillSwitchActivated" in kinds
    halt = next(r for r in records if type(r).__name__ == "TradingStateChanged")
    assert halt.state == "halted" and halt.trigger == "auto:daily_loss"
    # The kill switch paused the working parents: none of them ran to its full quantity after.
    assert any(p["status"] != "completed" or p["filled"] < p["quantity"] for p in out["parents"])
    denied = [o for o in out["orders"] if o["denied_by"] == "trading_state"]
    assert denied, json.dumps(out["parents"])
