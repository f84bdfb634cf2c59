"""Numbers formatted by their unit, and readable labels for column names and urgencies.

Shares and counts get thousands separators, bps two decimals, money cents, percentages one
decimal; a value that rounds to zero prints without a sign (never ``-0.00``); a missing value
(None, NaN, empty) prints as an empty cell. Column names such as ``paper_notional_usd`` read
as ``Paper notional ($)``.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

ACRONYMS = {"vwap": "VWAP", "twap": "TWAP", "pwp": "PWP", "id": "ID", "adv": "ADV", "usd": "USD"}
UNIT_SUFFIXES = (("_usd", "$"), ("_bps", "bps"), ("_pct", "%"), ("_secs", "s"))
COUNT_COLUMNS = frozenset(
    {
        "parents",
        "fills",
        "quantity",
        "executed_qty",
        "n_fills",
        "n_children",
        "n_venues",
        "interval_volume",
        "day_volume",
        "avg_fill_size",
        "cumulative",
        "expected_volume",
    }
)
LABELS = {
    "parent_id": "Parent",
    "symbol": "Symbol",
    "side": "Side",
    "algo": "Algorithm",
    "urgency": "Urgency",
    "day": "Day",
    "size_bucket": "Size bucket",
    "parents": "Parents",
    "quantity": "Quantity (sh)",
    "executed_qty": "Executed (sh)",
    "paper_notional_usd": "Paper notional ($)",
    "executed_notional_usd": "Executed notional ($)",
    "shortfall_usd": "Shortfall ($)",
    "shortfall_bps": "Shortfall (bps)",
    "fill_rate_pct": "Fill rate (%)",
    "participation_pct": "Participation (%)",
    "avg_price": "Average price ($)",
}
URGENCY_NAMES = {0.0: "low", 0.5: "medium", 1.0: "high"}


def _number(value: object) -> float | None:
    """Return ``value`` as a finite float, or None when it is missing or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fixed(value: float, decimals: int, separators: bool = True) -> str:
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0.00"
    return f"{rounded:,.{decimals}f}" if separators else f"{rounded:.{decimals}f}"


def format_shares(value: object) -> str:
    """Return a share quantity or a count with thousands separators: ``10,942,660``."""
    number = _number(value)
    return "" if number is None else _fixed(number, 0)


def format_bps(value: object) -> str:
    """Return basis points with two decimals: ``-3.48``, ``0.00`` (never ``-0.00``)."""
    number = _number(value)
    return "" if number is None else _fixed(number, 2)


def format_pct(value: object, decimals: int = 1) -> str:
    """Return a percentage (already ×100) with ``decimals`` decimals and no sign on zero."""
    number = _number(value)
    return "" if number is None else _fixed(number, decimals)


def format_usd(value: object, symbol: bool = True) -> str:
    """Return dollars with cents and separators: ``$10,942,660.00``, ``-$49.50``.

    Exact decimal strings (``"10942660.000000"``) and ``Decimal`` values are rounded exactly.
    """
    if isinstance(value, str | Decimal) and not isinstance(value, bool):
        try:
            exact = Decimal(value).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            return ""
        if not exact.is_finite():
            return ""
        negative = exact < 0 and exact != 0
        text = f"{abs(exact):,.2f}"
    else:
        number = _number(value)
        if number is None:
            return ""
        text = _fixed(abs(number), 2)
        negative = round(number, 2) < 0
    return ("-" if negative else "") + ("$" if symbol else "") + text


def format_price(value: object) -> str:
    """Return a price in dollars: two decimals on a cent, otherwise four."""
    number = _number(value)
    if number is None:
        return ""
    decimals = 2 if abs(number * 100 - round(number * 100)) < 1e-6 else 4
    return "$" + _fixed(number, decimals)


def urgency_label(value: object) -> str:
    """Return ``low``, ``medium`` or ``high`` for urgency 0, 0.5 and 1, else the number."""
    number = _number(value)
    if number is None:
        text = str(value) if value is not None else ""
        return text or "(none)"
    for level, name in URGENCY_NAMES.items():
        if abs(number - level) < 1e-9:
            return name
    return f"{number:.2f}"


def column_label(column: str) -> str:
    """Return a readable header for a column name: ``vs_interval_vwap_bps`` → ``vs interval
    VWAP (bps)``."""
    if column in LABELS:
        return LABELS[column]
    unit = ""
    stem = column
    for suffix, name in UNIT_SUFFIXES:
        if column.endswith(suffix):
            stem, unit = column[: -len(suffix)], f" ({name})"
            break
    if column.endswith("_benchmark"):
        stem, unit = column[: -len("_benchmark")], " benchmark ($)"
    words = [ACRONYMS.get(word, word) for word in stem.split("_") if word]
    if words and words[0] != "vs" and words[0] not in ACRONYMS.values():
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + unit


def is_numeric_column(column: str) -> bool:
    """Return whether a column holds numbers (right-aligned in a table)."""
    return (
        column in COUNT_COLUMNS
        or column.endswith(("_usd", "_bps", "_pct", "_secs", "_price", "_benchmark"))
        or column == "avg_price"
    )


def format_cell(column: str, value: object) -> str:
    """Return one table cell formatted by the unit its column name carries."""
    if column == "urgency":
        return urgency_label(value)
    if column in COUNT_COLUMNS:
        return format_shares(value)
    if column.endswith("_usd"):
        return format_usd(value, symbol=False)
    if column.endswith("_bps"):
        return format_bps(value)
    if column.endswith("_pct"):
        return format_pct(value)
    if column.endswith("_secs"):
        return format_shares(value)
    if column.endswith(("_price", "_benchmark")) or column == "avg_price":
        return format_price(value)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    text = str(value)
    return text if text else "(none)"
