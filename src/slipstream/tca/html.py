"""The self-contained HTML report: Plotly charts with plotly.js inlined, so it opens offline.

Charts: cost breakdown waterfall, cost by algorithm / urgency / size bucket, markout curves,
and for the largest parents their price path (mid, fills, benchmarks) and cumulative
shortfall. Tables: headline figures, aggregates by symbol and day, exclusions.

Sign convention (every chart and table): cost > 0, improvement < 0, in bps of the benchmark's
notional, signed by side; shortfall parts in bps of the paper portfolio.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from slipstream.core.timestamps import EXCHANGE_TZ, NS_PER_SEC
from slipstream.tca.conventions import BPS, CONVENTION
from slipstream.tca.engine import PARTS
from slipstream.tca.market import MICROS, MarketData

if TYPE_CHECKING:
    from slipstream.tca.result import TcaResult

MAX_PATH_POINTS = 3000
PATH_PARENTS = 3
MAX_PARENT_ROWS = 50
_PART_COLOURS = {
    "delay": "#8c564b",
    "impact": "#d62728",
    "timing": "#ff7f0e",
    "opportunity": "#9467bd",
    "fees": "#7f7f7f",
}
_STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{margin-bottom:4px} .note{color:#555;font-size:13px}
table{border-collapse:collapse;margin:8px 0 24px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right} th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left} .chart{margin-bottom:12px}
"""


def _local(ts_ns: np.ndarray) -> pd.DatetimeIndex:
    stamps = pd.to_datetime(np.asarray(ts_ns, dtype=np.int64), unit="ns", utc=True)
    return pd.DatetimeIndex(stamps).tz_convert(EXCHANGE_TZ).tz_localize(None)


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _waterfall(summary: dict[str, object]) -> go.Figure:
    parts = [_num(summary.get(f"{p}_bps")) for p in PARTS]
    figure = go.Figure(
        go.Waterfall(
            x=[*PARTS, "total"],
            y=[*parts, _num(summary.get("shortfall_bps"))],
            measure=["relative"] * len(PARTS) + ["total"],
            text=[f"{v:.2f}" for v in [*parts, _num(summary.get("shortfall_bps"))]],
            textposition="outside",
            increasing={"marker": {"color": "#d62728"}},  # a cost
            decreasing={"marker": {"color": "#2ca02c"}},  # an improvement
            totals={"marker": {"color": "#1f77b4"}},
        )
    )
    figure.update_layout(
        title="Implementation shortfall breakdown (bps of paper notional, cost > 0)",
        yaxis_title="bps",
        height=420,
    )
    return figure


def _by_groups(aggregates: dict[str, pd.DataFrame]) -> go.Figure:
    groupings = [g for g in ("algo", "urgency", "size_bucket") if g in aggregates]
    figure = make_subplots(rows=1, cols=len(groupings), subplot_titles=groupings)
    for col, by in enumerate(groupings, start=1):
        frame = aggregates[by]
        labels = [str(x) if str(x) else "(none)" for x in frame[by]] if len(frame) else []
        for part in PARTS:
            figure.add_trace(
                go.Bar(
                    x=labels,
                    y=frame[f"{part}_bps"] if len(frame) else [],
                    name=part,
                    marker_color=_PART_COLOURS[part],
                    legendgroup=part,
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
        figure.add_trace(
            go.Scatter(
                x=labels,
                y=frame["shortfall_bps"] if len(frame) else [],
                mode="markers",
                marker={"symbol": "diamond", "size": 11, "color": "black"},
                name="total",
                legendgroup="total",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
    figure.update_layout(
        barmode="relative",
        title="Cost by algorithm, urgency and size (notional-weighted bps, cost > 0)",
        height=440,
    )
    return figure


def _markouts(result: TcaResult) -> go.Figure:
    horizons = list(result.options.horizons_secs)
    columns = [f"markout_{h:g}s_bps" for h in horizons]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=horizons,
            y=[_num(result.summary.get(c)) for c in columns],
            mode="lines+markers",
            name="all parents",
            line={"width": 3},
        )
    )
    for _, row in result.aggregates.get("algo", pd.DataFrame()).iterrows():
        figure.add_trace(
            go.Scatter(
                x=horizons,
                y=[_num(row.get(c)) for c in columns],
                mode="lines+markers",
                name=f"algo {row['algo'] or '(none)'}",
            )
        )
    figure.update_layout(
        title="Markouts: fill price vs later mid (bps, cost > 0 = price reverted against the fill)",
        xaxis={
            "title": "seconds after fill",
            "type": "log",
            "tickvals": horizons,
            "ticktext": [f"{h:g}s" for h in horizons],
        },
        yaxis_title="bps",
        height=420,
    )
    return figure


def _price_path(result: TcaResult, market: MarketData, row: pd.Series) -> go.Figure:
    data = market.get(str(row["symbol"]))
    figure = go.Figure()
    start, end = int(row["arrival_ts_ns"]), int(row["end_ts_ns"])
    pad = max((end - start) // 10, 60 * NS_PER_SEC)
    if data is not None:
        i0 = max(int(np.searchsorted(data.quote_ts_ns, start - pad)) - 1, 0)
        i1 = int(np.searchsorted(data.quote_ts_ns, end + pad, side="right"))
        step = max((i1 - i0) // MAX_PATH_POINTS, 1)
        ts = data.quote_ts_ns[i0:i1:step]
        figure.add_trace(
            go.Scatter(
                x=_local(ts),
                y=data.mid2_micros[i0:i1:step] / (2.0 * MICROS),
                mode="lines",
                line_shape="hv",
                name="mid",
                line={"color": "#1f77b4"},
            )
        )
    fills = result.fills[result.fills["parent_id"] == row["parent_id"]]
    if len(fills):
        size = fills["quantity"].to_numpy(dtype=np.float64)
        figure.add_trace(
            go.Scatter(
                x=_local(fills["ts_ns"].to_numpy()),
                y=fills["price"],
                mode="markers",
                name="fills",
                marker={
                    "size": 6 + 14 * np.sqrt(size / size.max()),
                    "color": np.where(fills["maker"], "#2ca02c", "#d62728").tolist(),
                },
                text=[f"{q} sh" for q in fills["quantity"]],
            )
        )
    for name, dash in (
        ("decision", "dot"),
        ("arrival", "dash"),
        ("interval_vwap", "solid"),
    ):
        level = _num(row.get(f"{name}_benchmark"))
        if np.isfinite(level):
            figure.add_hline(
                y=level,
                line_dash=dash,
                line_color="#555",
                annotation_text=name.replace("_", " "),
                annotation_position="top left",
            )
    figure.update_layout(
        title=(
            f"{html.escape(str(row['parent_id']))}: {row['side']} {int(row['quantity']):,} "
            f"{html.escape(str(row['symbol']))} — price path, fills (green maker, red taker), "
            "benchmarks"
        ),
        yaxis_title="price $",
        height=420,
    )
    return figure


def _cumulative(result: TcaResult, rows: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for _, row in rows.iterrows():
        fills = result.fills[result.fills["parent_id"] == row["parent_id"]]
        if not len(fills):
            continue
        sign = 1.0 if row["side"] == "buy" else -1.0
        decision = _num(row["decision_price"])
        paper = _num(row["paper_notional_usd"])
        cost = sign * fills["quantity"] * (fills["price"] - decision) + fills["fee"]
        minutes = (fills["ts_ns"].to_numpy() - int(row["arrival_ts_ns"])) / 60e9
        figure.add_trace(
            go.Scatter(
                x=minutes,
                y=np.cumsum(cost.to_numpy(dtype=np.float64)) / paper * BPS,
                mode="lines+markers",
                line_shape="hv",
                name=str(row["parent_id"]),
            )
        )
    figure.update_layout(
        title="Cumulative shortfall of executed shares incl. fees (bps of paper notional, cost > 0)",
        xaxis_title="minutes since arrival",
        yaxis_title="bps",
        height=420,
    )
    return figure


def largest_parents(parents: pd.DataFrame, count: int) -> pd.DataFrame:
    """Return the ``count`` parents with the largest paper notional."""
    paper = parents["paper_notional_usd"].map(_num).astype(float)
    return parents.assign(_paper=paper).nlargest(count, "_paper").drop(columns="_paper")


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    shown = frame[[c for c in columns if c in frame.columns]].copy()
    for column in shown.columns:
        if shown[column].dtype == float:
            shown[column] = shown[column].map(lambda v: "" if not np.isfinite(v) else f"{v:,.2f}")
    return shown.to_html(index=False, escape=True, border=0)


def render_html(result: TcaResult, market: MarketData, title: str) -> str:
    """Return the report as one HTML document with plotly.js inlined (no network needed).

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side; shortfall parts in bps of the paper portfolio.
    """
    from slipstream.tca.result import summary_rows

    kept = result.parents[result.parents["included"]]
    largest = largest_parents(kept, PATH_PARENTS)
    figures = [_waterfall(result.summary), _by_groups(result.aggregates), _markouts(result)]
    figures += [_price_path(result, market, row) for _, row in largest.iterrows()]
    figures.append(_cumulative(result, largest))
    charts = [
        f'<div class="chart">{fig.to_html(full_html=False, include_plotlyjs=(i == 0))}</div>'
        for i, fig in enumerate(figures)
    ]
    headline = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
        for k, v in summary_rows(result)
    )
    aggregate_columns = [
        "parents",
        "paper_notional_usd",
        "shortfall_bps",
        *(f"{p}_bps" for p in PARTS),
        "vs_arrival_bps",
        "vs_interval_vwap_bps",
        "fill_rate_pct",
    ]
    parent_columns = [
        "parent_id", "symbol", "side", "algo", "urgency", "quantity", "fill_rate_pct",
        "shortfall_bps", *(f"{p}_bps" for p in PARTS), "vs_arrival_bps",
        "vs_interval_vwap_bps", "participation_pct",
    ]  # fmt: skip
    parents_table = _table(largest_parents(kept, MAX_PARENT_ROWS), parent_columns)
    tables = "".join(
        f"<h3>By {by}</h3>{_table(result.aggregates[by], [by, *aggregate_columns])}"
        for by in ("symbol", "day")
        if by in result.aggregates
    )
    exclusions = (
        "<ul>"
        + "".join(
            f"<li>{html.escape(e.parent_id)}: {html.escape(e.reason)}</li>"
            for e in result.exclusions
        )
        + "</ul>"
        if result.exclusions
        else "<p>None.</p>"
    )
    opts = result.options
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="note">Sign convention: {html.escape(CONVENTION)}. Implementation shortfall parts are in
bps of the paper portfolio (decision price × intended quantity). Opportunity cost priced at:
{html.escape(opts.end_price)}. Markout horizons: {", ".join(f"{h:g}s" for h in opts.horizons_secs)}.
</p>
<h2>Headline</h2><table>{headline}</table>
{"".join(charts)}
<h2>Aggregates</h2>{tables}
<h2>Largest parents (by paper notional, up to {MAX_PARENT_ROWS})</h2>{parents_table}
<h2>Excluded parents</h2>{exclusions}
</body></html>
"""
