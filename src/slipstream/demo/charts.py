"""Charts of a session: each symbol's market price with our fills on it.

One Jinja2 page (``slipstream/reports/templates/fills.html.j2``): a table of fills per symbol
and one chart per symbol — its reference price, buy fills (▲) and sell fills (▼) sized by
quantity, each series named in the legend, price in dollars against New York time. The page
loads plotly.js from the ``plotly.min.js`` written once beside it (no network needed).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from slipstream.demo.data import PriceIndex
from slipstream.model.enums import Side
from slipstream.model.events import OrderFilled
from slipstream.model.orders import Order
from slipstream.reports import (
    Table,
    exchange_time_ms,
    figure_div,
    format_price,
    format_shares,
    lean_layout,
    render_page,
    step_points,
    write_page,
)

MAX_PRICE_POINTS = 1500  # price changes kept, thinned to this; fills are drawn exactly
_SIDES = (
    (Side.BUY, "buys", "#1a7f37", "triangle-up"),
    (Side.SELL, "sells", "#cf222e", "triangle-down"),
)


def _fills(orders: list[Order], symbol: str, side: Side) -> list[tuple[OrderFilled, Order]]:
    return [
        (e, o)
        for o in orders
        if o.spec.symbol == symbol and o.spec.side is side
        for e in o.events
        if isinstance(e, OrderFilled)
    ]


def _symbol_figure(orders: list[Order], prices: PriceIndex, symbol: str) -> go.Figure:
    figure = go.Figure()
    times, values = prices.times.get(symbol, []), prices.prices.get(symbol, [])
    levels = np.array([float(v) for v in values], dtype=np.float64)
    keep = step_points(levels, MAX_PRICE_POINTS)
    figure.add_trace(
        go.Scatter(
            x=exchange_time_ms(np.asarray(times, dtype=np.int64)[keep]),
            y=levels[keep].astype(np.float32),
            line_shape="hv",
            mode="lines",
            line={"width": 1, "color": "#8c959f"},
            name=f"{symbol} reference price",
            hovertemplate="$%{y:.2f}<extra>%{x|%H:%M:%S}</extra>",
        )
    )
    for side, label, colour, marker in _SIDES:
        fills = _fills(orders, symbol, side)
        if not fills:
            continue
        qty = np.array([e.last_qty for e, _ in fills], dtype=np.float64)
        figure.add_trace(
            go.Scatter(
                x=exchange_time_ms([e.ts_event for e, _ in fills]),
                y=np.array([float(e.last_px) for e, _ in fills], dtype=np.float64),
                mode="markers",
                marker={
                    "symbol": marker,
                    "size": np.round(7 + 9 * np.sqrt(qty / qty.max()), 1),
                    "color": colour,
                    "line": {"width": 0.5, "color": "white"},
                },
                name=f"{symbol} {label} ({len(fills):,} fills)",
                text=[f"{o.client_order_id}: {e.last_qty:,} sh @ ${e.last_px}" for e, o in fills],
                hovertemplate="%{text}<extra>%{x|%H:%M:%S}</extra>",
            )
        )
    return lean_layout(
        figure,
        title=f"{symbol}: reference price and our fills",
        xaxis={"title": "time (New York)", "type": "date", "tickformat": "%H:%M"},
        yaxis={"title": "price ($)", "tickprefix": "$", "tickformat": ",.2f"},
        legend={"itemsizing": "constant"},
        height=380,
    )


def _summary(orders: list[Order], symbols: list[str]) -> Table:
    rows = []
    for symbol in symbols:
        row = [symbol]
        for side, *_ in _SIDES:
            fills = _fills(orders, symbol, side)
            shares = sum(e.last_qty for e, _ in fills)
            notional = sum((e.last_px * e.last_qty for e, _ in fills), Decimal(0))
            row += [
                format_shares(len(fills)),
                format_shares(shares),
                format_price(notional / shares) if shares else "",
            ]
        rows.append(row)
    return Table(
        headers=[
            "Symbol",
            "Buy fills",
            "Bought (sh)",
            "Avg buy price",
            "Sell fills",
            "Sold (sh)",
            "Avg sell price",
        ],
        rows=rows,
        numeric=[False, *([True] * 6)],
    )


def fills_chart(orders: list[Order], prices: PriceIndex, path: Path, title: str) -> Path:
    """Write the page of every symbol's reference price with buy and sell fills marked (and
    ``plotly.min.js`` beside it)."""
    symbols = sorted({o.spec.symbol for o in orders})
    charts = [
        figure_div(_symbol_figure(orders, prices, s), f"fills-{i}") for i, s in enumerate(symbols)
    ]
    page = render_page(
        "fills.html.j2", title=title, summary=_summary(orders, symbols), charts=charts
    )
    return write_page(path, page)
