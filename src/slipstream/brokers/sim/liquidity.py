"""What the simulated venue knows of one symbol's market, and the liquidity our orders may take.

Three depths of data, best first:

* **book** (LOBSTER snapshots): every displayed level can be taken. What we take at a price is
  remembered and subtracted from that level until the book shows it *refreshed* — the level
  left the book, or its displayed size grew above the size it had when we last took from it.
* **quotes** (top of book): at most the displayed size at the touch can be taken per quote
  update; each new quote displays fresh size.
* **bars** (fallback): a synthetic quote at close ± a half-spread, whose size is the bar's
  participation cap (a share of its volume); both sides have their own cap.

All prices here are the recorded ones; the venue adds the impact overlay's offset.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.enums import Side
from slipstream.model.market import BookLevel, BookSnapshot, QuoteTick

_NO_LEVELS: tuple[BookLevel, ...] = ()


class _Taken:
    """Shares we took at one price, and the displayed size when we last took there."""

    __slots__ = ("displayed", "shares")

    def __init__(self, displayed: int, shares: int) -> None:
        self.displayed = displayed
        self.shares = shares


class VenueBook:
    """The simulated venue's book of one symbol: its latest market and our consumption of it.

    The venue's side of matching (what a child order can take, and what it already took); the
    algorithms' read-only view of a symbol is :class:`slipstream.algos.market.SymbolView`.
    """

    __slots__ = (
        "ask",
        "ask_avail",
        "ask_size",
        "asks",
        "bid",
        "bid_avail",
        "bid_size",
        "bids",
        "has_bars",
        "has_book",
        "has_quotes",
        "last",
        "symbol",
        "taken_asks",
        "taken_bids",
    )

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bid: Decimal | None = None
        self.ask: Decimal | None = None
        self.bid_size = 0
        self.ask_size = 0
        self.bid_avail = 0
        self.ask_avail = 0
        self.last: Decimal | None = None
        self.bids: tuple[BookLevel, ...] = _NO_LEVELS
        self.asks: tuple[BookLevel, ...] = _NO_LEVELS
        self.taken_bids: dict[Decimal, _Taken] = {}
        self.taken_asks: dict[Decimal, _Taken] = {}
        self.has_book = False
        self.has_quotes = False
        self.has_bars = False

    @property
    def has_liquidity_data(self) -> bool:
        """Return whether any quote, book or bar has been seen (else only trades, if any)."""
        return self.has_book or self.has_quotes or self.has_bars

    def on_quote(self, quote: QuoteTick) -> None:
        """Take a new top of book; its displayed sizes are fresh liquidity."""
        self.has_quotes = True
        self.set_touch(quote.bid, quote.ask, quote.bid_size, quote.ask_size)

    def set_touch(self, bid: Decimal, ask: Decimal, bid_size: int, ask_size: int) -> None:
        """Set the touch and make its displayed sizes available."""
        self.bid, self.ask = bid, ask
        self.bid_size = self.bid_avail = bid_size
        self.ask_size = self.ask_avail = ask_size

    def on_book(self, book: BookSnapshot) -> None:
        """Take a new book; forget consumption at levels the book shows refreshed."""
        self.has_book = True
        self.bids, self.asks = book.bids, book.asks
        _refresh(self.taken_bids, book.bids)
        _refresh(self.taken_asks, book.asks)
        best_bid = book.bids[0] if book.bids else None
        best_ask = book.asks[0] if book.asks else None
        self.bid = best_bid.price if best_bid else None
        self.ask = best_ask.price if best_ask else None
        self.bid_size = best_bid.size if best_bid else 0
        self.ask_size = best_ask.size if best_ask else 0

    def levels(self, taker: Side) -> list[tuple[Decimal, int]]:
        """Return (price, shares we may take) on the side a ``taker`` order takes, best first."""
        if self.has_book:
            levels = self.asks if taker is Side.BUY else self.bids
            taken = self.taken_asks if taker is Side.BUY else self.taken_bids
            result = []
            for level in levels:
                used = taken.get(level.price)
                result.append(
                    (level.price, max(0, level.size - used.shares) if used else level.size)
                )
            return result
        if taker is Side.BUY:
            return [(self.ask, self.ask_avail)] if self.ask is not None else []
        return [(self.bid, self.bid_avail)] if self.bid is not None else []

    def consume(self, taker: Side, price: Decimal, shares: int) -> None:
        """Record that we took ``shares`` at ``price`` from the side a ``taker`` order takes."""
        if self.has_book:
            levels = self.asks if taker is Side.BUY else self.bids
            taken = self.taken_asks if taker is Side.BUY else self.taken_bids
            displayed = next((lv.size for lv in levels if lv.price == price), 0)
            used = taken.get(price)
            if used is None:
                taken[price] = _Taken(displayed, shares)
            else:
                used.displayed = displayed
                used.shares += shares
        elif taker is Side.BUY:
            self.ask_avail -= shares
        else:
            self.bid_avail -= shares

    def displayed_at(self, side: Side, price: Decimal) -> int:
        """Return the displayed size on ``side``'s own book at ``price`` (0 if not shown)."""
        if self.has_book:
            levels = self.bids if side is Side.BUY else self.asks
            return next((lv.size for lv in levels if lv.price == price), 0)
        touch = self.bid if side is Side.BUY else self.ask
        if touch == price:
            return self.bid_size if side is Side.BUY else self.ask_size
        return 0

    def queue_cap(self, side: Side, price: Decimal) -> int | None:
        """Return the most shares that can still be ahead of us at ``price``, None if unknown.

        The displayed size at our price bounds the queue ahead; a price better than the best
        shown on our side means the level emptied (0). A quote alone cannot see below the
        touch, nor a book below its last shown level: there the queue is unknown.
        """
        if self.has_book:
            levels = self.bids if side is Side.BUY else self.asks
            if not levels:
                return 0
            worst = levels[-1].price
            if (price < worst) if side is Side.BUY else (price > worst):
                return None
            return next((lv.size for lv in levels if lv.price == price), 0)
        touch = self.bid if side is Side.BUY else self.ask
        if touch is None:
            return None
        if touch == price:
            return self.bid_size if side is Side.BUY else self.ask_size
        better = price > touch if side is Side.BUY else price < touch
        return 0 if better else None

    def touch(self, side: Side) -> Decimal | None:
        """Return the best price on ``side``'s own book (bid for a buy, ask for a sell)."""
        return self.bid if side is Side.BUY else self.ask

    def opposite_touch(self, side: Side) -> Decimal | None:
        """Return the price a ``side`` order would take first (ask for a buy, bid for a sell)."""
        return self.ask if side is Side.BUY else self.bid


def _refresh(taken: dict[Decimal, _Taken], levels: tuple[BookLevel, ...]) -> None:
    if not taken:
        return
    sizes = {level.price: level.size for level in levels}
    for price in list(taken):
        size = sizes.get(price)
        if size is None or size > taken[price].displayed:
            del taken[price]
