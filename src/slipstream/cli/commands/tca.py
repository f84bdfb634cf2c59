"""``slipstream tca --orders FILE --fills FILE --market DATA``: transaction cost analysis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import table, to_json
from slipstream.core.errors import InputError
from slipstream.marketdata.replay import load_market
from slipstream.tca.conventions import CONVENTION
from slipstream.tca.engine import DEFAULT_HORIZONS_SECS, END_PRICES, TcaOptions, eastern_days
from slipstream.tca.inputs import NO_TS, prepare, read_csv
from slipstream.tca.market import MarketData
from slipstream.tca.report import run_tca
from slipstream.tca.result import TcaResult, summary_rows


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``tca`` command."""
    p = subparsers.add_parser(
        "tca",
        help="transaction cost analysis of parent orders and their fills",
        description=(
            "Measure implementation shortfall (delay, impact, timing, opportunity, fees), "
            "slippage against arrival, interval VWAP/TWAP, day VWAP, close and participation-"
            "weighted price, markouts and fill quality for every parent order in --orders, "
            "from its fills in --fills, against the market data in --market. Prints a summary; "
            "with --out writes CSV, JSON and a self-contained HTML report. Columns: docs/tca.md. "
            f"Sign convention: {CONVENTION}."
        ),
    )
    p.add_argument("--orders", type=Path, required=True, metavar="FILE", help="parent orders CSV")
    p.add_argument("--fills", type=Path, required=True, metavar="FILE", help="fills CSV")
    p.add_argument(
        "--market", type=Path, required=True, metavar="DATA", help="market data file or folder"
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="write CSV, JSON and HTML into DIR")
    p.add_argument(
        "--end-price",
        choices=END_PRICES,
        default="close",
        help="price of unexecuted shares for the opportunity cost (default close)",
    )
    p.add_argument(
        "--horizons",
        default=",".join(f"{h:g}" for h in DEFAULT_HORIZONS_SECS),
        metavar="SECS",
        help="markout horizons in seconds, comma-separated (default 1,10,60,300)",
    )
    p.add_argument(
        "--participation",
        type=float,
        default=0.10,
        metavar="RATE",
        help="participation rate for the PWP benchmark when an order has none (default 0.10)",
    )
    p.add_argument("--title", default="Transaction cost analysis", help="report title")
    add_json_flag(p)
    p.set_defaults(func=run)


def _horizons(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise InputError("--horizons", text, "must be seconds separated by commas") from None
    if not values or any(not np.isfinite(v) or v <= 0 for v in values):
        raise InputError("--horizons", text, "must be positive seconds separated by commas")
    return values


def run(args: argparse.Namespace) -> int:
    """Run the analysis and print (and write) the report."""
    if not 0 < args.participation <= 1:
        raise InputError("--participation", args.participation, "must be in (0, 1]")
    options = TcaOptions(args.end_price, _horizons(args.horizons), args.participation)
    inputs = prepare(read_csv(args.orders), read_csv(args.fills), str(args.orders), str(args.fills))
    stamps = np.concatenate(
        [inputs.orders[c].to_numpy() for c in ("decision_ts_ns", "start_ts_ns", "end_ts_ns")]
        + [inputs.fills["ts_ns"].to_numpy()]
    )
    days = eastern_days(stamps[stamps != NO_TS])
    symbols = sorted(set(inputs.orders["symbol"]))
    print(f"loading market data for {len(symbols)} symbol(s) from {args.market}", file=sys.stderr)
    market = MarketData.from_records(load_market(args.market, symbols, "all", days))
    print(
        f"analysing {len(inputs.orders):,} parent(s) and {len(inputs.fills):,} fill(s)",
        file=sys.stderr,
    )
    result = run_tca(inputs, market, args.out, options, args.title)
    if getattr(args, "json", False):
        print(to_json(result.to_dict()))
    else:
        print(_text(result))
    return 0


def _text(result: TcaResult) -> str:
    lines = [f"Sign convention: {CONVENTION}", "", table(["figure", "value"], summary_rows(result))]
    by_algo = result.aggregates.get("algo")
    if by_algo is not None and len(by_algo):
        rows = [
            [
                r["algo"] or "(none)",
                r["parents"],
                f"{r['shortfall_bps']:.2f}",
                f"{r['impact_bps']:.2f}",
                f"{r['timing_bps']:.2f}",
                f"{r['vs_arrival_bps']:.2f}",
                f"{r['vs_interval_vwap_bps']:.2f}",
            ]
            for _, r in by_algo.iterrows()
        ]
        headers = ["algo", "parents", "IS bps", "impact", "timing", "vs arrival", "vs VWAP"]
        lines += ["", table(headers, rows)]
    if result.exclusions:
        lines += ["", f"excluded {len(result.exclusions)} parent(s):"]
        lines += [f"  {e.parent_id}: {e.reason}" for e in result.exclusions]
    if result.files:
        lines += ["", f"report: {result.files['html']}", f"files:  {result.files['html'].parent}"]
    return "\n".join(lines)
