"""Kinds, versions and upgraders: what lets records change without orphaning old journals.

Every class here is registered under a ``test.`` kind for one test and unregistered after it,
so the real registry (and the committed snapshot) never see them.
"""

from __future__ import annotations

import dataclasses
import sys
import types
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import orjson
import pytest

from slipstream.core import schema
from slipstream.core.errors import JournalError
from slipstream.model.enums import Side
from slipstream.store import codec


@pytest.fixture
def cleanup() -> Iterator[list[type]]:
    """Classes appended here are unregistered after the test (and test upgraders removed)."""
    registered: list[type] = []
    yield registered
    for cls in registered:
        schema.unregister(cls)
    for key in [k for k in schema._UPGRADERS if k[0].startswith("test.")]:
        schema.unregister_upgrader(*key)


def _register(cleanup: list[type], kind: str, version: int, cls: type) -> Any:
    schema.journal_record(kind, version=version)(cls)
    cleanup.append(cls)
    return cls


def _module(name: str, source: str) -> types.ModuleType:
    """Return a real module ``name`` holding ``source`` (a class "moved" to another module)."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(source, module.__dict__)
    return module


def _batch(*records: object) -> bytes:
    return codec.encode_batch([(codec.kind_of(type(r)), 1, r) for r in records])


@dataclasses.dataclass(frozen=True)
class Other:
    x: int


@dataclasses.dataclass(frozen=True, slots=True)
class Wrapper:
    leg: Leg
    note: str


@dataclasses.dataclass(frozen=True, slots=True)
class WrapperV3:
    leg: Leg
    note: str
    symbol: str


@dataclasses.dataclass(frozen=True, slots=True)
class Inner:
    x: int


@dataclasses.dataclass(frozen=True, slots=True)
class Outer:
    inner: Inner
    ts_init: int


@dataclasses.dataclass(frozen=True, slots=True)
class NotDeclared:
    ts_init: int


# -- format 2 --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Leg:
    symbol: str
    qty: int
    px: Decimal | None


@dataclasses.dataclass(frozen=True, slots=True)
class Basket:
    name: str
    side: Side
    first: Leg
    legs: tuple[Leg, ...]
    maybe: Leg | None
    ts_init: int


def test_a_batch_lists_each_kind_with_its_version_and_fields_once(cleanup: list[type]) -> None:
    _register(cleanup, "test.leg", 1, Leg)
    _register(cleanup, "test.basket", 4, Basket)
    leg = Leg("IBM", 100, Decimal("1.50"))
    basket = Basket("b", Side.BUY, leg, (leg, Leg("BAC", 5, None)), None, 9)
    payload = _batch(basket, basket)
    batch = orjson.loads(payload)
    assert batch["v"] == 2
    assert batch["kinds"] == [
        ["test.basket", 4, ["name", "side", "first", "legs", "maybe", "ts_init"]],
        ["test.leg", 1, ["symbol", "qty", "px"]],
    ]
    assert batch["records"][0] == [
        0,
        1,
        ["b", "buy", ["IBM", 100, "1.50"], [["IBM", 100, "1.50"], ["BAC", 5, None]], None, 9],
    ]
    assert codec.decode_batch(payload) == [("test.basket", 1, basket)] * 2


def test_fields_are_read_by_name_so_reordering_is_free(cleanup: list[type]) -> None:
    _register(cleanup, "test.leg", 1, Leg)
    payload = orjson.dumps(
        {
            "v": 2,
            "kinds": [["test.leg", 1, ["px", "symbol", "qty"]]],
            "records": [[0, 3, ["2", "X", 7]]],
        }
    )
    assert codec.decode_batch(payload) == [("test.leg", 3, Leg("X", 7, Decimal("2")))]


# -- rename: the same kind and version under another class -----------------------------------


def test_a_class_renamed_and_moved_reads_what_the_old_one_wrote(cleanup: list[type]) -> None:
    _register(cleanup, "test.leg", 1, Leg)
    _register(cleanup, "test.basket", 1, Basket)
    leg = Leg("IBM", 100, Decimal("1.50"))
    written = Basket("b", Side.SELL, leg, (leg,), Leg("BAC", 1, None), 5)
    payload = _batch(written)

    # Another module, other names, fields in another order: the same kinds at the same versions.
    moved = _module(
        "slipstream_tests_moved.records",
        """
from __future__ import annotations
from dataclasses import dataclass
from decimal import Decimal
from slipstream.model.enums import Side

@dataclass(frozen=True, slots=True)
class Position:
    qty: int
    px: Decimal | None
    symbol: str

@dataclass(frozen=True, slots=True)
class Portfolio:
    ts_init: int
    legs: tuple[Position, ...]
    name: str
    maybe: Position | None
    first: Position
    side: Side
""",
    )
    Position, Portfolio = moved.Position, moved.Portfolio
    schema.unregister(Basket)
    schema.unregister(Leg)
    _register(cleanup, "test.leg", 1, Position)
    _register(cleanup, "test.basket", 1, Portfolio)

    [(kind, ts, back)] = codec.decode_batch(payload)
    assert kind == "test.basket" and ts == 1
    p = Position(100, Decimal("1.50"), "IBM")
    assert back == Portfolio(5, (p,), "b", Position(1, None, "BAC"), p, Side.SELL)
    assert type(back) is Portfolio and type(back.first) is Position


def test_one_kind_has_one_class_until_it_is_unregistered(cleanup: list[type]) -> None:
    _register(cleanup, "test.leg", 1, Leg)

    with pytest.raises(ValueError, match="already"):
        schema.journal_record("test.leg", version=1)(Other)
    with pytest.raises(ValueError, match="dotted name"):
        schema.journal_record("tests.module:Other")
    with pytest.raises(TypeError, match="dataclass"):
        schema.journal_record("test.plain")(int)


# -- versions and upgraders ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class FillV1:
    order_id: str
    price: Decimal
    ts_init: int


@dataclasses.dataclass(frozen=True, slots=True)
class FillV2:
    """v2: ``order_id`` became ``client_order_id``, and a ``venue`` field was added."""

    client_order_id: str
    price: Decimal
    venue: str
    ts_init: int


def test_a_v1_record_is_read_into_v2_through_its_upgrader(cleanup: list[type]) -> None:
    _register(cleanup, "test.fill", 1, FillV1)
    old = _batch(FillV1("A-1", Decimal("10.25"), 3))
    schema.unregister(FillV1)
    _register(cleanup, "test.fill", 2, FillV2)

    with pytest.raises(JournalError, match=r"test\.fill v1: no upgrader to v2"):
        codec.decode_batch(old)

    @schema.upgrader("test.fill", from_version=1)
    def _v1_to_v2(record: dict[str, Any]) -> dict[str, Any]:
        record = dict(record)
        record["client_order_id"] = record.pop("order_id")
        return {**record, "venue": "SIM"}

    assert codec.decode_batch(old) == [("test.fill", 1, FillV2("A-1", Decimal("10.25"), "SIM", 3))]
    # v2 batches read directly, and a newer version than the code knows is refused.
    now = FillV2("A-2", Decimal("1"), "X", 4)
    assert codec.decode_batch(_batch(now)) == [("test.fill", 1, now)]
    newer = orjson.dumps(
        {"v": 2, "kinds": [["test.fill", 3, ["client_order_id"]]], "records": [[0, 1, ["Z"]]]}
    )
    with pytest.raises(JournalError, match="newer Slipstream"):
        codec.decode_batch(newer)


def test_upgraders_chain_and_see_nested_records_by_name(cleanup: list[type]) -> None:
    _register(cleanup, "test.leg", 1, Leg)
    _register(cleanup, "test.wrapper", 1, Wrapper)
    old = _batch(Wrapper(Leg("IBM", 2, None), "n"))

    schema.unregister(Wrapper)
    _register(cleanup, "test.wrapper", 3, WrapperV3)
    seen: list[dict[str, Any]] = []

    @schema.upgrader("test.wrapper", from_version=1)
    def _v1(record: dict[str, Any]) -> dict[str, Any]:
        seen.append(record)
        return {**record, "note": record["note"] + "!"}

    @schema.upgrader("test.wrapper", from_version=2)
    def _v2(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "symbol": record["leg"]["symbol"]}

    [(_k, _ts, back)] = codec.decode_batch(old)
    assert back == WrapperV3(Leg("IBM", 2, None), "n!", "IBM")
    assert seen == [{"leg": {"symbol": "IBM", "qty": 2, "px": None}, "note": "n"}]


# -- unregistered records ----------------------------------------------------------------------


def test_encoding_an_unregistered_record_raises_naming_it() -> None:
    with pytest.raises(JournalError, match=r"NotDeclared .*is not a registered journal record"):
        codec.encode_batch([(codec.kind_of(NotDeclared), 1, NotDeclared(1))])


def test_a_registered_record_nesting_an_unregistered_one_is_refused(cleanup: list[type]) -> None:
    _register(cleanup, "test.outer", 1, Outer)
    with pytest.raises(JournalError, match=r"Inner .*is not a registered journal record"):
        _batch(Outer(Inner(1), 2))


def test_an_unknown_kind_or_format_is_a_journal_error() -> None:
    unknown = orjson.dumps({"v": 2, "kinds": [["test.nobody", 1, ["a"]]], "records": [[0, 1, [1]]]})
    with pytest.raises(JournalError, match=r"unknown record kind 'test\.nobody'"):
        codec.decode_batch(unknown)
    legacy = orjson.dumps({"kinds": ["slipstream.x:Gone"], "records": [[0, 1, [1]]]})
    with pytest.raises(JournalError, match=r"unknown record kind 'slipstream\.x:Gone'"):
        codec.decode_batch(legacy)
    with pytest.raises(JournalError, match="format 9"):
        codec.decode_batch(orjson.dumps({"v": 9, "kinds": [], "records": []}))
