"""The demo's parent orders: each algorithm working a real-size order on real data.

Parents are sized at a few percent of the window's volume so the venue's book walking and the
impact overlay matter, and the engine's risk gate sees every child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from slipstream.algos.registry import make_parent
from slipstream.core.timestamps import datetime_to_ns
from slipstream.kernel.orders_file import TimedParent


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


def demo_parents(date: str) -> list[TimedParent]:
    """Return the demo's parent orders on ``date``, each submitted at its start."""
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
        parents.append(TimedParent(parent.start_ns, parent))
    return parents
