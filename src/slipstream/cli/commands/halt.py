"""``slipstream halt``: set the persisted trading state to HALTED (risk officer, with a reason).

Slipstream has no long-running daemon: ``halt``, ``reduce`` and ``resume`` write the trading
state file (default ``out/trading_state.json``) that ``simulate`` and ``demo`` read at start;
the file keeps every change with user, reason and time.
"""

from __future__ import annotations

import argparse
import os

from slipstream.cli.main import add_json_flag, add_state_flag
from slipstream.cli.output import to_json
from slipstream.core.clock import LiveClock
from slipstream.risk.state import (
    RISK_OFFICER,
    StateTrigger,
    User,
    change_state_file,
    read_state_file,
)


def add_state_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments shared by ``halt``, ``reduce`` and ``resume``."""
    p.add_argument("--reason", required=True, help="why (mandatory; recorded)")
    p.add_argument("--user", default=os.environ.get("USER", "unknown"), help="who (default: $USER)")
    p.add_argument(
        "--role",
        default=RISK_OFFICER,
        help=f"the user's role; only {RISK_OFFICER} may change the state (default {RISK_OFFICER})",
    )
    add_state_flag(p)
    add_json_flag(p)


def apply_state_command(args: argparse.Namespace, trigger: StateTrigger) -> int:
    """Apply ``trigger`` to the state file and print the outcome."""
    change = change_state_file(
        args.state, trigger, User(args.user, args.role), args.reason, LiveClock().timestamp_ns()
    )
    state, _history = read_state_file(args.state)
    payload = {
        "state": state.value,
        "changed": change is not None,
        "previous": change.previous if change else state.value,
        "user": args.user,
        "reason": args.reason.strip(),
        "state_file": str(args.state),
    }
    if getattr(args, "json", False):
        print(to_json(payload))
    elif change is None:
        print(f"trading state already {state.value} ({args.state}); nothing changed")
    else:
        print(f"trading state {change.previous} -> {change.state} by {args.user}: {change.reason}")
        print(f"recorded in {args.state}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``halt`` command."""
    p = subparsers.add_parser(
        "halt",
        help="halt trading: no new orders (risk officer, reason mandatory)",
        description=(
            "Set the persisted trading state to HALTED: the next simulate/demo starts halted "
            "and denies every order with reason code trading_state."
        ),
    )
    add_state_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Halt trading."""
    return apply_state_command(args, StateTrigger.HALT)
