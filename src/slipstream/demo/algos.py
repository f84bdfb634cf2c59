"""The demo's parent orders: each algorithm working a real-size order on real data.

Parents are sized at a few percent of the window's volume so the venue's book walking and the
impact overlay matter, and the engine's risk gate sees every child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from slipstream.algos.engine import AlgoEngine
from slipstream.algos.history import profile_source
from slipstream.algos.parent import ParentOrder
from slipstream.algos.registry import make_parent
from slipstream.core.timestamps import datetime_to_ns
from slipstream.marketdata.profiles import volume_profile
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import InstrumentTable
from slipstream.node import SimNode
from slipstream.oms.manager import OrderManager
from slipstream.tca.realtime import RealTimeAttribution
from slipstream.tca.records import FillRecord, ParentRecord


@dataclass(frozen=True, slots=True)
class ParentPlan:
    """One demo parent order."""

    parent_id: str
    symbol: str
    side: str
    quantity: int
    algo: str
    start: str
    end: str
    urgency: str
    params: dict[str, Any]


PARENTS = (
    ParentPlan("P-TWAP-IBM", "IBM", "buy", 20_000, "twap", "10:00", "11:00", "medium", {}),
    ParentPlan("P-VWAP-IBM", "IBM", "sell", 15_000, "vwap", "11:00", "13:00", "low", {}),
    ParentPlan(
        "P-POV-BAC",
        "BAC",
        "buy",
        150_000,
        "pov",
        "10:00",
        "15:00",
        "medium",
        {"participation": 0.05},
    ),
    ParentPlan("P-IS-IBM", "IBM", "buy", 12_000, "is", "13:30", "15:30", "high", {}),
    ParentPlan(
        "P-ICE-AIG",
        "AIG",
        "buy",
        8_000,
        "iceberg",
        "10:00",
        "15:00",
        "medium",
        {"display_qty": 500},
    ),
)


def _ns(date: str, hhmm: str) -> int:
    return datetime_to_ns(dt.datetime.fromisoformat(f"{date}T{hhmm}:00"))


def attach_algos(node: SimNode, instruments: InstrumentTable, date: str) -> AlgoEngine:
    """Create the algorithm engine on ``node`` with volume profiles measured on other days.

    Real-time cost attribution rides along: every child fill publishes (and journals) a
    ``ParentCostUpdated`` with the parent's running shortfall and slippage.
    """

    def parent_of(client_order_id: str) -> str | None:
        order = node.oms.store.get(client_order_id)
        return None if order is None else order.spec.parent_id

    def parent_info(parent_id: str) -> ParentRecord | None:
        summary = engine.summary(parent_id)
        return ParentRecord(
            parent_id, summary.symbol, summary.side, summary.quantity, node.clock.timestamp_ns()
        )

    profile_days = [
        d for d in ("2013-10-04", "2013-10-07", "2013-10-09", "2013-10-10") if d != date
    ]

    def profile(symbol: str) -> Any:
        return volume_profile(symbol, days=profile_days)

    engine = AlgoEngine(
        node.clock,
        node.bus,
        node.oms,
        instruments,
        node.ids,
        profile_source=profile_source(profile),
    )
    RealTimeAttribution(node.bus, node.clock, parent_of, parent_info)
    return engine


def schedule_parents(node: SimNode, engine: AlgoEngine, date: str) -> list[ParentOrder]:
    """Submit each demo parent to the engine at its start time; return the parents."""
    parents = []
    for plan in PARENTS:
        parent = make_parent(
            plan.parent_id,
            plan.symbol,
            plan.side,
            plan.quantity,
            plan.algo,
            _ns(date, plan.start),
            _ns(date, plan.end),
            plan.urgency,
            None,
            plan.params,
        )
        parents.append(parent)

        def start(_ts: int, chosen: ParentOrder = parent) -> None:
            engine.submit(chosen)

        node.at(parent.start_ns, f"parent:{parent.parent_id}", start)
    return parents


def tca_inputs(
    parents: list[ParentOrder], oms: OrderManager
) -> tuple[list[ParentRecord], list[FillRecord]]:
    """Return the TCA records of ``parents`` and every fill of their children."""
    records, fills = [], []
    for parent in parents:
        children = oms.store.children_of(parent.parent_id)
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
                "sim",
            )
            for c in children
            for e in c.events
            if isinstance(e, OrderFilled)
        ]
    fills.sort(key=lambda f: (f.parent_id, f.ts_ns))
    return records, fills
