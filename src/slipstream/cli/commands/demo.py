"""``slipstream demo``: a realistic session on the bundled real market data."""

from __future__ import annotations

import argparse
from pathlib import Path

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import table, to_json
from slipstream.cli.session_view import render_text
from slipstream.demo.data import DEMO_DATE
from slipstream.demo.run import manifest, run_demo
from slipstream.paths import out_dir
from slipstream.store.locations import journal_location
from slipstream.tca.result import summary_rows


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
    p.add_argument(
        "--broker",
        choices=("sim", "tiger-local"),
        default="sim",
        help=(
            "sim: the full day on the simulated venue (default); tiger-local: ten minutes of "
            "IBM through Tiger's SDK against the local Tiger gateway, then reconciliation"
        ),
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default out/demo, or out/demo-tiger with --broker tiger-local)",
    )
    p.add_argument(
        "--journal",
        type=journal_location,
        default=None,
        metavar="FILE|URL",
        help="journal the sim demo here (default OUT/journal.db; postgresql://... for PostgreSQL)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo and print its summary."""
    if args.broker == "tiger-local":
        return _run_tiger(args)
    result = run_demo(args.out or out_dir() / "demo", journal=args.journal)
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


def _run_tiger(args: argparse.Namespace) -> int:
    """Run the demo through Tiger's SDK against the local gateway and print what it found."""
    # Imported here: the SDK takes about a second to import, which every other command would pay.
    from slipstream.demo.tiger_local import SYMBOL, WINDOW, run_tiger_demo

    result = run_tiger_demo(args.out or out_dir() / "demo-tiger")
    if getattr(args, "json", False):
        print(to_json(result.as_dict()))
        return 0
    print(
        f"Tiger through the tigeropen SDK, local gateway; {SYMBOL} {DEMO_DATE} {'-'.join(WINDOW)}"
    )
    print(render_text(result.summary, show_fills=False))
    print("\nOrders sent, at market time")
    print(
        table(
            ["client_id", "market time", "rejection"],
            [[k, v, result.rejections.get(k, "")] for k, v in result.sent_at.items()],
        )
    )
    print(f"\nFills ({len(result.fills)}), at the market time they reached the OMS")
    print(
        table(
            ["client_id", "market time", "price", "qty", "tiger execution"],
            [
                [f["client_id"], f["market_time"], f["price"], f["quantity"], f["trade_id"]]
                for f in result.fills
            ],
        )
    )
    rec = result.reconciliation
    print(
        f"\nReconciliation against the gateway: {rec.orders_checked} orders, "
        f"{rec.positions_checked} positions checked; {len(rec.breaks)} breaks "
        f"({rec.resolved} resolved, {rec.escalated} escalated); in sync {rec.in_sync_pct:.1f}%"
    )
    for b in rec.breaks:
        print(
            f"  {b.kind} {b.client_order_id or b.symbol}: ours {b.ours}, Tiger {b.broker} -> {b.resolution}"
        )
    gw = result.gateway
    print(
        f"Gateway: {gw['orders']} orders received, {gw['filled_orders']} filled, "
        f"{gw['working_orders']} working, {gw['duplicate_marks']} duplicates, "
        f"{gw['overfills']} over-fills"
    )
    print(f"Timings (s): {', '.join(f'{k} {v}' for k, v in result.timings_s.items())}\n")
    for name, path in result.files.items():
        print(f"{name:>14}: {path}")
    return 0
