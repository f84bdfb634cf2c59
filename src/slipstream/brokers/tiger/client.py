"""Wire I/O with Tiger through the official ``tigeropen`` SDK: trade, quote and push clients.

The SDK is configured, never patched: ``TigerOpenClientConfig(enable_dynamic_domain=False,
props_path=<an empty folder>)`` so it neither fetches domains from the internet nor reads a
properties file, then the URLs, push address, ids and keys are set on it. The SDK's own retry
(``backoff`` over 1, 1, 2, 3, 5 seconds) is switched off (``retry_max_tries = 0``): queries are
retried here, with our backoff, and order requests (place, modify, cancel) are never retried.

Every method blocks: the broker calls them from its worker threads, never from the core's.
Every SDK failure leaves this module as a :class:`~slipstream.core.errors.BrokerError`
(:func:`~slipstream.brokers.tiger.errors.map_exception`, raised ``from`` the original).
"""

from __future__ import annotations

import logging
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from tigeropen.common.util.order_utils import algo_order_params
from tigeropen.push.push_client import PushClient
from tigeropen.quote.quote_client import QuoteClient
from tigeropen.tiger_open_config import TigerOpenClientConfig
from tigeropen.trade.domain.order import Order
from tigeropen.trade.trade_client import TradeClient

from slipstream.brokers.contract import AccountReport, PositionReport
from slipstream.brokers.tiger import parsing
from slipstream.brokers.tiger.config import TigerConfig
from slipstream.brokers.tiger.errors import map_exception
from slipstream.brokers.tiger.parsing import WireFill, WireOrder
from slipstream.core.errors import BrokerError, BrokerRequestError, DataError
from slipstream.model.market import Bar, QuoteTick, TradeTick

log = logging.getLogger("slipstream.brokers.tiger")
#: The SDK logs every failure with its traceback before raising it; this adapter maps and
#: reports each failure itself, so the SDK's own logger is quiet unless asked otherwise.
sdk_log = logging.getLogger("slipstream.brokers.tiger.sdk")
sdk_log.setLevel(logging.CRITICAL)

T = TypeVar("T")

#: Retried: a failure that may pass (the venue did not refuse the request itself).
_TRANSIENT = ("BrokerUnavailableError", "BrokerTimeoutError")

BAR_PERIODS_NS = {
    "1min": 60_000_000_000,
    "5min": 300_000_000_000,
    "15min": 900_000_000_000,
    "30min": 1_800_000_000_000,
    "60min": 3_600_000_000_000,
    "day": 86_400_000_000_000,
}


def sdk_config(config: TigerConfig, props_dir: str | None = None) -> TigerOpenClientConfig:
    """Return the SDK configuration for ``config``; raise ConfigError before anything is sent."""
    private_key = config.private_key_body()
    public_key = config.public_key_body()
    sdk = TigerOpenClientConfig(
        enable_dynamic_domain=False,
        props_path=props_dir or tempfile.mkdtemp(prefix="slipstream-tiger-"),
    )
    sdk.tiger_id = config.tiger_id
    sdk.account = config.account
    sdk.private_key = private_key
    if public_key is not None:
        sdk.tiger_public_key = public_key
    if config.server_url is not None:
        sdk.server_url = config.server_url
        sdk.quote_server_url = config.quote_server_url or config.server_url
    elif config.quote_server_url is not None:
        sdk.quote_server_url = config.quote_server_url
    if config.push_host is not None and config.push_port is not None:
        scheme = "ssl" if config.push_ssl else "tcp"
        sdk.socket_host_port = (scheme, config.push_host, config.push_port)
    if config.license is not None:
        sdk.license = config.license
    sdk.timeout = config.timeout_secs
    sdk.retry_max_tries = 0
    return sdk


@dataclass(frozen=True, slots=True)
class PushHandlers:
    """Where push messages go (each is called on an SDK thread; keep them short)."""

    on_order: Callable[[WireOrder], None]
    on_fill: Callable[[WireFill], None]
    on_position: Callable[[PositionReport], None]
    on_account: Callable[[AccountReport], None]
    on_connected: Callable[[], None]
    on_disconnected: Callable[[], None]


class TigerClient:
    """Blocking calls to Tiger, each mapped to domain records or a BrokerError."""

    def __init__(self, config: TigerConfig) -> None:
        self.config = config
        self.sdk = sdk_config(config)
        self.trade = TradeClient(self.sdk, logger=sdk_log)
        self._quote: QuoteClient | None = None
        self._push: PushClient | None = None
        self._contracts: dict[str, Any] = {}
        self._closed = False

    # -- plumbing -------------------------------------------------------------------------

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except BrokerError:
            raise
        except Exception as exc:
            raise map_exception(exc, action) from exc

    def _query(self, action: str, fn: Callable[[], T]) -> T:
        """Run a read-only call, retrying transient failures with exponential backoff."""
        attempts = self.config.query_retries + 1
        delay = self.config.retry_backoff_secs
        for attempt in range(attempts):
            try:
                return self._call(action, fn)
            except BrokerError as exc:
                last = attempt == attempts - 1
                if type(exc).__name__ not in _TRANSIENT or last or self._closed:
                    raise
                log.info("tiger %s failed (%s); retry %d in %.2fs", action, exc, attempt + 1, delay)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    # -- account and contracts ------------------------------------------------------------

    def accounts(self) -> list[str]:
        """Return the accounts this tiger id may trade."""
        profiles = self._query("accounts", lambda: self.trade.get_managed_accounts()) or []
        return [str(p.account) for p in profiles]

    def contract(self, symbol: str) -> Any | None:
        """Return Tiger's contract for ``symbol`` (cached), or None if Tiger has none."""
        if symbol not in self._contracts:
            found = self._query(f"contract {symbol}", lambda: self.trade.get_contract(symbol))
            if found is None:
                return None
            self._contracts[symbol] = found
        return self._contracts[symbol]

    # -- orders (never retried) -----------------------------------------------------------

    def _order(self, contract: Any, fields: dict[str, Any], venue_id: str | None) -> Order:
        algo = fields.get("algo_params")
        return Order(
            self.config.account,
            contract,
            fields["action"],
            order_type=fields["order_type"],
            quantity=fields["quantity"],
            limit_price=fields["limit_price"],
            aux_price=fields["aux_price"],
            trailing_percent=fields["trailing_percent"],
            time_in_force=fields["time_in_force"],
            outside_rth=fields["outside_rth"],
            algo_params=algo_order_params(**algo) if algo else None,
            user_mark=fields["user_mark"],
            id=int(venue_id) if venue_id is not None else None,
        )

    def place(self, contract: Any, fields: dict[str, Any]) -> str:
        """Place an order once; return Tiger's order id."""
        order = self._order(contract, fields, None)
        venue_id = self._call(
            f"place_order {fields['user_mark']}", lambda: self.trade.place_order(order)
        )
        if venue_id is None:
            raise BrokerRequestError(
                f"tiger place_order {fields['user_mark']}: no order id returned"
            )
        return str(venue_id)

    def modify(
        self,
        venue_id: str,
        contract: Any,
        fields: dict[str, Any],
        quantity: int,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """Ask Tiger to change an order once."""
        order = self._order(contract, fields, venue_id)
        self._call(
            f"modify_order {venue_id}",
            lambda: self.trade.modify_order(
                order,
                quantity=quantity,
                limit_price=float(limit_price) if limit_price is not None else None,
                aux_price=float(stop_price) if stop_price is not None else None,
            ),
        )

    def cancel(self, venue_id: str) -> None:
        """Ask Tiger to cancel an order once."""
        self._call(f"cancel_order {venue_id}", lambda: self.trade.cancel_order(id=int(venue_id)))

    # -- order queries (retried) ----------------------------------------------------------

    def order(self, venue_id: str) -> WireOrder | None:
        """Return Tiger's view of one order by its id, or None if Tiger has no such order."""
        found = self._query(f"order {venue_id}", lambda: self.trade.get_order(id=int(venue_id)))
        return parsing.order_from_sdk(found) if found is not None else None

    def find_by_mark(self, client_order_id: str, since_ms: int) -> WireOrder | None:
        """Return the order carrying ``client_order_id`` as its user mark, placed since then."""
        orders = self._query(
            f"orders since {since_ms}",
            lambda: self.trade.get_orders(start_time=since_ms, limit=300),
        )
        for order in orders or []:
            if str(order.user_mark or "") == client_order_id:
                return parsing.order_from_sdk(order)
        return None

    def open_orders(self) -> list[WireOrder]:
        """Return every order Tiger still has working."""
        orders = self._query("open_orders", lambda: self.trade.get_open_orders()) or []
        return [parsing.order_from_sdk(o) for o in orders]

    def recent_orders(self, since_ms: int) -> list[WireOrder]:
        """Return the orders placed since ``since_ms`` (any status)."""
        orders = self._query(
            f"orders since {since_ms}",
            lambda: self.trade.get_orders(start_time=since_ms, limit=300),
        )
        return [parsing.order_from_sdk(o) for o in orders or []]

    def transactions(self, venue_id: str, symbol: str) -> list[WireFill]:
        """Return every execution of one order."""
        found = self._query(
            f"transactions {venue_id}",
            lambda: self.trade.get_transactions(order_id=int(venue_id), limit=500),
        )
        return [parsing.fill_from_transaction(tx, symbol) for tx in found or []]

    def positions(self) -> list[PositionReport]:
        """Return the account's stock positions."""
        found = self._query("positions", lambda: self.trade.get_positions()) or []
        return [parsing.position_from_sdk(p) for p in found]

    def account(self) -> AccountReport:
        """Return the account's cash, buying power and net liquidation."""
        found = self._query("assets", lambda: self.trade.get_assets()) or []
        if not found:
            raise DataError(f"tiger assets: no summary for account {self.config.account}")
        return parsing.account_from_sdk(found[0].summary)

    # -- market data ----------------------------------------------------------------------

    @property
    def quote(self) -> QuoteClient:
        """Return the quote client, created on first use (it claims quote permission)."""
        if self._quote is None:
            self._quote = self._query(
                "quote permission", lambda: QuoteClient(self.sdk, logger=sdk_log)
            )
        return self._quote

    def quotes(self, symbols: list[str]) -> list[QuoteTick]:
        """Return the latest top-of-book quote of each symbol."""
        frame = self._query("briefs", lambda: self.quote.get_stock_briefs(symbols))
        return parsing.quotes_from_briefs(frame)

    def trades(self, symbol: str, limit: int = 200) -> list[TradeTick]:
        """Return the latest prints of ``symbol``."""
        frame = self._query(
            f"trade_ticks {symbol}", lambda: self.quote.get_trade_ticks([symbol], limit=limit)
        )
        return parsing.trades_from_frame(frame)

    def bars(self, symbol: str, period: str = "1min", limit: int = 390) -> list[Bar]:
        """Return bars of ``symbol`` (``period`` one of ``BAR_PERIODS_NS``), oldest first."""
        if period not in BAR_PERIODS_NS:
            raise BrokerRequestError(f"bar period {period!r} is not one of {list(BAR_PERIODS_NS)}")
        frame = self._query(
            f"bars {symbol}", lambda: self.quote.get_bars([symbol], period=period, limit=limit)
        )
        return parsing.bars_from_frame(frame, BAR_PERIODS_NS[period])

    # -- push -----------------------------------------------------------------------------

    def start_push(self, handlers: PushHandlers) -> None:
        """Connect the push channel and subscribe to orders, fills, positions and assets.

        A disconnect callback is set, so the SDK does not reconnect by itself: the broker
        reconnects (:meth:`reconnect_push`) and re-queries what it may have missed.
        """
        _, host, port = self.sdk.socket_host_port
        push = PushClient(host, int(port), use_ssl=self.config.push_ssl, client_config=self.sdk)
        account = self.config.account

        def guarded(parse: Callable[[Any], T], sink: Callable[[T], None]) -> Callable[[Any], None]:
            def handle(frame: Any) -> None:
                try:
                    sink(parse(frame))
                except DataError as exc:
                    log.warning("tiger push message dropped: %s", exc)

            return handle

        def connected(_frame: Any) -> None:
            push.subscribe_order(account)
            push.subscribe_transaction(account)
            push.subscribe_position(account)
            push.subscribe_asset(account)
            handlers.on_connected()

        push.order_changed = guarded(parsing.order_from_push, handlers.on_order)
        push.transaction_changed = guarded(parsing.fill_from_push, handlers.on_fill)
        push.position_changed = guarded(parsing.position_from_push, handlers.on_position)
        push.asset_changed = guarded(parsing.account_from_push, handlers.on_account)
        push.connect_callback = connected
        push.disconnect_callback = handlers.on_disconnected
        push.error_callback = lambda frame: log.warning("tiger push error: %s", frame)
        push.kickout_callback = lambda frame: log.error("tiger push kicked out: %s", frame)
        self._push = push
        self.reconnect_push()

    def reconnect_push(self) -> None:
        """(Re)connect the push channel; subscriptions follow in the connect callback.

        The address is probed first with a plain TCP connect bounded by ``timeout_secs``: the
        SDK itself retries an unreachable host for minutes before giving up.
        """
        push = self._push
        if push is None:
            return
        _, host, port = self.sdk.socket_host_port
        try:
            socket.create_connection((host, int(port)), timeout=self.config.timeout_secs).close()
        except OSError as exc:
            raise map_exception(exc, f"push connect {host}:{port}") from exc
        self._call("push connect", lambda: push.connect(self.sdk.tiger_id, self.sdk.private_key))

    def close(self) -> None:
        """Disconnect the push channel; queries still running stop retrying."""
        self._closed = True
        push, self._push = self._push, None
        if push is not None:
            # A disconnect callback must stay set: without one the SDK reconnects by itself.
            push.disconnect_callback = lambda: None
            try:
                push.disconnect()
            except Exception as exc:  # closing must not fail the caller
                log.debug("tiger push disconnect: %s", exc)
