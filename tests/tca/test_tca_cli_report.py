"""``slipstream tca`` end to end on files, and the HTML report in a real headless Chromium."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from slipstream.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

QUOTES = """ts,symbol,bid,ask,bid_size,ask_size
2013-10-07T09:45:00-04:00,XYZ,49.98,50.02,100,100
2013-10-07T10:00:00-04:00,XYZ,50.04,50.08,100,100
2013-10-07T10:05:00-04:00,XYZ,50.10,50.14,100,100
2013-10-07T10:06:00-04:00,XYZ,50.00,50.04,100,100
"""
TRADES = """ts,symbol,price,size
2013-10-07T10:00:01-04:00,XYZ,50.07,200
2013-10-07T10:05:01-04:00,XYZ,50.13,600
2013-10-07T15:59:00-04:00,XYZ,50.30,100
"""
ORDERS = """parent_id,symbol,side,quantity,decision_ts,decision_price,algo,urgency,arrival_ts
P1,XYZ,buy,1000,2013-10-07T09:50:00-04:00,50.00,twap,medium,2013-10-07T10:00:00-04:00
P2,XYZ,sell,500,2013-10-07T09:50:00-04:00,,vwap,high,2013-10-07T10:00:00-04:00
P3,ABC,buy,100,2013-10-07T09:50:00-04:00,10.00,twap,low,
"""
FILLS = """parent_id,child_id,ts,price,quantity,fee,liquidity,venue
P1,c1,2013-10-07T10:00:02-04:00,50.08,300,0.90,taker,X
P1,c2,2013-10-07T10:05:02-04:00,50.12,400,-0.40,maker,Y
P2,c3,2013-10-07T10:05:30-04:00,50.10,500,0.50,taker,X
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    market = tmp_path / "market"
    market.mkdir()
    (market / "quotes.csv").write_text(QUOTES)
    (market / "trades.csv").write_text(TRADES)
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "fills.csv").write_text(FILLS)
    return {"market": market, "orders": tmp_path / "orders.csv", "fills": tmp_path / "fills.csv"}


def args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "tca",
        "--orders",
        str(files["orders"]),
        "--fills",
        str(files["fills"]),
        "--market",
        str(files["market"]),
        *extra,
    ]


def test_json_output_and_report_files(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(args(files, "--out", str(out), "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    parents = {p["parent_id"]: p for p in payload["parents"]}
    assert parents["P1"]["shortfall_usd"] == "162.500000"  # the worked example, by hand
    # P2 sells 500 at 50.10; decision = mid at 09:50 = 50.00; no opportunity; fee 0.50:
    # −500 × (50.10 − 50.00) + 0.50 = −49.50 (an improvement)
    assert parents["P2"]["shortfall_usd"] == "-49.500000"
    # ABC has no market data: reported, not guessed
    assert payload["exclusions"] == [{"parent_id": "P3", "reason": "no market data for the symbol"}]
    assert payload["summary"]["parents"] == 2
    assert payload["summary"]["shortfall_usd"] == "113.000000"
    for name in ("tca_parents.csv", "tca_fills.csv", "tca_summary.json", "tca_report.html"):
        assert (out / name).stat().st_size > 0
    assert (out / "tca_by_algo.csv").read_text().startswith("algo,parents,")
    html = (out / "tca_report.html").read_text()
    # plotly.js is one shared file beside the report, loaded by a relative path (no CDN)
    assert '<script src="plotly.min.js"></script>' in html and "cdn" not in html.lower()
    assert (out / "plotly.min.js").stat().st_size > 1_000_000


def test_text_summary(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args(files)) == 0
    text = capsys.readouterr().out
    assert "implementation shortfall $" in text and "113.00" in text
    assert "P3: no market data for the symbol" in text


def test_bad_fills_file_exits_with_the_input_error_code(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    files["fills"].write_text(FILLS.replace("P2,c3", "P7,c3"))
    assert main(args(files)) == 2
    error = capsys.readouterr().err
    assert "fills.csv, line 4" in error and "parent_id" in error and "P7" in error


def _browser_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "screenshot_tca", ROOT / "tools/screenshot_tca.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_html_report_opens_in_headless_chromium_without_errors(
    files: dict[str, Path], tmp_path: Path
) -> None:
    tool = _browser_tool()
    if tool.chromium_path() is None:
        pytest.skip("no chromium binary installed")
    out = tmp_path / "out"
    assert main(args(files, "--out", str(out))) == 0
    shot = tmp_path / "report.png"
    errors = tool.open_report(out / "tca_report.html", shot)
    assert errors == []
    assert shot.stat().st_size > 10_000
