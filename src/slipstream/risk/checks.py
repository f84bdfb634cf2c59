"""The pre-trade checks: small functions, run in order, the first denial wins.

Each check reads the candidate :class:`OrderContext` and a read-only
:class:`~slipstream.risk.ports.RiskView` (limits, trading state, throttle, prices, groups,
scenarios) — never the engine — writes the numbers it used into ``order.figures`` and returns a
:class:`~slipstream.oms.risk_gate.Denial` or None. The check name is the stable reason code of
its denials. :func:`build_checks` returns them in order; the ES check owns the scratch vector it
reuses on every order, so each gate builds its own list.

Exposure checks (``buying_power``, ``position_limit``, ``sector_limit``, ``correlation_limit``,
``expected_shortfall``) never block an order that only reduces an existing position: a
stop-loss must always be able to close. Fat-finger checks (``order_size``, ``notional``,
``price_collar``), the throttle and the trading state apply to every order.

Projected exposure is the current position plus every working order on the same side of the
same name (a child's own parent excluded, since the child is carved out of it) plus the order;
a sector's or cluster's projection also adds working orders in its other names that open or
increase their name's exposure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.risk_gate import Denial
from slipstream.risk.es import historical_in_place
from slipstream.risk.ports import RiskView
from slipstream.risk.state import TradingState
from slipstream.risk.valuation import Valuation

HUNDRED = Decimal(100)


@dataclass(slots=True)
class Pending:
    """What the working orders add for a candidate (see :class:`OrderContext`)."""

    same_side: int = 0
    sector: Decimal = Decimal(0)
    cluster: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)


@dataclass(slots=True)
class OrderContext:
    """The candidate order with the facts every check shares, computed once.

    ``valuation`` is the exposure snapshot every check of this order reads. ``pending`` holds
    the working orders' contribution: signed same-side shares in the same name, money added to
    the name's sector and cluster by working orders in other names, and cash reserved by
    working buys. ``sector`` and ``cluster`` are the name's (``cluster`` None when it is in
    none). ``figures`` collects the numbers of the check being run.
    """

    spec: OrderSpec
    ts_ns: int
    signed_qty: int
    position_qty: int
    pending: Pending
    order_px: Decimal | None
    value_px: Decimal | None
    reducing: bool
    flatten: bool
    valuation: Valuation
    sector: str
    cluster: str | None
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def projected_qty(self) -> int:
        """Return position + same-side working orders + this order (signed shares)."""
        return self.position_qty + self.pending.same_side + self.signed_qty


Check = Callable[[RiskView, OrderContext], Denial | None]
Checks = tuple[tuple[str, Check], ...]


def _pct(part: Decimal, nav: Decimal) -> str:
    # A figure for people: float division is exact enough and much cheaper than Decimal's.
    return f"{float(part) / float(nav) * 100.0:.4f}" if nav > 0 else "n/a"


def _limit(nav: Decimal, pct: float) -> Decimal:
    return nav * Decimal(repr(pct)) / HUNDRED


def _deny(check: str, reason: str, order: OrderContext) -> Denial:
    return Denial(check, reason, {k: str(v) for k, v in order.figures.items()})


def _exempt(order: OrderContext) -> bool:
    order.figures["reducing"] = order.reducing
    return order.reducing


def check_trading_state(view: RiskView, order: OrderContext) -> Denial | None:
    """Let everything through when ACTIVE, reducing orders when REDUCING, nothing when HALTED."""
    state = view.state
    order.figures["state"] = state.value
    if state is TradingState.ACTIVE or order.flatten:
        return None
    if state is TradingState.REDUCING and order.reducing:
        return None
    why = view.state_reason
    detail = f" ({why})" if why else ""
    allowed = "only reducing orders may go out" if state is TradingState.REDUCING else "no orders"
    return _deny("trading_state", f"trading is {state.value}{detail}: {allowed}", order)


def check_order_rate(view: RiskView, order: OrderContext) -> Denial | None:
    """Cap approved orders per sliding window (the kill switch's own orders are exempt)."""
    limits = view.limits
    count = view.orders_in_window(order.ts_ns)
    order.figures.update(
        orders_in_window=count,
        max_orders=limits.throttle_max_orders,
        window_secs=limits.throttle_window_secs,
    )
    if order.flatten or count < limits.throttle_max_orders:
        return None
    return _deny(
        "order_rate",
        f"{count} orders in the last {limits.throttle_window_secs:g}s reach the cap of "
        f"{limits.throttle_max_orders}",
        order,
    )


def check_order_size(view: RiskView, order: OrderContext) -> Denial | None:
    """Refuse orders above the per-order share limit (per symbol if configured)."""
    cap = view.limits.max_quantity(order.spec.symbol)
    order.figures.update(quantity=order.spec.quantity, max_quantity=cap)
    if order.spec.quantity <= cap:
        return None
    return _deny(
        "order_size", f"quantity {order.spec.quantity} exceeds the per-order cap {cap}", order
    )


def check_notional(view: RiskView, order: OrderContext) -> Denial | None:
    """Refuse orders above the per-order notional limit, or that cannot be valued at all."""
    cap = view.limits.order_max_notional
    if order.order_px is None:
        order.figures["max_notional"] = cap
        return _deny(
            "notional", f"no reference price for {order.spec.symbol}: cannot value the order", order
        )
    notional = order.order_px * order.spec.quantity
    order.figures.update(price=order.order_px, notional=notional, max_notional=cap)
    if notional <= cap:
        return None
    return _deny("notional", f"notional {notional} exceeds the per-order cap {cap}", order)


def check_price_collar(view: RiskView, order: OrderContext) -> Denial | None:
    """Keep a limit price within ``price_collar_pct`` of the reference (mark) price."""
    limit_px = order.spec.limit_price
    collar = view.limits.price_collar_pct
    mark = view.mark_of(order.spec.symbol)
    order.figures.update(limit_price=limit_px, reference_price=mark, collar_pct=collar)
    if limit_px is None or mark is None or mark <= 0:
        return None
    distance = abs(limit_px - mark) / mark * HUNDRED
    order.figures["distance_pct"] = f"{distance:.4f}"
    if distance <= Decimal(repr(collar)):
        return None
    return _deny(
        "price_collar",
        f"limit {limit_px} is {distance:.2f}% from the reference {mark} (collar {collar:g}%)",
        order,
    )


def check_buying_power(view: RiskView, order: OrderContext) -> Denial | None:
    """Cash + margin − open buy reservations must cover the part of the order that opens."""
    before = order.position_qty + order.pending.same_side
    after = before + order.signed_qty
    crossing = before != 0 and (before > 0) != (after > 0)
    opening = abs(after) if crossing else max(0, abs(after) - abs(before))
    px = order.order_px if order.order_px is not None else Decimal(0)
    needed = px * opening
    reserved = order.pending.reserved
    available = view.cash() + view.limits.margin - reserved
    order.figures.update(opening_qty=opening, needed=needed, available=available, reserved=reserved)
    if opening == 0 or needed <= available:
        return None
    return _deny(
        "buying_power",
        f"needs {needed} but only {available} is available "
        f"(cash + margin − {reserved} reserved by working buys)",
        order,
    )


def check_position_limit(view: RiskView, order: OrderContext) -> Denial | None:
    """Keep the projected single-name exposure within its share of NAV."""
    if _exempt(order):
        return None
    nav = order.valuation.nav
    exposure = abs(order.projected_qty * (order.value_px or Decimal(0)))
    pct = view.limits.position_limit_pct(order.spec.symbol)
    cap = _limit(nav, pct)
    order.figures.update(
        projected_qty=order.projected_qty,
        exposure=exposure,
        exposure_pct=_pct(exposure, nav),
        limit_pct=pct,
        nav=nav,
    )
    if nav > 0 and exposure <= cap:
        return None
    return _deny(
        "position_limit",
        f"{order.spec.symbol} exposure {exposure} would be {_pct(exposure, nav)}% of NAV "
        f"{nav} (limit {pct:g}%)",
        order,
    )


def _projected_gross(order: OrderContext, group_gross: Decimal, group_pending: Decimal) -> Decimal:
    """Return a group's gross exposure projected: this name's exposure replaced by its
    projection, plus what working orders in the group's other names add."""
    current = abs(order.valuation.values.get(order.spec.symbol, Decimal(0)))
    projected = abs(order.projected_qty * (order.value_px or Decimal(0)))
    return group_gross - current + projected + group_pending


def check_sector_limit(view: RiskView, order: OrderContext) -> Denial | None:
    """Keep the projected gross exposure of the order's sector within its share of NAV."""
    if _exempt(order):
        return None
    valuation = order.valuation
    sector = order.sector
    gross = _projected_gross(
        order, valuation.sector_gross.get(sector, Decimal(0)), order.pending.sector
    )
    pct = view.limits.sector_max_nav_pct
    order.figures.update(
        sector=sector, sector_exposure=gross, sector_pct=_pct(gross, valuation.nav), limit_pct=pct
    )
    if valuation.nav > 0 and gross <= _limit(valuation.nav, pct):
        return None
    return _deny(
        "sector_limit",
        f"{sector} exposure {gross} would be {_pct(gross, valuation.nav)}% of NAV (limit {pct:g}%)",
        order,
    )


def check_correlation_limit(view: RiskView, order: OrderContext) -> Denial | None:
    """Keep the projected gross exposure of the name's correlation cluster within its share."""
    if _exempt(order):
        return None
    cluster = order.cluster
    order.figures["cluster"] = cluster or "none"
    if cluster is None:
        return None
    valuation = order.valuation
    gross = _projected_gross(
        order, valuation.cluster_gross.get(cluster, Decimal(0)), order.pending.cluster
    )
    pct = view.limits.correlation_max_nav_pct
    order.figures.update(
        cluster_exposure=gross, cluster_pct=_pct(gross, valuation.nav), limit_pct=pct
    )
    if valuation.nav > 0 and gross <= _limit(valuation.nav, pct):
        return None
    members = ", ".join(view.cluster_members(cluster))
    return _deny(
        "correlation_limit",
        f"cluster {cluster} ({members}) exposure {gross} would be "
        f"{_pct(gross, valuation.nav)}% of NAV (limit {pct:g}%)",
        order,
    )


def expected_shortfall_check() -> Check:
    """Return the ``expected_shortfall`` check, with the scratch vector it reuses per order."""
    scratch = np.empty(0)

    def check_expected_shortfall(view: RiskView, order: OrderContext) -> Denial | None:
        """Keep the portfolio's 1-day ES after the order within its share of NAV.

        ES is taken over the scenario set (historical, or volatility-weighted historical by
        default: each name's past returns rescaled to its current EWMA volatility).

        Incremental: the order adds ``value × scenario returns of its name`` to the precomputed
        portfolio scenario P&L, then the tail is averaged — O(scenarios), no portfolio
        recompute. An order that lowers ES (a hedge) passes even when ES is above the limit.
        """
        nonlocal scratch
        if _exempt(order):
            return None
        valuation = order.valuation
        limits = view.limits
        scenarios = view.scenarios
        nav = float(valuation.nav)
        delta = float(order.signed_qty * (order.value_px or Decimal(0)))
        days = scenarios.days
        if len(scratch) != days:  # the first order, or the scenario window changed
            scratch = np.empty(days)
        losses = scratch  # losses = −(base P&L + delta × the name's scenario returns)
        np.multiply(scenarios.column(order.spec.symbol), -delta, out=losses)
        np.subtract(losses, valuation.base_pnl, out=losses)
        _var, es_money = historical_in_place(losses, limits.es_level)
        after = es_money / nav * 100.0 if nav > 0 else float("inf")
        before = valuation.es_pct
        order.figures.update(
            es_before_pct=round(before, 4),
            es_after_pct=round(after, 4),
            limit_pct=limits.es_max_nav_pct,
            level=limits.es_level,
            scenarios=days,
        )
        if nav > 0 and (after <= limits.es_max_nav_pct or after <= before):
            return None
        return _deny(
            "expected_shortfall",
            f"1-day ES {limits.es_level:g} would be {after:.3f}% of NAV "
            f"(limit {limits.es_max_nav_pct:g}%, now {before:.3f}%)",
            order,
        )

    return check_expected_shortfall


#: The per-order checks: for what reaches a venue, so a parent waits for its children's.
PER_ORDER_CHECKS = frozenset({"order_rate", "order_size", "notional", "price_collar"})


def build_checks() -> Checks:
    """Return the checks in the order they run; the first denial short-circuits the rest."""
    return (
        ("trading_state", check_trading_state),
        ("order_rate", check_order_rate),
        ("order_size", check_order_size),
        ("notional", check_notional),
        ("price_collar", check_price_collar),
        ("buying_power", check_buying_power),
        ("position_limit", check_position_limit),
        ("sector_limit", check_sector_limit),
        ("correlation_limit", check_correlation_limit),
        ("expected_shortfall", expected_shortfall_check()),
    )


def parent_checks(checks: Checks) -> Checks:
    """Return the checks a parent order gets when accepted (its children get all of them)."""
    return tuple((name, check) for name, check in checks if name not in PER_ORDER_CHECKS)
