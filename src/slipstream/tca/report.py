"""The TCA entry points: analyse parents and fills against market data, and write the report.

:func:`build_tca_report` is the one Python API (the ``slipstream tca`` command and the demo both
call it): it takes records or frames, runs the engine, aggregates, and — given an output
folder — writes ``tca_parents.csv``, ``tca_fills.csv``, ``tca_by_<grouping>.csv``,
``tca_summary.json`` and ``tca_report.html`` (with the ``plotly.min.js`` it loads).

Sign convention (every figure): cost > 0, improvement < 0, in bps of the benchmark's notional,
signed by side; shortfall parts in bps of the paper portfolio.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from slipstream.core.jsontext import json_default
from slipstream.model.market import MarketRecord
from slipstream.tca.aggregate import GROUPINGS, aggregate, included, overall
from slipstream.tca.engine import Analysis, TcaOptions, analyze
from slipstream.tca.inputs import TcaInputs, frames_from_records, prepare
from slipstream.tca.market import MarketData
from slipstream.tca.records import FillRecord, ParentRecord
from slipstream.tca.result import TcaResult


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
    from slipstream.tca.html import write_html  # plotly is only needed to write the report

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
    write_html(written, market, title, files["html"])  # + plotly.min.js beside it
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
