"""The gate: the facts every check of one order shares, the checks in order, the throttle.

:class:`PreTradeGate` builds the :class:`~slipstream.risk.checks.OrderContext` of a candidate
(position, reference price, working orders, reducing or not, the exposure snapshot) and runs the
checks of :mod:`slipstream.risk.checks` in order; the first denial wins unless a risk officer's
override lets it pass. It is the :class:`~slipstream.risk.ports.RiskView` the checks read. It
counts approved orders for the throttle, except the kill switch's own flattening orders.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from decimal import Decimal

from slipstream.model.enums import Side
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.risk_gate import Denial
from slipstream.portfolio.portfolio import Portfolio
from slipstream.risk.checks import Checks, OrderContext, Pending, build_checks, parent_checks
from slipstream.risk.controls import SlidingCount, secs_to_ns
from slipstream.risk.exposure import ExposureBook
from slipstream.risk.limits import Limits
from slipstream.risk.ports import DeskView, OpenOrders
from slipstream.risk.scenarios import ScenarioSet
from slipstream.risk.state import TradingState


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict in a what-if evaluation, with every figure it used."""

    check: str
    passed: bool
    reason: str
    figures: dict[str, str]
    enabled: bool = True
    override_id: str | None = None


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """Every check's verdict on one order; ``denial`` is what the gate would answer."""

    client_order_id: str
    approved: bool
    denial: Denial | None
    results: tuple[CheckResult, ...]


class PreTradeGate:
    """Run the checks on one order at a time against shared, live state."""

    def __init__(
        self,
        exposure: ExposureBook,
        portfolio: Portfolio,
        open_orders: OpenOrders,
        desk: DeskView,
        before_check: Callable[[int], None],
        flattening: Container[str],
    ) -> None:
        self._exposure = exposure
        self._portfolio = portfolio
        self._open_orders = open_orders
        self._desk = desk
        self._before_check = before_check  # the automatic halt triggers
        self._flattening = flattening  # the kill switch's own order ids
        self.limits = desk.limits
        self.throttle = SlidingCount(secs_to_ns(self.limits.throttle_window_secs))
        self._checks = build_checks()
        self._parent_checks = parent_checks(self._checks)

    def use_limits(self, limits: Limits) -> None:
        """Take new limits (the throttle follows a new window)."""
        self.limits = limits
        self.throttle.window_ns = secs_to_ns(limits.throttle_window_secs)

    # -- the view the checks read --------------------------------------------------------------

    @property
    def state(self) -> TradingState:
        """Return the trading state."""
        return self._desk.state

    @property
    def state_reason(self) -> str:
        """Return why trading is not ACTIVE ("" when it is)."""
        return self._desk.state_reason

    @property
    def scenarios(self) -> ScenarioSet:
        """Return the scenario set the ES check prices against."""
        return self._exposure.scenarios

    def orders_in_window(self, ts_ns: int) -> int:
        """Return how many orders were approved in the throttle's window ending at ``ts_ns``."""
        return self.throttle.count(ts_ns)

    def mark_of(self, symbol: str) -> Decimal | None:
        """Return the reference price of ``symbol`` (the portfolio's latest mark)."""
        return self._portfolio.mark_of(symbol)

    def cash(self) -> Decimal:
        """Return the account's cash."""
        return self._portfolio.cash

    def cluster_members(self, cluster: str) -> tuple[str, ...]:
        """Return the names of ``cluster``."""
        return self._exposure.clusters[cluster]

    # -- the gate ----------------------------------------------------------------------------

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Return the first denial for ``spec`` or None; an approved order counts in the throttle."""
        denial = self._gate(spec, ts_ns, self._checks)
        if denial is None and spec.client_order_id not in self._flattening:
            self.throttle.add(ts_ns)
        return denial

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Check a parent order when accepted: state, buying power and exposure limits."""
        return self._gate(spec, ts_ns, self._parent_checks)

    def _gate(self, spec: OrderSpec, ts_ns: int, checks: Checks) -> Denial | None:
        self._before_check(ts_ns)
        order = self._context(spec, ts_ns)
        disabled = self.limits.disabled_checks
        desk = self._desk
        for name, check in checks:
            if disabled and name in disabled:
                continue
            order.figures = {}  # a denial carries its own check's figures only
            denial = check(self, order)
            if denial is None:
                continue
            if name == "trading_state" or not desk.use_override(name, denial, spec, ts_ns):
                return denial
        return None

    def evaluate(self, spec: OrderSpec, now: int) -> RiskDecision:
        """Run every check on ``spec`` at ``now`` without side effects (the what-if report)."""
        order = self._context(spec, now)
        results: list[CheckResult] = []
        first: Denial | None = None
        for name, check in self._checks:
            order.figures = {}
            enabled = name not in self.limits.disabled_checks
            denial = check(self, order)
            figures = {k: str(v) for k, v in order.figures.items()}
            override_id = (
                self._desk.find_override(name, spec, now)
                if denial is not None and name != "trading_state"
                else None
            )
            passed = denial is None or override_id is not None or not enabled
            results.append(
                CheckResult(
                    name, passed, denial.reason if denial else "", figures, enabled, override_id
                )
            )
            if not passed and first is None:
                first = denial
        return RiskDecision(spec.client_order_id, first is None, first, tuple(results))

    def _context(self, spec: OrderSpec, ts_ns: int) -> OrderContext:
        symbol = spec.symbol
        position = self._portfolio.positions.get(symbol)
        held = position.quantity if position is not None else 0
        mark = self._portfolio.mark_of(symbol)
        if mark is None and position is not None and held:
            mark = position.avg_cost
        if spec.limit_price is not None:
            order_px: Decimal | None = spec.limit_price
        elif spec.stop_price is not None:
            order_px = spec.stop_price
        else:
            order_px = mark
        signed = spec.quantity if spec.side is Side.BUY else -spec.quantity
        sector = self._exposure.sector_of(symbol)
        cluster = self._exposure.cluster_of(symbol)
        pending = self._open_order_figures(spec, sector, cluster)
        flatten = spec.client_order_id in self._flattening
        projected = held + pending.same_side + signed
        reducing = flatten or (
            held != 0
            and signed * held < 0
            and abs(projected) <= abs(held)
            and projected * held >= 0
        )
        return OrderContext(
            spec,
            ts_ns,
            signed,
            held,
            pending,
            order_px,
            mark if mark is not None else order_px,
            reducing,
            flatten,
            self._exposure.valuation(ts_ns),
            sector,
            cluster,
        )

    def _open_order_figures(self, spec: OrderSpec, sector: str, cluster: str | None) -> Pending:
        """Sum what the working orders add: same-name shares, group exposure, reserved cash.

        The order itself and, for a child, its parent are left out: the child's quantity is
        part of the parent's. A working order in another name counts toward the candidate's
        sector or cluster when it adds to its own name's exposure (opening or increasing).
        """
        pending = Pending()
        own, parent = spec.client_order_id, spec.parent_id
        exposure = self._exposure
        sector_of, cluster_of = exposure.sector_of, exposure.cluster_of
        positions = self._portfolio.positions
        mark_of = self._portfolio.mark_of
        for order in self._open_orders.working():
            other = order.spec
            if other.client_order_id == own or other.client_order_id == parent:
                continue
            leaves = order.leaves_qty
            if leaves <= 0:
                continue
            symbol = other.symbol
            px = order.limit_price if order.limit_price is not None else mark_of(symbol)
            if other.side is Side.BUY and px is not None:
                pending.reserved += px * leaves
            if symbol == spec.symbol:
                if other.side is spec.side:
                    pending.same_side += leaves
                continue
            in_sector = sector_of(symbol) == sector
            in_cluster = cluster is not None and cluster_of(symbol) == cluster
            if px is None or not (in_sector or in_cluster):
                continue
            held = positions[symbol].quantity if symbol in positions else 0
            if held == 0 or (held > 0) == (other.side is Side.BUY):
                amount = px * leaves
                if in_sector:
                    pending.sector += amount
                if in_cluster:
                    pending.cluster += amount
        if spec.side is Side.SELL:
            pending.same_side = -pending.same_side
        return pending
