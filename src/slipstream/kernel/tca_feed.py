"""The kernel's TCA wiring: parents and child fills as the TCA engine's inputs.

Post-trade TCA (:func:`slipstream.tca.report.build_tca_report`) reads plain records; this is the
one place that turns a kernel's parents and their children's fills into them.
"""

from __future__ import annotations

from collections.abc import Iterable

from slipstream.algos.parent import ParentOrder
from slipstream.model.events import OrderFilled
from slipstream.oms.store import OrderStore
from slipstream.tca.records import FillRecord, ParentRecord


def tca_inputs(
    parents: Iterable[ParentOrder], store: OrderStore, venue: str = "sim"
) -> tuple[list[ParentRecord], list[FillRecord]]:
    """Return the TCA records of ``parents`` and every fill of their children."""
    records, fills = [], []
    for parent in parents:
        children = store.children_of(parent.parent_id)
        first = min((c.events[0].ts_event for c in children), default=None)
        records.append(
            ParentRecord(
                parent_id=parent.parent_id,
                symbol=parent.symbol,
                side=parent.side,
                quantity=parent.quantity,
                decision_ts_ns=parent.start_ns,
                algo=parent.algo,
                urgency=f"{parent.urgency:.2f}",
                start_ts_ns=parent.start_ns,
                end_ts_ns=parent.end_ns,
                arrival_ts_ns=first,
                target_participation=getattr(parent.params, "participation", None),
            )
        )
        fills += [
            FillRecord(
                parent.parent_id,
                e.ts_event,
                e.last_px,
                e.last_qty,
                e.commission,
                c.client_order_id,
                e.liquidity,
                venue,
            )
            for c in children
            for e in c.events
            if isinstance(e, OrderFilled)
        ]
    fills.sort(key=lambda f: (f.parent_id, f.ts_ns))
    return records, fills
