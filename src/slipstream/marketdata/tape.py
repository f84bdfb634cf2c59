"""Trade classification and signed order flow: who initiated each print on the tape.

Sources: C. Lee, M. Ready, "Inferring trade direction from intraday data", Journal of Finance
46 (1991); J.-P. Bouchaud et al., "Trades, Quotes and Prices" (2018), ch. 10.

* **Quote rule**: a trade above the prevailing mid was bought (+1), below was sold (−1), at the
  mid it is undecided (0).
* **Tick rule**: a trade above the last different price was bought, below was sold.
* **Lee–Ready**: the quote rule against the quote prevailing ``delay`` before the trade, with the
  tick rule breaking ties at the mid. With no usable quote (none yet, or crossed) the tick rule
  decides alone.

Signs follow :class:`~slipstream.model.market.TradeTick`: +1 buyer-initiated, −1 seller, 0
unknown. The array functions serve bulk analytics; the record functions serve live flows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slipstream.core.errors import InputError
from slipstream.model.market import QuoteTick, TradeTick

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def quote_rule_signs(price: FloatArray, bid: FloatArray, ask: FloatArray) -> IntArray:
    """Return +1/−1/0 per trade by the quote rule; invalid quotes (NaN, crossed) give 0."""
    mid = (bid + ask) / 2.0
    valid = np.isfinite(bid) & np.isfinite(ask) & (bid > 0) & (ask > bid)
    sign = np.sign(price - np.where(valid, mid, price)).astype(np.int64)
    return np.where(valid, sign, 0)


def tick_rule_signs(price: FloatArray) -> IntArray:
    """Return +1/−1 by the tick rule (0 until the first price change).

    A zero tick inherits the sign of the last non-zero tick (the "zero-uptick" convention).
    """
    step = np.sign(np.diff(np.asarray(price, dtype=float), prepend=np.nan))
    step[~np.isfinite(step)] = 0.0
    index = np.where(step != 0, np.arange(step.size), 0)
    np.maximum.accumulate(index, out=index)
    signs = step[index]
    return signs.astype(np.int64)


def prevailing_index(quote_times: IntArray, trade_times: IntArray, delay: int = 0) -> IntArray:
    """Return the index of the last quote at or before ``trade_time − delay`` (−1 if none).

    ``quote_times`` must be sorted. Times are in any one integer unit (ms, ns).
    """
    return np.searchsorted(quote_times, trade_times - delay, side="right").astype(np.int64) - 1


def lee_ready_signs(
    trade_times: IntArray,
    price: FloatArray,
    quote_times: IntArray,
    bid: FloatArray,
    ask: FloatArray,
    delay: int = 0,
) -> IntArray:
    """Return Lee–Ready signs of trades against a quote series (both sorted by time)."""
    if len(quote_times) != len(bid) or len(bid) != len(ask):
        raise InputError("quotes", (len(quote_times), len(bid), len(ask)), "lengths must match")
    index = prevailing_index(quote_times, trade_times, delay)
    has_quote = index >= 0
    safe = np.where(has_quote, index, 0)
    nan = np.full(len(price), np.nan)
    quote_bid = np.where(has_quote, bid[safe] if len(bid) else nan, np.nan)
    quote_ask = np.where(has_quote, ask[safe] if len(ask) else nan, np.nan)
    by_quote = quote_rule_signs(price, quote_bid, quote_ask)
    return np.where(by_quote != 0, by_quote, tick_rule_signs(price))


def classify_trades(
    trades: Sequence[TradeTick], quotes: Sequence[QuoteTick] = (), delay_ns: int = 0
) -> list[TradeTick]:
    """Return ``trades`` with ``aggressor`` set by Lee–Ready (tick rule alone without quotes).

    Both sequences must be in time order; a trade that already carries an aggressor keeps it.
    """
    if not trades:
        return []
    price = np.array([float(t.price) for t in trades])
    times = np.array([t.ts_event for t in trades], dtype=np.int64)
    if quotes:
        signs = lee_ready_signs(
            times,
            price,
            np.array([q.ts_event for q in quotes], dtype=np.int64),
            np.array([float(q.bid) for q in quotes]),
            np.array([float(q.ask) for q in quotes]),
            delay_ns,
        )
    else:
        signs = tick_rule_signs(price)
    return [
        t if t.aggressor else dataclasses.replace(t, aggressor=int(s))
        for t, s in zip(trades, signs, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class SignedVolume:
    """Order flow of one interval ``[start, start + width)``: buyer-, seller- and un-signed."""

    start: int
    buy_volume: int
    sell_volume: int
    unsigned_volume: int

    @property
    def net(self) -> int:
        """Return buy minus sell volume (the signed order flow)."""
        return self.buy_volume - self.sell_volume

    @property
    def total(self) -> int:
        """Return all volume traded in the interval."""
        return self.buy_volume + self.sell_volume + self.unsigned_volume


def signed_volume_arrays(
    times: IntArray, size: IntArray, sign: IntArray, width: int, origin: int = 0
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Return ``(interval start, buy, sell, unsigned)`` volume per non-empty interval.

    Intervals are ``[origin + k·width, origin + (k+1)·width)`` in the unit of ``times``.
    """
    if width <= 0:
        raise InputError("width", width, "must be > 0")
    bucket = (np.asarray(times, dtype=np.int64) - origin) // width
    keys, inverse = np.unique(bucket, return_inverse=True)
    size = np.asarray(size, dtype=np.int64)
    sign = np.asarray(sign, dtype=np.int64)
    buy = np.bincount(inverse, weights=np.where(sign > 0, size, 0), minlength=len(keys))
    sell = np.bincount(inverse, weights=np.where(sign < 0, size, 0), minlength=len(keys))
    unsigned = np.bincount(inverse, weights=np.where(sign == 0, size, 0), minlength=len(keys))
    starts = (keys * width + origin).astype(np.int64)
    return starts, buy.astype(np.int64), sell.astype(np.int64), unsigned.astype(np.int64)


def aggregate_signed_volume(
    trades: Sequence[TradeTick], width_ns: int, origin_ns: int = 0
) -> list[SignedVolume]:
    """Return the signed volume of classified ``trades`` per interval of ``width_ns``."""
    if not trades:
        return []
    starts, buy, sell, unsigned = signed_volume_arrays(
        np.array([t.ts_event for t in trades], dtype=np.int64),
        np.array([t.size for t in trades], dtype=np.int64),
        np.array([t.aggressor for t in trades], dtype=np.int64),
        width_ns,
        origin_ns,
    )
    return [
        SignedVolume(int(s), int(b), int(x), int(u))
        for s, b, x, u in zip(starts, buy, sell, unsigned, strict=True)
    ]
