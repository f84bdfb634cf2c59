"""Entry point of the ``slipstream`` command.

Each module in :mod:`slipstream.cli.commands` defines ``register(subparsers)`` and sets
``func`` on its parser; adding a command is adding a module. Every command accepts ``--json``.
Errors from the :mod:`slipstream.core.errors` tree become their exit code and one clear line on
stderr (or a JSON object with ``--json``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import pkgutil
import sys
from collections.abc import Sequence

from slipstream.cli import commands
from slipstream.core.errors import SlipstreamError


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every command module registered."""
    parser = argparse.ArgumentParser(
        prog="slipstream",
        description="Slipstream: adaptive execution engine for equities.",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument(
        "--version",
        action="store_true",
        help='print the installed version (with --json: {"version": ...}) and exit',
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Give a sub-command its own ``--json`` flag (``slipstream CMD --json`` works too)."""
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print machine-readable JSON"
    )


def version() -> str:
    """Return the installed package's version (its distribution metadata)."""
    try:
        return importlib.metadata.version("slipstream")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        if args.json:
            print(json.dumps({"version": version()}))
        else:
            print(f"slipstream {version()}")
        return 0
    if args.command is None:
        parser.error("the following arguments are required: COMMAND")
    try:
        code: int = args.func(args)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do; point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SlipstreamError as exc:
        if getattr(args, "json", False):
            payload = {"error": type(exc).__name__, "message": str(exc), "exit_code": exc.exit_code}
            print(json.dumps(payload), file=sys.stderr)
        else:
            print(f"slipstream: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return code


if __name__ == "__main__":
    sys.exit(main())
