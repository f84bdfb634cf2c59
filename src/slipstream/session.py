"""A simulated trading session: timed orders replayed against market data, and its summary.

Used by ``slipstream simulate`` and ``slipstream demo``: orders are scheduled on the node's clock
at their ``submit_at`` time, the market data is replayed through the venue, and the result is
summarised as orders (status, filled, average price, fills) and positions (quantity, average
cost, realized and unrealized P&L).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slipstream.core.timestamps import format_ts
from slipstream.model.commands import SubmitOrder
from slipstream.model.enums import OrderStatus
from slipstream.model.events import OrderDenied, OrderFilled
from slipstream.model.market import MarketRecord
from slipstream.model.orders import Order
from slipstream.node import SimNode
from slipstream.oms.order_file import TimedOrder
from slipstream.portfolio.portfolio import Portfolio

CENT = Decimal("0.01")


def schedule_orders(node: SimNode, orders: Iterable[TimedOrder]) -> None:
    """Submit each order through the OMS when the session clock reaches its time."""
    for timed in orders:

        def submit(ts_ns: int, spec: Any = timed.spec) -> None:
            node.oms.submit(SubmitOrder(ts_ns, spec))

        node.at(timed.submit_at_ns, f"submit:{timed.spec.client_order_id}", submit)


def run_session(
    node: SimNode,
    records: Iterable[MarketRecord],
    orders: Iterable[TimedOrder] = (),
    progress: Callable[[int], None] | None = None,
) -> int:
    """Schedule ``orders``, replay ``records`` and end the session; return records replayed."""
    schedule_orders(node, orders)
    count = node.run(records, progress)
    node.finish()
    return count


def fill_rows(order: Order) -> list[dict[str, Any]]:
    """Return one row per fill of ``order``."""
    return [
        {
            "ts": format_ts(e.ts_event),
            "ts_ns": e.ts_event,
            "price": e.last_px,
            "quantity": e.last_qty,
            "liquidity": e.liquidity.value,
        }
        for e in order.events
        if isinstance(e, OrderFilled)
    ]


def order_row(order: Order) -> dict[str, Any]:
    """Return the summary of one order."""
    spec = order.spec
    denial = next((e for e in order.events if isinstance(e, OrderDenied)), None)
    return {
        "client_id": spec.client_order_id,
        "symbol": spec.symbol,
        "side": spec.side.value,
        "type": spec.order_type.value,
        "tif": spec.time_in_force.value,
        "quantity": order.quantity,
        "limit_price": order.limit_price,
        "stop_price": order.stop_price,
        "status": order.status.value,
        "filled": order.filled_qty,
        "avg_price": None if order.avg_px is None else order.avg_px.quantize(Decimal("0.0001")),
        "denied_by": None if denial is None else denial.check,
        "reason": None if denial is None else denial.reason,
        "fills": fill_rows(order),
    }


def position_rows(portfolio: Portfolio) -> list[dict[str, Any]]:
    """Return the non-flat positions and every symbol's realized P&L."""
    rows = []
    for symbol in sorted(portfolio.positions):
        pos = portfolio.positions[symbol]
        mark = portfolio.mark_of(symbol) or pos.avg_cost
        rows.append(
            {
                "symbol": symbol,
                "quantity": pos.quantity,
                "avg_cost": pos.avg_cost.quantize(Decimal("0.0001")),
                "mark": mark,
                "realized_pnl": pos.realized_pnl.quantize(CENT),
                "unrealized_pnl": pos.unrealized_pnl(mark).quantize(CENT),
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """Everything a user wants to see after a session."""

    orders: list[dict[str, Any]]
    parents: list[dict[str, Any]]
    positions: list[dict[str, Any]]
    cash: Decimal
    nav: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as plain data (for JSON)."""
        return {
            "orders": self.orders,
            "parents": self.parents,
            "positions": self.positions,
            "cash": self.cash,
            "nav": self.nav,
            "realized_pnl": self.realized_pnl,
            "unrealized_pnl": self.unrealized_pnl,
        }


def children_fill(children: Iterable[Order]) -> tuple[int, Decimal | None]:
    """Return the shares filled across ``children`` and their average price (4 places)."""
    filled, value = 0, Decimal(0)
    for child in children:
        if child.filled_qty and child.avg_px is not None:
            filled += child.filled_qty
            value += child.avg_px * child.filled_qty
    return filled, (value / filled).quantize(Decimal("0.0001")) if filled else None


def parent_rows(orders: Iterable[Order]) -> list[dict[str, Any]]:
    """Return one row per parent order, aggregated over its children."""
    groups: dict[str, list[Order]] = {}
    for order in orders:
        if order.spec.parent_id is not None:
            groups.setdefault(order.spec.parent_id, []).append(order)
    rows = []
    for parent_id, children in groups.items():
        filled, avg_price = children_fill(children)
        rows.append(
            {
                "parent_id": parent_id,
                "symbol": children[0].spec.symbol,
                "side": children[0].spec.side.value,
                "children": len(children),
                "denied_children": sum(1 for c in children if c.status is OrderStatus.DENIED),
                "filled": filled,
                "avg_price": avg_price,
                "fills": sum(isinstance(e, OrderFilled) for c in children for e in c.events),
            }
        )
    return rows


def summarize(orders: Iterable[Order], portfolio: Portfolio) -> SessionSummary:
    """Return the summary of ``orders`` (children folded into their parents) and ``portfolio``."""
    every = list(orders)
    return SessionSummary(
        orders=[order_row(o) for o in every if o.spec.parent_id is None],
        parents=parent_rows(every),
        positions=position_rows(portfolio),
        cash=portfolio.cash.quantize(CENT),
        nav=portfolio.nav().quantize(CENT),
        realized_pnl=portfolio.realized_pnl().quantize(CENT),
        unrealized_pnl=portfolio.unrealized_pnl().quantize(CENT),
    )
