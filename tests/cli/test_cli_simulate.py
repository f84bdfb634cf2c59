"""CLI: simulate, replay and demo, including every bad input the orders file can carry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from slipstream.cli.main import main

QUOTES = """ts,symbol,bid,ask,bid_size,ask_size
2013-10-08T10:00:00,IBM,184.00,184.02,300,400
2013-10-08T10:00:01,IBM,184.01,184.03,300,400
2013-10-08T10:00:02,IBM,184.05,184.07,500,500
2013-10-08T10:00:03,IBM,183.90,183.92,500,500
"""
TRADES = """ts,symbol,price,size
2013-10-08T10:00:00.500,IBM,184.02,100
2013-10-08T10:00:02.500,IBM,184.06,200
2013-10-08T10:00:03.500,IBM,183.91,300
"""
HEADER = "client_id,symbol,side,quantity,type,limit_price,stop_price,trail_amount,trail_bps,time_in_force,submit_at\n"
GOOD = HEADER + (
    "m1,IBM,buy,200,market,,,,,day,2013-10-08T10:00:00.100\n"
    "l1,IBM,sell,100,limit,184.05,,,,day,2013-10-08T10:00:00.200\n"
    "s1,IBM,sell,100,stop,,183.95,,,day,2013-10-08T10:00:00.300\n"
)


@pytest.fixture(autouse=True)
def isolated_trading_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a scratch folder so a trading state left by `slipstream halt` cannot leak in."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def market(tmp_path: Path) -> Path:
    folder = tmp_path / "market"
    folder.mkdir()
    (folder / "quotes.csv").write_text(QUOTES)
    (folder / "trades.csv").write_text(TRADES)
    return folder


def _orders(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_simulate_json_reports_orders_fills_and_positions(
    tmp_path: Path, market: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "j.db"
    code = main(
        [
            "simulate",
            str(_orders(tmp_path, GOOD)),
            "--market",
            str(market),
            "--journal",
            str(journal),
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    by_id = {o["client_id"]: o for o in out["orders"]}
    # The market buy of 200 walks the displayed 400 at 184.02 on the first quote.
    assert by_id["m1"]["status"] == "filled" and by_id["m1"]["filled"] == 200
    assert by_id["m1"]["fills"][0]["price"] == "184.02"
    # The sell limit at 184.05 fills when the bid reaches 184.05, never below it.
    assert by_id["l1"]["status"] == "filled"
    assert all(f["price"] >= "184.05" for f in by_id["l1"]["fills"])
    # The sell stop at 183.95 triggers once the market trades through it.
    assert by_id["s1"]["status"] == "filled"
    positions = {p["symbol"]: p for p in out["positions"]}
    assert positions["IBM"]["quantity"] == 200 - 100 - 100
    # Replay of the journal yields the same orders and positions.
    assert main(["replay", str(journal), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["orders"] == out["orders"] and again["positions"] == out["positions"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("x1,IBM,buy,abc,market,,,,,day,2013-10-08T10:00:00", "'quantity' = 'abc'"),
        ("x1,IBM,buy,-5,market,,,,,day,2013-10-08T10:00:00", "'quantity' = '-5'"),
        ("x1,IBM,buy,1.5,market,,,,,day,2013-10-08T10:00:00", "whole number"),
        ("x1,ZZZZ,buy,10,market,,,,,day,2013-10-08T10:00:00", "'symbol' = 'ZZZZ'"),
        ("x1,IBM,buy,10,limit,184.001,,,,day,2013-10-08T10:00:00", "tick"),
        ("x1,IBM,buy,10,limit,,,,,day,2013-10-08T10:00:00", "'limit_price' = None: is required"),
        (
            "x1,IBM,hold,10,market,,,,,day,2013-10-08T10:00:00",
            "'side' = 'hold': must be one of buy|sell",
        ),
        ("x1,IBM,buy,10,market,,,,,day,yesterday", "'submit_at'"),
        ("x1,IBM,buy,10,iceberg,,,,,day,2013-10-08T10:00:00", "'type' = 'iceberg'"),
    ],
)
def test_simulate_bad_order_row_names_row_field_value_rule(
    tmp_path: Path, market: Path, capsys: pytest.CaptureFixture[str], row: str, expected: str
) -> None:
    orders = _orders(tmp_path, GOOD + row + "\n")
    journal = tmp_path / "bad.db"
    code = main(["simulate", str(orders), "--market", str(market), "--journal", str(journal)])
    err = capsys.readouterr().err
    assert code == 2
    assert "orders.csv row 5" in err and expected in err
    assert not journal.exists()  # nothing half-applied


def test_simulate_unreadable_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ts,symbol,bid,ask,bid_size,ask_size\n2013-10-08T10:00:00,IBM,abc,1,1,1\n")
    code = main(["simulate", str(_orders(tmp_path, GOOD)), "--market", str(bad)])
    assert code == 4
    assert "bad.csv" in capsys.readouterr().err


def test_simulate_missing_orders_file(
    tmp_path: Path, market: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", str(tmp_path / "none.csv"), "--market", str(market), "--json"])
    assert code == 2
    err = json.loads(capsys.readouterr().err)
    assert err["error"] == "InputError" and "none.csv" in err["message"]


def test_simulate_jsonl_orders(
    tmp_path: Path, market: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = {
        "client_id": "j1",
        "symbol": "IBM",
        "side": "buy",
        "quantity": 100,
        "type": "market",
        "time_in_force": "ioc",
        "submit_at": "2013-10-08T10:00:00.1",
    }
    orders = _orders(tmp_path, json.dumps(line) + "\n", "orders.jsonl")
    assert main(["simulate", str(orders), "--market", str(market), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["orders"][0]["filled"] == 100


def test_replay_refuses_a_missing_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(tmp_path / "nope.db")]) == 2
    assert "JOURNAL" in capsys.readouterr().err


def _commands() -> list[str]:
    import argparse

    from slipstream.cli.main import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_core_commands_are_registered() -> None:
    assert {"demo", "simulate", "replay"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_and_json(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slipstream.cli.main", command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--json" in result.stdout


def test_simulate_with_portfolio_and_limits_reports_denials_with_reason_codes(
    tmp_path: Path, market: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = tmp_path / "portfolio.json"
    portfolio.write_text(
        '{"cash": "100000", "positions": [{"symbol": "IBM", "quantity": 10, "avg_cost": "180.00"}]}'
    )
    limits = tmp_path / "limits.toml"
    limits.write_text("[order]\nmax_quantity = 150\n")
    orders = _orders(
        tmp_path,
        HEADER
        + "big,IBM,buy,200,market,,,,,day,2013-10-08T10:00:00.100\n"
        + "ok,IBM,sell,10,market,,,,,day,2013-10-08T10:00:00.200\n",
    )
    args = ["simulate", str(orders), "--market", str(market), "--portfolio", str(portfolio)]
    assert main([*args, "--limits", str(limits), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_id = {o["client_id"]: o for o in out["orders"]}
    assert by_id["big"]["status"] == "denied" and by_id["big"]["denied_by"] == "order_size"
    assert "150" in by_id["big"]["reason"]
    # Selling the 10 shares held only reduces exposure: it passes and fills at the bid.
    assert by_id["ok"]["status"] == "filled"
    assert {p["symbol"]: p["quantity"] for p in out["positions"]} == {"IBM": 0}


def test_simulate_refuses_a_bad_limits_file(
    tmp_path: Path, market: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limits = tmp_path / "limits.toml"
    limits.write_text("[position]\nmax_nav_pct = -3\n")
    journal = tmp_path / "j.db"
    code = main(
        [
            "simulate",
            str(_orders(tmp_path, GOOD)),
            "--market",
            str(market),
            "--limits",
            str(limits),
            "--journal",
            str(journal),
        ]
    )
    assert code == 3
    assert "max_nav_pct" in capsys.readouterr().err
    assert not journal.exists()
