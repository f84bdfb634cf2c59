"""Market data records: quotes, trades, bars and order-book snapshots.

Prices are ``Decimal`` (exact, as published), sizes whole shares, times UTC nanoseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.core.records import fast_frozen_init


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class QuoteTick:
    """Top of book: best bid and ask with their sizes."""

    symbol: str
    bid: Decimal
    ask: Decimal
    bid_size: int
    ask_size: int
    ts_event: int

    @property
    def mid(self) -> Decimal:
        """Return the mid price."""
        return (self.bid + self.ask) / 2


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TradeTick:
    """A print on the tape. ``aggressor`` is +1 buyer-initiated, -1 seller, 0 unknown."""

    symbol: str
    price: Decimal
    size: int
    ts_event: int
    aggressor: int = 0


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class Bar:
    """An OHLCV bar; ``ts_event`` is the bar's *end* (when it became known)."""

    symbol: str
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    ts_event: int
    interval_ns: int = 60_000_000_000


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class BookLevel:
    """One price level of a book side."""

    price: Decimal
    size: int


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """Several levels of a limit order book (best first on each side)."""

    symbol: str
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    ts_event: int

    def top(self) -> QuoteTick | None:
        """Return the top of book as a quote, or None when a side is empty."""
        if not self.bids or not self.asks:
            return None
        b, a = self.bids[0], self.asks[0]
        return QuoteTick(self.symbol, b.price, a.price, b.size, a.size, self.ts_event)


MarketRecord = QuoteTick | TradeTick | Bar | BookSnapshot
