"""First hour: one timestamp rule for every command and file (``core.timestamps``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from slipstream.cli.main import main
from slipstream.core.errors import InputError
from slipstream.core.timestamps import parse_timestamp, parse_timestamps

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tca"
TICKS = Path(__file__).resolve().parents[2] / "data" / "ticks"

SAMPLES = [
    "2013-10-07T10:00:02.123456789-04:00",
    "2013-10-07T10:00:02.123456789",
    "2013-10-07 10:00:02",
    "2013-10-07T14:00:02Z",
    "2013-10-07T10:00",
    "2013-10-07",
    "1381154402000000000",
    "2013-11-03T01:30:00",  # repeated hour: the first (EDT) one
    "2013-03-10T02:30:00",  # skipped hour: read with the offset before the change (EST)
    "2013-10-07T10:00:02+0000",  # not the fast shape: the scalar parser reads it
]


def test_offset_less_time_is_new_york_time() -> None:
    assert parse_timestamp("2013-10-07T10:00:02") == parse_timestamp("2013-10-07T10:00:02-04:00")
    assert parse_timestamp("2013-12-09 10:00:02") == parse_timestamp("2013-12-09T10:00:02-05:00")
    assert parse_timestamp("2013-11-03T01:30:00") == parse_timestamp("2013-11-03T01:30:00-04:00")
    assert parse_timestamp("2013-03-10T02:30:00") == parse_timestamp("2013-03-10T03:30:00-04:00")


def test_fractions_are_exact_to_the_nanosecond() -> None:
    assert parse_timestamp("1970-01-01T00:00:00.000000001Z") == 1
    assert parse_timestamp("2013-10-07T14:00:02.123456789Z") % 1_000_000_000 == 123_456_789
    with pytest.raises(InputError):
        parse_timestamp("2013-10-07T14:00:02.1234567891Z")


def test_the_column_reader_agrees_with_the_one_parser() -> None:
    expected = [parse_timestamp(v) for v in SAMPLES]
    assert parse_timestamps(SAMPLES).tolist() == expected


def test_the_column_reader_refuses_what_the_parser_refuses() -> None:
    for bad in ("10:00 tomorrow", "-5", "2013-13-07T10:00:00", "2013-10-07T25:00:00Z"):
        with pytest.raises(InputError) as info:
            parse_timestamps(["2013-10-07T10:00:00", bad], "ts")
        assert info.value.field == "ts" and info.value.value == bad
        assert "New York" in (info.value.rule or "") or "1970" in (info.value.rule or "")


def _tca(orders: Path, fills: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    argv = ["tca", "--orders", str(orders), "--fills", str(fills), "--market", str(TICKS)]
    assert main([*argv, "--json"]) == 0
    payload: dict[str, object] = json.loads(capsys.readouterr().out)
    return payload


def test_tca_reads_offset_less_times_as_new_york_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example files with every ``-04:00`` removed give the same analysis."""
    orders, fills = tmp_path / "orders.csv", tmp_path / "fills.csv"
    for source, target in ((EXAMPLES / "orders.csv", orders), (EXAMPLES / "fills.csv", fills)):
        text = source.read_text()
        assert "-04:00" in text
        target.write_text(text.replace("-04:00", ""))
    zoned = _tca(EXAMPLES / "orders.csv", EXAMPLES / "fills.csv", capsys)
    naive = _tca(orders, fills, capsys)
    assert naive["parents"] == zoned["parents"]
    assert naive["summary"] == zoned["summary"]


def test_tca_refusal_names_the_line_the_value_and_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (EXAMPLES / "fills.csv").read_text().splitlines()
    first = lines[2].split(",")
    first[2] = "2013-10-07 9h45"
    lines[2] = ",".join(first)
    fills = tmp_path / "fills.csv"
    fills.write_text("\n".join(lines) + "\n")
    argv = ["tca", "--orders", str(EXAMPLES / "orders.csv"), "--fills", str(fills)]
    assert main([*argv, "--market", str(TICKS)]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "'2013-10-07 9h45'" in err and "New York" in err


def test_vectorised_reader_handles_a_large_column() -> None:
    base = parse_timestamp("2013-10-07T09:30:00")
    texts = [f"2013-10-07T09:30:{s % 60:02d}.{s:06d}" for s in range(50_000)]
    out = parse_timestamps(texts)
    assert out.dtype == np.int64 and int(out[0]) == base
