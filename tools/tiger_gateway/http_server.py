"""The HTTP side of the gateway: Tiger's signed JSON protocol, plus an unsigned control endpoint.

Every ``POST`` (any path but ``/control``) is an open-API call::

    {method, biz_content (JSON text), tiger_id, charset, sign_type, version, timestamp,
     device_id, sign}

The gateway checks ``tiger_id`` and the RSA signature against the client's public key, runs the
method against the venue, and answers ``{code, message, timestamp, data, sign}`` where ``sign``
is the gateway's signature of the request's ``timestamp``. Errors use Tiger's codes: ``1``
server error, ``4`` access forbidden, ``1000`` common parameter error (bad signature, unknown
method), ``1010`` business parameter error, ``1200`` order refused.

``POST /control`` takes ``{"op": ...}`` from tests and tools: move the market, force fills,
set faults, drop the push connections, read statistics.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from tools.tiger_gateway import keys
from tools.tiger_gateway.faults import API_MESSAGES, Fault, Faults
from tools.tiger_gateway.venue import Venue, VenueError, now_ms

log = logging.getLogger("tiger_gateway")

ORDER_QUERIES = {
    "orders": None,
    "active_orders": "working",
    "inactive_orders": "inactive",
    "filled_orders": "filled",
}


class GatewayState:
    """Everything the HTTP and push servers share."""

    def __init__(
        self,
        venue: Venue,
        faults: Faults,
        tiger_id: str,
        client_public: RSAPublicKey,
        gateway_private: RSAPrivateKey,
    ) -> None:
        self.venue = venue
        self.faults = faults
        self.tiger_id = tiger_id
        self.client_public = client_public
        self.gateway_private = gateway_private
        self.push_server: Any = None
        self.tape: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        venue.listeners.append(self._record_tape)

    def _record_tape(self, kind: str, payload: dict[str, Any]) -> None:
        if kind == "transaction":
            with self.lock:
                self.tape.append(payload)


class CallError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _orders_matching(venue: Venue, biz: dict[str, Any], which: str | None) -> list[Any]:
    states = set(biz.get("states") or [])
    symbol = biz.get("symbol")
    start, end = biz.get("start_date"), biz.get("end_date")
    with venue.lock:
        found = []
        for order in venue.orders.values():
            if which == "working" and not order.is_working:
                continue
            if which == "inactive" and order.status not in ("Cancelled", "Inactive", "Invalid"):
                continue
            if which == "filled" and order.status != "Filled":
                continue
            if states and order.status not in states:
                continue
            if symbol and order.symbol != symbol:
                continue
            if start and order.open_time < int(start):
                continue
            if end and order.open_time >= int(end):
                continue
            found.append(order)
        found.sort(key=lambda o: o.id, reverse=True)
        limit = int(biz.get("limit") or 0)
        return found[:limit] if which is None and limit else found


def dispatch(state: GatewayState, method: str, biz: dict[str, Any]) -> Any:
    """Run one open-API method; return its ``data`` or raise :class:`CallError`."""
    venue = state.venue
    account = biz.get("account")
    if account is not None and account != venue.account and method != "accounts":
        raise CallError(1010, f"biz param error: account '{account}' is not authorized")
    try:
        if method == "accounts":
            return {
                "items": [
                    {
                        "account": venue.account,
                        "capability": "RegTMargin",
                        "status": "Funded",
                        "accountType": "STANDARD",
                    }
                ]
            }
        if method in ("grab_quote_permission", "get_quote_permission"):
            return [{"name": "usQuoteBasic", "expireAt": -1}]
        if method == "contract":
            symbol = str(biz.get("symbol") or "")
            return {"items": [venue.contract_wire(symbol)] if symbol in venue.markets else []}
        if method == "contracts":
            return {"items": [venue.contract_wire(s) for s in biz.get("symbols") or []]}
        if method == "place_order":
            order = venue.place(biz)
            return {"id": order.id, "orderId": order.order_id, "subIds": []}
        if method == "modify_order":
            return {"id": venue.modify(biz).id}
        if method == "cancel_order":
            return {"id": venue.cancel(biz).id}
        if method in ORDER_QUERIES:
            if method == "orders" and (biz.get("id") or biz.get("order_id")):
                order = venue.get(biz)
                return venue.order_wire(order) if order is not None else None
            matching = _orders_matching(venue, biz, ORDER_QUERIES[method])
            return {"items": [venue.order_wire(o) for o in matching]}
        if method == "order_transactions":
            return {"items": _transactions(venue, biz)}
        if method == "positions":
            return {"items": venue.positions_wire()}
        if method == "assets":
            return {"items": [venue.asset_wire()]}
        if method == "quote_real_time":
            return [_brief(venue, s) for s in biz.get("symbols") or [] if s in venue.markets]
        if method == "trade_tick":
            return [_ticks(state, s) for s in biz.get("symbols") or [] if s in venue.markets]
        if method == "kline":
            return [_bars(state, s) for s in biz.get("symbols") or [] if s in venue.markets]
    except VenueError as exc:
        raise CallError(exc.code, exc.message) from exc
    raise CallError(1000, f"the current requested method does not support: {method}")


def _transactions(venue: Venue, biz: dict[str, Any]) -> list[dict[str, Any]]:
    with venue.lock:
        if biz.get("order_id") is not None:
            order = venue.orders.get(int(biz["order_id"]))
            return list(order.executions) if order else []
        symbol = biz.get("symbol")
        return [
            e
            for o in venue.orders.values()
            for e in o.executions
            if not symbol or o.symbol == symbol
        ]


def _brief(venue: Venue, symbol: str) -> dict[str, Any]:
    with venue.lock:
        m = venue.markets[symbol]
        return {
            "symbol": symbol,
            "askPrice": float(m.ask),
            "askSize": 500,
            "bidPrice": float(m.bid),
            "bidSize": 500,
            "latestPrice": float(m.last),
            "latestTime": now_ms(),
            "preClose": float(m.last),
            "open": float(m.last),
            "high": float(max(m.last, m.ask)),
            "low": float(min(m.last, m.bid)),
            "close": float(m.last),
            "volume": m.volume,
            "status": "NORMAL",
        }


def _ticks(state: GatewayState, symbol: str) -> dict[str, Any]:
    with state.lock:
        prints = [t for t in state.tape if t["symbol"] == symbol]
    items = [
        {
            "time": t["transactionTime"],
            "volume": t["filledQuantity"],
            "price": t["filledPrice"],
            "type": "+" if t["action"] == "BUY" else "-",
        }
        for t in prints
    ]
    return {"symbol": symbol, "beginIndex": 0, "endIndex": len(items), "items": items}


def _bars(state: GatewayState, symbol: str) -> dict[str, Any]:
    """One-minute bars built from the gateway's own prints (a flat bar when there are none)."""
    with state.lock:
        prints = [t for t in state.tape if t["symbol"] == symbol]
    minute_ms = 60_000
    bars: dict[int, dict[str, Any]] = {}
    for t in prints:
        start = t["transactionTime"] // minute_ms * minute_ms
        px, qty = t["filledPrice"], t["filledQuantity"]
        bar = bars.get(start)
        if bar is None:
            bars[start] = {
                "time": start,
                "open": px,
                "high": px,
                "low": px,
                "close": px,
                "volume": qty,
                "amount": px * qty,
            }
        else:
            bar["high"], bar["low"] = max(bar["high"], px), min(bar["low"], px)
            bar["close"] = px
            bar["volume"] += qty
            bar["amount"] += px * qty
    if not bars:
        last = float(state.venue.markets[symbol].last)
        start = now_ms() // minute_ms * minute_ms
        bars[start] = {
            "time": start,
            "open": last,
            "high": last,
            "low": last,
            "close": last,
            "volume": 0,
            "amount": 0.0,
        }
    return {"symbol": symbol, "period": "1min", "items": [bars[k] for k in sorted(bars)]}


def control(state: GatewayState, body: dict[str, Any]) -> Any:
    """Run one control operation (tests and tools only; never signed, loopback only)."""
    op = body.get("op")
    venue = state.venue
    if op == "quote":
        venue.set_quote(
            body["symbol"],
            Decimal(str(body["bid"])),
            Decimal(str(body["ask"])),
            Decimal(str(body["last"])) if body.get("last") is not None else None,
        )
        return {"ok": True}
    if op == "fill":
        order_id = _order_id(venue, body)
        price = Decimal(str(body["price"])) if body.get("price") is not None else None
        order = venue.force_fill(order_id, int(body["qty"]), price)
        return venue.order_wire(order)
    if op == "expire":
        return venue.order_wire(venue.expire(_order_id(venue, body)))
    if op == "algo_tick":
        venue.algo_tick()
        return {"ok": True}
    if op == "faults":
        settings = {k: v for k, v in body.items() if k != "op"}
        state.faults.update(**settings)
        return {"ok": True}
    if op == "fill_slices":
        venue.fill_slices = int(body["slices"])
        return {"ok": True}
    if op == "disconnect_push":
        closed = state.push_server.disconnect_all() if state.push_server else 0
        return {"closed": closed}
    if op == "order":
        order = venue.orders.get(_order_id(venue, body))
        return venue.order_wire(order) if order else None
    if op == "stats":
        with venue.lock:
            orders = list(venue.orders.values())
            return {
                "orders": len(orders),
                "user_marks": len(venue.by_mark),
                "duplicate_marks": venue.duplicate_marks,
                "overfills": venue.overfills,
                "filled_orders": sum(1 for o in orders if o.status == "Filled"),
                "working_orders": sum(1 for o in orders if o.is_working),
                "max_fill_ratio": max((o.filled / o.quantity for o in orders), default=0.0),
                "bad_signatures": state.bad_signatures,
                "push_connections": state.push_server.connections() if state.push_server else 0,
                **state.faults.stats(),
            }
    raise CallError(1000, f"unknown control op {op!r}")


def _order_id(venue: Venue, body: dict[str, Any]) -> int:
    if body.get("id") is not None:
        return int(body["id"])
    mark = body.get("user_mark")
    with venue.lock:
        if mark in venue.by_mark:
            return venue.by_mark[mark]
    raise CallError(1200, f"no order with user_mark {mark!r}")


def make_handler(state: GatewayState) -> type[BaseHTTPRequestHandler]:
    """Build the request handler class bound to ``state``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every call.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def _reply(self, status: int, payload: dict[str, Any] | None) -> None:
            body = json.dumps(payload).encode() if payload is not None else b""
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                self.close_connection = True

        def _stall(self, fault: Fault) -> None:
            time.sleep(state.faults.config.timeout_ms / 1000)
            self.close_connection = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                params = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._reply(200, {"code": 1000, "message": "common param error: not JSON"})
                return
            if self.path.rstrip("/").endswith("/control"):
                try:
                    self._reply(200, {"code": 0, "data": control(state, params)})
                except (CallError, VenueError) as exc:
                    self._reply(200, {"code": exc.code, "message": exc.message})
                except (KeyError, ValueError, TypeError) as exc:
                    self._reply(200, {"code": 1000, "message": f"bad control request: {exc}"})
                return
            self._api(params)

        def _api(self, params: dict[str, Any]) -> None:
            timestamp = str(params.get("timestamp", ""))
            method = str(params.get("method", ""))
            code, message = self._authenticate(params)
            if code:
                self._respond(code, message, None, timestamp)
                return
            latency = state.faults.config.latency_ms
            if latency:
                time.sleep(latency / 1000)
            fault = state.faults.for_call(method)
            if fault is not None and fault.when == "before" and self._fail(fault, timestamp):
                return
            try:
                biz = json.loads(params.get("biz_content") or "{}")
                data = dispatch(state, method, biz)
                code, message = 0, "success"
            except CallError as exc:
                data, code, message = None, exc.code, exc.message
            except (ValueError, TypeError, KeyError) as exc:
                data, code, message = None, 1010, f"biz param error: {exc}"
            if fault is not None and fault.when == "after" and self._fail(fault, timestamp):
                return
            self._respond(code, message, data, timestamp)

        def _authenticate(self, params: dict[str, Any]) -> tuple[int, str]:
            if params.get("tiger_id") != state.tiger_id:
                return 1000, "failed to get developer information: unknown tiger_id"
            signature = params.get("sign")
            content = keys.sign_content({k: v for k, v in params.items() if k != "sign"})
            if not isinstance(signature, str) or not keys.verify(
                state.client_public, content, signature
            ):
                with state.lock:
                    state.bad_signatures += 1
                return 1000, (
                    "failed to verify signature, please make sure you use the correct "
                    "rsa private key"
                )
            return 0, ""

        def _fail(self, fault: Fault, timestamp: str) -> bool:
            """Inject ``fault``; return True when no normal answer must follow."""
            if fault.kind == "timeout":
                self._stall(fault)
                return True
            if fault.kind == "http_5xx":
                self._reply(503 if fault.when == "before" else 502, {"message": "bad gateway"})
                return True
            if fault.kind == "api_error":
                self._respond(fault.code, API_MESSAGES.get(fault.code, "error"), None, timestamp)
                return True
            return False

        def _respond(self, code: int, message: str, data: Any, timestamp: str) -> None:
            payload: dict[str, Any] = {
                "code": code,
                "message": message,
                "timestamp": now_ms(),
                "data": data,
            }
            if timestamp:
                payload["sign"] = keys.sign(state.gateway_private, timestamp)
            self._reply(200, payload)

    return Handler


class GatewayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
