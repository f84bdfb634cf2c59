"""Shared output helpers for CLI commands: JSON (from :mod:`slipstream.core.jsontext`) or a table."""

from __future__ import annotations

from collections.abc import Sequence

from slipstream.core.jsontext import to_json

__all__ = ["table", "to_json"]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a plain-text table with right-aligned numeric columns."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [
        all(_is_number(row[i]) for row in cells[1:] if row[i]) and len(cells) > 1
        for i in range(len(headers))
    ]
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


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
