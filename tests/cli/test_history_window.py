"""One trading day fixes the history of ``estimate`` and ``risk``: nothing on or after it is used.

Figures are recomputed here with pandas straight from the bundled gzip CSVs; the look-ahead tests
compare the full daily file with a copy cut at the trading day, so any use of the day itself or
of later rows changes a figure and fails.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from slipstream.algos.estimate import history_before
from slipstream.cli.main import main
from slipstream.core.errors import InputError
from slipstream.marketdata.profiles import profile_from_bars, volume_profile_before
from slipstream.marketdata.stats import spread_before
from slipstream.paths import data_dir

DAILY = data_dir() / "daily" / "sp500_daily_ohlcv_2016-05-16_2021-05-14_sample.csv.gz"
MINUTE = data_dir() / "minute"
CONFIG = Path(__file__).resolve().parents[2] / "config"
OPEN_MS, CLOSE_MS = 34_200_000, 57_600_000
DAYS = ["2017-01-03", "2018-02-05", "2020-03-16", "2021-05-14"]


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return pd.read_csv(DAILY)


def _estimate(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    argv = ["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "50000", "--json"]
    assert main([*argv, *extra]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def _used(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["input"]: row for row in out["history"]}


@pytest.mark.parametrize("day", DAYS)
def test_every_estimate_input_ends_before_the_trading_day(
    day: str, daily: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _estimate(capsys, "--date", day)
    assert out["trading_day"] == day
    used = _used(out)
    assert set(used) == {"price", "adv", "sigma", "spread", "profile"}
    for row in used.values():
        if row["days"]:
            assert row["first_date"] <= row["last_date"] < day, row
    ibm = daily[(daily["ticker"] == "IBM") & (daily["date"] < day)].sort_values("date")
    assert out["inputs"]["price"] == pytest.approx(float(ibm["close"].iloc[-1]), rel=1e-12)
    assert used["price"]["last_date"] == ibm["date"].iloc[-1]
    adv = ibm.iloc[-20:]
    assert out["inputs"]["adv"] == pytest.approx(float(adv["volume"].mean()), rel=1e-12)
    assert (used["adv"]["first_date"], used["adv"]["days"]) == (adv["date"].iloc[0], 20)
    closes = ibm["adj_close"].to_numpy(dtype=float)[-61:]
    sigma = float(np.std(np.diff(np.log(closes)), ddof=1))
    assert out["inputs"]["sigma_daily"] == pytest.approx(sigma, rel=1e-12)
    assert used["sigma"]["days"] == 61


def test_the_trading_day_and_later_rows_change_nothing(
    tmp_path: Path, daily: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    day = "2020-03-16"  # a day the COVID crash moved far from the day before
    cut = tmp_path / "daily_cut.csv"
    daily[daily["date"] < day].to_csv(cut, index=False)
    full = _estimate(capsys, "--date", day)
    short = _estimate(capsys, "--date", day, "--daily", str(cut))
    assert full["inputs"]["price"] == short["inputs"]["price"]
    assert full["inputs"]["adv"] == short["inputs"]["adv"]
    assert full["inputs"]["sigma_daily"] == short["inputs"]["sigma_daily"]
    assert [c["cost_bps"] for c in full["costs"]] == [c["cost_bps"] for c in short["costs"]]
    assert _used(short)["adv"]["source"].endswith(str(cut))
    # The day itself would move the price: IBM closed 2020-03-16 well away from 2020-03-13.
    on_day = daily[(daily["ticker"] == "IBM") & (daily["date"] == day)]["close"].iloc[0]
    assert abs(float(on_day) - full["inputs"]["price"]) > 1.0


def test_default_trading_day_follows_the_history_and_missing_intraday_is_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _estimate(capsys)
    assert out["trading_day"] == "2021-05-17"  # the Monday after the last daily row (Friday)
    used = _used(out)
    # IBM's minute bars are from 2013: none lies in the weeks before 2021-05-17, so the spread
    # and the profile are assumed, and the output says so instead of borrowing 2013.
    for name in ("spread", "profile"):
        assert used[name]["days"] == 0 and used[name]["first_date"] is None
        assert "no 1-minute" in used[name]["source"]
    assert out["inputs"]["spread_bps"] == pytest.approx(0.01 / out["inputs"]["price"] * 1e4)
    volumes = {round(row["expected_volume"], 6) for row in out["schedule"]}
    assert len(volumes) == 1  # a flat profile: every slice expects the same volume
    assert main(["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "100"]) == 0
    text = capsys.readouterr().out
    assert "history before 2021-05-17" in text and "assumed one cent" in text
    assert "2021-04-19" in text  # first ADV session


def test_intraday_history_comes_from_the_days_before_only() -> None:
    day = "2013-10-09"
    bars = pd.read_csv(MINUTE / "us_equity_minute_trade_bars.csv.gz")
    ibm = bars[(bars["ticker"] == "IBM") & (bars["time_ms"] >= OPEN_MS)]
    ibm = ibm[ibm["time_ms"] < CLOSE_MS]
    before = ibm[(ibm["date"] < day) & (ibm["date"] >= "2013-09-09")]
    expected_days = sorted(set(before["date"]))
    assert expected_days == ["2013-10-04", "2013-10-07", "2013-10-08"]
    found = volume_profile_before("IBM", day, 30)
    assert found is not None
    profile, used = found
    assert (used.first_date, used.last_date, used.days) == ("2013-10-04", "2013-10-08", 3)
    independent = profile_from_bars(before, "IBM")
    assert profile.weights == pytest.approx(independent.weights, abs=1e-15)
    assert profile.days == 3
    quotes = pd.read_csv(MINUTE / "us_equity_minute_quote_bars.csv.gz")
    q = quotes[(quotes["ticker"] == "IBM") & quotes["date"].isin(expected_days)]
    q = q[(q["time_ms"] >= OPEN_MS) & (q["time_ms"] < CLOSE_MS)]
    q = q[(q["bid_close"] > 0) & (q["ask_close"] > q["bid_close"])]
    mid = (q["bid_close"] + q["ask_close"]) / 2
    median = float(np.median((q["ask_close"] - q["bid_close"]) / mid * 1e4))
    spread = spread_before("IBM", day, 30)
    assert spread is not None
    assert spread[0].median_spread_bps == pytest.approx(median, rel=1e-9)
    assert spread[1].last_date == "2013-10-08"
    # The first day of the data has nothing before it: no profile, not the day itself.
    assert volume_profile_before("IBM", "2013-10-04", 30) is None
    assert spread_before("IBM", "2013-10-04", 30) is None


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("2013-10-08", ["must come after some daily history", "2016-05-16 to 2021-05-14"]),
        ("2025-01-10", ["must be within 7 days", "ends 2021-05-14", "mix years"]),
        ("2016-05-20", ["needs 20 daily bars", "has 4"]),
        ("2020-02-30", ["YYYY-MM-DD"]),
    ],
)
def test_a_trading_day_the_history_cannot_serve_is_refused(day: str, words: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        history_before("IBM", day)
    assert caught.value.field == "--date" and caught.value.value == day
    assert caught.value.rule is not None
    for word in words:
        assert word in caught.value.rule
    argv = ["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "100", "--date", day]
    assert main(argv) == 2


def _bad_daily(tmp_path: Path, daily: pd.DataFrame, column: str, row: int, value: str) -> Path:
    frame = daily[daily["ticker"] == "IBM"].head(80).astype(str).reset_index(drop=True)
    frame.loc[row, column] = value
    path = tmp_path / f"bad_{column}.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("volume", "12.5", "whole number"),
        ("close", "-3", "price > 0"),
        ("date", "2016/05/20", "YYYY-MM-DD"),
        ("adj_close", "n/a", "price > 0"),
    ],
)
def test_a_bad_daily_file_names_file_line_column_and_rule(
    tmp_path: Path, daily: pd.DataFrame, column: str, value: str, rule: str
) -> None:
    path = _bad_daily(tmp_path, daily, column, 6, value)
    with pytest.raises(InputError) as caught:
        history_before("IBM", "2016-09-01", path)
    error = caught.value
    assert error.rule is not None
    assert error.field == column and error.value == value and rule in error.rule
    assert error.where == f"{path} line 8"  # row 6 of the data is line 8 (after the header)
    argv = ["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "100"]
    assert main([*argv, "--daily", str(path)]) == 2


def test_a_daily_file_without_a_column_or_at_all_is_refused(
    tmp_path: Path, daily: pd.DataFrame
) -> None:
    path = tmp_path / "no_adj.csv"
    daily.drop(columns=["adj_close"]).head(100).to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        history_before("IBM", None, path)
    assert caught.value.rule is not None
    assert caught.value.field == "--daily" and "adj_close" in caught.value.rule
    with pytest.raises(InputError) as caught:
        history_before("IBM", None, tmp_path / "missing.csv")
    assert caught.value.rule is not None
    assert caught.value.field == "--daily" and "no such file" in caught.value.rule
    argv = ["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "1", "--as-of"]
    assert main([*argv, "2020-03-13", "--date", "2020-03-16"]) == 2


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run risk commands in a scratch folder, so no trading state left elsewhere leaks in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _risk_report(capsys: pytest.CaptureFixture[str], *extra: str) -> Any:
    argv = ["risk", "report", "--portfolio", str(CONFIG / "portfolio_example.json")]
    assert main([*argv, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_risk_scenarios_end_before_the_trading_day(
    scratch: Path, daily: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    day = "2020-03-16"
    full = _risk_report(capsys, "--date", day)
    assert full["trading_day"] == day
    used = {row["input"]: row for row in full["history"]}
    dates = sorted(set(daily["date"]))
    before = [d for d in dates if d < day]
    assert used["scenarios"]["last_date"] == before[-1] == "2020-03-13"
    assert used["scenarios"]["days"] == 500 and used["scenarios"]["first_date"] == before[-500]
    assert used["clusters"]["days"] == 250 and used["clusters"]["first_date"] == before[-250]
    es = full["expected_shortfall"]
    assert es["scenario_dates"] == [before[-500], before[-1]]
    cut = scratch / "cut.csv"
    daily[daily["date"] < day].to_csv(cut, index=False)
    short = _risk_report(capsys, "--date", day, "--daily", str(cut))
    assert short["expected_shortfall"]["pct_nav_by_method"] == es["pct_nav_by_method"]
    assert short["clusters"] == full["clusters"]
    latest = _risk_report(capsys)
    assert latest["trading_day"] == "2021-05-17"
    assert latest["expected_shortfall"]["pct_nav_by_method"] != es["pct_nav_by_method"]


def test_risk_refuses_a_day_outside_the_history_and_a_bad_daily_file(
    scratch: Path, daily: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["risk", "check", "symbol=JPM,side=buy,quantity=1"]
    argv += ["--portfolio", str(CONFIG / "portfolio_example.json")]
    assert main([*argv, "--date", "2013-10-08"]) == 2
    assert "'--date' = '2013-10-08'" in capsys.readouterr().err
    bad = _bad_daily(scratch, daily, "volume", 3, "lots")
    assert main([*argv, "--daily", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad} line 5" in err and "'volume'" in err and "whole number" in err
    assert main(["risk", "backtest", "--daily", str(bad)]) == 2


def test_sigma_uses_sixty_returns(daily: pd.DataFrame) -> None:
    history = history_before("AAPL", "2019-01-02")
    rows = daily[(daily["ticker"] == "AAPL") & (daily["date"] < "2019-01-02")]
    closes = rows.sort_values("date")["adj_close"].to_numpy(dtype=float)[-61:]
    returns = np.diff(np.log(closes))
    assert len(returns) == 60
    mean = returns.mean()
    sigma = math.sqrt(float(((returns - mean) ** 2).sum()) / 59)
    assert history.inputs.sigma_daily == pytest.approx(sigma, rel=1e-12)
    assert history.trading_day == "2019-01-02"
