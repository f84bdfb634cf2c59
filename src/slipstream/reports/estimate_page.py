"""The ``slipstream estimate --html`` page: the four cost forecasts and the schedule.

A Jinja2 page (``templates/estimate.html.j2``): the headline (notional, recommended algorithm,
participation, expected time), the square-root, Almgren–Chriss, Almgren et al. (2005) and
I-Star forecasts as a table and a bar chart (bps, with the Almgren–Chriss standard deviation),
the market inputs, and the schedule against the expected market volume as a chart and a table.
It loads plotly.js from the ``plotly.min.js`` written beside it.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from slipstream.algos.estimate import PreTradeEstimate
from slipstream.reports.format import (
    format_bps,
    format_pct,
    format_price,
    format_shares,
    format_usd,
    urgency_label,
)
from slipstream.reports.render import Table, figure_div, lean_layout, render_page, write_page

MODEL_LABELS = {
    "square_root": "Square-root",
    "almgren_chriss": "Almgren–Chriss",
    "almgren2005": "Almgren et al. 2005",
    "istar": "I-Star",
}
MODEL_COLOURS = {
    "square_root": "#1f77b4",
    "almgren_chriss": "#d62728",
    "almgren2005": "#2ca02c",
    "istar": "#9467bd",
}


def model_label(model: str) -> str:
    """Return a model's display name: ``almgren_chriss`` → ``Almgren–Chriss``."""
    return MODEL_LABELS.get(model, model.replace("_", " "))


def clock(secs: float) -> str:
    """Return seconds after midnight as ``HH:MM:SS``."""
    whole = round(secs)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _forecast_figure(result: PreTradeEstimate) -> go.Figure:
    figure = go.Figure()
    for cost in result.costs:
        label = model_label(cost.model)
        figure.add_trace(
            go.Bar(
                x=[label],
                y=[cost.cost_bps],
                name=label,
                marker_color=MODEL_COLOURS.get(cost.model, "#57606a"),
                text=[f"{format_bps(cost.cost_bps)} bps"],
                textposition="inside",
                insidetextanchor="end",
                textfont={"color": "white"},
                error_y=(
                    {"type": "data", "array": [cost.std_bps], "color": "#57606a"}
                    if cost.std_bps is not None
                    else None
                ),
                customdata=[format_usd(cost.cost_usd)],
                hovertemplate=f"{label}: %{{y:.2f}} bps (%{{customdata}})<extra></extra>",
            )
        )
    return lean_layout(
        figure,
        title="Forecast cost by model",
        xaxis_title="impact model (whisker: ±1 std dev, Almgren–Chriss)",
        yaxis={"title": "forecast cost (bps)", "tickformat": ".1f", "rangemode": "tozero"},
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        height=400,
    )


def _schedule_figure(result: PreTradeEstimate) -> go.Figure:
    times = [clock(r.start_secs) for r in result.schedule]
    total_volume = sum(r.expected_volume for r in result.schedule) or 1.0
    cum_volume = []
    running = 0.0
    for r in result.schedule:
        running += r.expected_volume
        cum_volume.append(100 * running / total_volume)
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Bar(
            x=times,
            y=[r.quantity for r in result.schedule],
            name="slice quantity (shares, left axis)",
            marker_color="#8fb8de",
            hovertemplate="%{x}: %{y:,} sh<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=times,
            y=[100 * r.cumulative / result.quantity for r in result.schedule],
            name="cumulative target (% of order, right axis)",
            mode="lines+markers",
            line={"color": "#d62728"},
            hovertemplate="%{x}: %{y:.1f}% of the order<extra></extra>",
        ),
        secondary_y=True,
    )
    figure.add_trace(
        go.Scatter(
            x=times,
            y=cum_volume,
            name="expected market volume (cumulative %, right axis)",
            mode="lines",
            line={"dash": "dot", "color": "#1f2328", "width": 2.5},
            hovertemplate="%{x}: %{y:.1f}% of the volume<extra></extra>",
        ),
        secondary_y=True,
    )
    figure.update_yaxes(title_text="slice quantity (shares)", tickformat=",", secondary_y=False)
    figure.update_yaxes(
        title_text="cumulative (%)",
        range=[0, 105],
        tickvals=[0, 25, 50, 75, 100],
        ticktext=["0%", "25%", "50%", "75%", "100%"],
        secondary_y=True,
    )
    return lean_layout(
        figure,
        title=(
            f"{result.side} {result.quantity:,} {result.symbol}: {result.algo} schedule, "
            f"participation {result.participation:.1%}"
        ),
        xaxis_title="slice start (New York)",
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        height=440,
    )


def render_estimate(result: PreTradeEstimate) -> str:
    """Return the estimate page."""
    i = result.inputs
    notional = i.price * result.quantity
    forecasts = Table(
        headers=["Model", "Cost (bps)", "Cost ($)", "Std dev (bps)"],
        rows=[
            [
                model_label(c.model),
                format_bps(c.cost_bps),
                format_usd(c.cost_usd),
                "" if c.std_bps is None else format_bps(c.std_bps),
            ]
            for c in result.costs
        ],
        numeric=[False, True, True, True],
    )
    inputs = Table(
        headers=["Input", "Value"],
        rows=[
            ["Last price", format_price(i.price)],
            ["ADV (sh)", format_shares(i.adv)],
            ["Order size (% ADV)", format_pct(100 * result.size_adv, 2)],
            ["Daily volatility (%)", format_pct(100 * i.sigma_daily, 2)],
            ["Spread (bps)", format_bps(i.spread_bps)],
            ["Urgency", f"{urgency_label(result.urgency)} ({result.urgency:g})"],
        ],
        numeric=[False, True],
    )
    schedule = Table(
        headers=["Slice start", "Quantity (sh)", "Cumulative (sh)", "Expected market volume (sh)"],
        rows=[
            [
                clock(r.start_secs),
                format_shares(r.quantity),
                format_shares(r.cumulative),
                format_shares(r.expected_volume),
            ]
            for r in result.schedule
        ],
        numeric=[False, True, True, True],
    )
    finish = "" if result.finishes else " (does not finish)"
    headline = [
        ("Order", f"{result.side} {result.quantity:,} {result.symbol}"),
        ("Notional", format_usd(notional)),
        ("Algorithm", f"{result.algo} (recommended {result.recommended_algo})"),
        ("Participation", f"{format_pct(100 * result.participation)}%"),
        (
            "Window (New York)",
            f"{clock(result.start_secs)[:5]}–{clock(result.end_secs)[:5]}, "
            f"{result.duration_secs / 60:.0f} min{finish}",
        ),
    ]
    return render_page(
        "estimate.html.j2",
        title=f"Pre-trade estimate: {result.side} {result.quantity:,} {result.symbol}",
        headline_figures=headline,
        forecasts=forecasts,
        forecast_chart=figure_div(_forecast_figure(result), "estimate-forecasts"),
        inputs=inputs,
        schedule_chart=figure_div(_schedule_figure(result), "estimate-schedule"),
        schedule=schedule,
        notes=list(result.notes),
    )


def write_estimate(result: PreTradeEstimate, path: Path) -> Path:
    """Write the estimate page to ``path`` and the shared ``plotly.min.js`` beside it."""
    return write_page(path, render_estimate(result))
