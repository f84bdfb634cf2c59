"""``slipstream replay JOURNAL``: verify a journal and rebuild orders and positions from it."""

from __future__ import annotations

import argparse
from pathlib import Path

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import to_json
from slipstream.cli.session_view import render_text
from slipstream.core.errors import InputError, JournalError
from slipstream.kernel.rebuild import rebuild
from slipstream.kernel.session import summarize
from slipstream.marketdata.reference import instruments_for, sector_map
from slipstream.store.inspection import JournalStatus, inspect_journal
from slipstream.store.locations import describe, journal_location


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``replay`` command."""
    p = subparsers.add_parser(
        "replay",
        help="verify a journal and rebuild orders and positions from it (read-only)",
        description=(
            "Read the journal without writing to it (read-only media and full disks are fine), "
            "verify its hash chain, say whether it closed cleanly or where it ends, then fold "
            "every recorded event through the same code as live trading and print the orders "
            "and positions it yields. Exits 0 only for a journal that closed cleanly; a journal "
            "cut short, empty, broken or not a Slipstream journal exits with the journal error "
            "code (6)."
        ),
    )
    p.add_argument(
        "journal",
        type=journal_location,
        metavar="JOURNAL",
        help="journal file (SQLite), or a postgresql:// URL",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Rebuild and print the state recorded in the journal."""
    if isinstance(args.journal, Path) and not args.journal.is_file():
        raise InputError("JOURNAL", describe(args.journal), "must be an existing journal file")
    found = inspect_journal(args.journal)
    if found.status not in (JournalStatus.CLOSED, JournalStatus.OPEN):
        raise JournalError(
            f"journal {describe(args.journal)}: {found.status.value}: {found.detail}"
        )
    state = rebuild(found.records, instruments_for(set(sector_map())))
    summary = summarize(state.oms.store, state.portfolio)
    code = 0 if found.ok else JournalError.exit_code
    if getattr(args, "json", False):
        print(
            to_json(
                {
                    "journal": describe(args.journal),
                    "status": found.status.value,
                    "detail": found.detail,
                    "records": found.count,
                    "restarts": found.restarts,
                    **summary.as_dict(),
                }
            )
        )
    else:
        print(
            f"journal {describe(args.journal)}: {found.count} records, hash chain verified, {found.detail}"
        )
        if not found.ok:
            print("  the session did not end normally: resume it, or treat it as cut short")
        print()
        print(render_text(summary))
    return code
