"""Charts of a session: each symbol's market price with our fills on it (self-contained HTML)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from slipstream.core.timestamps import ns_to_exchange
from slipstream.demo.data import PriceIndex
from slipstream.model.enums import Side
from slipstream.model.events import OrderFilled
from slipstream.model.orders import Order


def fills_chart(orders: list[Order], prices: PriceIndex, path: Path, title: str) -> Path:
    """Write a chart of every symbol's reference price with buy and sell fills marked."""
    symbols = sorted({o.spec.symbol for o in orders})
    fig = make_subplots(rows=len(symbols), cols=1, subplot_titles=symbols, shared_xaxes=False)
    for row, symbol in enumerate(symbols, start=1):
        times, values = prices.times[symbol], prices.prices[symbol]
        step = max(1, len(times) // 4000)  # keep the page light; fills are drawn exactly
        fig.add_trace(
            go.Scattergl(
                x=[ns_to_exchange(t) for t in times[::step]],
                y=[float(v) for v in values[::step]],
                mode="lines",
                line={"width": 1, "color": "#888"},
                name=f"{symbol} market",
                showlegend=row == 1,
            ),
            row=row,
            col=1,
        )
        for side, colour, marker in (
            (Side.BUY, "#1a7f37", "triangle-up"),
            (Side.SELL, "#cf222e", "triangle-down"),
        ):
            fills = [
                (e, o)
                for o in orders
                if o.spec.symbol == symbol and o.spec.side is side
                for e in o.events
                if isinstance(e, OrderFilled)
            ]
            fig.add_trace(
                go.Scatter(
                    x=[ns_to_exchange(e.ts_event) for e, _ in fills],
                    y=[float(e.last_px) for e, _ in fills],
                    mode="markers",
                    marker={"symbol": marker, "size": 9, "color": colour},
                    name=f"{side.value} fills",
                    text=[f"{o.client_order_id}: {e.last_qty} @ {e.last_px}" for e, o in fills],
                    showlegend=row == 1,
                ),
                row=row,
                col=1,
            )
    fig.update_layout(title=title, height=300 * len(symbols), template="plotly_white")
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path
