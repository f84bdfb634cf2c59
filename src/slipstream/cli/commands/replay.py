"""``slipstream replay JOURNAL``: rebuild orders and positions from a journal."""

from __future__ import annotations

import argparse
from pathlib import Path

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import to_json
from slipstream.cli.session_view import render_text
from slipstream.core.errors import InputError
from slipstream.marketdata.reference import instruments_for, sector_map
from slipstream.session import summarize
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal
from slipstream.store.recovery import rebuild


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``replay`` command."""
    p = subparsers.add_parser(
        "replay",
        help="rebuild orders and positions from a journal",
        description=(
            "Verify the journal's hash chain, then fold every recorded event through the same "
            "code as live trading and print the orders and positions it yields."
        ),
    )
    p.add_argument("journal", type=Path, metavar="JOURNAL", help="journal file (SQLite)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Rebuild and print the state recorded in the journal."""
    if not args.journal.is_file():
        raise InputError("JOURNAL", str(args.journal), "must be an existing journal file")
    journal = Journal(SQLiteBackend(args.journal))
    state = rebuild(journal, instruments_for(set(sector_map())))
    journal.close()
    summary = summarize(state.oms.store, state.portfolio)
    if getattr(args, "json", False):
        print(to_json({"records": state.records, **summary.as_dict()}))
    else:
        print(f"journal {args.journal}: {state.records} records, hash chain verified\n")
        print(render_text(summary))
    return 0
