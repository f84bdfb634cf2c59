"""The Parquet market data catalog replays exactly the records of the CSV files it came from."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from slipstream.cli.main import main
from slipstream.core.errors import DataError, InputError
from slipstream.marketdata.catalog import (
    MANIFEST,
    import_sources,
    is_catalog,
    load_catalog_sources,
    load_daily,
    read_manifest,
)
from slipstream.marketdata.loaders import load_sources, make_filter
from slipstream.marketdata.reference import instruments_for, missing_sectors, require_sectors
from slipstream.marketdata.replay import load_market, parse_window
from slipstream.model.market import MarketRecord, TradeTick
from slipstream.paths import data_dir

DATA = data_dir()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ticks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalog = tmp_path_factory.mktemp("catalog") / "ticks"
    import_sources([DATA / "ticks"], catalog)
    return catalog


def _same(a: Sequence[Sequence[MarketRecord]], b: Sequence[Sequence[MarketRecord]]) -> None:
    assert [len(s) for s in a] == [len(s) for s in b]
    for left, right in zip(a, b, strict=True):
        for x, y in zip(left, right, strict=True):
            assert x == y
            assert repr(x) == repr(y)  # same Decimal digits and exponent, not only equal value


def test_one_day_of_ibm_and_bac_ticks_matches_the_csvs_record_by_record(ticks: Path) -> None:
    from_csv = list(load_market(DATA / "ticks", ["IBM", "BAC"], date="2013-10-08"))
    from_catalog = list(load_market(ticks, ["IBM", "BAC"], date="2013-10-08"))
    assert len(from_csv) > 150_000
    assert from_catalog == from_csv
    assert [repr(r) for r in from_catalog[:2000]] == [repr(r) for r in from_csv[:2000]]


def test_a_time_window_matches(ticks: Path) -> None:
    start, end = parse_window("2013-10-08", "09:59", "10:50")
    csv = load_market(DATA / "ticks", date="2013-10-08", start_ns=start, end_ns=end)
    catalog = load_market(ticks, date="2013-10-08", start_ns=start, end_ns=end)
    _same(csv.sources, catalog.sources)


@pytest.mark.parametrize(
    ("symbols", "session", "dates"),
    [
        (None, "all", None),
        (["ibm"], "regular", None),
        (["BAC"], "all", ["2013-10-09", "2013-10-11"]),
    ],
)
def test_every_filter_matches_for_the_ticks(
    ticks: Path, symbols: list[str] | None, session: str, dates: list[str] | None
) -> None:
    flt = make_filter(symbols, session, dates)
    _same(load_sources(DATA / "ticks", flt), load_catalog_sources(ticks, flt))


@pytest.mark.parametrize("folder", ["minute", "lobster"])
@pytest.mark.parametrize("session", ["regular", "all"])
def test_minute_bars_and_lobster_match(tmp_path: Path, folder: str, session: str) -> None:
    import_sources([DATA / folder], tmp_path / "cat")
    for symbols in (None, ["AAPL"]):
        flt = make_filter(symbols, session)
        _same(load_sources(DATA / folder, flt), load_catalog_sources(tmp_path / "cat", flt))


def test_the_manifest_describes_every_file(ticks: Path) -> None:
    assert is_catalog(ticks)
    raw = json.loads((ticks / MANIFEST).read_text())
    assert raw["format"] == "slipstream-market-catalog" and raw["version"] == 1
    files = raw["files"]
    assert {(f["kind"], f["symbol"]) for f in files} == {
        ("trades", "BAC"),
        ("trades", "IBM"),
        ("quotes", "IBM"),
    }
    assert len(files) == 15  # three sources x five days
    for f in files:
        assert (ticks / f["path"]).is_file()
        assert f["source"] in raw["sources"]
        assert f["sha256"] == raw["sources"][f["source"]]["sha256"]
        assert f["rows"] > 0 and "ts_event" in f["columns"] and len(f["dates"]) == 1


def _write_trades(path: Path, price: str) -> None:
    path.write_text(
        "ts,symbol,price,size\n"
        f"2013-10-08T10:00:00-04:00,XYZ,{price},100\n"
        "2013-10-08T10:00:01-04:00,XYZ,10.50,200\n"
        "2013-10-09T10:00:00-04:00,XYZ,10.60,300\n"
    )


def test_import_is_idempotent_and_a_changed_source_replaces_its_entries(tmp_path: Path) -> None:
    source = tmp_path / "src" / "trades.csv"
    source.parent.mkdir()
    _write_trades(source, "10.00")
    catalog = tmp_path / "cat"
    first = import_sources([source.parent], catalog)
    assert [a["action"] for a in first.actions] == ["imported"]
    before = (catalog / MANIFEST).read_text()
    again = import_sources([source], catalog)
    assert [a["action"] for a in again.actions] == ["unchanged"]
    assert (catalog / MANIFEST).read_text() == before
    # Fewer dates: the entry of the dropped day goes, the price changes.
    source.write_text("ts,symbol,price,size\n2013-10-08T10:00:00-04:00,XYZ,10.10,100\n")
    changed = import_sources([source], catalog)
    assert [a["action"] for a in changed.actions] == ["replaced"]
    manifest = read_manifest(catalog)
    assert [f["dates"] for f in manifest.files] == [["2013-10-08"]]
    assert len(list(catalog.rglob("*.parquet"))) == 1
    records = list(load_market(catalog))
    assert [str(r.price) for r in records if isinstance(r, TradeTick)] == ["10.10"]
    assert len(records) == 1


def test_a_moved_source_does_not_replay_twice(tmp_path: Path) -> None:
    old = tmp_path / "old" / "trades.csv"
    old.parent.mkdir()
    _write_trades(old, "10.00")
    catalog = tmp_path / "cat"
    import_sources([old], catalog)
    new = tmp_path / "new" / "trades.csv"
    new.parent.mkdir()
    old.rename(new)
    moved = import_sources([new], catalog)
    assert [a["action"] for a in moved.actions] == ["moved"]
    assert list(read_manifest(catalog).sources) == [str(new.resolve())]
    assert len(load_market(catalog)) == 3


def test_a_date_the_catalog_lacks_names_the_dates_it_holds(ticks: Path) -> None:
    with pytest.raises(InputError, match="2013-10-07, 2013-10-08"):
        load_market(ticks, date="2013-10-14")


def test_a_non_empty_folder_without_manifest_is_not_turned_into_a_catalog(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="without a catalog manifest"):
        import_sources([DATA / "lobster"], tmp_path)


def test_daily_bars_import_and_read_back(tmp_path: Path) -> None:
    source = tmp_path / "daily.csv.gz"
    with gzip.open(DATA / "daily" / "sp500_daily_ohlcv_2016-05-16_2021-05-14_sample.csv.gz") as f:
        head = b"".join(f.readline() for _ in range(400))
    with gzip.open(source, "wb") as out:
        out.write(head)
    import_sources([source], tmp_path / "cat")
    frame = load_daily(tmp_path / "cat", ["aal"], start="2016-05-17")
    assert set(frame["ticker"]) == {"AAL"}
    assert frame["date"].min() == "2016-05-17"
    assert list(frame.columns)[:3] == ["date", "ticker", "open"]
    # Daily bars are not replay records: load_market of the catalog has none of them.
    assert len(load_market(tmp_path / "cat", session="all")) == 0


def test_simulate_prints_the_same_json_from_the_catalog(
    ticks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(market: Path) -> str:
        argv = [
            "simulate",
            str(ROOT / "examples" / "parents" / "orders.csv"),
            "--market",
            str(market),
            "--date",
            "2013-10-08",
            "--start",
            "09:59",
            "--end",
            "10:50",
            "--json",
        ]
        assert main(argv) == 0
        return capsys.readouterr().out

    from_csv = run(DATA / "ticks")
    assert '"orders"' in from_csv
    assert run(ticks) == from_csv


def test_data_cli_import_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lobster = tmp_path / "lobster"
    shutil.copytree(DATA / "lobster", lobster)
    catalog = tmp_path / "cat"
    assert main(["data", "import", str(lobster), "--catalog", str(catalog), "--json"]) == 0
    captured = capsys.readouterr()
    assert "[1/2]" in captured.err  # progress on stderr
    assert [a["action"] for a in json.loads(captured.out)["sources"]] == ["imported"] * 2
    assert main(["data", "list", "--catalog", str(catalog), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert set(listing["kinds"]) == {"books", "trades"}
    assert listing["kinds"]["books"]["symbols"] == ["AAPL"]
    assert main(["data", "list", "--catalog", str(catalog), "--files"]) == 0
    assert "books/AAPL/2012-06-21/" in capsys.readouterr().out
    assert main(["data", "list", "--catalog", str(tmp_path / "none")]) == 2


# --- reference data: a symbol without it is named, with the file to add it to ---------------


def test_a_symbol_without_reference_data_is_named_with_the_file_to_add_it_to(
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = instruments_for(["IBM", "XYZ", "SPY"])
    assert table.sector_of("XYZ") == "Unknown"
    assert table.sector_of("SPY") == "ETF"  # the documented ETF default, no note
    note = capsys.readouterr().err
    assert "no reference data for XYZ" in note and "IBM" not in note and "SPY" not in note
    assert "daily_ticker_sector.csv" in note and "ticker,name,sector" in note
    assert "tick 0.01 and lot 1" in note
    instruments_for(["IBM", "BAC"])
    instruments_for(["XYZ"], quiet=True)
    assert capsys.readouterr().err == ""
    assert missing_sectors(["IBM", "XYZ", "ZZZZ", "SHY"]) == ["XYZ", "ZZZZ"]
    require_sectors(["IBM", "SPY"])
    with pytest.raises(DataError, match=r"no reference data for XYZ, ZZZZ: no sector in .*sector"):
        require_sectors(["XYZ", "ZZZZ", "IBM"])
