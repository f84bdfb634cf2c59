"""Readable rendering of a session summary (orders, fills, positions, P&L)."""

from __future__ import annotations

from slipstream.cli.output import table
from slipstream.kernel.session import SessionSummary


def render_text(summary: SessionSummary, show_fills: bool = True) -> str:
    """Return the summary as readable tables."""

    lines = ["Orders"]
    lines.append(
        table(
            [
                "client_id",
                "symbol",
                "side",
                "type",
                "tif",
                "qty",
                "status",
                "filled",
                "avg_px",
                "note",
            ],
            [
                [
                    o["client_id"],
                    o["symbol"],
                    o["side"],
                    o["type"],
                    o["tif"],
                    o["quantity"],
                    o["status"],
                    o["filled"],
                    o["avg_price"] or "",
                    o["denied_by"] or "",
                ]
                for o in summary.orders
                if o["parent_id"] is None
            ],
        )
    )
    if show_fills:
        fills = [
            [o["client_id"], f["ts"], f["price"], f["quantity"], f["liquidity"]]
            for o in summary.orders
            if o["parent_id"] is None
            for f in o["fills"]
        ]
        lines += [
            "",
            f"Fills ({len(fills)})",
            table(["client_id", "ts (ET)", "price", "qty", "liquidity"], fills),
        ]
    if summary.parents:
        lines += [
            "",
            "Parent orders (children worked by algorithms; costs in bps, cost > 0)",
            table(
                [
                    "parent",
                    "symbol",
                    "side",
                    "qty",
                    "algo",
                    "status",
                    "children",
                    "filled",
                    "avg_px",
                    "IS",
                    "vs arrival",
                    "vs VWAP",
                ],
                [
                    [
                        p["client_id"],
                        p["symbol"],
                        p["side"],
                        p["quantity"],
                        p["algo"],
                        p["status"],
                        p["children"],
                        p["filled"],
                        p["avg_price"] or "",
                        _num(p["shortfall_bps"]),
                        _num(p["vs_arrival_bps"]),
                        _num(p["vs_interval_vwap_bps"]),
                    ]
                    for p in summary.parents
                ],
            ),
        ]
    lines += [
        "",
        "Positions",
        table(
            ["symbol", "qty", "avg_cost", "mark", "realized", "unrealized"],
            [
                [
                    p["symbol"],
                    p["quantity"],
                    p["avg_cost"],
                    p["mark"],
                    p["realized_pnl"],
                    p["unrealized_pnl"],
                ]
                for p in summary.positions
            ],
        ),
        "",
        f"cash {summary.cash:,}   NAV {summary.nav:,}   realized P&L {summary.realized_pnl:,}   unrealized P&L {summary.unrealized_pnl:,}",
    ]
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
