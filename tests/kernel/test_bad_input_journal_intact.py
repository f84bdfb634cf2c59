"""Bad input is refused before anything runs, and never leaves half a session in a journal.

Every bad orders file or flag makes ``simulate`` exit 2 with a message naming the field, the
value and (for a row) the row; the journal it was given is never created with records. At the
journal level, a record that cannot be encoded fails alone: the records around it are kept, in
order, on an intact hash chain.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from kernel_helpers import PARENTS_FILE, run_error, run_json, simulate_args

from slipstream.core.errors import JournalError
from slipstream.store.backend import SQLiteBackend
from slipstream.store.journal import Journal, open_journal, read_journal
from slipstream.store.records import JournalClosed, SessionResumed, SessionStarted

HEADER = PARENTS_FILE.read_text().splitlines()[0]
COLUMNS = HEADER.split(",")
SINGLE = {
    "client_id": "X-1",
    "symbol": "IBM",
    "side": "buy",
    "quantity": "100",
    "type": "limit",
    "limit_price": "180.00",
    "time_in_force": "day",
    "submit_at": "2013-10-08T10:02:00",
}
PARENT = {
    "client_id": "P-X",
    "symbol": "IBM",
    "side": "buy",
    "quantity": "1000",
    "algo": "twap",
    "start": "2013-10-08T10:00:00",
    "end": "2013-10-08T10:30:00",
}


def _row(**cells: str) -> str:
    return ",".join(cells.get(column, "") for column in COLUMNS)


def _journal_records(path: Path) -> int:
    """Return how many records the file holds, read straight from SQLite (0 if no table)."""
    db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "journal" not in tables:
            return 0
        return int(db.execute("SELECT COALESCE(SUM(count), 0) FROM journal").fetchone()[0])
    finally:
        db.close()


def _nothing_journalled(path: Path) -> bool:
    return not path.exists() or _journal_records(path) == 0


# (rows after the header, field, value as the message shows it, CSV row number)
BAD_ROWS = {
    "quantity_1e21": ([_row(**{**SINGLE, "quantity": str(10**21)})], "quantity", str(10**21), 2),
    "price_1e999999": (
        [_row(**{**SINGLE, "limit_price": "1e999999"})],
        "limit_price",
        "1e999999",
        2,
    ),
    "price_nan": ([_row(**{**SINGLE, "limit_price": "NaN"})], "limit_price", "NaN", 2),
    "price_infinity": (
        [_row(**{**SINGLE, "limit_price": "Infinity"})],
        "limit_price",
        "Infinity",
        2,
    ),
    "submit_at_past_64_bits": (
        [_row(**{**SINGLE, "submit_at": "99999999999999999999999"})],
        "submit_at",
        "99999999999999999999999",
        2,
    ),
    "negative_slices": (
        [_row(**{**PARENT, "params": '"{""slices"": -3}"'})],
        "slices",
        "-3",
        2,
    ),
    "unknown_algo": ([_row(**{**PARENT, "algo": "moonshot"})], "algo", "moonshot", 2),
    "amend_unknown_client_id": (
        [
            _row(**PARENT),
            _row(client_id="NOPE", action="amend", quantity="5", submit_at="2013-10-08T10:05:00"),
        ],
        "client_id",
        "NOPE",
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_is_refused_naming_field_value_and_row_and_nothing_is_journalled(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    rows, field, value, row = BAD_ROWS[case]
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join([HEADER, *rows]) + "\n")
    journal = tmp_path / "journal.db"
    code, err = run_error(capsys, simulate_args(orders, "--journal", str(journal)))
    assert code == 2
    message = err["message"]
    assert f"field '{field}'" in message
    assert value in message
    assert f"orders.csv row {row}" in message
    assert _nothing_journalled(journal)


def test_the_same_rows_without_the_fault_are_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The good rows the bad cases are made from really run (so each refusal is the fault's)."""
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join([HEADER, _row(**SINGLE), _row(**PARENT)]) + "\n")
    journal = tmp_path / "journal.db"
    code, summary = run_json(capsys, simulate_args(orders, "--journal", str(journal)))
    assert code == 0
    assert {o["client_id"] for o in summary["orders"]} >= {"X-1"}
    assert _journal_records(journal) > 2


def test_an_orders_file_that_is_not_utf8_is_refused_naming_the_byte(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    raw = HEADER.encode() + b"\n" + b"\xff\xfeX-1,,IBM,buy,100,limit,180.00,day\n"
    orders.write_bytes(raw)
    journal = tmp_path / "journal.db"
    code, err = run_error(capsys, simulate_args(orders, "--journal", str(journal)))
    assert code == 2
    assert "field 'ORDERS'" in err["message"]
    assert "orders.csv" in err["message"]
    assert "UTF-8" in err["message"]
    offset = raw.index(b"\xff")
    assert f"byte {offset} is not" in err["message"]
    assert _nothing_journalled(journal)


@pytest.mark.parametrize(
    ("flag", "value"), [("--latency-ms", "nan"), ("--latency-ms", "-1"), ("--cash", "1e999999")]
)
def test_a_bad_flag_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, value: str
) -> None:
    journal = tmp_path / "journal.db"
    code, err = run_error(
        capsys, simulate_args(PARENTS_FILE, flag, value, "--journal", str(journal))
    )
    assert code == 2
    assert f"field '{flag}' = '{value}'" in err["message"]
    assert _nothing_journalled(journal)


def test_an_order_dated_outside_the_replayed_data_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "\n".join([HEADER, _row(**{**SINGLE, "submit_at": "2023-08-03T10:00:00"})]) + "\n"
    )
    journal = tmp_path / "journal.db"
    code, err = run_error(capsys, simulate_args(orders, "--journal", str(journal)))
    assert code == 2
    assert "field 'submit_at'" in err["message"]
    assert "2023-08-03" in err["message"]
    assert "X-1" in err["message"]
    assert _nothing_journalled(journal)


# The journal itself: one unencodable record fails alone ----------------------------------


GOOD_BEFORE: list[JournalClosed | SessionResumed] = [
    JournalClosed(1, 11),
    SessionResumed(2, True, 12),
    JournalClosed(3, 13),
]
BAD = SessionStarted("x", {"k": object()}, 14)  # type: ignore[dict-item]
GOOD_AFTER: list[JournalClosed | SessionResumed] = [
    SessionResumed(4, False, 15),
    JournalClosed(5, 16),
]


def _stored(path: Path) -> list[tuple[int, int, object]]:
    journal = read_journal(path)
    try:
        return list(journal.records())
    finally:
        journal.close(clean=False)


def _verify(path: Path) -> int:
    journal = read_journal(path)
    try:
        return journal.verify()
    finally:
        journal.close(clean=False)


def test_an_unencodable_record_fails_alone_and_the_chain_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal = Journal(SQLiteBackend(path), group_size=10)
    for record in [*GOOD_BEFORE, BAD, *GOOD_AFTER]:
        journal.append(record, record.ts_init)
    with pytest.raises(JournalError, match="SessionStarted") as caught:
        journal.flush()
    assert "not journalled" in str(caught.value)
    assert "object" in str(caught.value)
    assert journal.seq == 5

    good = [*GOOD_BEFORE, *GOOD_AFTER]
    # Read straight from SQLite: one batch of the five good records.
    db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    assert db.execute("SELECT first_seq, count FROM journal").fetchall() == [(1, 5)]
    db.close()
    assert _stored(path) == [(i, r.ts_init, r) for i, r in enumerate(good, start=1)]
    assert _verify(path) == 5

    # The same journal keeps appending after the failure.
    after = SessionResumed(6, True, 17)
    assert journal.append(after, after.ts_init) == 6
    journal.close(clean=False)
    assert _stored(path)[-1] == (6, 17, after)
    assert _verify(path) == 6

    # And so does a writer opened on it later.
    again = open_journal(path, "continue", group_size=10)
    again.append(JournalClosed(6, 18), 18)
    again.close(clean=False)
    assert [seq for seq, _ts, _r in _stored(path)] == [1, 2, 3, 4, 5, 6, 7]
    assert _verify(path) == 7
