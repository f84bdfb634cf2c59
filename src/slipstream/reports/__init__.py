"""HTML reports: Jinja2 templates shipped with the package and one shared plotly.js per folder.

Every page (the TCA report, the demo fills chart, the ``estimate`` page) is rendered from a
template in ``slipstream/reports/templates`` and loads plotly.js from ``plotly.min.js`` beside
it — written once per output folder by :func:`write_page` — so a page is kilobytes, opens
offline from ``file://`` and makes no network request (no CDN).
"""

from __future__ import annotations

from slipstream.reports.format import (
    column_label,
    format_bps,
    format_cell,
    format_pct,
    format_price,
    format_shares,
    format_usd,
    urgency_label,
)
from slipstream.reports.render import (
    PLOTLY_JS,
    Table,
    exchange_time_ms,
    figure_div,
    lean_layout,
    render_page,
    step_points,
    table_from_frame,
    write_page,
    write_plotly_js,
)

__all__ = [
    "PLOTLY_JS",
    "Table",
    "column_label",
    "exchange_time_ms",
    "figure_div",
    "format_bps",
    "format_cell",
    "format_pct",
    "format_price",
    "format_shares",
    "format_usd",
    "lean_layout",
    "render_page",
    "step_points",
    "table_from_frame",
    "urgency_label",
    "write_page",
    "write_plotly_js",
]
