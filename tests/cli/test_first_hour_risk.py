"""First hour: ``risk report`` and ``risk check`` say what they mean (behaviour, not snapshots)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slipstream.cli.main import main

CONFIG = Path(__file__).resolve().parents[2] / "config"
EXAMPLE = CONFIG / "portfolio_example.json"


def _portfolio(tmp_path: Path, positions: list[dict[str, object]]) -> Path:
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps({"cash": "6000000", "positions": positions, "marks": {}}))
    return path


def _report(capsys: pytest.CaptureFixture[str], portfolio: Path, *json_flag: str) -> str:
    assert main(["risk", "report", "--portfolio", str(portfolio), *json_flag]) == 0
    return capsys.readouterr().out


def test_a_short_shows_a_negative_exposure(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_report(capsys, EXAMPLE, "--json"))
    dal = next(r for r in data["names"] if r["name"] == "DAL")
    assert dal["exposure"] == "-138930.00" and dal["gross"] == "138930.00"
    assert dal["pct_nav"] < 0 < dal["gross_pct_nav"]
    text = _report(capsys, EXAMPLE)
    assert any(line.startswith("DAL") and "-138,930.00" in line for line in text.splitlines())


def test_negative_headroom_is_flagged_as_a_breach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = [{"symbol": "AAPL", "quantity": 20000, "avg_cost": "120", "mark": "127.45"}]
    data = json.loads(_report(capsys, _portfolio(tmp_path, big), "--json"))
    aapl = next(r for r in data["names"] if r["name"] == "AAPL")
    assert float(aapl["headroom"]) < 0 and aapl["breach"] is True
    assert "name AAPL" in data["breaches"]
    text = _report(capsys, _portfolio(tmp_path, big))
    assert "BREACH" in next(line for line in text.splitlines() if line.startswith("AAPL"))


def test_money_has_cents_and_percentages_two_decimals(capsys: pytest.CaptureFixture[str]) -> None:
    text = _report(capsys, EXAMPLE)
    assert "NAV 8,572,970.00" in text and "cash 6,000,000.00" in text
    aapl = next(line for line in text.splitlines() if line.startswith("AAPL")).split()
    assert aapl[1] == "509,800.00" and aapl[2] == "5.95" and aapl[4] == "8.00"


def test_methods_have_full_names_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_report(capsys, EXAMPLE, "--json"))
    es = data["expected_shortfall"]
    labels = {m["method"]: m["label"] for m in es["methods"]}
    assert labels["vwhs"] == "volatility-weighted historical"
    assert labels["fhs"] == "filtered historical (GARCH)"
    assert labels["t"] == "Student-t"
    assert set(es["pct_nav_by_method"]) == set(labels)  # the keys stay stable
    text = _report(capsys, EXAMPLE)
    for label in ("volatility-weighted historical", "filtered historical (GARCH)", "Student-t"):
        assert label in text
    method_lines = [line.split()[0] for line in text.splitlines() if line.strip()]
    assert "vwhs" not in method_lines and "fhs" not in method_lines and "t" not in method_lines


def test_unknown_symbols_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    positions = [
        {"symbol": "AAPL", "quantity": 100, "avg_cost": "120", "mark": "127.45"},
        {"symbol": "ZZZQ", "quantity": 100, "avg_cost": "10", "mark": "11.00"},
    ]
    path = _portfolio(tmp_path, positions)
    data = json.loads(_report(capsys, path, "--json"))
    assert data["unknown_symbols"] == ["ZZZQ"]
    text = _report(capsys, path)
    warning = next(line for line in text.splitlines() if line.startswith("warning:"))
    assert "ZZZQ" in warning and "sector" in warning


def _check(capsys: pytest.CaptureFixture[str], order: str, *extra: str) -> tuple[int, str, str]:
    code = main(["risk", "check", order, "--portfolio", str(EXAMPLE), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_header_names_every_denying_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _check(capsys, "symbol=AAPL,side=buy,quantity=200000")
    assert code == 1
    header = " ".join(out.split("history before")[0].split("\n  trading_state")[0].split())
    for check in ("position_limit", "sector_limit", "expected_shortfall", "order_size"):
        assert check in header
    assert header.count("DENIED by") == 1
    code, out, _ = _check(capsys, "symbol=AAPL,side=buy,quantity=200000", "--json")
    payload = json.loads(out)
    denied = [c["check"] for c in payload["checks"] if c["enabled"] and not c["passed"]]
    assert payload["denied_by"] == denied and len(denied) >= 3


def test_check_lines_are_at_most_100_characters(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _check(capsys, "symbol=AAPL,side=buy,quantity=200000")
    assert max(len(line) for line in out.splitlines()) <= 100


def test_check_refuses_a_stop_without_a_stop_price(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _check(capsys, "symbol=AAPL,side=sell,quantity=100,type=stop")
    assert code == 2 and "stop_price" in err and "APPROVED" not in out


def test_check_echoes_a_bad_choice_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _check(capsys, "symbol=AAPL,side=BUYX,quantity=100")
    assert code == 2 and "'BUYX'" in err
