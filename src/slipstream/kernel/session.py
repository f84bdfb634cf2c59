"""A simulated trading session: an orders file worked against market data, and its summary.

Used by ``slipstream simulate`` and ``slipstream demo``: single orders are scheduled on the
kernel's clock at their ``submit_at`` time, parent orders at their start, actions (amend, pause,
resume, cancel, modify) at theirs; the market data is replayed through the venue, and the
result is summarised as orders (status, filled, average price, fills; children carry their
parent's id), parents (progress and cost) and positions (quantity, average cost, realized and
unrealized P&L).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slipstream.algos.engine import ParentSummary
from slipstream.core.errors import InputError, StateError
from slipstream.core.ids import ClientOrderId
from slipstream.core.timestamps import format_ts
from slipstream.kernel.commands import CommandRefused
from slipstream.kernel.core import Kernel
from slipstream.kernel.orders_file import OrdersFile, TimedAction, TimedOrder, TimedParent
from slipstream.kernel.sim import SimKernel
from slipstream.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from slipstream.model.enums import OrderStatus
from slipstream.model.events import OrderDenied, OrderFilled
from slipstream.model.market import MarketRecord
from slipstream.model.orders import Order
from slipstream.oms.store import OrderStore
from slipstream.portfolio.portfolio import Portfolio
from slipstream.tca.realtime import RealTimeAttribution

CENT = Decimal("0.01")


def schedule_orders(kernel: Kernel, orders: Iterable[TimedOrder]) -> None:
    """Submit each order through the OMS when the session clock reaches its time."""
    for timed in orders:

        def submit(ts_ns: int, spec: Any = timed.spec) -> None:
            kernel.oms.submit(SubmitOrder(ts_ns, spec))

        kernel.at(timed.submit_at_ns, f"submit:{timed.spec.client_order_id}", submit)


def schedule_parents(kernel: Kernel, parents: Iterable[TimedParent]) -> None:
    """Hand each parent to the kernel when the session clock reaches its start."""
    for timed in parents:

        def start(_ts: int, chosen: TimedParent = timed) -> None:
            kernel.submit_parent(chosen.parent)

        kernel.at(timed.submit_at_ns, f"parent:{timed.parent.parent_id}", start)


def schedule_actions(kernel: Kernel, actions: Iterable[TimedAction]) -> None:
    """Apply each action of the file (amend, pause, resume, cancel, modify) at its time."""
    for n, timed in enumerate(actions):

        def act(ts_ns: int, a: TimedAction = timed) -> None:
            try:
                apply_action(kernel, a, ts_ns)
            except (InputError, StateError) as exc:
                kernel.bus.publish(CommandRefused(a.target, a.action, str(exc), ts_ns))

        kernel.at(timed.at_ns, f"action:{n}:{timed.action}:{timed.target}", act)


def apply_action(kernel: Kernel, a: TimedAction, ts_ns: int) -> None:
    """Apply one action to its parent or order; a refused action is journalled and skipped."""
    user = "orders file"
    if a.on_parent:
        if a.action == "amend":
            kernel.amend_parent(a.target, a.quantity, a.limit_price, a.end_ns, user, a.reason)
        elif a.action == "pause":
            kernel.pause_parent(a.target, user, a.reason)
        elif a.action == "resume":
            kernel.resume_parent(a.target, user, a.reason)
        else:
            kernel.cancel_parent(a.target, user, a.reason)
    elif a.action == "cancel":
        kernel.oms.cancel(CancelOrder(ts_ns, ClientOrderId(a.target), a.reason))
    else:
        kernel.oms.modify(
            ModifyOrder(ts_ns, ClientOrderId(a.target), a.quantity, a.limit_price, a.stop_price)
        )


def run_session(
    kernel: SimKernel,
    records: Iterable[MarketRecord],
    work: OrdersFile | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Schedule ``work``, replay ``records`` and end the session; return records replayed."""
    if work is not None:
        schedule_orders(kernel, work.orders)
        schedule_parents(kernel, work.parents)
        schedule_actions(kernel, work.actions)
    count = kernel.run(records, progress)
    kernel.finish()
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
    """Return the summary of one order (children carry their parent's id)."""
    spec = order.spec
    denial = next((e for e in order.events if isinstance(e, OrderDenied)), None)
    return {
        "client_id": spec.client_order_id,
        "parent_id": spec.parent_id,
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


def _bps(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def parent_rows(
    store: OrderStore, parents: Iterable[ParentSummary], costs: RealTimeAttribution | None
) -> list[dict[str, Any]]:
    """Return one row per parent order: progress from the engine, cost from real-time TCA.

    Costs follow the TCA sign convention (cost > 0, improvement < 0, bps, signed by side):
    implementation shortfall against the arrival-decision paper portfolio, and the executed
    shares against the arrival mid and the market VWAP since arrival.
    """
    rows = []
    for p in parents:
        children = store.children_of(p.parent_id)
        filled, avg_price = children_fill(children)
        cost = costs.latest(p.parent_id) if costs is not None else None
        rows.append(
            {
                "client_id": p.parent_id,
                "symbol": p.symbol,
                "side": p.side.value,
                "quantity": p.quantity,
                "algo": p.algo,
                "status": p.state.value,
                "filled": filled,
                "avg_price": avg_price,
                "children": len(children),
                "denied_children": sum(1 for c in children if c.status is OrderStatus.DENIED),
                "fills": sum(isinstance(e, OrderFilled) for c in children for e in c.events),
                "shortfall_bps": _bps(cost.shortfall_bps) if cost else None,
                "vs_arrival_bps": _bps(cost.arrival_slippage_bps) if cost else None,
                "vs_interval_vwap_bps": _bps(cost.vwap_slippage_bps) if cost else None,
                "reason": p.reason,
            }
        )
    return rows


def summarize(
    orders: Iterable[Order],
    portfolio: Portfolio,
    parents: list[dict[str, Any]] | None = None,
) -> SessionSummary:
    """Return the summary of ``orders`` (children included, with their parent) and ``portfolio``."""
    return SessionSummary(
        orders=[order_row(o) for o in orders],
        parents=parents or [],
        positions=position_rows(portfolio),
        cash=portfolio.cash.quantize(CENT),
        nav=portfolio.nav().quantize(CENT),
        realized_pnl=portfolio.realized_pnl().quantize(CENT),
        unrealized_pnl=portfolio.unrealized_pnl().quantize(CENT),
    )


def summarize_kernel(kernel: Kernel) -> SessionSummary:
    """Return the summary of everything ``kernel`` worked: orders, parents, positions."""
    store = kernel.oms.store
    rows = parent_rows(store, kernel.algos.summaries(), kernel.tca)
    return summarize(store, kernel.portfolio, rows)
