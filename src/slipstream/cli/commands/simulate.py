"""``slipstream simulate ORDERS --market DATA``: replay orders against real market data."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from slipstream.cli.main import add_json_flag, add_state_flag
from slipstream.cli.output import to_json
from slipstream.cli.session_view import render_text
from slipstream.core.errors import InputError
from slipstream.marketdata.reference import instruments_for
from slipstream.marketdata.replay import load_market
from slipstream.node import SimNode, SimSettings
from slipstream.oms.order_file import read_orders, symbols_in
from slipstream.portfolio.records import SeedPosition
from slipstream.risk.engine import RiskEngine
from slipstream.risk.limits import load_limits
from slipstream.risk.setup import load_portfolio, seed_positions_of
from slipstream.session import run_session, summarize


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``simulate`` command."""
    p = subparsers.add_parser(
        "simulate",
        help="replay an orders file against market data through the full order path",
        description=(
            "Replay ORDERS (CSV or JSON Lines) against DATA (a market data file or folder) "
            "through the OMS, pre-trade risk, journal and the simulated venue; print every "
            "order's status (denials with their reason code), fills and the final positions."
        ),
    )
    p.add_argument("orders", type=Path, metavar="ORDERS", help="orders file (.csv or .jsonl)")
    p.add_argument(
        "--market", type=Path, required=True, metavar="DATA", help="market data file or folder"
    )
    p.add_argument(
        "--journal", type=Path, metavar="FILE", help="write the journal to FILE (SQLite)"
    )
    p.add_argument("--latency-ms", type=float, default=0.0, help="submit→venue latency (default 0)")
    p.add_argument(
        "--cash",
        type=Decimal,
        default=Decimal(10_000_000),
        help="starting cash (default 10,000,000)",
    )
    p.add_argument(
        "--session",
        choices=("regular", "all"),
        default="all",
        help="market hours to replay (default all)",
    )
    p.add_argument(
        "--portfolio", type=Path, metavar="FILE", help="starting cash and positions (JSON)"
    )
    p.add_argument(
        "--limits", type=Path, metavar="FILE", help="risk limits (TOML; default limits if omitted)"
    )
    add_state_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the simulation and print the summary."""
    if args.latency_ms < 0:
        raise InputError("--latency-ms", args.latency_ms, "must be >= 0")
    symbols = symbols_in(args.orders)
    market = load_market(args.market, symbols=symbols or None, session=args.session)
    instruments = instruments_for(set(market.symbols()))
    orders = read_orders(args.orders, instruments)
    span = market.span_ns()
    start = min([o.submit_at_ns for o in orders] + ([span[0]] if span else [0])) - 1
    cash: Decimal = args.cash
    seeds: tuple[SeedPosition, ...] = ()
    if args.portfolio is not None:
        start_portfolio = load_portfolio(args.portfolio)
        cash, seeds = start_portfolio.cash, seed_positions_of(start_portfolio)
    limits = load_limits(args.limits)  # a bad limits file stops here, before anything runs

    def risk(node: SimNode) -> RiskEngine:
        store, clock, bus = node.oms.store, node.clock, node.bus
        return RiskEngine(
            node.portfolio, instruments, store, clock, bus, limits=limits, state_path=args.state
        )

    latency_ns = int(args.latency_ms * 1e6)
    settings = SimSettings(
        cash=cash, seed_positions=seeds, latency_ns=latency_ns, journal_path=args.journal
    )
    node = SimNode(instruments, settings, start_ns=start, risk=risk)
    run_session(
        node, market, orders, progress=lambda n: print(f"  replayed {n:,} records", file=sys.stderr)
    )
    summary = summarize(node.oms.store, node.portfolio)
    node.close()
    if getattr(args, "json", False):
        print(to_json(summary.as_dict()))
    else:
        print(render_text(summary))
    return 0
