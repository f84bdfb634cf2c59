"""A live view of a stock's liquidity, updated record by record from the market data stream.

:class:`LiquidityState` reads only the timestamps carried by the records (never a clock), so
the same code runs under replay and live and gives identical answers for identical input. It
keeps what adaptive execution needs to speed up or slow down:

* the quoted spread in bps and the top-of-book depth (last quote or book snapshot);
* the recent volume rate in shares per second over a sliding window (trades or bars);
* a short-horizon volatility: realized variance of mid (or trade price, when no quotes arrive)
  log returns over the window, scaled to a *daily* fraction over a 6.5-hour session so it is
  directly comparable with the ``sigma_daily`` the impact models take.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from slipstream.core.errors import InputError
from slipstream.core.timestamps import NS_PER_SEC
from slipstream.model.market import Bar, BookSnapshot, MarketRecord, QuoteTick, TradeTick

SESSION_SECS = 23_400


@dataclass(frozen=True, slots=True)
class LiquiditySnapshot:
    """The state at one instant; ``None`` where nothing has been seen yet."""

    ts_ns: int
    mid: float | None
    spread_bps: float | None
    bid_size: int | None
    ask_size: int | None
    volume_rate: float
    volatility_daily: float | None
    warm: bool


class LiquidityState:
    """Spread, depth, volume rate and short-horizon volatility of one symbol.

    Parameters
    ----------
    symbol:
        Records of other symbols are ignored.
    window_secs:
        Length of the sliding window for the volume rate and the volatility (> 0).
    """

    def __init__(self, symbol: str, window_secs: float = 300.0) -> None:
        if not window_secs > 0:
            raise InputError("window_secs", window_secs, "must be > 0", where="LiquidityState")
        self.symbol = symbol
        self.window_ns = int(window_secs * NS_PER_SEC)
        self.last_ts_ns: int | None = None
        self.first_ts_ns: int | None = None
        self.bid: float | None = None
        self.ask: float | None = None
        self.bid_size: int | None = None
        self.ask_size: int | None = None
        self.last_price: float | None = None
        self._volume: deque[tuple[int, int]] = deque()
        self._volume_sum = 0
        self._squared: deque[tuple[int, float]] = deque()
        self._squared_sum = 0.0
        self._ref_price: float | None = None
        self._has_quotes = False

    # -- updates -----------------------------------------------------------------------------

    def update(self, record: MarketRecord) -> None:
        """Fold any market record into the state (other symbols are ignored)."""
        if record.symbol != self.symbol:
            return
        if isinstance(record, QuoteTick):
            self.on_quote(record)
        elif isinstance(record, TradeTick):
            self.on_trade(record)
        elif isinstance(record, Bar):
            self.on_bar(record)
        elif isinstance(record, BookSnapshot):
            top = record.top()
            if top is not None:
                self.on_quote(top)

    def on_quote(self, quote: QuoteTick) -> None:
        """Take a new top of book; a crossed or one-sided quote updates only the time."""
        self._advance(quote.ts_event)
        bid, ask = float(quote.bid), float(quote.ask)
        if not (bid > 0 and ask > bid):
            return
        self.bid, self.ask = bid, ask
        self.bid_size, self.ask_size = quote.bid_size, quote.ask_size
        self._has_quotes = True
        self._observe_price((bid + ask) / 2.0, quote.ts_event)

    def on_trade(self, trade: TradeTick) -> None:
        """Count a print's volume; its price feeds the volatility only while no quotes arrive."""
        self._advance(trade.ts_event)
        self.last_price = float(trade.price)
        self._add_volume(trade.ts_event, trade.size)
        if not self._has_quotes:
            self._observe_price(self.last_price, trade.ts_event)

    def on_bar(self, bar: Bar) -> None:
        """Count a bar's volume at its end time and its close as a price observation."""
        self._advance(bar.ts_event)
        self.last_price = float(bar.close)
        self._add_volume(bar.ts_event, bar.volume)
        if not self._has_quotes:
            self._observe_price(self.last_price, bar.ts_event)

    # -- readings ----------------------------------------------------------------------------

    @property
    def mid(self) -> float | None:
        """Return the last valid mid price."""
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2.0

    @property
    def spread_bps(self) -> float | None:
        """Return the quoted spread in bps of the mid."""
        if self.bid is None or self.ask is None:
            return None
        return (self.ask - self.bid) / ((self.ask + self.bid) / 2.0) * 1e4

    @property
    def warm(self) -> bool:
        """Return whether a full window of records has been seen (rates are then unbiased)."""
        if self.first_ts_ns is None or self.last_ts_ns is None:
            return False
        return self.last_ts_ns - self.first_ts_ns >= self.window_ns

    def volume_rate(self) -> float:
        """Return shares traded per second over the window ending at the last record.

        Before the state is warm the rate uses the time elapsed so far, never less than one
        second, so one early print does not read as an enormous rate.
        """
        if self.last_ts_ns is None or self.first_ts_ns is None:
            return 0.0
        span_ns = min(self.window_ns, max(self.last_ts_ns - self.first_ts_ns, NS_PER_SEC))
        return self._volume_sum / (span_ns / NS_PER_SEC)

    def volatility_daily(self) -> float | None:
        """Return realized volatility over the window, as a daily fraction (None if < 2 prices)."""
        if not self._squared or self.last_ts_ns is None or self.first_ts_ns is None:
            return None
        span_secs = min(self.window_ns, max(self.last_ts_ns - self.first_ts_ns, NS_PER_SEC))
        per_sec = max(self._squared_sum, 0.0) / (span_secs / NS_PER_SEC)
        return math.sqrt(per_sec * SESSION_SECS)

    def snapshot(self) -> LiquiditySnapshot:
        """Return the current readings as an immutable record."""
        return LiquiditySnapshot(
            ts_ns=self.last_ts_ns or 0,
            mid=self.mid,
            spread_bps=self.spread_bps,
            bid_size=self.bid_size,
            ask_size=self.ask_size,
            volume_rate=self.volume_rate(),
            volatility_daily=self.volatility_daily(),
            warm=self.warm,
        )

    # -- internals ---------------------------------------------------------------------------

    def _advance(self, ts_ns: int) -> None:
        # Records can arrive out of order across feeds; time never moves backwards here.
        if self.last_ts_ns is None:
            self.first_ts_ns = self.last_ts_ns = ts_ns
        elif ts_ns > self.last_ts_ns:
            self.last_ts_ns = ts_ns
        cutoff = self.last_ts_ns - self.window_ns
        while self._volume and self._volume[0][0] <= cutoff:
            self._volume_sum -= self._volume.popleft()[1]
        while self._squared and self._squared[0][0] <= cutoff:
            self._squared_sum -= self._squared.popleft()[1]

    def _add_volume(self, ts_ns: int, size: int) -> None:
        if size > 0:
            self._volume.append((ts_ns, size))
            self._volume_sum += size

    def _observe_price(self, price: float, ts_ns: int) -> None:
        if price <= 0:
            return
        if self._ref_price is not None and price != self._ref_price:
            r = math.log(price / self._ref_price)
            self._squared.append((ts_ns, r * r))
            self._squared_sum += r * r
        self._ref_price = price
