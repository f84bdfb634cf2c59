"""A live engine killed mid-parent and restarted finishes the parent: nothing doubled, nothing lost.

The engine talks to the local Tiger gateway (a separate process speaking Tiger's protocol) only
through the official ``tigeropen`` SDK. The test moves the gateway's market so resting children
fill, SIGKILLs the engine once the gateway has filled some children, restarts it on the same
journal, and checks the gateway's own books: every child placed once, none over-filled, the
parent complete, and positions equal on both sides.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.brokers.tiger import start_local_gateway

HERE = Path(__file__).parent
QUANTITY = 1_000


def _engine(config: Path, journal: Path, mode: str, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "live_engine.py"), str(config), str(journal), mode, str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wiggle(gateway: Any, stop: threading.Event) -> None:
    """Move the touch up and down a few cents so resting buy children fill."""
    quotes = [("180.00", "180.02"), ("179.97", "179.99"), ("180.01", "180.03")]
    n = 0
    while not stop.is_set():
        bid, ask = quotes[n % len(quotes)]
        gateway.control("quote", symbol="IBM", bid=bid, ask=ask, last=None)
        n += 1
        stop.wait(0.15)


def test_killed_live_engine_resumes_its_parent_without_doubling(tmp_path: Path) -> None:
    with start_local_gateway(symbols={"IBM": Decimal("180.00")}) as gateway:
        tiger = {
            k: str(v) if isinstance(v, Path) else v
            for k, v in dataclasses.asdict(gateway.config()).items()
        }
        config = tmp_path / "engine.json"
        config.write_text(
            json.dumps(
                {
                    "tiger": tiger,
                    "quantity": QUANTITY,
                    "duration_s": 16,
                    "slices": 8,
                    "interval_secs": 1.0,
                    "timeout_s": 60,
                }
            )
        )
        journal, first_out, second_out = (
            tmp_path / "journal.db",
            tmp_path / "first.json",
            tmp_path / "second.json",
        )
        stop = threading.Event()
        mover = threading.Thread(target=_wiggle, args=(gateway, stop), daemon=True)
        mover.start()
        try:
            victim = _engine(config, journal, "new", first_out)
            deadline = time.monotonic() + 45
            # Kill with children filled and one resting at the gateway (to be adopted).
            while time.monotonic() < deadline:
                now = gateway.control("stats")
                if now["filled_orders"] >= 2 and now["working_orders"] >= 1:
                    break
                assert victim.poll() is None, victim.stderr.read() if victim.stderr else ""
                time.sleep(0.01)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            at_kill = gateway.control("stats")
            assert at_kill["filled_orders"] >= 2 and not first_out.exists()
            restarted = _engine(config, journal, "continue", second_out)
            _, err = restarted.communicate(timeout=90)
            assert restarted.returncode == 0, err.decode()
        finally:
            stop.set()
            mover.join()
        stats = gateway.control("stats")
        result = json.loads(second_out.read_text())
    parent = result["summary"]["parents"][0]
    assert parent["client_id"] == "P-LIVE"
    assert parent["status"] == "completed" and parent["filled"] == QUANTITY
    # The gateway's own books: one order per child id, nothing over-filled.
    assert stats["duplicate_marks"] == 0 and stats["overfills"] == 0
    children = [o for o in result["summary"]["orders"] if o["parent_id"] == "P-LIVE"]
    sent = [c for c in children if c["status"] not in ("denied", "initialized")]
    assert stats["orders"] == len(sent) == len({c["client_id"] for c in sent})
    assert sum(c["filled"] for c in children) == QUANTITY
    positions = {p["symbol"]: p["quantity"] for p in result["summary"]["positions"]}
    assert positions == {"IBM": QUANTITY}
    assert result["reconciliation"] == {"breaks": [], "in_sync_pct": 100.0}
    recovery = result["recovery"]
    assert recovery["records"] > 0 and not recovery["closed_cleanly"]
    assert recovery["parents_restarted"] == 1
    # A child working when the engine died was settled from the broker's report or adopted
    # (followed again), never sent twice (the gateway's books above).
    assert recovery["open_orders"] >= 1
    assert recovery["settled_by_broker"] + recovery["adopted"] == recovery["open_orders"]
    assert recovery["recovery_ms"] < 30_000
