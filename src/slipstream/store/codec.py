"""Encode batches of journal records (registered frozen dataclasses) to JSON and back, exactly.

**Format 2** (written today), one ``orjson.dumps`` call per batch::

    {"v": 2,
     "kinds": [[kind, version, [field name, ...]], ...],
     "records": [[kind index, ts_init, [value, ...]], ...]}

A record's kind is the stable name its class declares with
:func:`slipstream.core.schema.journal_record` (``order.filled``), never its module or class
name. Each kind used in the batch is listed once, with its version and ordered field names;
each record is its field values in that order (positional, so the order path pays one C-level
``attrgetter`` per record and the field names once per batch). Decoding maps values to fields
by **name** into the class registered for the kind today, so fields can be reordered and
classes renamed or moved freely; a record written at an older version is first brought up to
date by the upgraders registered for it (:func:`slipstream.core.schema.upgrader`).

Nested records (a field whose type is a journal record, directly, optional or in a tuple or
list, such as ``OrderSpec`` in ``OrderInitialized`` or ``SeedPosition`` in ``PortfolioSeeded``)
are written positionally too, and their kind is listed in ``kinds`` like any other (a kind no
record row points at), with its version and field names; the decoder reads a nested value
against the entry of the kind the field's type is registered as, so nested records are decoded
by name and upgraded like top-level ones. A nested value may also be a ``{name: value}``
object (format 1 wrote records inside tuples that way). Upgraders see a record as
``{field name: JSON value}`` with its nested records already as such dicts at today's version.
Decimals travel as strings, enums as their values.

**Format 1** (a batch without ``"v"``, written before kind names existed):
``{"kinds": ["module:ClassName", ...], "records": [...]}``, values positional in the class's
field order of the time, nested records positional (directly) or as objects (in a tuple).
It is decoded through the frozen :data:`~slipstream.core.schema.LEGACY_KINDS` and
:data:`~slipstream.core.schema.LEGACY_FIELDS` as version 1 of the stable kinds, so a class
renamed later still reads old journals.

Encoding a record whose class is not registered raises :class:`JournalError` naming it.
"""

from __future__ import annotations

import dataclasses
import operator
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

from slipstream.core import schema
from slipstream.core.errors import JournalError

FORMAT = 2

#: Record class → journal kind, for registered classes (read directly on the hot path).
KINDS: dict[type, str] = schema.KIND_OF

Table = dict[str, tuple[int, tuple[str, ...] | None]]  # kind → (version, field names)
_Decoder = Callable[[Any], Any]

_VALUES: dict[type, Callable[[Any], Any]] = {}
_ENTRIES: dict[type, tuple[list[Any], tuple[type, ...]]] = {}
_NESTED: dict[type, tuple[type, ...]] = {}
_READERS: dict[tuple[Any, ...], Any] = {}


def _clear_caches() -> None:
    for cache in (_VALUES, _ENTRIES, _NESTED, _READERS):
        cache.clear()


schema.on_change(_clear_caches)


def kind_of(cls: type) -> str:
    """Return the journal kind of a record class.

    An unregistered dataclass gets a placeholder that :func:`encode_batch` refuses (naming the
    class), so it fails at the group commit alone, like any other unencodable record.
    """
    kind = KINDS.get(cls)
    if kind is not None:
        return kind
    if not dataclasses.is_dataclass(cls):
        raise JournalError(f"record type {cls.__name__} is not a dataclass")
    return f"?{cls.__module__}:{cls.__qualname__}"


def class_of(kind: str) -> type:
    """Return the record class registered for a kind (a stable name or a format-1 name)."""
    return schema.by_kind(schema.LEGACY_KINDS.get(kind, kind)).cls


def _default(value: Any) -> Any:
    """Encode what orjson does not know natively: exact decimals as strings, sets as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot encode {type(value).__name__} value {value!r}")


# -- encoding -----------------------------------------------------------------------------------


def _records_in(hint: Any) -> list[type]:
    """Return the dataclasses a field's type mentions (directly, optional, in a container)."""
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return [hint]
    return [cls for arg in typing.get_args(hint) for cls in _records_in(arg)]


def nested_records(cls: type) -> tuple[type, ...]:
    """Return every record class nested in ``cls``'s fields, at any depth, in field order."""
    found = _NESTED.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        seen: dict[type, None] = {}
        for f in dataclasses.fields(cls):
            for inner in _records_in(hints[f.name]):
                for cls_ in (inner, *nested_records(inner)):
                    seen[cls_] = None
        found = _NESTED[cls] = tuple(seen)
    return found


def _entry(cls: type) -> tuple[list[Any], tuple[type, ...]]:
    """Return a class's batch entry ``[kind, version, [fields]]`` and its nested classes."""
    found = _ENTRIES.get(cls)
    if found is None:
        entry = schema.record_type(cls)
        nested = nested_records(cls)
        for inner in nested:
            schema.record_type(inner)  # a nested record must be registered too
        found = _ENTRIES[cls] = ([entry.kind, entry.version, list(entry.fields)], nested)
    return found


def _nested_encoder(hint: Any) -> Callable[[Any], Any] | None:
    """Return an encoder for a field holding records (directly, optional, in a tuple or list)."""
    if not _records_in(hint):
        return None
    if isinstance(hint, type):
        return _values_encoder(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _nested_encoder(options[0]) if len(options) == 1 else None
        if inner is not None:
            return lambda v: None if v is None else inner(v)
    elif origin in (tuple, list) and (len(args) == 1 or (len(args) == 2 and args[1] is ...)):
        item = _nested_encoder(args[0])
        if item is not None:
            return lambda v: [item(x) for x in v]
    raise JournalError(f"journal records cannot nest records as {schema.type_text(hint)}")


def _values_encoder(cls: type) -> Callable[[Any], Any]:
    """Return a function giving a record's field values in field order (nested records too).

    Positional values are about half the bytes of ``{name: value}`` objects and, read by one
    C-level ``attrgetter``, several times faster to produce than orjson's own dataclass walk.
    """
    encoder = _VALUES.get(cls)
    if encoder is not None:
        return encoder
    names = schema.record_type(cls).fields
    _entry(cls)
    hints = typing.get_type_hints(cls)
    getter = operator.attrgetter(*names)
    nested = [
        (i, inner)
        for i, name in enumerate(names)
        if (inner := _nested_encoder(hints[name])) is not None
    ]
    if len(names) == 1 and not nested:
        only = names[0]
        encoder = lambda record: (getattr(record, only),)  # noqa: E731
    elif not nested:
        encoder = getter
    else:

        def encoder(record: Any) -> Any:
            values = list(getter(record)) if len(names) > 1 else [getattr(record, names[0])]
            for i, inner in nested:
                values[i] = inner(values[i])
            return values

    _VALUES[cls] = encoder
    return encoder


def _add_kind(kinds: dict[str, int], table: list[Any], kind: str, cls: type) -> int:
    """List ``cls`` (and the records nested in it) in the batch's kinds; return its index."""
    entry, nested = _entry(cls)
    if entry[0] != kind:
        raise JournalError(f"record type {cls.__name__} is journal kind {entry[0]!r}, not {kind!r}")
    index = kinds[kind] = len(table)
    table.append(entry)
    for inner in nested:
        inner_entry = _entry(inner)[0]
        if inner_entry[0] not in kinds:
            kinds[inner_entry[0]] = len(table)
            table.append(inner_entry)
    return index


def encode_batch(items: list[tuple[str, int, object]]) -> bytes:
    """Encode ``[(kind, ts_init, record), ...]`` in one call (format 2, module docstring)."""
    kinds: dict[str, int] = {}
    table: list[Any] = []
    rows = []
    encoders = _VALUES  # read the per-class encoder inline: one dict lookup, no extra call
    for kind, ts_init, record in items:
        index = kinds.get(kind)
        if index is None:
            index = _add_kind(kinds, table, kind, type(record))
        encoder = encoders.get(type(record)) or _values_encoder(type(record))
        rows.append((index, ts_init, encoder(record)))
    try:
        return orjson.dumps({"v": FORMAT, "kinds": table, "records": rows}, default=_default)
    except TypeError as exc:
        raise JournalError(f"cannot encode a journal batch: {exc}") from exc


# -- decoding -----------------------------------------------------------------------------------


def _decoder_for(hint: Any, nested: Callable[[type], _Decoder]) -> _Decoder:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _decoder_for(args[0], nested) if len(args) == 1 else (lambda v: v)
        return lambda v: None if v is None else inner(v)
    if origin in (tuple, list, frozenset):
        item_hints = typing.get_args(hint)
        item = _decoder_for(item_hints[0], nested) if item_hints else (lambda v: v)
        container: Callable[[Any], Any] = origin
        return lambda v: container(item(x) for x in v)
    if origin is dict:
        return dict
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint
        if hint is Decimal:
            return Decimal
        if dataclasses.is_dataclass(hint):
            return nested(hint)
    return lambda v: v


def _from_named(cls: type, kind: str, decoders: dict[str, _Decoder], data: dict[str, Any]) -> Any:
    unknown = [name for name in data if name not in decoders]
    if unknown:
        raise JournalError(f"{kind} record has fields {unknown} that {cls.__name__} lacks")
    return cls(**{name: decoders[name](value) for name, value in data.items()})


def _current_named(cls: type) -> _Decoder:
    """Return ``{name: JSON value} -> record`` for a record at its registered version."""
    kind = schema.record_type(cls).kind
    key = ("named", kind)
    found = _READERS.get(key)
    if found is None:
        hints = typing.get_type_hints(cls)
        decoders = {
            f.name: _decoder_for(hints[f.name], _current_named) for f in dataclasses.fields(cls)
        }
        found = _READERS[key] = lambda data: _from_named(cls, kind, decoders, data)
    return found


def _converter_for(hint: Any, nested: Callable[[type], _Decoder]) -> _Decoder | None:
    """Return a function turning a field's nested records, as written, into current dicts."""
    if not _records_in(hint):
        return None
    return _decoder_for(hint, nested)


class _Reader:
    """Decodes one kind as one batch wrote it (its version, field names, nested kinds)."""

    __slots__ = ("build", "to_named")

    def __init__(self, build: _Decoder, to_named: _Decoder) -> None:
        self.build = build
        self.to_named = to_named


def _reader(kind: str, version: int, fields: tuple[str, ...] | None, table: Table) -> _Reader:
    """Return the reader of ``kind`` written at ``version`` with ``fields``.

    A record arrives as a positional list (``fields`` names its values) or a ``{name: value}``
    dict; ``table`` gives the version and fields each nested kind was written with in the
    batch. ``build`` gives the record; ``to_named`` its ``{name: JSON value}`` dict at today's
    version (nested records likewise), which is what upgraders work on.
    """
    entry = schema.by_kind(kind)
    nested_kinds = tuple(schema.record_type(c).kind for c in nested_records(entry.cls))
    key = (kind, version, fields, tuple(table.get(k) for k in nested_kinds))
    found = _READERS.get(key)
    if isinstance(found, _Reader):
        return found
    cls = entry.cls
    if version > entry.version:
        schema.upgrade(kind, version, {})  # raises: written by a newer Slipstream

    def nested(inner: type) -> _Reader:
        inner_kind = schema.record_type(inner).kind
        # A nested kind the batch does not list was written at the version registered today.
        listed = table.get(inner_kind) or (schema.by_kind(inner_kind).version, None)
        return _reader(inner_kind, listed[0], listed[1], table)

    hints = typing.get_type_hints(cls)
    decoders = {name: _decoder_for(hints[name], lambda c: nested(c).build) for name in entry.fields}
    ordered = [decoders[name] for name in entry.fields]
    converters = {
        name: conv
        for name in entry.fields
        if (conv := _converter_for(hints[name], lambda c: nested(c).to_named)) is not None
    }
    from_current = _current_named(cls)
    same = version == entry.version
    fast = same and fields == entry.fields

    def named(values: Any) -> dict[str, Any]:
        if isinstance(values, dict):
            return values
        if fields is None:
            raise JournalError(f"{kind} record is positional but its fields are not listed")
        if len(values) != len(fields):
            raise JournalError(f"{kind} record has {len(values)} values for {len(fields)} fields")
        return dict(zip(fields, values, strict=True))

    def to_named(values: Any) -> dict[str, Any]:
        data = named(values)
        for name, conv in converters.items():
            if name in data:
                data[name] = conv(data[name])
        return data if same else schema.upgrade(kind, version, data)

    def build(values: Any) -> Any:
        if fast and isinstance(values, list):
            if len(values) != len(ordered):
                raise JournalError(
                    f"{kind} record has {len(values)} values for {len(ordered)} fields"
                )
            return cls(*[dec(v) for dec, v in zip(ordered, values, strict=True)])
        if same:
            return _from_named(cls, kind, decoders, named(values))
        return from_current(to_named(values))

    found = _READERS[key] = _Reader(build, to_named)
    return found


def _table_v2(kinds: Any) -> tuple[list[str], Table]:
    names: list[str] = []
    table: Table = {}
    for item in kinds:
        name, version, fields = item
        if not isinstance(name, str) or not isinstance(version, int):
            raise JournalError(f"journal batch kind entry {item!r} is malformed")
        names.append(name)
        table[name] = (version, tuple(fields))
    return names, table


def _table_v1(kinds: Any) -> tuple[list[str], Table]:
    names: list[str] = []
    for legacy in kinds:
        name = schema.LEGACY_KINDS.get(legacy)
        if name is None:
            raise JournalError(f"unknown record kind {legacy!r} in journal")
        names.append(name)
    return names, _LEGACY_TABLE


_LEGACY_TABLE: Table = {
    kind: (schema.LEGACY_VERSION, fields) for kind, fields in schema.LEGACY_FIELDS.items()
}


def decode_batch(payload: bytes) -> list[tuple[str, int, Any]]:
    """Rebuild ``[(kind, ts_init, record), ...]`` from a batch payload (format 2 or 1)."""
    try:
        batch = orjson.loads(payload)
        rows = batch["records"]
        fmt = batch.get("v", 1)
        if fmt not in (1, FORMAT):
            raise JournalError(f"journal batch format {fmt!r} is not one this Slipstream reads")
        names, table = (_table_v2 if fmt == FORMAT else _table_v1)(batch["kinds"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise JournalError(f"cannot decode a journal batch: {exc}") from exc
    readers = [(name, _reader(name, *table[name], table).build) for name in names]
    kind = "?"
    try:
        out = []
        for index, ts_init, values in rows:
            kind, build = readers[index]
            out.append((kind, ts_init, build(values)))
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError) as exc:
        raise JournalError(f"cannot decode {kind} record: {exc}") from exc
    return out
