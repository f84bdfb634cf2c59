"""``slipstream reduce``: allow only exposure-reducing orders (risk officer, with a reason)."""

from __future__ import annotations

import argparse

from slipstream.cli.commands.halt import add_state_arguments, apply_state_command
from slipstream.risk.state import StateTrigger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``reduce`` command."""
    p = subparsers.add_parser(
        "reduce",
        help="only exposure-reducing orders may go out (risk officer, reason mandatory)",
        description="Record REDUCING in a stopped engine's journal, with user and reason.",
    )
    add_state_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Set trading to reducing."""
    return apply_state_command(args, StateTrigger.REDUCE)
