"""The gateway's scripted venue: one account, a few instruments, orders and their matching.

Matching is deliberately simple and predictable, so tests can reason about it:

* a market order fills at once at the touch (ask for a buy, bid for a sell);
* a limit order fills at the touch when marketable, otherwise rests until a quote makes it so;
* a stop (``STP``) or stop-limit (``STP_LMT``) triggers when the last price crosses the stop and
  then behaves as a market or limit order; a trailing stop (``TRAIL``) follows the best last
  price by an amount (``aux_price``) or a percentage (``trailing_percent``);
* Tiger algo orders (``TWAP``, ``VWAP``) fill in equal slices, one per algo tick;
* ``fill_slices`` > 1 splits every fill into that many executions (partial fills);
* a ``user_mark`` already seen on this account returns the existing order: the client order id
  is an idempotency key, so a re-sent order never becomes two.

Every change is announced to listeners (the push server) as Tiger push payloads.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

CENT = Decimal("0.01")
MAX_ORDER_QTY = 1_000_000
ORDER_TYPES = {"MKT", "LMT", "STP", "STP_LMT", "TRAIL", "TWAP", "VWAP"}
TIME_IN_FORCE = {"DAY", "GTC", "GTD", "OPG"}
WORKING = {"Initial", "PendingSubmit", "Submitted", "PendingCancel"}

Listener = Callable[[str, dict[str, Any]], None]


class VenueError(Exception):
    """A request the venue refuses, with Tiger's business error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def dec(value: Any, name: str) -> Decimal:
    if value is None or isinstance(value, bool):
        raise VenueError(1010, f"biz param error: field '{name}' cannot be empty")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise VenueError(1010, f"biz param error: field '{name}' is not a number") from None


@dataclass
class Market:
    symbol: str
    bid: Decimal
    ask: Decimal
    last: Decimal
    tick: Decimal = CENT
    lot: int = 1
    volume: int = 0


@dataclass
class GatewayOrder:
    id: int
    order_id: int
    account: str
    symbol: str
    action: str
    order_type: str
    quantity: int
    limit_price: Decimal | None
    aux_price: Decimal | None
    trailing_percent: Decimal | None
    time_in_force: str
    user_mark: str
    outside_rth: bool
    algo_params: list[dict[str, Any]] | None
    open_time: int
    status: str = "Initial"
    filled: int = 0
    avg_fill_price: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    reason: str = ""
    update_time: int = 0
    latest_time: int = 0
    triggered: bool = False
    trail_ref: Decimal | None = None
    executions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled

    @property
    def is_working(self) -> bool:
        return self.status in WORKING

    @property
    def sign(self) -> int:
        return 1 if self.action == "BUY" else -1


@dataclass
class Position:
    quantity: int = 0
    cost: Decimal = Decimal(0)


class Venue:
    """Orders, matching, positions and cash of one account; every method is thread-safe."""

    def __init__(
        self,
        account: str,
        markets: dict[str, Market],
        cash: Decimal = Decimal("10000000"),
        commission_per_share: Decimal = Decimal("0.005"),
    ) -> None:
        self.account = account
        self.markets = markets
        self.cash = cash
        self.commission_per_share = commission_per_share
        self.fill_slices = 1
        self.algo_slices = 4
        self.orders: dict[int, GatewayOrder] = {}
        self.by_mark: dict[str, int] = {}
        self.positions: dict[str, Position] = {}
        self.listeners: list[Listener] = []
        self.lock = threading.RLock()
        self._ids = itertools.count(1_700_000_000_001)
        self._order_ids = itertools.count(1)
        self._exec_ids = itertools.count(9_000_000_001)
        self.duplicate_marks = 0
        self.overfills = 0

    # -- announcements -------------------------------------------------------------------

    def _announce(self, kind: str, payload: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(kind, payload)

    def _announce_order(self, order: GatewayOrder) -> None:
        order.update_time = now_ms()
        self._announce("order", self.order_wire(order))

    # -- requests ------------------------------------------------------------------------

    def place(self, biz: dict[str, Any]) -> GatewayOrder:
        """Create an order from a ``place_order`` body (or return the one with its user_mark)."""
        with self.lock:
            mark = str(biz.get("user_mark") or "")
            if mark and mark in self.by_mark:
                self.duplicate_marks += 1
                return self.orders[self.by_mark[mark]]
            order = self._new_order(biz, mark)
            self.orders[order.id] = order
            if mark:
                self.by_mark[mark] = order.id
            order.status = "Submitted"
            self._announce_order(order)
            self._match(order)
            return order

    def _new_order(self, biz: dict[str, Any], mark: str) -> GatewayOrder:
        account = biz.get("account")
        if account != self.account:
            raise VenueError(1010, f"biz param error: account '{account}' is not authorized")
        symbol = str(biz.get("symbol") or "")
        market = self.markets.get(symbol)
        if market is None:
            raise VenueError(1200, f"invalid symbols: contract '{symbol}' not found")
        action = biz.get("action")
        if action not in ("BUY", "SELL"):
            raise VenueError(1010, f"biz param error: action '{action}' must be BUY or SELL")
        order_type = str(biz.get("order_type") or "")
        if order_type not in ORDER_TYPES:
            raise VenueError(1010, f"biz param error: order_type '{order_type}' not supported")
        quantity = biz.get("total_quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise VenueError(1010, f"biz param error: total_quantity '{quantity}' must be > 0")
        if quantity > MAX_ORDER_QTY:
            raise VenueError(1200, f"order quantity {quantity} exceeds the limit {MAX_ORDER_QTY}")
        if quantity % market.lot:
            raise VenueError(1200, f"order quantity {quantity} is not a multiple of {market.lot}")
        tif = str(biz.get("time_in_force") or "DAY")
        if tif not in TIME_IN_FORCE:
            raise VenueError(1010, f"biz param error: time_in_force '{tif}' not supported")
        limit = self._price(biz, "limit_price", market, order_type in ("LMT", "STP_LMT"))
        aux = biz.get("aux_price")
        trailing = biz.get("trailing_percent")
        if order_type in ("STP", "STP_LMT"):
            aux = self._price(biz, "aux_price", market, True)
        elif order_type == "TRAIL":
            if (aux is None) == (trailing is None):
                raise VenueError(1010, "biz param error: TRAIL needs aux_price or trailing_percent")
            aux = dec(aux, "aux_price") if aux is not None else None
            trailing = dec(trailing, "trailing_percent") if trailing is not None else None
        algo = biz.get("algo_params")
        if order_type in ("TWAP", "VWAP"):
            algo = self._algo_tags(algo)
        return GatewayOrder(
            id=next(self._ids),
            order_id=next(self._order_ids),
            account=self.account,
            symbol=symbol,
            action=str(action),
            order_type=order_type,
            quantity=quantity,
            limit_price=limit,
            aux_price=aux if isinstance(aux, Decimal) else None,
            trailing_percent=trailing if isinstance(trailing, Decimal) else None,
            time_in_force=tif,
            user_mark=mark,
            outside_rth=bool(biz.get("outside_rth")),
            algo_params=algo if isinstance(algo, list) else None,
            open_time=now_ms(),
            trail_ref=market.last if order_type == "TRAIL" else None,
        )

    @staticmethod
    def _price(biz: dict[str, Any], name: str, market: Market, required: bool) -> Decimal | None:
        value = biz.get(name)
        if value is None:
            if required:
                raise VenueError(1010, f"biz param error: field '{name}' cannot be empty")
            return None
        px = dec(value, name)
        if px <= 0:
            raise VenueError(1010, f"biz param error: {name} {px} must be > 0")
        if px % market.tick:
            raise VenueError(1200, f"{name} {px} is not a multiple of the tick {market.tick}")
        return px

    @staticmethod
    def _algo_tags(raw: Any) -> list[dict[str, Any]]:
        """Validate algo params and keep them as Tiger echoes them back (camelCase tags)."""
        camel = {
            "start_time": "startTime",
            "end_time": "endTime",
            "no_take_liq": "noTakeLiq",
            "allow_past_end_time": "allowPastEndTime",
            "participation_rate": "participationRate",
        }
        tags: list[dict[str, Any]] = []
        for item in raw or []:
            tag, value = item.get("tag"), item.get("value")
            if value is None:
                continue
            if tag == "participation_rate" and not 0.01 <= float(value) <= 0.5:
                raise VenueError(1010, f"participation_rate {value} must be in [0.01, 0.5]")
            tags.append({"tag": camel.get(tag, tag), "value": value})
        return tags

    def modify(self, biz: dict[str, Any]) -> GatewayOrder:
        """Apply a ``modify_order`` body: new quantity and/or prices of a working order."""
        with self.lock:
            order = self._find(biz)
            if not order.is_working:
                raise VenueError(1200, f"order {order.id} is {order.status}, it cannot be modified")
            market = self.markets[order.symbol]
            quantity = biz.get("total_quantity", order.quantity)
            if not isinstance(quantity, int) or quantity <= order.filled:
                raise VenueError(
                    1200, f"quantity {quantity} must exceed the filled quantity {order.filled}"
                )
            if quantity > MAX_ORDER_QTY:
                raise VenueError(1200, f"order quantity {quantity} exceeds the limit")
            limit = self._price(biz, "limit_price", market, False)
            aux = self._price(biz, "aux_price", market, False)
            order.quantity = quantity
            if limit is not None and order.order_type in ("LMT", "STP_LMT", "TWAP", "VWAP"):
                order.limit_price = limit
            if aux is not None and order.order_type in ("STP", "STP_LMT", "TRAIL"):
                order.aux_price = aux
            self._announce_order(order)
            self._match(order)
            return order

    def cancel(self, biz: dict[str, Any]) -> GatewayOrder:
        """Cancel a working order; an order that has finished cannot be cancelled."""
        with self.lock:
            order = self._find(biz)
            if not order.is_working:
                raise VenueError(
                    1200, f"order {order.id} is {order.status}, it cannot be cancelled"
                )
            order.status = "Cancelled"
            order.reason = "cancelled by user"
            self._announce_order(order)
            return order

    def _find(self, biz: dict[str, Any]) -> GatewayOrder:
        key = biz.get("id")
        order = self.orders.get(int(key)) if key is not None else None
        if order is None and biz.get("order_id") is not None:
            order = next(
                (o for o in self.orders.values() if o.order_id == int(biz["order_id"])), None
            )
        if order is None:
            raise VenueError(1200, f"order {key} not found")
        return order

    def get(self, biz: dict[str, Any]) -> GatewayOrder | None:
        with self.lock:
            try:
                return self._find(biz)
            except VenueError:
                return None

    # -- market and matching -------------------------------------------------------------

    def set_quote(
        self, symbol: str, bid: Decimal, ask: Decimal, last: Decimal | None = None
    ) -> None:
        """Move the market and fill whatever became marketable."""
        with self.lock:
            market = self.markets[symbol]
            market.bid, market.ask = bid, ask
            market.last = last if last is not None else (bid + ask) / 2
            for order in [o for o in self.orders.values() if o.symbol == symbol]:
                if order.is_working:
                    self._match(order)

    def force_fill(self, order_id: int, qty: int, price: Decimal | None) -> GatewayOrder:
        """Execute ``qty`` of an order now (scripted partial fills, races)."""
        with self.lock:
            order = self._find({"id": order_id})
            if not order.is_working:
                raise VenueError(1200, f"order {order.id} is {order.status}, it cannot fill")
            market = self.markets[order.symbol]
            px = price if price is not None else self._touch(order, market)
            self._execute(order, min(qty, order.remaining), px)
            return order

    def expire(self, order_id: int) -> GatewayOrder:
        with self.lock:
            order = self._find({"id": order_id})
            if order.is_working:
                order.status = "Invalid"
                order.reason = "expired"
                self._announce_order(order)
            return order

    def algo_tick(self) -> None:
        """Fill one slice of every working algo order."""
        with self.lock:
            for order in list(self.orders.values()):
                if order.is_working and order.order_type in ("TWAP", "VWAP"):
                    market = self.markets[order.symbol]
                    px = self._touch(order, market)
                    if order.limit_price is not None and not self._within(order, px):
                        continue
                    size = max(1, -(-order.quantity // self.algo_slices))
                    self._execute(order, min(size, order.remaining), px)

    @staticmethod
    def _touch(order: GatewayOrder, market: Market) -> Decimal:
        return market.ask if order.action == "BUY" else market.bid

    @staticmethod
    def _within(order: GatewayOrder, px: Decimal) -> bool:
        assert order.limit_price is not None
        return px <= order.limit_price if order.action == "BUY" else px >= order.limit_price

    def _match(self, order: GatewayOrder) -> None:
        if not order.is_working or order.order_type in ("TWAP", "VWAP"):
            return
        market = self.markets[order.symbol]
        if order.order_type in ("STP", "STP_LMT", "TRAIL") and not order.triggered:
            if not self._triggers(order, market):
                return
            order.triggered = True
        touch = self._touch(order, market)
        if order.order_type in ("LMT", "STP_LMT") and not self._within(order, touch):
            return
        remaining = order.remaining
        slices = max(1, min(self.fill_slices, remaining))
        size = remaining // slices
        for i in range(slices):
            qty = size if i < slices - 1 else order.remaining
            self._execute(order, qty, touch)

    def _triggers(self, order: GatewayOrder, market: Market) -> bool:
        last = market.last
        if order.order_type == "TRAIL":
            assert order.trail_ref is not None
            if order.action == "SELL":
                order.trail_ref = max(order.trail_ref, last)
                stop = (
                    order.trail_ref - order.aux_price
                    if order.aux_price is not None
                    else order.trail_ref * (1 - (order.trailing_percent or 0) / 100)
                )
                return last <= stop
            order.trail_ref = min(order.trail_ref, last)
            stop = (
                order.trail_ref + order.aux_price
                if order.aux_price is not None
                else order.trail_ref * (1 + (order.trailing_percent or 0) / 100)
            )
            return last >= stop
        assert order.aux_price is not None
        return last >= order.aux_price if order.action == "BUY" else last <= order.aux_price

    def _execute(self, order: GatewayOrder, qty: int, px: Decimal) -> None:
        if qty <= 0:
            return
        if order.filled + qty > order.quantity:
            self.overfills += 1
            return
        total = order.filled + qty
        order.avg_fill_price = (order.avg_fill_price * order.filled + px * qty) / total
        order.filled = total
        commission = (self.commission_per_share * qty).quantize(CENT, ROUND_HALF_EVEN)
        order.commission += commission
        order.latest_time = now_ms()
        if order.filled == order.quantity:
            order.status = "Filled"
        execution = {
            "id": next(self._exec_ids),
            "orderId": order.id,
            "accountId": self.account,
            "symbol": order.symbol,
            "secType": "STK",
            "market": "US",
            "currency": "USD",
            "action": order.action,
            "filledQuantity": qty,
            "filledPrice": float(px),
            "filledAmount": float(px * qty),
            "transactedAt": time.strftime("%Y-%m-%d %H:%M:%S"),
            "transactionTime": order.latest_time,
        }
        order.executions.append(execution)
        self.markets[order.symbol].volume += qty
        self._book(order, qty, px, commission)
        self._announce("transaction", execution)
        self._announce_order(order)
        self._announce("position", self.position_wire(order.symbol))
        self._announce("asset", self.asset_wire())

    def _book(self, order: GatewayOrder, qty: int, px: Decimal, commission: Decimal) -> None:
        pos = self.positions.setdefault(order.symbol, Position())
        signed = qty * order.sign
        new = pos.quantity + signed
        if pos.quantity == 0 or (pos.quantity > 0) == (signed > 0):
            pos.cost = (pos.cost * abs(pos.quantity) + px * qty) / abs(new)
        elif new == 0:
            pos.cost = Decimal(0)
        elif (new > 0) != (pos.quantity > 0):
            pos.cost = px
        pos.quantity = new
        self.cash -= px * signed + commission

    # -- wire views ----------------------------------------------------------------------

    def order_wire(self, order: GatewayOrder) -> dict[str, Any]:
        """Return an order as Tiger's ``orders`` endpoint spells it (camelCase)."""
        wire: dict[str, Any] = {
            "account": order.account,
            "id": order.id,
            "orderId": order.order_id,
            "parentId": 0,
            "openTime": order.open_time,
            "updateTime": order.update_time or order.open_time,
            "latestTime": order.latest_time or order.open_time,
            "symbol": order.symbol,
            "currency": "USD",
            "secType": "STK",
            "market": "US",
            "identifier": order.symbol,
            "action": order.action,
            "orderType": order.order_type,
            "totalQuantity": order.quantity,
            "totalQuantityScale": 0,
            "filledQuantity": order.filled,
            "filledQuantityScale": 0,
            "avgFillPrice": float(order.avg_fill_price),
            "commission": float(order.commission),
            "realizedPnl": 0.0,
            "timeInForce": order.time_in_force,
            "outsideRth": order.outside_rth,
            "status": order.status,
            "remark": order.reason,
            "userMark": order.user_mark,
            "liquidation": False,
            "canModify": order.is_working,
            "isOpen": True,
            "source": "openapi",
            "algoStrategy": order.order_type,
        }
        if order.limit_price is not None:
            wire["limitPrice"] = float(order.limit_price)
        if order.aux_price is not None:
            wire["auxPrice"] = float(order.aux_price)
        if order.trailing_percent is not None:
            wire["trailingPercent"] = float(order.trailing_percent)
        if order.algo_params:
            wire["algoParameters"] = order.algo_params
        return wire

    def position_wire(self, symbol: str) -> dict[str, Any]:
        pos = self.positions.get(symbol, Position())
        last = self.markets[symbol].last
        return {
            "account": self.account,
            "symbol": symbol,
            "secType": "STK",
            "market": "US",
            "currency": "USD",
            "identifier": symbol,
            "contractId": abs(hash(symbol)) % 100_000,
            "multiplier": 1,
            "position": pos.quantity,
            "positionScale": 0,
            "averageCost": float(pos.cost),
            "latestPrice": float(last),
            "marketValue": float(last * pos.quantity),
            "unrealizedPnl": float((last - pos.cost) * pos.quantity),
            "realizedPnl": 0.0,
        }

    def positions_wire(self) -> list[dict[str, Any]]:
        with self.lock:
            return [self.position_wire(s) for s, p in sorted(self.positions.items()) if p.quantity]

    def asset_wire(self) -> dict[str, Any]:
        with self.lock:
            gross = sum(
                (self.markets[s].last * p.quantity for s, p in self.positions.items()), Decimal(0)
            )
            net = self.cash + gross
            return {
                "account": self.account,
                "currency": "USD",
                "segType": "S",
                "capability": "RegTMargin",
                "netLiquidation": float(net),
                "equityWithLoan": float(net),
                "cashValue": float(self.cash),
                "cashBalance": float(self.cash),
                "availableFunds": float(self.cash),
                "buyingPower": float(net * 4),
                "grossPositionValue": float(gross),
                "excessLiquidity": float(net),
                "initMarginReq": 0.0,
                "maintMarginReq": 0.0,
                "updateTime": now_ms(),
            }

    def contract_wire(self, symbol: str) -> dict[str, Any]:
        market = self.markets.get(symbol)
        if market is None:
            raise VenueError(1010, f"invalid symbols: {symbol}")
        return {
            "contractId": abs(hash(symbol)) % 100_000,
            "symbol": symbol,
            "identifier": symbol,
            "secType": "STK",
            "currency": "USD",
            "market": "US",
            "primaryExchange": "NASDAQ",
            "localSymbol": symbol,
            "name": symbol,
            "multiplier": 1.0,
            "lotSize": float(market.lot),
            "minTick": float(market.tick),
            "tickSizes": [
                {"begin": "0", "end": "1", "type": "CLOSED", "tickSize": 0.0001},
                {"begin": "1", "end": "Infinity", "type": "OPEN", "tickSize": float(market.tick)},
            ],
            "shortable": True,
            "marginable": True,
            "tradeable": True,
            "status": 1,
        }
