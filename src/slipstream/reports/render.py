"""Render a page from a packaged Jinja2 template and write it beside one shared plotly.js.

A page references plotly.js as ``<script src="plotly.min.js">`` (relative), and
:func:`write_page` writes that file once into the page's folder (again only when plotly's
version changed), so every report in a folder shares one ~4.8 MB copy and each page is
kilobytes. Nothing is fetched from a CDN: the page works offline from ``file://``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.timestamps import EXCHANGE_TZ
from slipstream.reports.format import column_label, format_cell, is_numeric_column

if TYPE_CHECKING:
    import plotly.graph_objects as go

PLOTLY_JS = "plotly.min.js"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True, slots=True)
class Table:
    """A table ready for the template: header labels, rows of cell text, numeric columns."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[bool] = field(default=())
    caption: str = ""

    def is_numeric(self, index: int) -> bool:
        """Return whether column ``index`` is right-aligned."""
        return index < len(self.numeric) and self.numeric[index]


def table_from_frame(frame: pd.DataFrame, columns: Iterable[str], caption: str = "") -> Table:
    """Return the ``columns`` of ``frame`` that exist, labelled and formatted by unit."""
    shown = [c for c in columns if c in frame.columns]
    rows = [
        [format_cell(c, value) for c, value in zip(shown, record, strict=True)]
        for record in frame[shown].itertuples(index=False, name=None)
    ]
    return Table(
        headers=[column_label(c) for c in shown],
        rows=rows,
        numeric=[is_numeric_column(c) for c in shown],
        caption=caption,
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("slipstream.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, **context: Any) -> str:
    """Return the page rendered from the packaged template ``template``."""
    return _environment().get_template(template).render(plotly_js=PLOTLY_JS, **context)


@cache
def _lean_template() -> Any:
    import plotly.graph_objects as go
    import plotly.io as pio

    # plotly_white's layout without its per-trace-type defaults: ~2 KB instead of ~9 KB a chart
    return go.layout.Template(layout=pio.templates["plotly_white"].layout)


def lean_layout(figure: go.Figure, **layout: Any) -> go.Figure:
    """Apply the shared look (white template, legend, margins) and ``layout`` to ``figure``."""
    figure.update_layout(
        template=_lean_template(),
        font={"family": "-apple-system, Segoe UI, Helvetica, Arial, sans-serif", "size": 13},
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
        hoverlabel={"namelength": -1},
        **layout,
    )
    return figure


def exchange_time_ms(ts_ns: Iterable[int] | np.ndarray) -> np.ndarray:
    """Return New York wall-clock times as milliseconds, what a Plotly date axis reads.

    Numbers rather than date strings: Plotly ships numpy arrays as base64, ~10x smaller.
    """
    stamps = pd.to_datetime(np.asarray(ts_ns, dtype=np.int64), unit="ns", utc=True)
    local = pd.DatetimeIndex(stamps).tz_convert(EXCHANGE_TZ).tz_localize(None)
    return np.asarray(local.asi8 // 1_000_000, dtype=np.float64)


def step_points(values: npt.ArrayLike, max_points: int) -> np.ndarray:
    """Return the indices of a step series worth drawing: where the value changes (and the
    last point), thinned evenly to at most ``max_points``."""
    array = np.asarray(values)
    if len(array) == 0:
        return np.arange(0)
    changes = np.flatnonzero(np.r_[True, array[1:] != array[:-1]])
    if changes[-1] != len(array) - 1:
        changes = np.r_[changes, len(array) - 1]
    if len(changes) > max_points:
        changes = changes[np.linspace(0, len(changes) - 1, max_points).round().astype(np.int64)]
    return np.unique(changes)


def figure_div(figure: go.Figure, div_id: str) -> str:
    """Return the chart's ``<div>`` and script, without plotly.js (the page loads it once)."""
    text: str = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOTLY_CONFIG
    )
    return text


def write_plotly_js(folder: Path) -> Path:
    """Write plotly.js into ``folder`` unless the same version is already there; return it."""
    from plotly.offline import get_plotlyjs

    path = Path(folder) / PLOTLY_JS
    source = get_plotlyjs()
    data = source.encode("utf-8")
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{PLOTLY_JS}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)
    return path


def write_page(path: Path, page: str) -> Path:
    """Write ``page`` to ``path`` and the shared ``plotly.min.js`` beside it; return ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_plotly_js(path.parent)
    path.write_text(page, encoding="utf-8")
    return path
