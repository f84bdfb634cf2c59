"""The HTML pages in real headless Chromium: the TCA report, the demo fills page, the estimate.

Each page is opened from its ``file://`` URL and must: log no console or page error, make no
failed and no non-local request (everything it loads is in its folder), draw every expected
Plotly chart (an SVG with content, a legend, titled axes), keep tables inside the page
(scrolling in their container when wider), and weigh under 300 KB (plotly.js is the one shared
``plotly.min.js`` beside it). The estimate page must show all four model forecasts.

Without chromium these tests skip locally; under ``CI=true`` they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from slipstream.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MAX_PAGE_BYTES = 300_000
# page → expected charts: TCA = waterfall, by group, markouts, 3 price paths, cumulative
EXPECTED_CHARTS = {"tca": 7, "fills": 3, "estimate": 2}
MODELS = ("Square-root", "Almgren–Chriss", "Almgren et al. 2005", "I-Star")


def _browser_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "screenshot_tca", ROOT / "tools/screenshot_tca.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    module = _browser_tool()
    missing = module.chromium_path() is None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        message = "no chromium (apt-get install chromium) or no playwright"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: the report pages must be checked in CI")
        pytest.skip(message)
    return module


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pages")
    assert main(["demo", "--out", str(out / "demo")]) == 0
    estimate_args = ["--symbol", "IBM", "--side", "buy", "--quantity", "200000"]
    assert main(["estimate", *estimate_args, "--html", str(out / "estimate.html")]) == 0
    return {
        "tca": out / "demo" / "tca" / "tca_report.html",
        "fills": out / "demo" / "fills.html",
        "estimate": out / "estimate.html",
    }


@pytest.mark.parametrize("name", sorted(EXPECTED_CHARTS))
def test_page_is_kilobytes_and_loads_plotly_from_its_folder(
    pages: dict[str, Path], name: str
) -> None:
    page = pages[name]
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < MAX_PAGE_BYTES, f"{page.name}: {page.stat().st_size:,} bytes"
    assert '<script src="plotly.min.js"></script>' in html
    assert "https://" not in html.split("<body>", 1)[0]  # no CDN in the head
    assert (page.parent / "plotly.min.js").stat().st_size > 1_000_000


@pytest.mark.parametrize("name", sorted(EXPECTED_CHARTS))
@pytest.mark.parametrize("width", [1280, 760])
def test_page_renders_in_headless_chromium(
    tool: ModuleType, pages: dict[str, Path], name: str, width: int, tmp_path: Path
) -> None:
    page = pages[name]
    check = tool.open_page(page, expected_charts=EXPECTED_CHARTS[name], width=width)
    assert check.errors == []
    folder = page.parent.resolve().as_uri()
    assert check.requests and all(url.startswith(folder + "/") for url in check.requests)
    assert len(check.charts) == EXPECTED_CHARTS[name]
    for chart in check.charts:
        assert chart["svg"], chart["id"]
        assert chart["traces"] >= 1 and all(chart["legend"]), chart  # a legend names each series
        assert chart["ytitle"].strip() and chart["xtitle"].strip(), chart  # axes say their unit
    assert check.tables, "every page has a table"
    for table in check.tables:
        assert table["insideView"], table  # never cut at the page edge
        assert table["fits"] or table["scrolls"], table  # wider ones scroll in their container
    assert not check.page_overflow  # the page itself never scrolls sideways


def test_tca_report_reads_well(tool: ModuleType, pages: dict[str, Path]) -> None:
    check = tool.open_page(pages["tca"], expected_charts=EXPECTED_CHARTS["tca"])
    text = check.text
    assert "-0.00" not in text and "_bps" not in text and "paper_notional" not in text
    assert "Paper notional ($)" in text and "vs interval VWAP (bps)" in text
    assert "10942660.000000" not in text and "10,942,660.00" in text
    assert {"low", "medium", "high"} <= set(text.split())
    legends = [name for chart in check.charts for name in chart["legend"]]
    assert any(name.startswith("maker fills") for name in legends)
    # decision and arrival are named in the legend (one line when they coincide), not as
    # labels printed over each other
    assert any("decision" in name and "arrival" in name for name in legends) or (
        any(name.startswith("decision") for name in legends)
        and any(name.startswith("arrival") for name in legends)
    )


def test_fills_page_names_every_symbol(tool: ModuleType, pages: dict[str, Path]) -> None:
    check = tool.open_page(pages["fills"], expected_charts=EXPECTED_CHARTS["fills"])
    legends = [name for chart in check.charts for name in chart["legend"]]
    for symbol in ("AIG", "BAC", "IBM"):
        assert f"{symbol} reference price" in legends
        assert any(name.startswith(f"{symbol} buys") for name in legends)
    assert {chart["ytitle"] for chart in check.charts} == {"price ($)"}


def test_estimate_page_shows_the_four_forecasts(
    tool: ModuleType, pages: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (
        main(["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "200000", "--json"])
        == 0
    )
    costs = json.loads(capsys.readouterr().out)["costs"]
    assert len(costs) == 4
    check = tool.open_page(pages["estimate"], expected_charts=EXPECTED_CHARTS["estimate"])
    forecasts = next(c for c in check.charts if c["id"] == "estimate-forecasts")
    assert forecasts["legend"] == list(MODELS)
    for model in MODELS:
        assert model in check.text
    for cost in costs:
        assert f"{cost['cost_bps']:,.2f}" in check.text
        assert f"${cost['cost_usd']:,.2f}" in check.text
