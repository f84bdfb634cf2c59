"""What a TCA run produced, and its headline rows (shared by the report, its HTML and the CLI)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from slipstream.tca.conventions import CONVENTION
from slipstream.tca.engine import PARTS, TcaOptions
from slipstream.tca.records import Exclusion, ShortfallBreakdown


@dataclass(frozen=True, slots=True)
class TcaResult:
    """Everything a TCA run produced: per-parent and per-fill frames, exact breakdowns,
    notional-weighted aggregates, exclusions, and the files written (if any)."""

    parents: pd.DataFrame
    fills: pd.DataFrame
    breakdowns: dict[str, ShortfallBreakdown]
    exclusions: list[Exclusion]
    summary: dict[str, object]
    aggregates: dict[str, pd.DataFrame]
    options: TcaOptions
    files: dict[str, Path] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Return the summary, aggregates, parents and exclusions as JSON-ready data."""
        return {
            "convention": CONVENTION,
            "options": {
                "end_price": self.options.end_price,
                "horizons_secs": list(self.options.horizons_secs),
                "default_participation": self.options.default_participation,
            },
            "summary": _clean(self.summary),
            "exclusions": [{"parent_id": e.parent_id, "reason": e.reason} for e in self.exclusions],
            "aggregates": {k: _records(v) for k, v in self.aggregates.items()},
            "parents": _records(self.parents),
            "files": {k: str(v) for k, v in self.files.items()},
        }


def _clean(value: object) -> object:
    """Return ``value`` with NaN as None and numpy scalars as Python numbers (valid JSON)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, Decimal | str | bool) or value is None:
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[object]:
    return [_clean(row) for row in frame.to_dict(orient="records")]


def summary_rows(result: TcaResult) -> list[tuple[str, str]]:
    """Return the headline figures as (label, value) rows for a console table."""
    s = result.summary
    if not s.get("parents"):
        return [("parents analysed", "0"), ("parents excluded", str(len(result.exclusions)))]

    def bps(key: str) -> str:
        value = s.get(key)
        return f"{value:.2f}" if isinstance(value, float) and math.isfinite(value) else "n/a"

    rows = [
        ("parents analysed", str(s["parents"])),
        ("parents excluded", str(len(result.exclusions))),
        ("fills", str(s.get("fills", 0))),
        ("paper notional $", f"{s['paper_notional_usd']:,.2f}"),
        ("executed notional $", f"{s['executed_notional_usd']:,.2f}"),
        ("fill rate %", bps("fill_rate_pct")),
        ("implementation shortfall $", f"{s['shortfall_usd']:,.2f}"),
        ("implementation shortfall bps", bps("shortfall_bps")),
    ]
    rows += [(f"  {part} bps", bps(f"{part}_bps")) for part in PARTS]
    rows += [
        (f"vs {name.replace('_', ' ')} bps", bps(f"vs_{name}_bps"))
        for name in ("arrival", "interval_vwap", "interval_twap", "day_vwap", "close", "pwp")
    ]
    rows += [
        (f"markout {key[len('markout_') : -len('_bps')]} bps", bps(key))
        for key in s
        if key.startswith("markout_")
    ]
    return rows
