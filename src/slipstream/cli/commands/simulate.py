"""``slipstream simulate ORDERS --market DATA``: work an orders file against real market data."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from slipstream.algos.estimate import profiles_before_each_day
from slipstream.cli.main import add_json_flag
from slipstream.cli.output import to_json, work
from slipstream.cli.session_view import render_text
from slipstream.core.bounds import latency_ns_from_ms
from slipstream.core.errors import InputError
from slipstream.kernel import KernelSettings, SimKernel, VenueSettings
from slipstream.kernel.fingerprint import check_same_session, file_digest
from slipstream.kernel.orders_file import OrdersFile, read_orders_file, symbols_in
from slipstream.kernel.session import SessionSummary, run_session, summarize_kernel
from slipstream.marketdata.reference import instruments_for
from slipstream.marketdata.replay import (
    MarketReplay,
    check_within_data,
    load_market,
    parse_window,
)
from slipstream.model.instrument import InstrumentTable
from slipstream.model.values import money
from slipstream.portfolio.records import SeedPosition
from slipstream.risk.limits import load_limits
from slipstream.risk.setup import load_portfolio, seed_positions_of
from slipstream.store.inspection import JournalStatus, has_records, inspect_journal
from slipstream.store.locations import JournalLocation, journal_location

#: Records per group commit of a simulated session's journal: a crash loses at most this many
#: minus one, and ``--resume`` regenerates them.
DEFAULT_GROUP = 1024


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``simulate`` command."""
    p = subparsers.add_parser(
        "simulate",
        help="work an orders file (orders and parents) against market data, end to end",
        description=(
            "Work ORDERS (CSV or JSON Lines: single orders, parent orders with an algo column, "
            "and actions on them) against DATA (a market data file or folder, searched "
            "recursively) through the kernel: OMS, pre-trade risk with its kill switch, the "
            "algorithm engine, journal and the simulated venue; print every order's status, "
            "every parent's progress and cost, and the final positions. With --journal and "
            "--resume, a killed run continues where its journal ends and finishes exactly as "
            "an uninterrupted run would."
        ),
    )
    p.add_argument("orders", type=Path, metavar="ORDERS", help="orders file (.csv or .jsonl)")
    p.add_argument(
        "--market", type=Path, required=True, metavar="DATA", help="market data file or folder"
    )
    p.add_argument(
        "--date", metavar="YYYY-MM-DD", help="replay only this New York trading day of DATA"
    )
    p.add_argument(
        "--start", metavar="TIME", help="replay from TIME (HH:MM[:SS] on --date, or ISO-8601)"
    )
    p.add_argument("--end", metavar="TIME", help="replay until TIME (exclusive), like --start")
    p.add_argument(
        "--journal",
        type=journal_location,
        metavar="FILE",
        help="journal the session to FILE (SQLite), or to a postgresql:// URL",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the session journalled in --journal FILE (same command) after a crash",
    )
    p.add_argument(
        "--group-commit",
        type=int,
        default=DEFAULT_GROUP,
        metavar="N",
        help=f"journal records per commit; a crash loses at most N-1 (default {DEFAULT_GROUP})",
    )
    p.add_argument("--latency-ms", default="0", help="submit→venue latency, ms (default 0)")
    p.add_argument("--cash", default="10000000", help="starting cash (default 10,000,000)")
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
    add_json_flag(p)
    p.set_defaults(func=run)


def _fingerprint(args: argparse.Namespace) -> dict[str, str]:
    """Return every input that determines the session, as text."""
    inputs = {
        "orders": file_digest([args.orders]),
        "market": file_digest([args.market]),
        "session": args.session,
        "window": f"{args.date or ''} {args.start or ''} {args.end or ''}",
        "latency_ms": str(args.latency_ms),
        "cash": str(args.cash),
        "group_commit": str(args.group_commit),
    }
    for name in ("portfolio", "limits"):
        path = getattr(args, name)
        inputs[name] = file_digest([path]) if path is not None else ""
    return inputs


def _check_times(work: OrdersFile, span: tuple[int, int] | None, dates: list[str]) -> None:
    """Refuse any time of the file outside the replayed trading days (not a fill years later)."""
    for order in work.orders:
        check_within_data("submit_at", order.submit_at_ns, span, order.spec.client_order_id, dates)
    for timed in work.parents:
        check_within_data("start", timed.parent.start_ns, span, timed.parent.parent_id, dates)
    for action in work.actions:
        check_within_data("submit_at", action.at_ns, span, action.target, dates)


@dataclass(frozen=True, slots=True)
class SimulationPlan:
    """Everything a simulated session is made of, loaded and validated; run it any number of
    times (the crash harness runs one plan again and again)."""

    market: MarketReplay
    instruments: InstrumentTable
    work: OrdersFile
    settings: KernelSettings
    venue: VenueSettings
    start_ns: int

    def with_journal(
        self, path: JournalLocation, resume: bool, group_size: int | None = None
    ) -> SimulationPlan:
        """Return the plan journalling to ``path`` (re-executing over it when ``resume``).

        Resuming a journal that holds no committed record (a run killed before its first
        commit) starts the session afresh: there is nothing to verify and nothing was lost.
        """
        settings = dataclasses.replace(
            self.settings,
            journal_path=path,
            journal_mode="verify" if resume and has_records(path) else "new",
            journal_group_size=group_size or self.settings.journal_group_size,
        )
        return dataclasses.replace(self, settings=settings)

    def execute(self, progress: Callable[[int], None] | None = None) -> SessionSummary:
        """Run the session to its end and return its summary (the journal closed cleanly)."""
        kernel = SimKernel(self.instruments, self.settings, self.venue, self.start_ns)
        run_session(kernel, self.market, self.work, progress)
        summary = summarize_kernel(kernel)
        kernel.close()
        return summary


def prepare(args: argparse.Namespace) -> SimulationPlan:
    """Load and validate everything the command asks for; nothing runs yet."""
    latency_ns = latency_ns_from_ms(args.latency_ms, "--latency-ms")
    if args.group_commit < 1 or args.group_commit > 1_000_000:
        raise InputError("--group-commit", args.group_commit, "must be in [1, 1000000]")
    if args.resume and args.journal is None:
        raise InputError("--resume", True, "needs --journal FILE (the journal to resume)")
    symbols = symbols_in(args.orders)  # an unreadable or non-UTF-8 orders file stops here
    start_ns, end_ns = parse_window(args.date, args.start, args.end)
    market = load_market(
        args.market,
        symbols=symbols or None,
        session=args.session,
        date=args.date,
        start_ns=start_ns,
        end_ns=end_ns,
    )
    fingerprint = _fingerprint(args)
    if args.resume:
        found = inspect_journal(args.journal)
        if found.status is JournalStatus.EMPTY:
            print(f"journal {args.journal} holds no record yet: starting afresh", file=sys.stderr)
        elif found.status not in (JournalStatus.OPEN, JournalStatus.CLOSED):
            raise InputError("--journal", str(args.journal), f"cannot be resumed: {found.detail}")
        elif found.session is None or found.session.mode != "simulation":
            raise InputError("--journal", str(args.journal), "does not hold a simulated session")
        else:
            check_same_session(found.session.fingerprint, fingerprint)
    instruments = instruments_for(set(market.symbols()))
    work = read_orders_file(args.orders, instruments)
    span = market.span_ns()
    _check_times(work, span, market.dates())
    start = min([*work.times(), *([span[0]] if span else [0])]) - 1
    cash: Decimal = money(args.cash, "--cash")
    seeds: tuple[SeedPosition, ...] = ()
    if args.portfolio is not None:
        start_portfolio = load_portfolio(args.portfolio)
        cash, seeds = start_portfolio.cash, seed_positions_of(start_portfolio)
    settings = KernelSettings(
        cash=cash,
        seed_positions=seeds,
        journal_path=args.journal,
        journal_mode="verify" if args.resume and has_records(args.journal) else "new",
        journal_group_size=args.group_commit,
        limits=load_limits(args.limits),  # a bad limits file stops here, before anything runs
        profile_source=profiles_before_each_day(),
        fingerprint=fingerprint,
    )
    return SimulationPlan(
        market, instruments, work, settings, VenueSettings(latency_ns=latency_ns), start
    )


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the simulation and print the summary."""
    with work("loading market data and orders"):
        plan = prepare(args)
    with work(
        "replaying", total=len(plan.market), every=lambda n: f"  replayed {n:,} records"
    ) as advance:
        summary = plan.execute(advance)
    if getattr(args, "json", False):
        print(to_json(summary.as_dict()))
    else:
        print(render_text(summary))
    return 0
