"""Shared output helpers for CLI commands: JSON (from :mod:`slipstream.core.jsontext`), a table
and progress of long work (from :mod:`slipstream.core.progress`).

A table is plain aligned text unless stdout is a terminal (and ``NO_COLOR`` is not set): then it
is drawn by ``rich``, wrapped to the terminal's width, with denials, rejections and breaches in
red. Pipes, files and the README therefore always get the plain text. Progress goes to stderr:
``rich`` progress bars on a terminal, otherwise a few plain lines.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from slipstream.core.jsontext import to_json
from slipstream.core.progress import is_terminal, work

if TYPE_CHECKING:  # rich is imported only when a terminal is drawn on (it costs start-up time)
    from rich.console import Console

__all__ = ["is_terminal", "table", "to_json", "work"]

#: Cell values that say something was refused or failed: drawn in red (the whole row too).
BAD = frozenset({"denied", "rejected", "reject", "refused", "breach", "breached", "failed"})
#: Cell values of work that ended without (all of) its fills: drawn in yellow.
WARN = frozenset({"cancelled", "expired", "paused", "halted"})
#: Cell values of work done or passed: drawn in green.
GOOD = frozenset({"filled", "completed", "accept", "accepted", "pass", "passed", "ok"})


def _colour_wanted() -> bool:
    return is_terminal(sys.stdout) and not os.environ.get("NO_COLOR")


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], console: Console | None = None
) -> str:
    """Return ``rows`` under ``headers`` as a table, numeric columns right-aligned.

    Plain aligned text (no escape codes) unless the output is a terminal with colour: stdout,
    or ``console`` when given (a ``rich`` Console; its ``force_terminal``, ``width`` and
    ``no_color`` decide).
    """
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    numeric = [
        all(_is_number(row[i]) for row in cells[1:] if row[i]) and len(cells) > 1
        for i in range(len(headers))
    ]
    if console is None:
        if not _colour_wanted():
            return _plain(cells, numeric)
        from rich.console import Console

        console = Console()
    if not console.is_terminal or console.no_color:
        return _plain(cells, numeric)
    return _rich(cells, numeric, console)


def _plain(cells: list[list[str]], numeric: list[bool]) -> str:
    widths = [max(len(row[i]) for row in cells) for i in range(len(numeric))]
    lines = []
    for n, row in enumerate(cells):
        parts = [
            cell.rjust(w) if num else cell.ljust(w)
            for cell, w, num in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _rich(cells: list[list[str]], numeric: list[bool], console: Console) -> str:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    headers, body = cells[0], cells[1:]
    grid = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),  # with the box's blank column rule: two spaces, as in plain text
        header_style="bold",
    )
    for head, num in zip(headers, numeric, strict=True):
        # fold: a cell too wide for the terminal wraps onto more lines, never loses characters
        grid.add_column(head, justify="right" if num else "left", overflow="fold")
    headroom = [("headroom" in h.lower()) for h in headers]
    for row in body:
        bad_row = any(c.lower() in BAD for c in row)
        styled = [Text(c, style=_style(c, hr)) for c, hr in zip(row, headroom, strict=True)]
        grid.add_row(*styled, style="red" if bad_row else None)
    with console.capture() as captured:
        console.print(grid)
    return captured.get().rstrip("\n")


def _style(cell: str, headroom: bool) -> str:
    word = cell.lower()
    if word in BAD or (headroom and _is_number(cell) and float(cell.replace(",", "")) < 0):
        return "bold red"
    if word in WARN:
        return "yellow"
    if word in GOOD:
        return "green"
    return ""


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
