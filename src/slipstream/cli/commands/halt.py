"""``slipstream halt``: halt an engine that is not running (risk officer, with a reason).

``halt``, ``reduce`` and ``resume`` record a ``TradingStateChanged`` (who, why, when) in the
journal of the engine they apply to; the engine takes that state when it restarts. A running
engine holds its journal's lock, so these refuse it (halt a running engine through its own
controls).
"""

from __future__ import annotations

import argparse
import os

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import to_json
from slipstream.core.clock import LiveClock
from slipstream.kernel.controls import record_state_change
from slipstream.risk.state import RISK_OFFICER, StateTrigger, User
from slipstream.store.locations import describe, journal_location


def add_state_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments shared by ``halt``, ``reduce`` and ``resume``."""
    p.add_argument("--reason", required=True, help="why (mandatory; recorded)")
    p.add_argument("--user", default=os.environ.get("USER", "unknown"), help="who (default: $USER)")
    p.add_argument(
        "--role",
        default=RISK_OFFICER,
        help=f"the user's role; only {RISK_OFFICER} may change the state (default {RISK_OFFICER})",
    )
    p.add_argument(
        "--journal",
        type=journal_location,
        required=True,
        metavar="FILE",
        help="journal of the (stopped) live engine the change applies to",
    )
    add_json_flag(p)


def apply_state_command(args: argparse.Namespace, trigger: StateTrigger) -> int:
    """Record ``trigger`` in the engine's journal and print the outcome."""
    outcome = record_state_change(
        args.journal, trigger, User(args.user, args.role), args.reason, LiveClock().timestamp_ns()
    )
    change = outcome.change
    payload = {
        "state": outcome.state.value,
        "changed": change is not None,
        "previous": change.previous if change else outcome.state.value,
        "user": args.user,
        "reason": args.reason.strip(),
        "journal": describe(args.journal),
    }
    if getattr(args, "json", False):
        print(to_json(payload))
    elif change is None:
        print(
            f"trading state already {outcome.state.value} ({describe(args.journal)}); nothing changed"
        )
    else:
        print(f"trading state {change.previous} -> {change.state} by {args.user}: {change.reason}")
        print(f"recorded in {describe(args.journal)}; the engine takes it when it starts")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``halt`` command."""
    p = subparsers.add_parser(
        "halt",
        help="halt trading: no new orders (risk officer, reason mandatory)",
        description=(
            "Record HALTED in a stopped engine's journal: when it restarts it denies every new "
            "order with reason code trading_state until a risk officer resumes it."
        ),
    )
    add_state_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Halt trading."""
    return apply_state_command(args, StateTrigger.HALT)
