"""Choosing the market data to replay: one date, a time window, folders searched recursively.

Every count is checked against an independent count made here with pandas from the bundled
gzip CSVs, so a filter that keeps a neighbouring day (or drops part of the chosen one) fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from slipstream.core.errors import InputError
from slipstream.marketdata.loaders import data_files
from slipstream.marketdata.replay import (
    check_within_data,
    eastern_date,
    load_market,
    parse_window,
)
from slipstream.paths import data_dir

DATA = data_dir()
IBM_TRADES = DATA / "ticks" / "IBM_trade_ticks_20131007_20131011.csv.gz"
BAC_TRADES = DATA / "ticks" / "BAC_trade_ticks_20131007_20131011.csv.gz"
MINUTE_TRADES = DATA / "minute" / "us_equity_minute_trade_bars.csv.gz"
OPEN_MS, CLOSE_MS = 34_200_000, 57_600_000


def _tick_count(path: Path, day: str, lo_ms: int = OPEN_MS, hi_ms: int = CLOSE_MS) -> int:
    frame = pd.read_csv(path, usecols=["date", "time_ms", "suspicious"])
    keep = (
        (frame["date"] == day)
        & (frame["suspicious"] == 0)
        & (frame["time_ms"] >= lo_ms)
        & (frame["time_ms"] < hi_ms)
    )
    return int(keep.sum())


def test_a_date_keeps_exactly_that_days_records() -> None:
    day = "2013-10-08"
    replay = load_market(IBM_TRADES, session="regular", date=day)
    expected = _tick_count(IBM_TRADES, day)
    assert expected > 1_000
    assert len(replay) == expected
    assert {eastern_date(r.ts_event) for r in replay} == {day}
    assert replay.dates() == [day]


def test_a_date_on_minute_bars_of_a_multi_year_file() -> None:
    # SPY's minute bars hold six days of 2013 and one of 2023: only the 2023 day may come back.
    frame = pd.read_csv(MINUTE_TRADES, usecols=["ticker", "date", "time_ms"])
    spy = frame[(frame["ticker"] == "SPY") & (frame["date"] == "2023-08-03")]
    expected = int(((spy["time_ms"] >= OPEN_MS) & (spy["time_ms"] < CLOSE_MS)).sum())
    replay = load_market(MINUTE_TRADES, symbols=["SPY"], session="regular", date="2023-08-03")
    assert expected > 300
    assert len(replay) == expected
    assert replay.dates() == ["2023-08-03"]


def test_a_window_keeps_start_inclusive_end_exclusive() -> None:
    day = "2013-10-09"
    start_ns, end_ns = parse_window(day, "10:00", "10:30")
    assert start_ns is not None and end_ns is not None
    replay = load_market(IBM_TRADES, session="all", date=day, start_ns=start_ns, end_ns=end_ns)
    expected = _tick_count(IBM_TRADES, day, 36_000_000, 37_800_000)
    assert expected > 100
    assert len(replay) == expected
    assert all(start_ns <= r.ts_event < end_ns for r in replay)


def test_a_window_with_no_records_names_the_field_and_the_data_span() -> None:
    start_ns, end_ns = parse_window("2013-10-09", "17:00", "18:00")
    with pytest.raises(InputError) as caught:
        load_market(IBM_TRADES, session="regular", start_ns=start_ns, end_ns=end_ns)
    assert caught.value.field == "--start"
    assert caught.value.rule is not None
    assert "holds no records" in caught.value.rule and "2013-10-07" in caught.value.rule


def test_a_date_without_data_lists_the_dates_it_holds() -> None:
    with pytest.raises(InputError) as caught:
        load_market(IBM_TRADES, session="regular", date="2013-10-14")
    error = caught.value
    assert error.field == "--date" and error.value == "2013-10-14"
    assert error.rule is not None
    assert "must be a trading day" in error.rule
    for day in ("2013-10-07", "2013-10-08", "2013-10-09", "2013-10-10", "2013-10-11"):
        assert day in error.rule


@pytest.mark.parametrize("text", ["2013-13-01", "10/08/2013", "2013-10-8", "yesterday"])
def test_a_malformed_date_is_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        load_market(IBM_TRADES, date=text)
    assert caught.value.field == "--date" and caught.value.value == text
    assert caught.value.rule is not None
    assert "YYYY-MM-DD" in caught.value.rule


def test_a_clock_time_needs_a_date_and_end_follows_start() -> None:
    with pytest.raises(InputError) as caught:
        parse_window(None, "10:00")
    assert caught.value.field == "--start"
    with pytest.raises(InputError) as caught:
        parse_window("2013-10-08", "11:00", "10:00")
    assert caught.value.field == "--end"
    start_ns, end_ns = parse_window(None, "2013-10-08T10:00:00+00:00", "2013-10-08T10:00:00")
    assert start_ns is not None and end_ns is not None
    assert end_ns - start_ns == 4 * 3600 * 10**9  # 10:00 New York is 14:00 UTC in October


def test_folders_are_searched_recursively(tmp_path: Path) -> None:
    nested = tmp_path / "ticks" / "2013" / "ibm"
    nested.mkdir(parents=True)
    shutil.copy(IBM_TRADES, nested / IBM_TRADES.name)
    (tmp_path / "bac").mkdir()
    shutil.copy(BAC_TRADES, tmp_path / "bac" / BAC_TRADES.name)
    hidden = tmp_path / ".cache"
    hidden.mkdir()
    shutil.copy(BAC_TRADES, hidden / BAC_TRADES.name)  # would double BAC if it were read
    assert [p.name for p in data_files(tmp_path)] == [BAC_TRADES.name, IBM_TRADES.name]
    day = "2013-10-10"
    replay = load_market(tmp_path, session="regular", date=day)
    assert replay.symbols() == ["BAC", "IBM"]
    assert len(replay) == _tick_count(IBM_TRADES, day) + _tick_count(BAC_TRADES, day)
    stamps = [r.ts_event for r in replay]
    assert stamps == sorted(stamps)


def test_an_order_dated_outside_the_data_is_an_input_error() -> None:
    # A 2013 SPY order against SPY's 2023 data is refused, not filled ten years later.
    replay = load_market(MINUTE_TRADES, symbols=["SPY"], session="regular", date="2023-08-03")
    span, dates = replay.span_ns(), replay.dates()
    order_ns, _ = parse_window("2013-10-07", "10:00")
    assert order_ns is not None
    with pytest.raises(InputError) as caught:
        check_within_data("submit_at", order_ns, span, "orders.csv line 2", dates)
    error = caught.value
    assert error.field == "submit_at" and error.where == "orders.csv line 2"
    assert str(error.value).startswith("2013-10-07 10:00")
    assert error.rule is not None
    assert "2023-08-03" in error.rule and "trading day" in error.rule
    # The same clock time on the replayed day, and pre-market on it, are inside.
    inside_ns, _ = parse_window("2023-08-03", "10:00")
    early_ns, _ = parse_window("2023-08-03", "08:00")
    assert inside_ns is not None and early_ns is not None
    check_within_data("submit_at", inside_ns, span, None, dates)
    check_within_data("submit_at", early_ns, span, None, dates)
    after_ns, _ = parse_window("2023-08-04", "00:00")
    assert after_ns is not None
    with pytest.raises(InputError):
        check_within_data("submit_at", after_ns, span, None, dates)


def test_a_gap_day_inside_the_span_is_outside_the_data() -> None:
    # SPY's bars run 2013-10-04 … 2023-08-03; 2016-01-04 lies between them but is not in them.
    replay = load_market(MINUTE_TRADES, symbols=["SPY"], session="regular")
    gap_ns, _ = parse_window("2016-01-04", "10:00")
    assert gap_ns is not None
    check_within_data("submit_at", gap_ns, replay.span_ns(), None)  # the span alone allows it
    with pytest.raises(InputError) as caught:
        check_within_data("submit_at", gap_ns, replay.span_ns(), None, replay.dates())
    assert caught.value.rule is not None
    assert "2013-10-11" in caught.value.rule and "2023-08-03" in caught.value.rule
    with pytest.raises(InputError):
        check_within_data("submit_at", gap_ns, None, None)
