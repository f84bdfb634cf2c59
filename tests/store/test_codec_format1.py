"""Format-1 journals (``module:Class`` kinds, positional values) still read, into today's classes.

The fixture is read with sqlite3 and decoded batch by batch with the codec alone, so this holds
whatever the journal's chain or MAC check becomes.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from slipstream.core import schema
from slipstream.kernel.rebuild import rebuild
from slipstream.kernel.session import summarize
from slipstream.marketdata.reference import instruments_for, sector_map
from slipstream.store import codec

FIXTURES = Path(__file__).parent / "fixtures"
JOURNAL = FIXTURES / "journal_format1.sqlite"
REPLAY = FIXTURES / "journal_format1.replay.json"


def _payloads() -> list[tuple[int, int, bytes]]:
    db = sqlite3.connect(f"file:{JOURNAL.resolve()}?mode=ro&immutable=1", uri=True)
    try:
        rows = db.execute("SELECT first_seq, count, payload FROM journal ORDER BY first_seq")
        return [(seq, count, bytes(payload)) for seq, count, payload in rows]
    finally:
        db.close()


def _records() -> list[Any]:
    records: list[Any] = []
    for _seq, count, payload in _payloads():
        items = codec.decode_batch(payload)
        assert len(items) == count
        records.extend(record for _kind, _ts, record in items)
    return records


def test_the_fixture_is_format_1() -> None:
    for _seq, _count, payload in _payloads():
        batch = orjson.loads(payload)
        assert "v" not in batch
        assert all(":" in kind for kind in batch["kinds"])


def test_every_batch_decodes_into_todays_registered_classes() -> None:
    seen: set[str] = set()
    expected_seq = 1
    for seq, count, payload in _payloads():
        assert seq == expected_seq
        expected_seq += count
        legacy = orjson.loads(payload)["kinds"]
        items = codec.decode_batch(payload)
        assert len(items) == count
        for kind, ts_init, record in items:
            entry = schema.record_type(type(record))
            assert kind == entry.kind
            assert isinstance(ts_init, int)
            seen.add(kind)
        assert {schema.LEGACY_KINDS[k] for k in legacy} == {k for k, _ts, _r in items}
    assert {"order.initialized", "order.filled", "command.submit_order"} <= seen


def test_nested_records_of_format_1_decode_both_ways_they_were_written() -> None:
    """OrderSpec was written positionally, SeedPosition (in a tuple) as an object."""
    records = _records()
    initialized = next(r for r in records if type(r).__name__ == "OrderInitialized")
    assert type(initialized.spec).__name__ == "OrderSpec"
    assert initialized.spec.client_order_id == initialized.client_order_id
    assert isinstance(initialized.spec.quantity, int)
    seeded = next(r for r in records if type(r).__name__ == "PortfolioSeeded")
    assert isinstance(seeded.cash, Decimal)
    for seed in seeded.positions:
        assert type(seed).__name__ == "SeedPosition"


def test_format_1_records_reencode_as_format_2_and_read_back_equal() -> None:
    for _seq, _count, payload in _payloads():
        items = codec.decode_batch(payload)
        again = codec.encode_batch(items)
        assert orjson.loads(again)["v"] == 2
        assert codec.decode_batch(again) == items


def _order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["client_id"], row["status"], row["filled"], str(row["avg_price"]))


def _position(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["symbol"], row["quantity"], str(row["avg_cost"]), str(row["realized_pnl"]))


def test_rebuilding_the_fixture_gives_the_orders_and_positions_it_replayed_to() -> None:
    expected = json.loads(REPLAY.read_text())
    records = _records()
    assert len(records) == expected["records"]
    state = rebuild(records, instruments_for(set(sector_map())))
    summary = json.loads(
        json.dumps(summarize(state.oms.store, state.portfolio).as_dict(), default=str)
    )
    assert [_order(o) for o in summary["orders"]] == [_order(o) for o in expected["orders"]]
    assert [_position(p) for p in summary["positions"]] == [
        _position(p) for p in expected["positions"]
    ]
    for key in ("cash", "nav", "realized_pnl", "unrealized_pnl"):
        assert str(summary[key]) == str(expected[key]), key


def test_legacy_kinds_cover_every_class_registered_today_at_version_1() -> None:
    """LEGACY_KINDS is frozen: it names exactly the classes that format 1 could have written."""
    schema.load_all()
    stable = set(schema.LEGACY_KINDS.values())
    assert len(stable) == len(schema.LEGACY_KINDS)
    assert set(schema.LEGACY_FIELDS) == stable
    for entry in schema.registered():
        if entry.kind in stable:
            # While a kind is at version 1 its fields are those format 1 wrote (as a set:
            # reordering is free); a later version must carry an upgrader from 1.
            if entry.version == 1:
                assert set(entry.fields) == set(schema.LEGACY_FIELDS[entry.kind]), entry.kind
            else:
                assert (entry.kind, 1) in schema._UPGRADERS, entry.kind


def test_a_format_1_kind_read_after_its_class_is_renamed_and_its_fields_reordered() -> None:
    """Format 1 reads through LEGACY_KINDS/LEGACY_FIELDS, not through the class's name or order."""
    payload = orjson.dumps(
        {
            "kinds": ["slipstream.store.records:JournalClosed"],
            "records": [[0, 7, [41, 7]]],  # format 1: records, ts_init (field order of the time)
        }
    )
    original = schema.by_kind("journal.closed").cls

    @dataclasses.dataclass(frozen=True, slots=True)
    class Renamed:
        ts_init: int
        records: int

    schema.unregister(original)
    try:
        schema.journal_record("journal.closed", version=1)(Renamed)
        [(kind, ts, record)] = codec.decode_batch(payload)
        assert (kind, ts, record) == ("journal.closed", 7, Renamed(ts_init=7, records=41))
    finally:
        schema.unregister(Renamed)
        schema.journal_record("journal.closed", version=1)(original)
    [(_kind, _ts, back)] = codec.decode_batch(payload)
    assert back == original(41, 7)
