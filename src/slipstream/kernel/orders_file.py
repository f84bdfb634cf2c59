"""Read an orders file (CSV or JSON Lines): single orders, parent orders and actions on them.

Every row has a ``client_id``. Its kind follows from its columns:

- **single order** (no ``algo``): ``symbol, side (buy|sell), quantity, type (market|limit|stop|
  stop_limit|trailing_stop), limit_price, stop_price, trail_amount, trail_bps, time_in_force
  (day|gtc|ioc|fok), submit_at`` and optionally ``trigger (last|bid_ask)``;
- **parent order** (``algo`` is ``twap|vwap|pov|is|iceberg``): ``symbol, side, quantity, start,
  end`` (same time rules as ``submit_at``), ``urgency`` (``low|medium|high`` or a number in
  [0, 1], default medium), optional ``limit_price`` (a price cap), ``max_participation`` and
  ``params`` (a JSON object of the algorithm's parameters, validated by its ``Params``);
- **action** (``action`` is ``amend|pause|resume|cancel|modify``; empty or ``submit`` means a
  new order): acts at ``submit_at`` on the earlier row with the same ``client_id``. ``amend``
  changes a parent's ``quantity``, ``limit_price`` or ``end``; ``modify`` a single order's
  ``quantity``, ``limit_price`` or ``stop_price``; ``cancel`` works on both.

Every row is parsed and validated before anything runs, so a bad row stops the whole file with
an error naming the row, the field, the value and the rule, and nothing is half-applied.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from slipstream.algos.parent import ParentOrder
from slipstream.algos.registry import make_parent
from slipstream.core.errors import InputError, OrderInputError
from slipstream.core.ids import ClientOrderId
from slipstream.core.timestamps import parse_timestamp
from slipstream.model.enums import OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.instrument import InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.model.values import money, price, quantity

E = TypeVar("E", bound=Enum)
ORDER_COLUMNS = ("client_id", "symbol", "side", "quantity", "type", "submit_at")
PARENT_COLUMNS = ("client_id", "symbol", "side", "quantity", "algo", "start", "end")
ACTIONS = ("submit", "amend", "pause", "resume", "cancel", "modify")
#: Largest orders file read (bytes): far above any real day's instructions, small enough to
#: parse in memory before anything runs.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TimedOrder:
    """An order and when to submit it."""

    submit_at_ns: int
    spec: OrderSpec


@dataclass(frozen=True, slots=True)
class TimedParent:
    """A parent order, submitted to the algorithm engine at its start."""

    submit_at_ns: int
    parent: ParentOrder


@dataclass(frozen=True, slots=True)
class TimedAction:
    """An action on an earlier order or parent of the file, at ``at_ns``.

    ``end_ns`` and ``stop_price`` apply to parents and single orders respectively.
    """

    at_ns: int
    action: str
    target: str
    on_parent: bool
    quantity: int | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    end_ns: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrdersFile:
    """Everything an orders file asks for, validated, each list in time order."""

    orders: list[TimedOrder]
    parents: list[TimedParent]
    actions: list[TimedAction]

    def times(self) -> list[int]:
        """Return every moment the file acts at (submissions, parent horizons, actions)."""
        return (
            [o.submit_at_ns for o in self.orders]
            + [t for p in self.parents for t in (p.parent.start_ns, p.parent.end_ns)]
            + [a.at_ns for a in self.actions]
        )


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError("ORDERS", str(path), f"must be at most {MAX_FILE_BYTES:,} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("ORDERS", str(path), f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "ORDERS", str(path), f"must be UTF-8 text (byte {exc.start} is not)"
        ) from None
    if path.suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                rule = f"is not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})"
                raise OrderInputError("line", n, rule, where=str(path)) from None
            if not isinstance(obj, dict):
                raise OrderInputError("line", n, "must be a JSON object", where=str(path))
            rows.append({k: _cell(v) for k, v in obj.items()})
        return rows
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "client_id" not in header:
        raise OrderInputError("columns", ",".join(header), "missing client_id", where=str(path))
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _enum(kind: type[E], field: str, value: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        allowed = "|".join(str(m.value) for m in kind)
        raise InputError(field, value, f"must be one of {allowed}") from None


def _decimal(field: str, value: str) -> Decimal | None:
    return money(value, field) if value else None


def _require(row: dict[str, str], columns: tuple[str, ...]) -> None:
    for column in columns:
        if not row.get(column):
            raise InputError(column, row.get(column), "is required")


def _symbol(row: dict[str, str], instruments: InstrumentTable) -> str:
    symbol = row["symbol"].upper()
    if symbol not in instruments:
        raise InputError(
            "symbol", row["symbol"], "is not a known instrument (no market data for it)"
        )
    return symbol


def parse_row(row: dict[str, str], where: str, instruments: InstrumentTable) -> TimedOrder:
    """Return the validated single order of one row (``where`` names the row in errors)."""
    try:
        return _parse_order(row, instruments)
    except InputError as exc:
        raise exc.located(OrderInputError, where) from None


def _parse_order(row: dict[str, str], instruments: InstrumentTable) -> TimedOrder:
    _require(row, ORDER_COLUMNS)
    symbol = _symbol(row, instruments)
    spec = OrderSpec(
        client_order_id=ClientOrderId(row["client_id"]),
        symbol=symbol,
        side=_enum(Side, "side", row["side"]),
        quantity=quantity(row["quantity"]),
        order_type=_enum(OrderType, "type", row["type"]),
        time_in_force=_enum(TimeInForce, "time_in_force", row.get("time_in_force") or "day"),
        limit_price=_decimal("limit_price", row.get("limit_price", "")),
        stop_price=_decimal("stop_price", row.get("stop_price", "")),
        trail_amount=_decimal("trail_amount", row.get("trail_amount", "")),
        trail_bps=_decimal("trail_bps", row.get("trail_bps", "")),
        trigger_source=_enum(TriggerSource, "trigger", row.get("trigger") or "last"),
    )
    spec.validate(instruments.get(symbol))
    return TimedOrder(parse_timestamp(row["submit_at"], "submit_at"), spec)


def _parse_parent(row: dict[str, str], instruments: InstrumentTable) -> TimedParent:
    _require(row, PARENT_COLUMNS)
    symbol = _symbol(row, instruments)
    params: dict[str, Any] = {}
    if row.get("params"):
        try:
            params = json.loads(row["params"])
        except json.JSONDecodeError as exc:
            raise InputError(
                "params", row["params"], f"must be a JSON object ({exc.msg})"
            ) from None
        if not isinstance(params, dict):
            raise InputError("params", row["params"], "must be a JSON object")
    if row.get("max_participation"):
        params = {**params, "max_participation": row["max_participation"]}
    start = parse_timestamp(row["start"], "start")
    end = parse_timestamp(row["end"], "end")
    if end <= start:
        raise InputError("end", row["end"], f"must be after start {row['start']}")
    parent = make_parent(
        row["client_id"],
        symbol,
        row["side"],
        row["quantity"],
        row["algo"],
        start,
        end,
        row.get("urgency") or "medium",
        row.get("limit_price") or None,
        params,
    )
    instrument = instruments.get(symbol)
    instrument.check_quantity(parent.quantity)
    if parent.limit_price is not None:
        instrument.check_price(parent.limit_price, "limit_price")
    return TimedParent(start, parent)


def _parse_action(
    row: dict[str, str],
    action: str,
    known: dict[str, bool],
    submitted_at: dict[str, int],
    instruments: InstrumentTable,
) -> TimedAction:
    _require(row, ("client_id", "submit_at"))
    target = row["client_id"]
    if target not in known:
        raise InputError("client_id", target, f"{action} needs an earlier row with this client_id")
    on_parent = known[target]
    if action in ("pause", "resume", "amend") and not on_parent:
        raise InputError("action", action, "applies to parent orders (rows with an algo)")
    if action == "modify" and on_parent:
        raise InputError("action", action, "applies to single orders; use amend for a parent")
    qty = quantity(row["quantity"]) if row.get("quantity") else None
    limit = price(row["limit_price"], "limit_price") if row.get("limit_price") else None
    stop = price(row["stop_price"], "stop_price") if row.get("stop_price") else None
    end = parse_timestamp(row["end"], "end") if row.get("end") else None
    at_ns = parse_timestamp(row["submit_at"], "submit_at")
    if at_ns < submitted_at[target]:
        raise InputError(
            "submit_at", row["submit_at"], f"is before {target} is submitted; nothing to {action}"
        )
    if (
        action in ("amend", "modify")
        and qty is None
        and limit is None
        and end is None
        and stop is None
    ):
        raise InputError("action", action, "needs a quantity, limit_price, stop_price or end")
    return TimedAction(
        at_ns,
        action,
        target,
        on_parent,
        qty,
        limit,
        stop,
        end,
        row.get("reason") or f"{action} from the orders file",
    )


def read_orders_file(path: Path, instruments: InstrumentTable) -> OrdersFile:
    """Return every order, parent and action in ``path``, validated, each in time order."""
    orders: list[TimedOrder] = []
    parents: list[TimedParent] = []
    actions: list[TimedAction] = []
    known: dict[str, bool] = {}
    submitted_at: dict[str, int] = {}
    for n, row in enumerate(_rows(path), start=2 if path.suffix == ".csv" else 1):
        where = f"{path.name} row {n}"
        try:
            action = (row.get("action") or "submit").strip().lower()
            if action not in ACTIONS:
                raise InputError("action", row.get("action"), f"must be one of {'|'.join(ACTIONS)}")
            if action != "submit":
                actions.append(_parse_action(row, action, known, submitted_at, instruments))
                continue
            if row.get("client_id") in known:
                raise InputError("client_id", row.get("client_id"), "appears twice in the file")
            if row.get("algo"):
                parents.append(_parse_parent(row, instruments))
                known[row["client_id"]] = True
                submitted_at[row["client_id"]] = parents[-1].submit_at_ns
            else:
                orders.append(_parse_order(row, instruments))
                known[row["client_id"]] = False
                submitted_at[row["client_id"]] = orders[-1].submit_at_ns
        except InputError as exc:
            raise exc.located(OrderInputError, where) from None
    return OrdersFile(
        sorted(orders, key=lambda o: o.submit_at_ns),
        sorted(parents, key=lambda p: p.submit_at_ns),
        sorted(actions, key=lambda a: a.at_ns),
    )


def read_orders(path: Path, instruments: InstrumentTable) -> list[TimedOrder]:
    """Return the single orders in ``path``, validated, in submission order."""
    return read_orders_file(path, instruments).orders


def symbols_in(path: Path) -> set[str]:
    """Return the symbols an orders file mentions (to load only their market data)."""
    return {row.get("symbol", "").upper() for row in _rows(path) if row.get("symbol")}
