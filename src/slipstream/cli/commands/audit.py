"""``slipstream audit verify|export JOURNAL``: prove a journal intact; export its audit trail."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import to_json
from slipstream.core.errors import InputError, JournalError
from slipstream.store.audit import COLUMNS, AuditTrail, write_csv, write_parquet
from slipstream.store.inspection import JournalInspection, JournalStatus, inspect_journal
from slipstream.store.locations import JournalLocation, describe, journal_location
from slipstream.store.records import SessionStarted


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``audit`` command and its ``verify`` and ``export`` sub-commands."""
    p = subparsers.add_parser(
        "audit",
        help="verify a journal's integrity, or export its audit trail (CSV and Parquet)",
        description=(
            "Read a journal without writing to it. `verify` checks every batch's keyed MAC, "
            "the sequence and the signed head, and exits 0 only for a complete, signed journal "
            "that closed cleanly. `export` writes every order's life cycle and every manual "
            "action as audit.csv and audit.parquet."
        ),
    )
    add_json_flag(p)
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check the journal end to end; name any tampering")
    export = actions.add_parser("export", help="write the audit trail as CSV and Parquet")
    for sub in (verify, export):
        sub.add_argument(
            "journal",
            type=journal_location,
            metavar="JOURNAL",
            help="journal file (SQLite) or postgresql:// URL",
        )
        add_json_flag(sub)
    verify.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="accept a format-1 journal (unkeyed chain, no signed head) if its chain holds",
    )
    verify.set_defaults(func=run_verify)
    export.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for audit.csv/.parquet"
    )
    export.set_defaults(func=run_export)


def _inspect(location: JournalLocation) -> JournalInspection:
    if isinstance(location, Path) and not location.exists():
        raise InputError("JOURNAL", str(location), "must be an existing journal file")
    return inspect_journal(location)


def run_verify(args: argparse.Namespace) -> int:
    """Verify the journal and print the verdict."""
    found = _inspect(args.journal)
    intact = found.status in (JournalStatus.CLOSED, JournalStatus.OPEN)
    ok = found.status is JournalStatus.CLOSED and (found.signed or args.allow_unsigned)
    verdict: dict[str, Any] = {
        "journal": describe(args.journal),
        "verified": ok,
        "status": found.status.value,
        "signed": found.signed,
        "records": found.count,
        "detail": found.detail,
    }
    if getattr(args, "json", False):
        print(to_json(verdict))
    else:
        mark = "VERIFIED" if ok else "NOT VERIFIED"
        signed = "signed (keyed MAC chain, signed head)" if found.signed else "unsigned (format 1)"
        print(f"{mark}: journal {describe(args.journal)}: {found.detail}")
        if intact:
            print(f"  {found.count} records, {signed}")
    if not ok:
        print(f"slipstream: journal not verified: {found.detail}", file=sys.stderr)
    return 0 if ok else JournalError.exit_code


def run_export(args: argparse.Namespace) -> int:
    """Write audit.csv and audit.parquet for a journal whose chain and head hold."""
    found = _inspect(args.journal)
    if found.status not in (JournalStatus.CLOSED, JournalStatus.OPEN):
        raise JournalError(
            f"journal {describe(args.journal)}: {found.status.value}: {found.detail}"
        )
    session = found.session
    account = session.fingerprint.get("account", "") if isinstance(session, SessionStarted) else ""
    rows = list(AuditTrail(account).rows(found.numbered()))
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = args.out / "audit.csv", args.out / "audit.parquet"
    write_csv(rows, csv_path)
    write_parquet(rows, parquet_path)
    payload = {
        "journal": describe(args.journal),
        "status": found.status.value,
        "rows": len(rows),
        "columns": list(COLUMNS),
        "files": {"csv": str(csv_path), "parquet": str(parquet_path)},
    }
    if getattr(args, "json", False):
        print(to_json(payload))
    else:
        print(f"{len(rows)} audit rows from {describe(args.journal)} ({found.detail})")
        print(f"  {csv_path}\n  {parquet_path}")
    return 0
