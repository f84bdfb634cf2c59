"""Market data loaders: every format, the bundled real files, filters, merging and bad input."""

from __future__ import annotations

import gzip
import itertools
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from slipstream.core.errors import DataError
from slipstream.marketdata import detect_format, load_file, load_market, make_filter
from slipstream.model.market import Bar, BookSnapshot, QuoteTick, TradeTick

DATA = Path(__file__).resolve().parents[2] / "data"
TICKS = DATA / "ticks"
MINUTE = DATA / "minute"
LOBSTER = DATA / "lobster"
NS = 1_000_000_000


def utc_ns(text: str) -> int:
    """Return UTC ns for an ISO time written in UTC (independent of the loaders)."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * NS


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


# --- simulate formats -----------------------------------------------------------------------


def test_quotes_with_offset_naive_eastern_and_int_ns_stamps(tmp_path: Path) -> None:
    offset = write(
        tmp_path,
        "q1.csv",
        "ts,symbol,bid,ask,bid_size,ask_size\n2013-10-08T09:30:00-04:00,IBM,181.10,181.12,3,4\n",
    )
    naive = write(
        tmp_path,
        "q2.csv.gz",
        "ts,symbol,bid,ask,bid_size,ask_size\n2013-12-02 09:30:00.5,IBM,181.1,181.12,3,4\n",
    )
    ints = write(
        tmp_path, "q3.csv", "ts,symbol,bid,ask,bid_size,ask_size\n1381239000000000001,IBM,1,2,3,4\n"
    )
    (a,) = load_file(offset)
    (b,) = load_file(naive)
    (c,) = load_file(ints)
    assert a == QuoteTick(
        "IBM", Decimal("181.10"), Decimal("181.12"), 3, 4, utc_ns("2013-10-08 13:30")
    )
    # December: Eastern Standard Time, UTC-5.
    assert isinstance(b, QuoteTick) and b.ts_event == utc_ns("2013-12-02 14:30") + NS // 2
    assert str(b.bid) == "181.1"
    assert c.ts_event == 1_381_239_000_000_000_001


def test_trades_and_bars_with_bar_end_time(tmp_path: Path) -> None:
    trades = write(
        tmp_path, "t.csv", "ts,symbol,price,size\n2013-10-08T13:30:00Z,IBM,181.115,200\n"
    )
    bars = write(
        tmp_path,
        "b.csv",
        "ts,symbol,open,high,low,close,volume\n2013-10-08T09:30:00-04:00,IBM,1.5,2,1,1.75,900\n",
    )
    (t,) = load_file(trades)
    (b,) = load_file(bars)
    assert t == TradeTick("IBM", Decimal("181.115"), 200, utc_ns("2013-10-08 13:30"))
    assert b == Bar(
        "IBM",
        Decimal("1.5"),
        Decimal("2"),
        Decimal("1"),
        Decimal("1.75"),
        900,
        utc_ns("2013-10-08 13:31"),
    )


def test_multi_symbol_file_is_time_sorted_and_filters_apply(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        "ts,symbol,price,size\n"
        "2013-10-08T09:29:00-04:00,AAA,1,1\n"
        "2013-10-08T09:31:00-04:00,AAA,2,1\n"
        "2013-10-08T09:30:00-04:00,BBB,3,1\n"
        "2013-10-09T10:00:00-04:00,BBB,4,1\n",
    )
    everything = load_file(path)
    assert [r.price for r in everything] == [1, 3, 2, 4]  # type: ignore[union-attr]
    regular = load_file(path, make_filter(session="regular"))
    assert [r.price for r in regular] == [3, 2, 4]  # type: ignore[union-attr]
    picked = load_file(path, make_filter(symbols=["bbb"], dates=["2013-10-09"]))
    assert [r.price for r in picked] == [4]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ts,symbol,bid,ask,bid_size\n1,X,1,2,3\n", "missing column"),
        (
            "ts,symbol,price,size\n1,X,1.2.3,5\n",
            "line 2, column 'price' = '1.2.3': is not a number",
        ),
        ("ts,symbol,price,size\n1,X,1,5\n2,X,-1,5\n", "line 3, column 'price' = '-1': must be > 0"),
        ("ts,symbol,price,size\n1,X,1,5\n2,X,1,2.5\n", "line 3, column 'size'"),
        ("ts,symbol,price,size\n5,X,1,5\n4,X,1,5\n", "line 3, column 'ts' = 4: timestamps"),
        (
            "ts,symbol,price,size\n2013-10-08T09:30:00Z,X,1,5\n2013-10-08 09:31:00,X,1,5\n",
            "line 3, column 'ts'",
        ),
        ("ts,symbol,price,size\nyesterday,X,1,5\n", "line 2, column 'ts' = 'yesterday'"),
        ("foo,bar\n1,2\n", "unrecognised market data header"),
        ("ts,symbol,open,high,low,close,volume\n1,X,5,6,5.5,5.8,10\n", "line 2, column 'high'"),
    ],
)
def test_bad_files_name_file_line_column_and_rule(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "bad.csv", body)
    with pytest.raises(DataError, match=r"bad\.csv") as info:
        load_file(path)
    assert message in str(info.value)


def test_missing_file_and_corrupt_gzip(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such market data"):
        load_market(tmp_path / "nothing.csv")
    broken = tmp_path / "x.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match=r"x\.csv\.gz"):
        load_file(broken)


# --- bundled real files -------------------------------------------------------------------


def test_lean_trade_bars_real_file() -> None:
    bars = load_file(MINUTE / "us_equity_minute_trade_bars.csv.gz", make_filter(["IBM"]))
    raw = pd.read_csv(MINUTE / "us_equity_minute_trade_bars.csv.gz", dtype=str)
    ibm = raw[raw.ticker == "IBM"]
    assert len(bars) == len(ibm) == 2_566
    first_regular = next(b for b in bars if b.ts_event > utc_ns("2013-10-04 13:30"))
    row = ibm[(ibm.date == "2013-10-04") & (ibm.time_ms == "34200000")].iloc[0]
    assert isinstance(first_regular, Bar)
    # The 09:30 ET bar (13:30 UTC in October) becomes known at its end, 13:31 UTC.
    assert first_regular.ts_event == utc_ns("2013-10-04 13:31")
    assert first_regular.close == Decimal(row.close)
    assert all(a.ts_event <= b.ts_event for a, b in itertools.pairwise(bars))


def test_lean_quote_bars_carry_a_blank_side_forward() -> None:
    quotes = load_file(MINUTE / "us_equity_minute_quote_bars.csv.gz", make_filter(["SHY"]))
    raw = pd.read_csv(MINUTE / "us_equity_minute_quote_bars.csv.gz")
    shy = raw[raw.ticker == "SHY"].copy()
    for side in ("bid", "ask"):
        shy[f"{side}_close"] = shy.groupby("date")[f"{side}_close"].ffill()
    expected = shy.dropna(subset=["bid_close", "ask_close"])
    assert len(quotes) == len(expected)
    assert all(isinstance(q, QuoteTick) for q in quotes)
    assert [float(q.bid) for q in quotes[:50]] == expected.bid_close.head(50).tolist()  # type: ignore[union-attr]


def test_trade_ticks_drop_suspicious_and_take_symbol_from_name() -> None:
    path = TICKS / "IBM_trade_ticks_20131007_20131011.csv.gz"
    trades = load_file(path, make_filter(dates=["2013-10-07"]))
    raw = pd.read_csv(path)
    day = raw[(raw.date == "2013-10-07") & (raw.suspicious == 0)]
    assert len(trades) == len(day)
    assert {t.symbol for t in trades} == {"IBM"}
    assert trades[0].price == Decimal(str(day.price.iloc[0]))  # type: ignore[union-attr]
    regular = load_file(path, make_filter(session="regular", dates=["2013-10-07"]))
    in_session = day[(day.time_ms >= 34_200_000) & (day.time_ms < 57_600_000)]
    assert len(regular) == len(in_session)


def test_quote_ticks_make_an_uncrossed_nbbo() -> None:
    path = TICKS / "IBM_quote_ticks_20131007_20131011.csv.gz"
    quotes = load_file(path, make_filter(session="regular", dates=["2013-10-08"]))
    assert len(quotes) > 10_000
    assert all(isinstance(q, QuoteTick) and q.bid < q.ask for q in quotes)
    # Independent rebuild of the state at the first emitted quote: latest bid row and ask row.
    raw = pd.read_csv(path, dtype={"bid": str, "ask": str})
    day = raw[(raw.date == "2013-10-08") & (raw.suspicious == 0)]
    first = quotes[0]
    ms = (first.ts_event - utc_ns("2013-10-08 04:00")) // 1_000_000  # ET midnight = 04:00 UTC
    upto = day[day.time_ms <= ms]
    bid_row = upto[upto.bid.astype(float) > 0].iloc[-1]
    ask_row = upto[upto.ask.astype(float) > 0].iloc[-1]
    assert isinstance(first, QuoteTick)
    assert (first.bid, first.bid_size) == (Decimal(bid_row.bid), bid_row.bid_size)
    assert (first.ask, first.ask_size) == (Decimal(ask_row.ask), ask_row.ask_size)
    assert ms >= 34_200_000


def test_lobster_pair_gives_books_and_trades_with_aggressor() -> None:
    records = load_file(LOBSTER / "AAPL_2012-06-21_34200000_57600000_message_10.csv")
    books = [r for r in records if isinstance(r, BookSnapshot)]
    trades = [r for r in records if isinstance(r, TradeTick)]
    messages = pd.read_csv(
        LOBSTER / "AAPL_2012-06-21_34200000_57600000_message_10.csv", header=None
    )
    executions = messages[messages[1].isin([4, 5])]
    assert len(books) == 999 and len(trades) == len(executions) == 159
    first_trade = executions.iloc[0]
    assert trades[0].price == Decimal(int(first_trade[4])) / 10_000
    assert trades[0].aggressor == -int(first_trade[5])
    assert books[0].asks[0].price == Decimal("585.94") and books[0].bids[0].size == 18
    assert books[0].ts_event == utc_ns("2012-06-21 13:30") + 4_241_176
    assert all(len(b.asks) <= 10 and all(lv.size > 0 for lv in b.asks) for b in books)


def test_lobster_message_only_file_gives_trades() -> None:
    path = LOBSTER / "AMZN_2021-04-12_34200000_57600000_message_10_first30min.csv.gz"
    assert detect_format(path) == "lobster_message"
    trades = load_file(path)
    raw = pd.read_csv(path, header=None)
    assert len(trades) == int(raw[1].isin([4, 5, 6]).sum()) == 9_022
    assert {t.symbol for t in trades} == {"AMZN"}
    assert isinstance(trades[0], TradeTick)
    assert trades[0].price == Decimal("3357.84")


def test_lobster_orderbook_with_wrong_row_count_is_refused(tmp_path: Path) -> None:
    message = tmp_path / "AAA_2012-06-21_34200000_57600000_message_1.csv"
    message.write_text("34200.1,1,1,100,1000000,1\n34200.2,4,1,100,1000000,1\n")
    (tmp_path / "AAA_2012-06-21_34200000_57600000_orderbook_1.csv").write_text(
        "1000100,5,1000000,100\n"
    )
    with pytest.raises(DataError, match="has 1 rows but its message file"):
        load_file(message)


def test_load_market_merges_a_folder_in_time_order(tmp_path: Path) -> None:
    write(tmp_path, "q.csv", "ts,symbol,bid,ask,bid_size,ask_size\n1,X,1,2,1,1\n3,X,1,2,1,1\n")
    write(tmp_path, "t.csv", "ts,symbol,price,size\n2,X,1.5,10\n4,X,1.5,10\n")
    (tmp_path / "notes.md").write_text("ignored: not a CSV")
    replay = load_market(tmp_path, session="all")
    assert [r.ts_event for r in replay] == [1, 2, 3, 4]
    assert len(replay) == 4 and replay.symbols() == ["X"] and replay.span_ns() == (1, 4)


def test_real_folder_loads_in_time_order() -> None:
    replay = load_market(LOBSTER, session="regular")
    stamps = [r.ts_event for r in replay]
    assert stamps == sorted(stamps)
    assert set(replay.symbols()) == {"AAPL", "AMZN"}
