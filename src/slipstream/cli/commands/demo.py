"""``slipstream demo``: a realistic session on the bundled real market data."""

from __future__ import annotations

import argparse
from pathlib import Path

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import table, to_json
from slipstream.cli.session_view import render_text
from slipstream.demo.run import manifest, run_demo
from slipstream.paths import out_dir
from slipstream.tca.report import summary_rows


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command."""
    p = subparsers.add_parser(
        "demo",
        help="run a realistic session on the bundled real market data",
        description=(
            "Trade IBM, BAC and AIG on 2013-10-08 (real AlgoSeek ticks and minute bars): every "
            "order type and time in force through OMS, risk, journal and the simulated venue. "
            "Prints orders, fills, positions and P&L, and writes them with charts under out/demo."
        ),
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default out/demo)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo and print its summary."""
    result = run_demo(args.out or out_dir() / "demo")
    if getattr(args, "json", False):
        payload = {**result.summary.as_dict(), "impact_overlay": result.overlay}
        print(to_json({**payload, "tca": result.tca.summary, **manifest(result)}))
    else:
        print(render_text(result.summary, show_fills=False))
        print("\nTransaction cost analysis of the parent orders (cost > 0, bps)")
        print(table(["measure", "value"], summary_rows(result.tca)))
        print("\nImpact overlay: the same parents with the venue's impact overlay off and on")
        print(
            table(
                [
                    "parent",
                    "side",
                    "filled off",
                    "avg px off",
                    "filled on",
                    "avg px on",
                    "cost of impact bps",
                ],
                [
                    [
                        r["parent"],
                        r["side"],
                        r["filled_off"],
                        r["avg_px_off"],
                        r["filled_on"],
                        r["avg_px_on"],
                        r.get("overlay_cost_bps", ""),
                    ]
                    for r in result.overlay
                ],
            )
        )
        print()
        for name, path in result.files.items():
            print(f"{name:>14}: {path}")
    return 0
