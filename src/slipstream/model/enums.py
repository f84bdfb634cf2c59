"""Enumerations of the domain. Values are the lower-case strings used in files and the CLI."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Direction of an order or fill."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """Return +1 for a buy, -1 for a sell."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        """Return the other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """Order types Slipstream supports end to end."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TRAILING_STOP = "trailing_stop"


class TimeInForce(StrEnum):
    """How long an order may work."""

    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"


class TriggerSource(StrEnum):
    """Which market price triggers a stop or trails a trailing stop."""

    LAST = "last"
    BID_ASK = "bid_ask"


class OrderStatus(StrEnum):
    """States of the one order state machine (see ``model.orders.TRANSITIONS``)."""

    INITIALIZED = "initialized"
    DENIED = "denied"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PENDING_CANCEL = "pending_cancel"
    PENDING_REPLACE = "pending_replace"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    TRIGGERED = "triggered"

    @property
    def is_terminal(self) -> bool:
        """Return whether no further fills or state changes are expected."""
        return self in _TERMINAL

    @property
    def is_working(self) -> bool:
        """Return whether the order is live at (or on its way to) a venue."""
        return not self.is_terminal and self is not OrderStatus.INITIALIZED


_TERMINAL = frozenset(
    {
        OrderStatus.DENIED,
        OrderStatus.REJECTED,
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
    }
)


class LiquiditySide(StrEnum):
    """Whether a fill added or removed liquidity."""

    MAKER = "maker"
    TAKER = "taker"
