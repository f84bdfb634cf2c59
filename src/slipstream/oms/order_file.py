"""Read an orders file (CSV or JSON Lines) into validated submit commands.

Columns: ``client_id, symbol, side (buy|sell), quantity, type (market|limit|stop|stop_limit|
trailing_stop), limit_price, stop_price, trail_amount, trail_bps, time_in_force (day|gtc|ioc|fok),
submit_at (ISO-8601 or int ns)`` and optionally ``trigger (last|bid_ask)``. Every row is parsed
and validated before anything runs, so a bad row stops the whole file with an error naming the
row, the field, the value and the rule, and nothing is half-applied.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TypeVar

from slipstream.core.errors import InputError, OrderInputError
from slipstream.core.ids import ClientOrderId
from slipstream.core.timestamps import parse_timestamp
from slipstream.model.enums import OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.instrument import InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.model.values import money, quantity

REQUIRED = ("client_id", "symbol", "side", "quantity", "type", "submit_at")
E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True)
class TimedOrder:
    """An order and when to submit it."""

    submit_at_ns: int
    spec: OrderSpec


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError("ORDERS", str(path), f"cannot be read ({exc.strerror})") from None
    if path.suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise OrderInputError(
                    "line", n, f"is not valid JSON ({exc.msg})", where=str(path)
                ) from None
            if not isinstance(obj, dict):
                raise OrderInputError("line", n, "must be a JSON object", where=str(path))
            rows.append({k: "" if v is None else str(v) for k, v in obj.items()})
        return rows
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise OrderInputError(
            "columns",
            ",".join(reader.fieldnames or []),
            f"missing {', '.join(missing)}",
            where=str(path),
        )
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _enum(kind: type[E], field: str, value: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        allowed = "|".join(str(m.value) for m in kind)
        raise InputError(field, value, f"must be one of {allowed}") from None


def _decimal(field: str, value: str) -> Decimal | None:
    return money(value, field) if value else None


def parse_row(row: dict[str, str], where: str, instruments: InstrumentTable) -> TimedOrder:
    """Return the validated order of one row (``where`` names the row in errors)."""
    try:
        return _parse_row(row, instruments)
    except InputError as exc:
        raise OrderInputError(exc.field, exc.value, exc.rule, where=where) from None


def _parse_row(row: dict[str, str], instruments: InstrumentTable) -> TimedOrder:
    for column in REQUIRED:
        if not row.get(column):
            raise InputError(column, row.get(column), "is required")
    symbol = row["symbol"].upper()
    if symbol not in instruments:
        raise InputError(
            "symbol", row["symbol"], "is not a known instrument (no market data for it)"
        )
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


def read_orders(path: Path, instruments: InstrumentTable) -> list[TimedOrder]:
    """Return every order in ``path``, validated, in submission order."""
    orders = []
    seen: set[str] = set()
    for n, row in enumerate(_rows(path), start=2 if path.suffix == ".csv" else 1):
        where = f"{path.name} row {n}"
        order = parse_row(row, where, instruments)
        if order.spec.client_order_id in seen:
            raise OrderInputError(
                "client_id", order.spec.client_order_id, "appears twice in the file", where=where
            )
        seen.add(order.spec.client_order_id)
        orders.append(order)
    return sorted(orders, key=lambda o: o.submit_at_ns)


def symbols_in(path: Path) -> set[str]:
    """Return the symbols an orders file mentions (to load only their market data)."""
    return {row.get("symbol", "").upper() for row in _rows(path) if row.get("symbol")}
