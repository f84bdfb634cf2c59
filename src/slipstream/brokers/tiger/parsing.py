"""Pure translation between Tiger's wire objects and Slipstream's domain records.

Nothing here does I/O or keeps state, so every rule is unit-tested directly. The SDK hands back
loosely typed objects (``Order``, ``Transaction``, ``Position``, protobuf push messages, pandas
frames); they are read by attribute name and turned into small frozen records
(:class:`WireOrder`, :class:`WireFill`) or domain records (reports, market data).

Tiger's conventions, as the SDK reports them:

* prices are floats: they come back to exact values through ``Decimal(repr(x))``, which keeps
  the shortest decimal that round-trips (``190.01`` stays ``190.01``);
* times are epoch milliseconds;
* a partially filled order is ``Submitted`` (the SDK's ``HELD``) with ``filled > 0``, which the
  SDK may already call ``PARTIALLY_FILLED``; both mean partially filled;
* the client order id travels as ``user_mark``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slipstream.brokers.contract import AccountReport, OrderStatusReport, PositionReport
from slipstream.core.errors import DataError, OrderInputError
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import Instrument
from slipstream.model.market import Bar, QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec

NS_PER_MS = 1_000_000

ORDER_TYPES: dict[OrderType, str] = {
    OrderType.MARKET: "MKT",
    OrderType.LIMIT: "LMT",
    OrderType.STOP: "STP",
    OrderType.STOP_LIMIT: "STP_LMT",
    OrderType.TRAILING_STOP: "TRAIL",
}
TIME_IN_FORCE: dict[TimeInForce, str] = {TimeInForce.DAY: "DAY", TimeInForce.GTC: "GTC"}
ALGO_STRATEGIES = ("TWAP", "VWAP")

#: SDK status names (``tigeropen.common.consts.OrderStatus`` member names) -> domain status.
STATUS: dict[str, OrderStatus] = {
    "PENDING_NEW": OrderStatus.SUBMITTED,
    "NEW": OrderStatus.ACCEPTED,
    "HELD": OrderStatus.ACCEPTED,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "PENDING_CANCEL": OrderStatus.PENDING_CANCEL,
    "FILLED": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
}


def to_decimal(value: Any) -> Decimal | None:
    """Return a float from the wire as an exact Decimal (None for missing, NaN or infinite)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    number = float(value)
    if not math.isfinite(number):
        return None
    return Decimal(repr(number))


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def _ns(ms: Any) -> int:
    return _int(ms) * NS_PER_MS


def _wire_price(px: Decimal | None) -> float | None:
    return None if px is None else float(px)


@dataclass(frozen=True, slots=True)
class AlgoRequest:
    """Ask Tiger to work an order itself as ``TWAP`` or ``VWAP`` (its wire fields only).

    Nothing sends one yet: a venue algorithm must travel in the order's spec, through the OMS,
    risk and the journal, like every other order, and the spec has no field for it.

    ``participation_rate`` (VWAP only) is the share of market volume to take, 0.01-0.5;
    ``start_ms``/``end_ms`` bound the schedule (epoch milliseconds).
    """

    strategy: str
    participation_rate: Decimal | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    no_take_liquidity: bool | None = None
    allow_past_end_time: bool | None = None

    def __post_init__(self) -> None:
        if self.strategy not in ALGO_STRATEGIES:
            raise OrderInputError("strategy", self.strategy, f"must be one of {ALGO_STRATEGIES}")
        rate = self.participation_rate
        if rate is not None and not Decimal("0.01") <= rate <= Decimal("0.5"):
            raise OrderInputError("participation_rate", str(rate), "must be within 0.01-0.5")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms <= self.start_ms:
            raise OrderInputError("end_ms", self.end_ms, "must be after start_ms")


def unsupported(spec: OrderSpec, algo: AlgoRequest | None = None) -> str | None:
    """Return why Tiger cannot take ``spec`` (a rejection reason), or None if it can."""
    if spec.time_in_force not in TIME_IN_FORCE:
        return f"time in force {spec.time_in_force.value} is not offered by Tiger (day, gtc)"
    if algo is not None and spec.order_type not in (OrderType.MARKET, OrderType.LIMIT):
        return f"a {algo.strategy} algo order takes a market or limit spec"
    return None


def order_fields(spec: OrderSpec, algo: AlgoRequest | None = None) -> dict[str, Any]:
    """Return the ``tigeropen`` ``Order`` fields that express ``spec`` (and an optional algo).

    A trailing stop trails by ``aux_price`` dollars or by ``trailing_percent`` percent
    (``trail_bps`` / 100). The client order id is sent as ``user_mark``.
    """
    fields: dict[str, Any] = {
        "action": "BUY" if spec.side is Side.BUY else "SELL",
        "order_type": algo.strategy if algo is not None else ORDER_TYPES[spec.order_type],
        "quantity": spec.quantity,
        "time_in_force": TIME_IN_FORCE.get(spec.time_in_force, "DAY"),
        "limit_price": _wire_price(spec.limit_price),
        "aux_price": _wire_price(spec.stop_price),
        "trailing_percent": None,
        "user_mark": str(spec.client_order_id),
        "outside_rth": False,
    }
    if spec.order_type is OrderType.TRAILING_STOP:
        fields["aux_price"] = _wire_price(spec.trail_amount)
        if spec.trail_bps is not None:
            fields["trailing_percent"] = float(spec.trail_bps / 100)
    if algo is not None:
        fields["algo_params"] = {
            "start_time": algo.start_ms,
            "end_time": algo.end_ms,
            "no_take_liq": algo.no_take_liquidity,
            "allow_past_end_time": algo.allow_past_end_time,
            "participation_rate": _wire_price(algo.participation_rate),
        }
    return fields


@dataclass(frozen=True, slots=True)
class WireOrder:
    """Tiger's view of one order, from a query or a push message."""

    venue_order_id: str
    client_order_id: str
    symbol: str
    side: Side
    status: OrderStatus
    quantity: int
    filled: int
    avg_px: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    reason: str
    ts_ms: int


@dataclass(frozen=True, slots=True)
class WireFill:
    """One execution: Tiger's transaction id makes a repeated message harmless."""

    trade_id: str
    venue_order_id: str
    symbol: str
    side: Side
    quantity: int
    price: Decimal
    ts_ms: int


def status_of(name: str, filled: int, quantity: int) -> OrderStatus:
    """Return the domain status of an SDK status name, reading ``filled`` as Tiger means it."""
    try:
        status = STATUS[name]
    except KeyError:
        raise DataError(f"tiger order status {name!r} is not known") from None
    if status is OrderStatus.ACCEPTED and filled > 0:
        return OrderStatus.FILLED if filled >= quantity else OrderStatus.PARTIALLY_FILLED
    return status


def _side(action: Any) -> Side:
    if action == "BUY":
        return Side.BUY
    if action == "SELL":
        return Side.SELL
    raise DataError(f"tiger action {action!r} is neither BUY nor SELL")


def _status_name(status: Any) -> str:
    return str(getattr(status, "name", status))


def order_from_sdk(order: Any) -> WireOrder:
    """Read an SDK ``Order`` (from ``get_order``/``get_orders``/``get_open_orders``)."""
    quantity, filled = _int(order.quantity), _int(order.filled)
    avg = to_decimal(order.avg_fill_price) if filled else None
    ts = order.update_time or order.trade_time or order.order_time
    return WireOrder(
        venue_order_id=str(order.id),
        client_order_id=str(order.user_mark or ""),
        symbol=str(order.contract.symbol),
        side=_side(order.action),
        status=status_of(_status_name(order.status), filled, quantity),
        quantity=quantity,
        filled=filled,
        avg_px=avg,
        limit_price=to_decimal(order.limit_price),
        stop_price=to_decimal(order.aux_price),
        reason=str(order.reason or ""),
        ts_ms=_int(ts),
    )


def order_from_push(data: Any) -> WireOrder:
    """Read an ``OrderStatusData`` push message (its status already named by the SDK)."""
    quantity, filled = _int(data.totalQuantity), _int(data.filledQuantity)
    return WireOrder(
        venue_order_id=str(data.id),
        client_order_id=str(data.userMark),
        symbol=str(data.symbol),
        side=_side(data.action),
        status=status_of(str(data.status), filled, quantity),
        quantity=quantity,
        filled=filled,
        avg_px=to_decimal(data.avgFillPrice) if filled else None,
        limit_price=to_decimal(data.limitPrice) or None,
        stop_price=to_decimal(data.stopPrice) or None,
        reason=str(data.errorMsg),
        ts_ms=_int(data.updateTime or data.timestamp),
    )


def fill_from_transaction(tx: Any, symbol: str | None = None) -> WireFill:
    """Read an SDK ``Transaction`` (from ``get_transactions``)."""
    price = to_decimal(tx.filled_price)
    if price is None or price <= 0:
        raise DataError(f"tiger transaction {tx.id} has no usable price {tx.filled_price!r}")
    return WireFill(
        trade_id=str(tx.id),
        venue_order_id=str(tx.order_id),
        symbol=str(getattr(tx.contract, "symbol", None) or symbol or ""),
        side=_side(tx.action),
        quantity=_int(tx.filled_quantity),
        price=price,
        ts_ms=_int(getattr(tx, "transaction_time", None) or 0),
    )


def fill_from_push(data: Any) -> WireFill:
    """Read an ``OrderTransactionData`` push message."""
    price = to_decimal(data.filledPrice)
    if price is None or price <= 0:
        raise DataError(f"tiger transaction {data.id} has no usable price {data.filledPrice!r}")
    return WireFill(
        trade_id=str(data.id),
        venue_order_id=str(data.orderId),
        symbol=str(data.symbol),
        side=_side(data.action),
        quantity=_int(data.filledQuantity),
        price=price,
        ts_ms=_int(data.transactTime or data.timestamp),
    )


def fill_event(fill: WireFill, client_order_id: str, ts_init: int) -> OrderFilled:
    """Return the domain fill for an execution (Tiger reports commission per order, so 0)."""
    return OrderFilled(
        client_order_id=ClientOrderId(client_order_id),
        ts_event=_ns(fill.ts_ms) or ts_init,
        ts_init=ts_init,
        trade_id=fill.trade_id,
        venue_order_id=fill.venue_order_id,
        symbol=fill.symbol,
        side=fill.side,
        last_qty=fill.quantity,
        last_px=fill.price,
        commission=Decimal(0),
        liquidity=LiquiditySide.TAKER,
    )


def status_report(
    order: WireOrder, fills: list[WireFill], client_order_id: str, ts_init: int
) -> OrderStatusReport:
    """Return the contract's report of ``order`` with its executions."""
    return OrderStatusReport(
        client_order_id=client_order_id,
        venue_order_id=order.venue_order_id,
        symbol=order.symbol,
        status=order.status,
        quantity=order.quantity,
        filled_qty=order.filled,
        avg_px=order.avg_px,
        fills=tuple(fill_event(f, client_order_id, ts_init) for f in fills),
    )


def position_from_sdk(position: Any) -> PositionReport:
    """Read an SDK ``Position``."""
    return PositionReport(
        symbol=str(position.contract.symbol),
        quantity=_int(position.quantity),
        avg_cost=to_decimal(position.average_cost) or Decimal(0),
    )


def position_from_push(data: Any) -> PositionReport:
    """Read a ``PositionData`` push message."""
    return PositionReport(
        symbol=str(data.symbol),
        quantity=_int(data.position),
        avg_cost=to_decimal(data.averageCost) or Decimal(0),
    )


def account_from_sdk(summary: Any) -> AccountReport:
    """Read the ``summary`` of an SDK ``PortfolioAccount`` (the SDK fills unknowns with inf)."""
    return AccountReport(
        cash=to_decimal(summary.cash) or Decimal(0),
        buying_power=to_decimal(summary.buying_power) or Decimal(0),
        net_liquidation=to_decimal(summary.net_liquidation) or Decimal(0),
    )


def account_from_push(data: Any) -> AccountReport:
    """Read an ``AssetData`` push message."""
    return AccountReport(
        cash=to_decimal(data.cashBalance) or Decimal(0),
        buying_power=to_decimal(data.buyingPower) or Decimal(0),
        net_liquidation=to_decimal(data.netLiquidation) or Decimal(0),
    )


def instrument_from_contract(contract: Any) -> Instrument:
    """Return the instrument a Tiger contract describes: its tick above $1 and its lot."""
    tick = to_decimal(getattr(contract, "min_tick", None))
    for rule in getattr(contract, "tick_sizes", None) or []:
        begin = to_decimal(rule.get("begin")) if rule.get("begin") not in (None, "") else None
        if begin is not None and begin >= 1:
            tick = to_decimal(rule.get("tick_size")) or tick
    lot = _int(getattr(contract, "lot_size", None) or 1)
    return Instrument(
        symbol=str(contract.symbol),
        tick_size=tick if tick is not None and tick > 0 else Decimal("0.01"),
        lot_size=max(lot, 1),
        currency=str(getattr(contract, "currency", None) or "USD"),
    )


def _rows(frame: Any) -> list[dict[str, Any]]:
    if frame is None or getattr(frame, "empty", True):
        return []
    rows: list[dict[str, Any]] = frame.to_dict("records")
    return rows


def quotes_from_briefs(frame: Any) -> list[QuoteTick]:
    """Read ``get_stock_briefs`` into top-of-book quotes (rows without a two-sided quote skipped)."""
    out = []
    for row in _rows(frame):
        bid, ask = to_decimal(row.get("bid_price")), to_decimal(row.get("ask_price"))
        if bid is None or ask is None or bid <= 0 or ask <= 0:
            continue
        out.append(
            QuoteTick(
                symbol=str(row["symbol"]),
                bid=bid,
                ask=ask,
                bid_size=_int(row.get("bid_size")),
                ask_size=_int(row.get("ask_size")),
                ts_event=_ns(row.get("latest_time")),
            )
        )
    return out


def trades_from_frame(frame: Any) -> list[TradeTick]:
    """Read ``get_trade_ticks`` into prints (``+`` buyer-initiated, ``-`` seller)."""
    sides = {"+": 1, "-": -1}
    return [
        TradeTick(
            symbol=str(row["symbol"]),
            price=to_decimal(row["price"]) or Decimal(0),
            size=_int(row["volume"]),
            ts_event=_ns(row["time"]),
            aggressor=sides.get(str(row.get("direction")), 0),
        )
        for row in _rows(frame)
    ]


def bars_from_frame(frame: Any, interval_ns: int) -> list[Bar]:
    """Read ``get_bars`` into bars stamped at their *end* (Tiger stamps the start)."""
    out = []
    for row in _rows(frame):
        prices = [to_decimal(row[k]) for k in ("open", "high", "low", "close")]
        if any(p is None for p in prices):
            continue
        o, h, lo, c = (p if p is not None else Decimal(0) for p in prices)
        out.append(
            Bar(
                symbol=str(row["symbol"]),
                open=o,
                high=h,
                low=lo,
                close=c,
                volume=_int(row["volume"]),
                ts_event=_ns(row["time"]) + interval_ns,
                interval_ns=interval_ns,
            )
        )
    return out
