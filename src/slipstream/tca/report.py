"""The TCA entry points: analyse parents and fills against market data, and write the report.

:func:`build_tca_report` is the one Python API (the ``slipstream tca`` command and the demo both
call it): it takes records or frames, runs the engine, aggregates, and — given an output
folder — writes ``tca_parents.csv``, ``tca_fills.csv``, ``tca_by_<grouping>.csv``,
``tca_summary.json`` and the self-contained ``tca_report.html``.

Sign convention (every figure): cost > 0, improvement < 0, in bps of the benchmark's notional,
signed by side; shortfall parts in bps of the paper portfolio.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import pandas as pd

from slipstream.core.jsontext import json_default
from slipstream.model.market import MarketRecord
from slipstream.tca.aggregate import GROUPINGS, aggregate, included, overall
from slipstream.tca.conventions import CONVENTION
from slipstream.tca.engine import PARTS, Analysis, TcaOptions, analyze
from slipstream.tca.inputs import TcaInputs, frames_from_records, prepare
from slipstream.tca.market import MarketData
from slipstream.tca.records import Exclusion, FillRecord, ParentRecord, ShortfallBreakdown


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


def run_tca(
    inputs: TcaInputs,
    market: MarketData,
    out_dir: Path | None = None,
    options: TcaOptions | None = None,
    title: str = "Transaction cost analysis",
) -> TcaResult:
    """Analyse validated inputs, aggregate, and write the report files into ``out_dir``."""
    analysis: Analysis = analyze(inputs, market, options)
    kept = included(analysis.parents)
    aggregates = {by: aggregate(analysis.parents, by, kept) for by in GROUPINGS}
    summary = overall(analysis.parents, kept)
    summary["excluded_parents"] = len(analysis.exclusions)
    summary["fills"] = len(analysis.fills)
    result = TcaResult(
        parents=analysis.parents,
        fills=analysis.fills,
        breakdowns=analysis.breakdowns,
        exclusions=analysis.exclusions,
        summary=summary,
        aggregates=aggregates,
        options=analysis.options,
    )
    if out_dir is None:
        return result
    return _write(result, market, Path(out_dir), title)


def _write(result: TcaResult, market: MarketData, out_dir: Path, title: str) -> TcaResult:
    from slipstream.tca.html import render_html  # plotly is only needed to write the report

    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "parents_csv": out_dir / "tca_parents.csv",
        "fills_csv": out_dir / "tca_fills.csv",
        "summary_json": out_dir / "tca_summary.json",
        "html": out_dir / "tca_report.html",
    }
    result.parents.to_csv(files["parents_csv"], index=False)
    result.fills.to_csv(files["fills_csv"], index=False)
    for by, frame in result.aggregates.items():
        files[f"by_{by}_csv"] = out_dir / f"tca_by_{by}.csv"
        frame.to_csv(files[f"by_{by}_csv"], index=False)
    written = replace(result, files=files)
    files["summary_json"].write_text(
        json.dumps(written.to_dict(), indent=2, default=json_default) + "\n", encoding="utf-8"
    )
    files["html"].write_text(render_html(written, market, title), encoding="utf-8")
    return written


def build_tca_report(
    orders: Sequence[ParentRecord] | pd.DataFrame,
    fills: Sequence[FillRecord] | pd.DataFrame,
    market: MarketData | Iterable[MarketRecord],
    out_dir: Path | str | None = None,
    options: TcaOptions | None = None,
    title: str = "Transaction cost analysis",
) -> TcaResult:
    """Run TCA on parent orders and their fills and (given ``out_dir``) write the report.

    Parameters
    ----------
    orders, fills:
        Records (:class:`ParentRecord`, :class:`FillRecord` — what the OMS produces) or frames
        with the CSV columns documented in ``docs/tca.md``.
    market:
        Indexed :class:`MarketData`, or any iterable of quote/trade/bar records (for example
        ``slipstream.marketdata.replay.load_market(...)``).
    out_dir:
        Where to write CSV, JSON and the HTML report; None computes only.

    Every figure follows the sign convention: cost > 0, improvement < 0, in bps of the
    benchmark's notional, signed by side.
    """
    if isinstance(orders, pd.DataFrame) and isinstance(fills, pd.DataFrame):
        order_frame, fill_frame = orders, fills
    elif not isinstance(orders, pd.DataFrame) and not isinstance(fills, pd.DataFrame):
        order_frame, fill_frame = frames_from_records(orders, fills)
    else:
        raise TypeError("orders and fills must both be records or both be data frames")
    indexed = market if isinstance(market, MarketData) else MarketData.from_records(market)
    inputs = prepare(order_frame, fill_frame)
    return run_tca(inputs, indexed, Path(out_dir) if out_dir is not None else None, options, title)


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
