"""A live engine process for the restart test: one LiveKernel on the local Tiger gateway.

``python live_engine.py CONFIG JOURNAL new|continue OUT`` builds a kernel through ``tigeropen``
against the gateway named in CONFIG. ``new`` starts a journal and hands the kernel a TWAP parent;
``continue`` restarts on the journal (replay, reconcile, adopt, resume the parent). Either way it
then runs the kernel's loop (quotes from the broker, pump) until every parent is done, reconciles
and writes the summary and the recovery report to OUT. The test SIGKILLs the first process.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

from slipstream.algos.registry import make_parent
from slipstream.brokers.tiger import TigerBroker
from slipstream.brokers.tiger.config import TigerConfig
from slipstream.cli.output import to_json
from slipstream.core.clock import LiveClock
from slipstream.kernel import KernelSettings, LiveKernel
from slipstream.kernel.session import summarize_kernel
from slipstream.marketdata.reference import instruments_for


def main(argv: list[str]) -> int:
    config_path, journal, mode, out = Path(argv[0]), Path(argv[1]), argv[2], Path(argv[3])
    config = json.loads(config_path.read_text())
    clock = LiveClock()
    broker = TigerBroker.from_config(TigerConfig.from_mapping(config["tiger"]), clock)
    settings = KernelSettings(
        cash=Decimal(10_000_000),
        journal_path=journal,
        journal_mode="continue" if mode == "continue" else "new",
    )
    kernel = LiveKernel(instruments_for(["IBM"]), broker, settings, clock)

    def market() -> None:
        for quote in broker.quotes(["IBM"]):
            kernel.on_market(quote)

    market()
    if mode == "new":
        now = clock.timestamp_ns()
        parent = make_parent(
            "P-LIVE",
            "IBM",
            "buy",
            config["quantity"],
            "twap",
            now,
            now + int(config["duration_s"] * 1e9),
            "medium",
            None,
            {"slices": config["slices"], "interval_secs": config["interval_secs"]},
        )
        kernel.submit_parent(parent)
    deadline = time.monotonic() + config["timeout_s"]
    while time.monotonic() < deadline:
        market()
        kernel.pump(0.05)
        if all(s.state.is_done for s in kernel.algos.summaries()):
            break
    kernel.pump_until(lambda: False, 0.5)  # the last pushes
    report = kernel.reconcile()
    summary = summarize_kernel(kernel)
    recovery = kernel.recovery.as_dict() if kernel.recovery is not None else None
    kernel.close()
    out.write_text(
        to_json(
            {
                "summary": summary.as_dict(),
                "recovery": recovery,
                "reconciliation": {
                    "breaks": [b.kind for b in report.breaks],
                    "in_sync_pct": report.in_sync_pct,
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
