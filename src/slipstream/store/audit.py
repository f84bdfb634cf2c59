"""The audit trail: every order's life cycle, and every manual action, as one flat table.

One row per journalled event that an auditor asks about, in journal order, with the fields a US
regulator's consolidated audit trail asks for: event type, event time (ns), our order id and the
broker's, the parent–child link, account, symbol, side, quantity, prices, order type, time in
force, handling instructions (stop trigger, trailing amount), destination, fills with the
venue's trade id, cancels and modifies with their reason, risk decisions with the check that
denied, and who did what (user and reason) for halts, overrides, the kill switch, limit changes
and parent commands. Each row carries the record's journal sequence number, so completeness is
checkable: every order event appears exactly once. Market marks, running cost updates and the
journal's own bookkeeping (session start, close) are not audit events and are left out.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from slipstream.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from slipstream.model.events import OrderEvent, OrderFilled, OrderInitialized
from slipstream.model.orders_spec import OrderSpec

COLUMNS = (
    "seq",
    "event_type",
    "event_ts_ns",
    "record_ts_ns",
    "client_order_id",
    "venue_order_id",
    "parent_id",
    "account",
    "symbol",
    "side",
    "quantity",
    "order_type",
    "time_in_force",
    "limit_price",
    "stop_price",
    "handling",
    "destination",
    "trade_id",
    "fill_quantity",
    "fill_price",
    "commission",
    "liquidity",
    "risk_check",
    "reason",
    "actor",
    "details",
)
#: Journal records that are not audit events (prices, running costs, the journal's own).
SKIPPED = frozenset(
    {
        "MarksRecorded",
        "PortfolioSeeded",
        "ParentCostUpdated",
        "SessionStarted",
        "SessionResumed",
        "JournalClosed",
    }
)
#: Order-related record types (every one must appear exactly once in an export).
ORDER_RECORDS = (OrderEvent, SubmitOrder, CancelOrder, ModifyOrder)
_EXPLICIT = frozenset(
    {
        "client_order_id",
        "ts_event",
        "ts_init",
        "spec",
        "venue_order_id",
        "venue",
        "trade_id",
        "last_qty",
        "last_px",
        "commission",
        "liquidity",
        "check",
        "reason",
        "user",
        "parent_id",
        "symbol",
        "side",
        "quantity",
        "limit_price",
        "stop_price",
    }
)


def event_type(record: object) -> str:
    """Return the snake_case event type of a record (``OrderFilled`` → ``order_filled``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(record).__name__).lower()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


@dataclass
class _OrderContext:
    """What the trail repeats on every row of one order (from its first records)."""

    spec: OrderSpec
    venue_order_id: str = ""
    destination: str = ""


@dataclass
class AuditTrail:
    """Builds audit rows from journal records, keeping each order's context."""

    account: str = ""
    orders: dict[str, _OrderContext] = field(default_factory=dict)

    def rows(self, records: Iterable[tuple[int, int, Any]]) -> Iterator[dict[str, str]]:
        """Yield one row per audit event of ``(seq, ts_init, record)`` journal records."""
        for seq, ts_init, record in records:
            if type(record).__name__ in SKIPPED:
                continue
            yield self._row(seq, ts_init, record)

    def _row(self, seq: int, ts_init: int, record: Any) -> dict[str, str]:
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            seq=str(seq),
            event_type=event_type(record),
            event_ts_ns=_text(getattr(record, "ts_event", ts_init)),
            record_ts_ns=str(ts_init),
            account=self.account,
            reason=_text(getattr(record, "reason", None)),
            risk_check=_text(getattr(record, "check", None)),
            actor=_text(getattr(record, "user", None)),
        )
        spec = getattr(record, "spec", None)
        coid = _text(getattr(record, "client_order_id", None) or (spec and spec.client_order_id))
        if isinstance(record, OrderInitialized) and coid not in self.orders:
            self.orders[coid] = _OrderContext(record.spec)
        context = self.orders.get(coid)
        if context is not None:
            if getattr(record, "venue", None):
                context.destination = str(record.venue)
            if getattr(record, "venue_order_id", None):
                context.venue_order_id = str(record.venue_order_id)
        self._order_fields(row, coid, spec if isinstance(spec, OrderSpec) else None, context)
        if isinstance(record, OrderFilled):
            row.update(
                trade_id=record.trade_id,
                fill_quantity=str(record.last_qty),
                fill_price=str(record.last_px),
                commission=str(record.commission),
                liquidity=_text(record.liquidity),
            )
        if isinstance(record, ModifyOrder | OrderEvent) and not isinstance(record, OrderFilled):
            for name in ("quantity", "limit_price", "stop_price"):
                if getattr(record, name, None) is not None:
                    row[name] = _text(getattr(record, name))
        if isinstance(record, CancelOrder):
            row["reason"] = record.reason
        row["details"] = self._details(record)
        if not row["parent_id"]:
            row["parent_id"] = _text(getattr(record, "parent_id", None))
        if not row["symbol"]:
            row["symbol"] = _text(getattr(record, "symbol", None))
        return row

    def _order_fields(
        self, row: dict[str, str], coid: str, spec: OrderSpec | None, context: _OrderContext | None
    ) -> None:
        known = spec or (context.spec if context is not None else None)
        row["client_order_id"] = coid
        if known is None:
            return
        handling = []
        if known.stop_price is not None or known.trail_amount or known.trail_bps:
            handling.append(f"trigger={known.trigger_source.value}")
        if known.trail_amount:
            handling.append(f"trail_amount={known.trail_amount}")
        if known.trail_bps:
            handling.append(f"trail_bps={known.trail_bps}")
        row.update(
            parent_id=_text(known.parent_id),
            symbol=known.symbol,
            side=_text(known.side),
            quantity=str(known.quantity),
            order_type=_text(known.order_type),
            time_in_force=_text(known.time_in_force),
            limit_price=_text(known.limit_price),
            stop_price=_text(known.stop_price),
            handling=";".join(handling),
        )
        if context is not None:
            row["venue_order_id"] = context.venue_order_id
            row["destination"] = context.destination

    @staticmethod
    def _details(record: Any) -> str:
        """Return the record's other fields as ``name=value`` (limits changed, scopes ...)."""
        if not is_dataclass(record):
            return ""
        parts = [
            f"{f.name}={_text(getattr(record, f.name))}"
            for f in fields(record)
            if f.name not in _EXPLICIT
        ]
        return ";".join(parts)


def write_csv(rows: Iterable[dict[str, str]], path: Path) -> int:
    """Write audit rows as CSV; return how many."""
    count = 0
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_parquet(rows: list[dict[str, str]], path: Path) -> None:
    """Write audit rows as Parquet (every column text, the CSV's exact values)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: [row[name] for row in rows] for name in COLUMNS})
    pq.write_table(table, path)
