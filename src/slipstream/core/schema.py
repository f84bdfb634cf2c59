"""The journal's schema: every journalled record class, its stable kind name and version.

A record class is journalled under a name chosen once and never changed, not under its module
and class name, so classes can be renamed and moved freely::

    @journal_record("order.filled", version=1)
    @fast_frozen_init
    @dataclass(frozen=True, slots=True)
    class OrderFilled(OrderEvent): ...

The decorator (outermost, above ``@dataclass``) registers class ↔ kind ↔ version and the
class's ordered field names. Nested records (``OrderSpec`` inside ``OrderInitialized``) are
registered the same way. Encoding a class that is not registered raises ``JournalError``.

**Changing a record.** Reordering fields, renaming or moving the class: nothing to do (the
journal decodes by field name). Adding, removing, renaming or retyping a field: bump the
version, register an upgrader from the old version, and regenerate the committed snapshot::

    @upgrader("order.filled", from_version=1)
    def _filled_v1(record: dict[str, Any]) -> dict[str, Any]:  # JSON values, by field name
        return {**record, "venue": "SIM"}

    python -m slipstream.core.schema --write

``tests/store/test_schema_guard.py`` fails when a registered class's fields or field types
differ from ``schema_snapshot.json`` at the same version, or when a kind/version is missing
from it. The snapshot keeps every version ever written, so old versions stay documented.

**Format 1.** Journals written before kind names existed name a kind ``module:ClassName`` and
write values in that class's field order of the time. :data:`LEGACY_KINDS` maps each such
name to its stable kind (all version 1) and :data:`LEGACY_FIELDS` freezes those field orders;
both are frozen here (generated once, from the classes of commit d96dbd6) and must never be
regenerated from later classes.

Why over 500 lines: about 230 of them are the frozen format-1 tables below (data, generated
once, never edited), kept beside the registry that reads them.

This module imports nothing of Slipstream but the error tree, so any package's record module
(``model``, ``risk``, ``algos``, ``oms``, ``portfolio``, ``tca``, ``kernel``, ``store``) can
import it without a cycle.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from slipstream.core.errors import JournalError

C = TypeVar("C", bound=type)
Upgrader = Callable[[dict[str, Any]], dict[str, Any]]

#: The committed snapshot of every kind's fields and field types, version by version.
SNAPSHOT_PATH = Path(__file__).with_name("schema_snapshot.json")
REGENERATE = "python -m slipstream.core.schema --write"

#: Modules that define journal records; imported before a kind is declared unknown (a process
#: that reads a journal need not have imported, say, the TCA package).
RECORD_MODULES = (
    "slipstream.model.orders_spec",
    "slipstream.model.commands",
    "slipstream.model.events",
    "slipstream.oms.records",
    "slipstream.store.records",
    "slipstream.portfolio.records",
    "slipstream.kernel.commands",
    "slipstream.risk.events",
    "slipstream.algos.parent",
    "slipstream.tca.realtime",
)


@dataclass(frozen=True, slots=True)
class RecordType:
    """One registered record class: its stable kind, version and ordered field names."""

    kind: str
    version: int
    cls: type
    fields: tuple[str, ...]


#: Record class → kind (the codec and the journal read it directly on the hot path).
KIND_OF: dict[type, str] = {}
_BY_CLASS: dict[type, RecordType] = {}
_BY_KIND: dict[str, RecordType] = {}
_UPGRADERS: dict[tuple[str, int], Upgrader] = {}
#: Called after every registry change (the codec drops its per-class caches).
_LISTENERS: list[Callable[[], None]] = []


def journal_record(kind: str, version: int = 1) -> Callable[[C], C]:
    """Register a dataclass as the journal record ``kind`` at ``version`` (outermost decorator)."""
    if not kind or ":" in kind or kind != kind.strip():
        raise ValueError(f"journal kind {kind!r}: use a dotted name such as 'order.filled'")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"journal kind {kind!r}: version {version!r} must be an int >= 1")

    def register(cls: C) -> C:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"@journal_record({kind!r}) needs a dataclass, not {cls!r}")
        taken = _BY_KIND.get(kind)
        if taken is not None and taken.cls is not cls:
            raise ValueError(
                f"journal kind {kind!r} is already {_name(taken.cls)}; "
                f"unregister it before registering {_name(cls)}"
            )
        if cls in _BY_CLASS and _BY_CLASS[cls].kind != kind:
            raise ValueError(f"{_name(cls)} is already journal kind {_BY_CLASS[cls].kind!r}")
        entry = RecordType(kind, version, cls, tuple(f.name for f in dataclasses.fields(cls)))
        _BY_CLASS[cls] = _BY_KIND[kind] = entry
        KIND_OF[cls] = kind
        _changed()
        return cls

    return register


def unregister(cls: type) -> None:
    """Remove ``cls`` from the registry (a test hook: renaming a class under its kind)."""
    entry = _BY_CLASS.pop(cls, None)
    KIND_OF.pop(cls, None)
    if entry is not None and _BY_KIND.get(entry.kind) is entry:
        del _BY_KIND[entry.kind]
    _changed()


def upgrader(kind: str, from_version: int) -> Callable[[Upgrader], Upgrader]:
    """Register ``fn(record) -> record`` turning ``kind`` at ``from_version`` into the next.

    The record is a ``{field name: JSON value}`` dict (decimals as strings, enums as values,
    nested records as dicts at their current version); the result must be the record at
    ``from_version + 1``.
    """

    def register(fn: Upgrader) -> Upgrader:
        _UPGRADERS[(kind, from_version)] = fn
        _changed()
        return fn

    return register


def unregister_upgrader(kind: str, from_version: int) -> None:
    """Remove an upgrader (a test hook)."""
    _UPGRADERS.pop((kind, from_version), None)
    _changed()


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` after every change to the registry."""
    _LISTENERS.append(listener)


def _changed() -> None:
    for listener in _LISTENERS:
        listener()


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def load_all() -> None:
    """Import every module of :data:`RECORD_MODULES` (registering their records)."""
    for module in RECORD_MODULES:
        if module not in sys.modules:
            importlib.import_module(module)


def record_type(cls: type) -> RecordType:
    """Return the registration of ``cls``; raise ``JournalError`` naming an unregistered one."""
    entry = _BY_CLASS.get(cls)
    if entry is None:
        raise JournalError(
            f"record type {cls.__name__} ({_name(cls)}) is not a registered journal record; "
            "declare it with @journal_record(kind, version) from slipstream.core.schema"
        )
    return entry


def by_kind(kind: str) -> RecordType:
    """Return the registration of ``kind``, importing the record modules if needed."""
    entry = _BY_KIND.get(kind)
    if entry is None:
        load_all()
        entry = _BY_KIND.get(kind)
        if entry is None:
            raise JournalError(f"unknown record kind {kind!r} in journal")
    return entry


def registered() -> list[RecordType]:
    """Return every registration, by kind."""
    return [_BY_KIND[k] for k in sorted(_BY_KIND)]


def upgrade(kind: str, version: int, record: dict[str, Any]) -> dict[str, Any]:
    """Bring ``record`` (``kind`` written at ``version``) up to the registered version."""
    current = by_kind(kind).version
    if version > current:
        raise JournalError(
            f"record {kind} v{version} was written by a newer Slipstream (this one reads "
            f"up to v{current})"
        )
    while version < current:
        step = _UPGRADERS.get((kind, version))
        if step is None:
            raise JournalError(f"record {kind} v{version}: no upgrader to v{version + 1}")
        record = step(record)
        version += 1
    return record


# -- the snapshot -------------------------------------------------------------------------------


def type_text(hint: Any) -> str:
    """Return a stable text for a field's type: records by kind, enums and NewTypes by name."""
    if hint is type(None):
        return "None"
    if hint is Any:
        return "Any"
    if hint is Ellipsis:
        return "..."
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        return " | ".join(
            [type_text(a) for a in args if a is not type(None)]
            + (["None"] if type(None) in args else [])
        )
    if origin is not None:
        inner = ", ".join(type_text(a) for a in typing.get_args(hint))
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:  # a NewType is its supertype on the wire
        return type_text(supertype)
    if isinstance(hint, type):
        if hint in _BY_CLASS:
            return f"record {_BY_CLASS[hint].kind}"
        if issubclass(hint, Enum):
            return f"enum {hint.__name__}"
        return hint.__name__
    return str(hint)


def describe(entry: RecordType) -> list[list[str]]:
    """Return ``[[field, type text], ...]`` of a registered class, in field order."""
    hints = typing.get_type_hints(entry.cls)
    return [[name, type_text(hints[name])] for name in entry.fields]


def snapshot() -> dict[str, dict[str, list[list[str]]]]:
    """Return the schema of every registered record: kind → version → fields."""
    load_all()
    return {e.kind: {str(e.version): describe(e)} for e in registered()}


def read_snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, dict[str, list[list[str]]]]:
    """Return the committed snapshot."""
    found: dict[str, dict[str, list[list[str]]]] = json.loads(path.read_text())
    return found


def check_snapshot(committed: dict[str, dict[str, list[list[str]]]]) -> list[str]:
    """Return one message per registered kind/version that differs from ``committed``."""
    problems = []
    for kind, versions in snapshot().items():
        for version, fields in versions.items():
            known = committed.get(kind, {}).get(version)
            if known is None:
                problems.append(
                    f"record {kind} v{version} is not in the schema snapshot; regenerate it "
                    f"with {REGENERATE}"
                )
            elif known != fields:
                was = [f"{n}: {t}" for n, t in known if [n, t] not in fields]
                now = [f"{n}: {t}" for n, t in fields if [n, t] not in known]
                change = f"snapshot has {was}, code has {now}" if was or now else "reordered"
                problems.append(
                    f"record {kind} changed its fields without a version bump; bump the version "
                    f"and add an upgrader, then regenerate the snapshot with {REGENERATE} "
                    f"(v{version}: {change})"
                )
    return problems


def write_snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, dict[str, list[list[str]]]]:
    """Merge the current schema into the snapshot at ``path`` (old versions are kept)."""
    merged = read_snapshot(path) if path.exists() else {}
    for kind, versions in snapshot().items():
        merged.setdefault(kind, {}).update(versions)
    ordered = {k: dict(sorted(v.items(), key=lambda kv: int(kv[0]))) for k, v in merged.items()}
    ordered = dict(sorted(ordered.items()))
    path.write_text(_render(ordered))
    return ordered


def _render(found: dict[str, dict[str, list[list[str]]]]) -> str:
    """Return the snapshot as JSON with one ``[field, type]`` per line (reviewable diffs)."""
    kinds = []
    for kind, versions in found.items():
        blocks = []
        for version, fields in versions.items():
            rows = ",\n".join(f"      {json.dumps(field)}" for field in fields)
            blocks.append(f"    {json.dumps(version)}: [\n{rows}\n    ]")
        kinds.append(f"  {json.dumps(kind)}: {{\n" + ",\n".join(blocks) + "\n  }")
    return "{\n" + ",\n".join(kinds) + "\n}\n"


# -- format 1 (frozen: never regenerate) --------------------------------------------------------

#: The version every format-1 record is read at.
LEGACY_VERSION = 1

#: Every format-1 kind (``module:ClassName``) → its stable kind, read at version 1.
LEGACY_KINDS: dict[str, str] = {
    "slipstream.algos.parent:ParentAccepted": "parent.accepted",
    "slipstream.algos.parent:ParentAmended": "parent.amended",
    "slipstream.algos.parent:ParentCancelled": "parent.cancelled",
    "slipstream.algos.parent:ParentCompleted": "parent.completed",
    "slipstream.algos.parent:ParentDenied": "parent.denied",
    "slipstream.algos.parent:ParentPaused": "parent.paused",
    "slipstream.algos.parent:ParentResumed": "parent.resumed",
    "slipstream.kernel.commands:CommandRefused": "command.refused",
    "slipstream.kernel.commands:ParentCommanded": "parent.commanded",
    "slipstream.model.commands:CancelOrder": "command.cancel_order",
    "slipstream.model.commands:ModifyOrder": "command.modify_order",
    "slipstream.model.commands:SubmitOrder": "command.submit_order",
    "slipstream.model.events:OrderAccepted": "order.accepted",
    "slipstream.model.events:OrderCancelRejected": "order.cancel_rejected",
    "slipstream.model.events:OrderCancelled": "order.cancelled",
    "slipstream.model.events:OrderDenied": "order.denied",
    "slipstream.model.events:OrderExpired": "order.expired",
    "slipstream.model.events:OrderFilled": "order.filled",
    "slipstream.model.events:OrderInitialized": "order.initialized",
    "slipstream.model.events:OrderModifyRejected": "order.modify_rejected",
    "slipstream.model.events:OrderPendingCancel": "order.pending_cancel",
    "slipstream.model.events:OrderPendingReplace": "order.pending_replace",
    "slipstream.model.events:OrderRejected": "order.rejected",
    "slipstream.model.events:OrderSubmitted": "order.submitted",
    "slipstream.model.events:OrderTriggered": "order.triggered",
    "slipstream.model.events:OrderUpdated": "order.updated",
    "slipstream.model.orders_spec:OrderSpec": "order.spec",
    "slipstream.oms.records:EventAnomaly": "oms.event_anomaly",
    "slipstream.oms.records:RiskApproved": "oms.risk_approved",
    "slipstream.portfolio.records:MarksRecorded": "portfolio.marks_recorded",
    "slipstream.portfolio.records:PortfolioSeeded": "portfolio.seeded",
    "slipstream.portfolio.records:SeedPosition": "portfolio.seed_position",
    "slipstream.risk.events:DenialOverridden": "risk.denial_overridden",
    "slipstream.risk.events:KillSwitchActivated": "risk.kill_switch_activated",
    "slipstream.risk.events:LimitsChanged": "risk.limits_changed",
    "slipstream.risk.events:OverrideGranted": "risk.override_granted",
    "slipstream.risk.events:TradingStateChanged": "risk.trading_state_changed",
    "slipstream.store.records:JournalClosed": "journal.closed",
    "slipstream.store.records:SessionResumed": "journal.session_resumed",
    "slipstream.store.records:SessionStarted": "journal.session_started",
    "slipstream.tca.realtime:ParentCostUpdated": "tca.parent_cost_updated",
}

#: Stable kind → the field order format-1 journals wrote its values in (all version 1).
LEGACY_FIELDS: dict[str, tuple[str, ...]] = {
    "command.cancel_order": ("ts_init", "client_order_id", "reason"),
    "command.modify_order": ("ts_init", "client_order_id", "quantity", "limit_price", "stop_price"),
    "command.refused": ("target", "action", "error", "ts_init"),
    "command.submit_order": ("ts_init", "spec"),
    "journal.closed": ("records", "ts_init"),
    "journal.session_resumed": ("records", "closed_cleanly", "ts_init"),
    "journal.session_started": ("mode", "fingerprint", "ts_init"),
    "oms.event_anomaly": ("client_order_id", "event_type", "reason", "ts_event", "ts_init"),
    "oms.risk_approved": ("client_order_id", "gate", "ts_event", "ts_init"),
    "order.accepted": ("client_order_id", "ts_event", "ts_init", "venue_order_id"),
    "order.cancel_rejected": ("client_order_id", "ts_event", "ts_init", "reason"),
    "order.cancelled": ("client_order_id", "ts_event", "ts_init", "reason"),
    "order.denied": ("client_order_id", "ts_event", "ts_init", "check", "reason"),
    "order.expired": ("client_order_id", "ts_event", "ts_init"),
    "order.filled": (
        "client_order_id",
        "ts_event",
        "ts_init",
        "trade_id",
        "venue_order_id",
        "symbol",
        "side",
        "last_qty",
        "last_px",
        "commission",
        "liquidity",
    ),
    "order.initialized": ("client_order_id", "ts_event", "ts_init", "spec"),
    "order.modify_rejected": ("client_order_id", "ts_event", "ts_init", "reason"),
    "order.pending_cancel": ("client_order_id", "ts_event", "ts_init"),
    "order.pending_replace": ("client_order_id", "ts_event", "ts_init"),
    "order.rejected": ("client_order_id", "ts_event", "ts_init", "reason"),
    "order.spec": (
        "client_order_id",
        "symbol",
        "side",
        "quantity",
        "order_type",
        "time_in_force",
        "limit_price",
        "stop_price",
        "trail_amount",
        "trail_bps",
        "trigger_source",
        "parent_id",
    ),
    "order.submitted": ("client_order_id", "ts_event", "ts_init", "venue"),
    "order.triggered": ("client_order_id", "ts_event", "ts_init", "trigger_price"),
    "order.updated": (
        "client_order_id",
        "ts_event",
        "ts_init",
        "quantity",
        "limit_price",
        "stop_price",
    ),
    "parent.accepted": (
        "parent_id",
        "ts_event",
        "ts_init",
        "symbol",
        "side",
        "quantity",
        "algo",
        "start_ns",
        "end_ns",
        "urgency",
        "limit_price",
        "params",
    ),
    "parent.amended": (
        "parent_id",
        "ts_event",
        "ts_init",
        "quantity",
        "limit_price",
        "end_ns",
        "reason",
    ),
    "parent.cancelled": (
        "parent_id",
        "ts_event",
        "ts_init",
        "reason",
        "filled_qty",
        "avg_px",
        "children",
    ),
    "parent.commanded": ("parent_id", "action", "user", "reason", "changes", "ts_init"),
    "parent.completed": (
        "parent_id",
        "ts_event",
        "ts_init",
        "reason",
        "filled_qty",
        "avg_px",
        "children",
    ),
    "parent.denied": ("parent_id", "ts_event", "ts_init", "check", "reason"),
    "parent.paused": ("parent_id", "ts_event", "ts_init", "reason"),
    "parent.resumed": ("parent_id", "ts_event", "ts_init"),
    "portfolio.marks_recorded": ("marks", "ts_init"),
    "portfolio.seed_position": ("symbol", "quantity", "avg_cost"),
    "portfolio.seeded": ("cash", "positions", "ts_init"),
    "risk.denial_overridden": (
        "client_order_id",
        "check",
        "denial_reason",
        "override_id",
        "user",
        "ts_event",
        "ts_init",
    ),
    "risk.kill_switch_activated": (
        "user",
        "reason",
        "cancels_sent",
        "flatten_orders",
        "ts_event",
        "ts_init",
    ),
    "risk.limits_changed": ("user", "reason", "changes", "ts_event", "ts_init"),
    "risk.override_granted": (
        "override_id",
        "check",
        "user",
        "reason",
        "client_order_id",
        "symbol",
        "max_uses",
        "expires_ns",
        "ts_event",
        "ts_init",
    ),
    "risk.trading_state_changed": (
        "previous",
        "state",
        "trigger",
        "reason",
        "user",
        "ts_event",
        "ts_init",
    ),
    "tca.parent_cost_updated": (
        "parent_id",
        "symbol",
        "ts_event",
        "ts_init",
        "executed_qty",
        "intended_qty",
        "avg_price",
        "decision_price",
        "arrival_price",
        "shortfall_usd",
        "shortfall_bps",
        "arrival_slippage_bps",
        "interval_vwap",
        "vwap_slippage_bps",
    ),
}


def main(argv: list[str] | None = None) -> int:
    """``python -m slipstream.core.schema [--write]``: check (or regenerate) the snapshot."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        write_snapshot()
        print(f"wrote {SNAPSHOT_PATH}")
        return 0
    if args:
        print("usage: python -m slipstream.core.schema [--write]", file=sys.stderr)
        return 2
    problems = check_snapshot(read_snapshot())
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":  # run as a script: use the imported module, where records register
    from slipstream.core import schema as _registry

    raise SystemExit(_registry.main())
