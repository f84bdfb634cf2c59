"""Limits TOML validation, the portfolio file, and the risk CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slipstream.cli.main import main
from slipstream.core.errors import ConfigError, InputError
from slipstream.paths import PROJECT_ROOT
from slipstream.risk import load_limits, load_portfolio
from slipstream.risk.limits import CHECK_NAMES, Limits, parse_limits
from slipstream.risk.setup import seed_positions_of

CONFIG = PROJECT_ROOT / "config"


def test_example_limits_file_loads_with_the_documented_values() -> None:
    limits = load_limits(CONFIG / "limits.toml")
    assert limits.position_max_nav_pct == 8.0 and limits.sector_max_nav_pct == 25.0
    assert limits.es_level == 0.975 and limits.order_max_notional == 5_000_000
    assert load_limits(None) == Limits()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"position": {"max_pct": 8}}, "unknown key 'position.max_pct'"),
        ({"position": {"max_nav_pct": -1}}, r"'position.max_nav_pct' = -1: must be in \(0, 100\]"),
        ({"position": {"max_nav_pct": "8"}}, "'position.max_nav_pct' = '8': must be a number"),
        ({"order": {"max_quantity": 1.5}}, "'order.max_quantity' = 1.5: must be a whole number"),
        ({"order": {"max_notional": 1e6}}, "not a float"),
        ({"position": {"per_symbol": {"AAPL": 150}}}, "'position.per_symbol.AAPL' = 150"),
        ({"expected_shortfall": {"method": "magic"}}, "must be one of historical"),
        ({"checks": {"disabled": ["trading_state"]}}, "cannot be disabled"),
        ({"checks": {"disabled": ["nope"]}}, "'checks.disabled'"),
        ({"auto_halt": {"kill_switch": "yes"}}, "must be true or false"),
        ({"sector": 25}, "must be a \\[section\\] table"),
        ({"sector": {"max_nav_pct": {"x": 1}}}, "is not a known table"),
    ],
)
def test_bad_limits_name_key_value_and_rule(document: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_limits(document)


def test_bad_limits_file_refuses_to_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[position]\nmax_nav_pct = 8.0\nmax_nav_pct = 9.0\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_limits(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_limits(tmp_path / "missing.toml")
    bad.write_text("[sector]\nmax_nav_pct = 0\n")
    with pytest.raises(ConfigError, match=r"bad.toml: key 'sector.max_nav_pct' = 0"):
        load_limits(bad)


def test_portfolio_file_loads_positions_marks_and_sectors() -> None:
    portfolio = load_portfolio(CONFIG / "portfolio_example.json")
    assert portfolio.position("DAL").quantity == -3000
    assert str(portfolio.mark_of("AAPL")) == "127.45"
    assert str(portfolio.mark_of("AMZN")) == "3222.90"
    assert portfolio.sector_of("JPM") == "Financials"
    seeds = seed_positions_of(portfolio)
    assert [(p.symbol, p.quantity) for p in seeds][:2] == [("AAPL", 4000), ("BAC", 10000)]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"positions": []}, "cash"),
        ({"cash": 1.5}, "cash"),
        ({"cash": "1", "positions": [{"symbol": "A", "quantity": 0, "avg_cost": "1"}]}, "quantity"),
        (
            {"cash": "1", "positions": [{"symbol": "A", "quantity": 5, "avg_cost": "-1"}]},
            "avg_cost",
        ),
        (
            {"cash": "1", "positions": [{"symbol": "A", "quantity": 5, "avg_cost": "1", "x": 1}]},
            "x",
        ),
        ({"cash": "1", "extra": 1}, "extra"),
    ],
)
def test_bad_portfolio_names_the_field(tmp_path: Path, document: object, field: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=field):
        load_portfolio(path)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_cli_risk_check_what_if(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    portfolio = str(CONFIG / "portfolio_example.json")
    code, out = _cli(
        capsys,
        "risk",
        "check",
        "symbol=JPM,side=buy,quantity=2000",
        "--portfolio",
        portfolio,
        "--json",
    )
    data = json.loads(out)
    assert code == 1 and data["denial"]["check"] == "position_limit"
    assert len(data["checks"]) == 10 and all("figures" in c for c in data["checks"])
    code, out = _cli(
        capsys,
        "risk",
        "check",
        '{"symbol": "JPM", "side": "buy", "quantity": 100}',
        "--portfolio",
        portfolio,
        "--limits",
        str(CONFIG / "limits.toml"),
    )
    assert code == 0 and "APPROVED" in out
    assert main(["risk", "check", "symbol=JPM,side=buy", "--portfolio", portfolio]) == 2


def test_cli_risk_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = _cli(
        capsys,
        "risk",
        "report",
        "--portfolio",
        str(CONFIG / "portfolio_example.json"),
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert {r["name"] for r in data["names"]} == {"AAPL", "MSFT", "JPM", "BAC", "XOM", "JNJ", "DAL"}
    assert set(data["expected_shortfall"]["pct_nav_by_method"]) == {
        "historical",
        "vwhs",
        "normal",
        "t",
        "fhs",
    }
    assert {r["scenarios"] for r in data["names"]} == {"own"}
    limits = {row["key"]: row["value"] for row in data["limits"]}
    assert limits["position.max_nav_pct"] == 8.0 and limits["sector.max_nav_pct"] == 25.0
    financials = next(r for r in data["sectors"] if r["name"] == "Financials")
    assert financials["exposure"] == "915630.00"  # JPM 3000 × 164.01 + BAC 10000 × 42.36


def test_cli_risk_demo_shows_every_denial_kind_and_an_automatic_halt(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _cli(capsys, "risk", "demo", "--json")
    data = json.loads(out)
    denied = {s["check"] for s in data["steps"] if s["outcome"] == "DENIED"}
    assert code == 0
    assert denied == set(CHECK_NAMES)
    halt = next(s for s in data["steps"] if s["step"] == "automatic halt")
    assert halt["check"] == "trading_state" and "below the day's start" in halt["reason"]
    overridden = next(s for s in data["steps"] if s["step"] == "overridden denial")
    assert overridden["outcome"] == "FILLED" and overridden["check"] == "position_limit"
    coverage = data["coverage"]
    assert coverage["orders_at_venue"] > 0
    assert coverage["with_risk_approval"] == coverage["orders_at_venue"]
