"""The TCA report: a Jinja2 page (``slipstream/reports/templates/tca_report.html.j2``) with
Plotly charts, loading plotly.js from the ``plotly.min.js`` written once beside it (no CDN, no
network: it opens offline and weighs kilobytes).

Charts: cost breakdown waterfall, cost by algorithm / urgency / size bucket, markout curves,
and for the largest parents their price path (mid, maker and taker fills, benchmark lines named
in the legend) and cumulative shortfall. Tables (numbers formatted by unit, readable headers,
scrolling horizontally when wider than the page): headline figures, aggregates by symbol and
day, the largest parents, exclusions.

Sign convention (every chart and table): cost > 0, improvement < 0, in bps of the benchmark's
notional, signed by side; shortfall parts in bps of the paper portfolio.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from slipstream.core.timestamps import NS_PER_SEC
from slipstream.reports import (
    Table,
    column_label,
    exchange_time_ms,
    figure_div,
    format_bps,
    format_usd,
    lean_layout,
    render_page,
    step_points,
    table_from_frame,
    urgency_label,
    write_page,
)
from slipstream.tca.conventions import BPS, CONVENTION
from slipstream.tca.engine import PARTS
from slipstream.tca.market import MICROS, MarketData

if TYPE_CHECKING:
    from slipstream.tca.result import TcaResult

MAX_PATH_POINTS = 1500  # mid changes kept, thinned to this
PATH_PARENTS = 3
MAX_PARENT_ROWS = 50
_PART_COLOURS = {
    "delay": "#8c564b",
    "impact": "#d62728",
    "timing": "#ff7f0e",
    "opportunity": "#9467bd",
    "fees": "#7f7f7f",
}
_BENCHMARK_STYLE = {  # name: (dash, colour) — each a line named in the legend, never a label
    "decision": ("dot", "#6e40c9"),
    "arrival": ("dash", "#bf8700"),
    "interval_vwap": ("solid", "#57606a"),
}
_GROUP_TITLES = {"algo": "by algorithm", "urgency": "by urgency", "size_bucket": "by size"}
_GROUP_AXES = {
    "algo": "algorithm",
    "urgency": "urgency",
    "size_bucket": "order size (% of day volume)",
}
_LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0}


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _part_label(part: str) -> str:
    return part.replace("_", " ")


def _waterfall(summary: dict[str, object]) -> go.Figure:
    parts = [_num(summary.get(f"{p}_bps")) for p in PARTS]
    total = _num(summary.get("shortfall_bps"))
    values = [*parts, total]
    figure = go.Figure(
        go.Waterfall(
            x=[*(_part_label(p) for p in PARTS), "total"],
            y=values,
            measure=["relative"] * len(PARTS) + ["total"],
            text=[f"{format_bps(v)} bps" for v in values],
            textposition="outside",
            increasing={"marker": {"color": "#d62728"}},  # a cost
            decreasing={"marker": {"color": "#2ca02c"}},  # an improvement
            totals={"marker": {"color": "#1f77b4"}},
            name="shortfall",
            showlegend=False,  # its colours are named by the three entries below
            hovertemplate="%{x}: %{y:.2f} bps<extra></extra>",
        )
    )
    figure.add_trace(  # legend entries for the colours (the waterfall itself has one)
        go.Bar(x=[None], y=[None], marker_color="#d62728", name="cost (> 0)")
    )
    figure.add_trace(go.Bar(x=[None], y=[None], marker_color="#2ca02c", name="improvement (< 0)"))
    figure.add_trace(go.Bar(x=[None], y=[None], marker_color="#1f77b4", name="total shortfall"))
    return lean_layout(
        figure,
        title="Implementation shortfall breakdown (bps of paper notional, cost > 0)",
        xaxis_title="shortfall part",
        yaxis={"title": "bps of paper notional", "tickformat": ".2f", "zeroline": True},
        legend=_LEGEND_BELOW,
        height=440,
    )


def _group_labels(by: str, frame: pd.DataFrame) -> list[str]:
    if not len(frame):
        return []
    if by == "urgency":
        return [urgency_label(x) for x in frame[by]]
    return [str(x) if str(x) else "(none)" for x in frame[by]]


def _by_groups(aggregates: dict[str, pd.DataFrame]) -> go.Figure:
    groupings = [g for g in ("algo", "urgency", "size_bucket") if g in aggregates]
    figure = make_subplots(
        rows=1,
        cols=max(len(groupings), 1),
        subplot_titles=[_GROUP_TITLES[g] for g in groupings],
        horizontal_spacing=0.06,
    )
    for col, by in enumerate(groupings, start=1):
        frame = aggregates[by]
        if by == "urgency" and len(frame):  # low, medium, high — not alphabetical
            order = frame[by].map(_num).to_numpy(dtype=np.float64).argsort(kind="stable")
            frame = frame.iloc[order]
        labels = _group_labels(by, frame)
        for part in PARTS:
            figure.add_trace(
                go.Bar(
                    x=labels,
                    y=frame[f"{part}_bps"] if len(frame) else [],
                    name=_part_label(part),
                    marker_color=_PART_COLOURS[part],
                    legendgroup=part,
                    showlegend=col == 1,
                    hovertemplate=f"{_part_label(part)}: %{{y:.2f}} bps<extra>%{{x}}</extra>",
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
                name="total shortfall",
                legendgroup="total",
                showlegend=col == 1,
                hovertemplate="total: %{y:.2f} bps<extra>%{x}</extra>",
            ),
            row=1,
            col=col,
        )
        figure.update_xaxes(title_text=_GROUP_AXES[by], row=1, col=col)
        figure.update_yaxes(
            title_text="bps of paper notional" if col == 1 else None,
            tickformat=".2f",
            row=1,
            col=col,
        )
    return lean_layout(
        figure,
        barmode="relative",
        title="Cost by algorithm, urgency and size (notional-weighted bps, cost > 0)",
        legend={**_LEGEND_BELOW, "y": -0.25},
        height=480,
    )


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
            line={"width": 3, "color": "#1f2328"},
            hovertemplate="all parents, %{x:g}s: %{y:.2f} bps<extra></extra>",
        )
    )
    for _, row in result.aggregates.get("algo", pd.DataFrame()).iterrows():
        name = f"algorithm {row['algo'] or '(none)'}"
        figure.add_trace(
            go.Scatter(
                x=horizons,
                y=[_num(row.get(c)) for c in columns],
                mode="lines+markers",
                name=name,
                hovertemplate=f"{name}, %{{x:g}}s: %{{y:.2f}} bps<extra></extra>",
            )
        )
    return lean_layout(
        figure,
        title="Markouts: fill price vs later mid (bps; cost > 0 = price moved against the fill)",
        xaxis={
            "title": "seconds after the fill (log scale)",
            "type": "log",
            "tickvals": horizons,
            "ticktext": [f"{h:g}s" for h in horizons],
        },
        yaxis={"title": "markout (bps, cost > 0)", "tickformat": ".2f"},
        height=420,
    )


def _price_path(result: TcaResult, market: MarketData, row: pd.Series) -> go.Figure:
    data = market.get(str(row["symbol"]))
    figure = go.Figure()
    start, end = int(row["arrival_ts_ns"]), int(row["end_ts_ns"])
    pad = max((end - start) // 10, 60 * NS_PER_SEC)
    span = exchange_time_ms(np.array([start - pad, end + pad]))
    if data is not None:
        i0 = max(int(np.searchsorted(data.quote_ts_ns, start - pad)) - 1, 0)
        i1 = int(np.searchsorted(data.quote_ts_ns, end + pad, side="right"))
        mids = data.mid2_micros[i0:i1]
        keep = step_points(mids, MAX_PATH_POINTS)
        figure.add_trace(
            go.Scatter(
                x=exchange_time_ms(data.quote_ts_ns[i0:i1][keep]),
                y=(mids[keep] / (2.0 * MICROS)).astype(np.float32),
                mode="lines",
                line_shape="hv",
                name="mid price",
                line={"color": "#1f77b4", "width": 1.5},
                hovertemplate="mid $%{y:.4f}<extra>%{x|%H:%M:%S}</extra>",
            )
        )
    fills = result.fills[result.fills["parent_id"] == row["parent_id"]]
    if len(fills):
        size = fills["quantity"].to_numpy(dtype=np.float64)
        biggest = size.max() if len(size) and size.max() > 0 else 1.0
        maker = fills["maker"].to_numpy(dtype=bool)
        for is_maker, name, colour in (
            (True, "maker fills", "#2ca02c"),
            (False, "taker fills", "#d62728"),
        ):
            chosen = fills[maker == is_maker]
            if not len(chosen):
                continue
            qty = chosen["quantity"].to_numpy(dtype=np.float64)
            figure.add_trace(
                go.Scatter(
                    x=exchange_time_ms(chosen["ts_ns"].to_numpy()),
                    y=chosen["price"].to_numpy(dtype=np.float64),
                    mode="markers",
                    name=f"{name} (size ∝ shares)",
                    marker={
                        "size": np.round(6 + 14 * np.sqrt(qty / biggest), 1),
                        "color": colour,
                        "line": {"width": 0.5, "color": "white"},
                    },
                    customdata=qty,
                    hovertemplate=f"{name[:-1]}: %{{customdata:,.0f}} sh @ $%{{y:.4f}}"
                    "<extra>%{x|%H:%M:%S}</extra>",
                )
            )
    # One line per distinct level, named in the legend (no text labels that could overlap);
    # benchmarks at the same price share a line and its name ("decision = arrival $180.66").
    levels: dict[float, list[str]] = {}
    for name in _BENCHMARK_STYLE:
        level = _num(row.get(f"{name}_benchmark"))
        if np.isfinite(level):
            levels.setdefault(round(level, 4), []).append(name)
    for level, names in levels.items():
        dash, colour = _BENCHMARK_STYLE[names[0]]
        label = " = ".join(n.replace("_", " ").replace("vwap", "VWAP") for n in names)
        label = f"{label} ${level:,.2f}"
        figure.add_trace(
            go.Scatter(
                x=span,
                y=[level, level],
                mode="lines",
                name=label,
                line={"dash": dash, "color": colour, "width": 2},
                hovertemplate=f"{label}<extra></extra>",
            )
        )
    return lean_layout(
        figure,
        title=(
            f"{row['parent_id']}: {row['side']} {int(row['quantity']):,} {row['symbol']} — "
            "price path, fills and benchmarks"
        ),
        xaxis={"title": "time (New York)", "type": "date", "tickformat": "%H:%M"},
        yaxis={"title": "price ($)", "tickprefix": "$", "tickformat": ",.2f"},
        legend={"itemsizing": "constant"},
        height=420,
    )


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
                x=np.round(minutes, 4),
                y=np.round(np.cumsum(cost.to_numpy(dtype=np.float64)) / paper * BPS, 4),
                mode="lines+markers",
                line_shape="hv",
                marker={"size": 4},
                name=f"{row['parent_id']} ({row['side']} {row['symbol']})",
                hovertemplate="%{x:.1f} min: %{y:.2f} bps<extra>%{fullData.name}</extra>",
            )
        )
    return lean_layout(
        figure,
        title="Cumulative shortfall of executed shares incl. fees (bps of paper notional, cost > 0)",
        xaxis_title="minutes since arrival",
        yaxis={"title": "cumulative shortfall (bps)", "tickformat": ".2f"},
        height=420,
    )


def largest_parents(parents: pd.DataFrame, count: int) -> pd.DataFrame:
    """Return the ``count`` parents with the largest paper notional."""
    paper = parents["paper_notional_usd"].map(_num).astype(float)
    return parents.assign(_paper=paper).nlargest(count, "_paper").drop(columns="_paper")


_BENCHMARK_NAMES = ("arrival", "interval_vwap", "interval_twap", "day_vwap", "close", "pwp")
AGGREGATE_COLUMNS = (
    "parents",
    "paper_notional_usd",
    "shortfall_bps",
    *(f"{p}_bps" for p in PARTS),
    "vs_arrival_bps",
    "vs_interval_vwap_bps",
    "fill_rate_pct",
)
PARENT_COLUMNS = (
    "parent_id", "symbol", "side", "algo", "urgency", "quantity", "fill_rate_pct",
    "paper_notional_usd", "shortfall_usd", "shortfall_bps", *(f"{p}_bps" for p in PARTS),
    "vs_arrival_bps", "vs_interval_vwap_bps", "participation_pct",
)  # fmt: skip


def headline_tables(result: TcaResult) -> list[Table]:
    """Return the headline figures as two tables (shortfall; benchmarks and markouts), each
    value formatted by its unit."""
    s = result.summary
    if not s.get("parents"):
        rows = [["Parents analysed", "0"], ["Parents excluded", str(len(result.exclusions))]]
        return [Table(headers=["Figure", "Value"], rows=rows, numeric=[False, True])]
    shortfall = [
        ["Parents analysed", f"{s['parents']:,}"],
        ["Parents excluded", f"{len(result.exclusions):,}"],
        ["Fills", f"{int(_num(s.get('fills', 0))):,}"],
        ["Paper notional", format_usd(s.get("paper_notional_usd"))],
        ["Executed notional", format_usd(s.get("executed_notional_usd"))],
        ["Fill rate (%)", format_bps(s.get("fill_rate_pct"))],
        ["Implementation shortfall", format_usd(s.get("shortfall_usd"))],
        ["Implementation shortfall (bps)", format_bps(s.get("shortfall_bps"))],
    ]
    shortfall += [[f"— {_part_label(p)} (bps)", format_bps(s.get(f"{p}_bps"))] for p in PARTS]
    versus = [
        [column_label(f"vs_{name}_bps"), format_bps(s.get(f"vs_{name}_bps"))]
        for name in _BENCHMARK_NAMES
    ]
    versus += [[column_label(key), format_bps(s[key])] for key in s if key.startswith("markout_")]
    return [
        Table(
            headers=[head, "Value"],
            rows=[[label, value or "n/a"] for label, value in rows],
            numeric=[False, True],
        )
        for head, rows in (("Shortfall", shortfall), ("Benchmarks and markouts", versus))
    ]


def _headline_figures(result: TcaResult) -> list[tuple[str, str]]:
    s = result.summary
    if not s.get("parents"):
        return [("Parents analysed", "0")]
    return [
        ("Implementation shortfall", format_usd(s.get("shortfall_usd"))),
        ("Shortfall (bps, cost > 0)", format_bps(s.get("shortfall_bps")) or "n/a"),
        ("Paper notional", format_usd(s.get("paper_notional_usd"))),
        ("Fill rate", f"{format_bps(s.get('fill_rate_pct')) or 'n/a'}%"),
        ("Parents", f"{s['parents']:,} ({len(result.exclusions)} excluded)"),
    ]


def render_html(result: TcaResult, market: MarketData, title: str) -> str:
    """Return the report page; it loads plotly.js from ``plotly.min.js`` in its folder
    (:func:`write_html` writes both).

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side; shortfall parts in bps of the paper portfolio.
    """
    kept = result.parents[result.parents["included"]]
    largest = largest_parents(kept, PATH_PARENTS)
    cost_figures = [_waterfall(result.summary), _by_groups(result.aggregates), _markouts(result)]
    parent_figures = [_price_path(result, market, row) for _, row in largest.iterrows()]
    if len(largest):
        parent_figures.append(_cumulative(result, largest))
    cost_charts = [figure_div(f, f"tca-cost-{i}") for i, f in enumerate(cost_figures)]
    parent_charts = [figure_div(f, f"tca-parent-{i}") for i, f in enumerate(parent_figures)]
    aggregates = [
        (
            by,
            table_from_frame(result.aggregates[by], [by, *AGGREGATE_COLUMNS]),
        )
        for by in ("symbol", "day")
        if by in result.aggregates
    ]
    opts = result.options
    return render_page(
        "tca_report.html.j2",
        title=title,
        convention=CONVENTION,
        end_price=opts.end_price,
        horizons=", ".join(f"{h:g}s" for h in opts.horizons_secs),
        headline_figures=_headline_figures(result),
        headline=headline_tables(result),
        cost_charts=cost_charts,
        parent_charts=parent_charts,
        aggregates=aggregates,
        max_parent_rows=MAX_PARENT_ROWS,
        parents=table_from_frame(largest_parents(kept, MAX_PARENT_ROWS), PARENT_COLUMNS),
        exclusions=[(e.parent_id, e.reason) for e in result.exclusions],
    )


def write_html(result: TcaResult, market: MarketData, title: str, path: Path) -> Path:
    """Write the report to ``path`` and the shared ``plotly.min.js`` beside it."""
    return write_page(path, render_html(result, market, title))
