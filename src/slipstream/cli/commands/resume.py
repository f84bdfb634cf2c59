"""``slipstream resume``: set the persisted trading state back to ACTIVE (risk officer)."""

from __future__ import annotations

import argparse

from slipstream.cli.commands.halt import add_state_arguments, apply_state_command
from slipstream.risk.state import StateTrigger


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``resume`` command."""
    p = subparsers.add_parser(
        "resume",
        help="resume trading after a halt (risk officer, reason mandatory)",
        description="Record ACTIVE in a stopped engine's journal, with user and reason.",
    )
    add_state_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Resume trading."""
    return apply_state_command(args, StateTrigger.RESUME)
