"""Report number formatting and labels: by unit, no ``-0.00``, readable headers and urgencies."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from slipstream.reports import (
    column_label,
    format_bps,
    format_cell,
    format_pct,
    format_shares,
    format_usd,
    render_page,
    table_from_frame,
    urgency_label,
    write_plotly_js,
)
from slipstream.reports.render import step_points


def test_numbers_are_formatted_by_unit() -> None:
    assert format_shares(10942660) == "10,942,660"
    assert format_shares("200000") == "200,000"
    assert format_usd("10942660.000000") == "$10,942,660.00"  # the exact strings of the TCA
    assert format_usd(Decimal("-49.500000")) == "-$49.50"
    assert format_usd(-0.004) == "$0.00" and format_usd("-0.000000") == "$0.00"
    assert format_bps(-0.0) == "0.00" and format_bps(-0.004) == "0.00"
    assert format_bps(-3.4815) == "-3.48" and format_bps(1234.5) == "1,234.50"
    assert format_pct(100.0) == "100.0" and format_pct(-0.01) == "0.0"
    assert format_bps(float("nan")) == "" and format_bps(None) == "" and format_usd("") == ""


def test_cells_follow_the_unit_in_the_column_name() -> None:
    assert format_cell("paper_notional_usd", "10942660.000000") == "10,942,660.00"
    assert format_cell("opportunity_bps", -0.0) == "0.00"
    assert format_cell("quantity", 20000) == "20,000"
    assert format_cell("fill_rate_pct", 100.0) == "100.0"
    assert format_cell("urgency", "0.50") == "medium"
    assert format_cell("algo", "") == "(none)"


def test_readable_labels() -> None:
    assert column_label("paper_notional_usd") == "Paper notional ($)"
    assert column_label("shortfall_bps") == "Shortfall (bps)"
    assert column_label("vs_interval_vwap_bps") == "vs interval VWAP (bps)"
    assert column_label("fill_rate_pct") == "Fill rate (%)"
    assert column_label("markout_60s_bps") == "Markout 60s (bps)"
    assert column_label("parent_id") == "Parent"
    assert [urgency_label(u) for u in ("0.00", "0.50", "1.00", 0.25)] == [
        "low",
        "medium",
        "high",
        "0.25",
    ]


def test_table_from_frame_labels_and_formats() -> None:
    frame = pd.DataFrame(
        {"urgency": ["0.00"], "parents": [3], "paper_notional_usd": ["2699850.000000"]}
    )
    table = table_from_frame(frame, ["urgency", "parents", "paper_notional_usd", "missing"])
    assert list(table.headers) == ["Urgency", "Parents", "Paper notional ($)"]
    assert [list(r) for r in table.rows] == [["low", "3", "2,699,850.00"]]
    assert list(table.numeric) == [False, True, True]


def test_templates_ship_with_the_package_and_escape() -> None:
    page = render_page(
        "fills.html.j2", title="<b>x</b>", summary=table_from_frame(pd.DataFrame(), []), charts=[]
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert '<script src="plotly.min.js"></script>' in page and "cdn" not in page.lower()


def test_plotly_js_is_written_once_per_folder(tmp_path: Path) -> None:
    first = write_plotly_js(tmp_path)
    stamp = first.stat().st_mtime_ns
    assert first.name == "plotly.min.js" and first.stat().st_size > 1_000_000
    assert write_plotly_js(tmp_path).stat().st_mtime_ns == stamp  # not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plotly.min.js"]


def test_step_points_keeps_changes_and_thins() -> None:
    values = [1, 1, 2, 2, 2, 3, 3]
    assert step_points(values, 100).tolist() == [0, 2, 5, 6]
    assert len(step_points(list(range(10_000)), 500)) == 500
