"""What an algorithm sees of the market in one symbol: the exact touch, the tape and its pace.

The engine keeps one :class:`SymbolView` per symbol, fed from the bus. It holds the touch as
exact ``Decimal`` prices (children are priced from it), the cumulative traded volume (what POV
tracks), and two :class:`~slipstream.marketdata.liquidity.LiquidityState` views of the same
stream — a *live* one over a minute and a *reference* one over half an hour — so adaptive rules
can ask "is volume, volatility or the spread unusual right now?" without outside calibration.
Everything runs on record timestamps, so replays are exact.
"""

from __future__ import annotations

import math
from decimal import Decimal

from slipstream.core.timestamps import NS_PER_SEC
from slipstream.marketdata.liquidity import LiquidityState
from slipstream.model.market import Bar, QuoteTick, TradeTick

LIVE_WINDOW_SECS = 60.0
REFERENCE_WINDOW_SECS = 1_800.0


def _ratio(live: float | None, reference: float | None) -> float | None:
    if live is None or reference is None or reference <= 0 or live <= 0:
        return None
    return live / reference


class SymbolView:
    """An algorithm's view of one symbol: latest touch, cumulative volume, live/reference liquidity.

    Read-only to algorithms; not to be confused with the simulated venue's own per-symbol state
    (:class:`slipstream.brokers.sim.liquidity.VenueBook`), which decides what our orders can take.
    """

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bid: Decimal | None = None
        self.ask: Decimal | None = None
        self.bid_size = 0
        self.ask_size = 0
        self.last_price: Decimal | None = None
        self.cum_volume = 0
        self.live = LiquidityState(symbol, LIVE_WINDOW_SECS)
        self.reference = LiquidityState(symbol, REFERENCE_WINDOW_SECS)
        self._spread_mean: float | None = None  # time-weighted over the reference window
        self._spread_ts: int | None = None
        self._saw_trades = False

    def on_quote(self, quote: QuoteTick) -> None:
        """Take a new top of book (one-sided or crossed quotes leave the touch unchanged)."""
        self.live.on_quote(quote)
        self.reference.on_quote(quote)
        if not (0 < quote.bid < quote.ask):
            return
        self._track_spread(quote.ts_event)
        self.bid, self.ask = quote.bid, quote.ask
        self.bid_size, self.ask_size = quote.bid_size, quote.ask_size

    def on_trade(self, trade: TradeTick) -> None:
        """Take a print from the tape."""
        self._saw_trades = True
        self.live.on_trade(trade)
        self.reference.on_trade(trade)
        self.cum_volume += trade.size
        self.last_price = trade.price

    def on_bar(self, bar: Bar) -> None:
        """Take a bar; its volume counts only when no trade ticks are arriving (no double count)."""
        if self._saw_trades:
            return
        self.live.on_bar(bar)
        self.reference.on_bar(bar)
        self.cum_volume += bar.volume
        self.last_price = bar.close

    def _track_spread(self, ts_ns: int) -> None:
        # The previous spread held from the previous quote until now: fold it in with a weight
        # that grows with how long it held (an exponential moving average in event time).
        current = self.live.spread_bps
        if current is None:
            return
        if self._spread_mean is None or self._spread_ts is None:
            self._spread_mean = current
        else:
            held_secs = max(0, ts_ns - self._spread_ts) / NS_PER_SEC
            weight = 1.0 - math.exp(-held_secs / REFERENCE_WINDOW_SECS)
            self._spread_mean += weight * (current - self._spread_mean)
        self._spread_ts = ts_ns

    @property
    def mid(self) -> Decimal | None:
        """Return the mid of the touch, or the last trade price without a quote."""
        if self.bid is not None and self.ask is not None:
            return (self.bid + self.ask) / 2
        return self.last_price

    def volume_rate(self) -> float | None:
        """Return the live traded volume in shares per second (None before any volume)."""
        rate = self.live.volume_rate()
        return rate if rate > 0 else None

    def volume_ratio(self) -> float | None:
        """Return the live volume rate over its reference level."""
        return _ratio(self.live.volume_rate(), self.reference.volume_rate())

    def spread_ratio(self) -> float | None:
        """Return the current spread over its time-weighted reference level."""
        return _ratio(self.live.spread_bps, self._spread_mean)

    def volatility_ratio(self) -> float | None:
        """Return live over reference short-horizon volatility."""
        return _ratio(self.live.volatility_daily(), self.reference.volatility_daily())
