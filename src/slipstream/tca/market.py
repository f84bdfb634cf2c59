"""Market data arranged for TCA: per symbol, sorted numpy arrays and their prefix sums.

Benchmarks over thousands of parents are interval queries (VWAP between two times, the mid at
a time, time-weighted mid), so each symbol keeps its quotes and trades as sorted arrays with
prefix sums, and every query is a vectorised ``searchsorted`` — no Python loop per parent.

Prices are held as integer **micro-dollars** (10⁻⁶ $), so a mid is exactly ``(bid + ask) / 2``
and the money figures built from it stay exact. A symbol with trades but no quotes uses the
last trade as its mid (``mid_from_trades``), which the report states. A ``Bar`` counts as one
print of its volume at its close, at the bar's end time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from slipstream.core.errors import DataError, InputError
from slipstream.model.market import Bar, BookSnapshot, MarketRecord, QuoteTick, TradeTick

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

MICROS = 1_000_000
"""Micro-dollars per dollar: the integer unit of every price inside TCA."""

NO_PRICE = -1
"""Sentinel for "no price known at that time" in integer price arrays (prices are > 0)."""


def to_micros(value: Decimal, field: str, where: str | None = None) -> int:
    """Return a price or fee as whole micro-dollars, refusing values that would be rounded."""
    scaled = value.scaleb(6)
    whole = scaled.to_integral_value()
    if scaled != whole:
        raise InputError(field, str(value), "must have at most 6 decimal places", where=where)
    return int(whole)


def from_micros(value: int) -> Decimal:
    """Return integer micro-dollars as an exact ``Decimal`` of dollars."""
    return Decimal(value).scaleb(-6)


def _prefix(values: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    """Return prefix sums with a leading zero, so ``p[j] - p[i]`` sums ``values[i:j]``."""
    out = np.zeros(len(values) + 1, dtype=values.dtype)
    np.cumsum(values, out=out[1:])
    return out


def _check_sorted(ts: IntArray, what: str) -> None:
    if len(ts) > 1:
        bad = np.flatnonzero(np.diff(ts) < 0)
        if len(bad):
            i = int(bad[0]) + 1
            raise DataError(
                f"{what}: field 'ts' = {int(ts[i])} at record {i} is earlier than the record "
                f"before it ({int(ts[i - 1])}): timestamps must be non-decreasing"
            )


@dataclass(frozen=True, slots=True)
class SymbolMarket:
    """Quotes and trades of one symbol, sorted by time, with prefix sums for interval queries."""

    symbol: str
    quote_ts_ns: IntArray
    mid2_micros: IntArray
    """Twice the mid (bid + ask) in micro-dollars: an integer, so the mid stays exact."""
    spread_micros: IntArray
    trade_ts_ns: IntArray
    trade_price_micros: IntArray
    trade_size: IntArray
    mid_from_trades: bool
    cum_value: FloatArray
    cum_volume: IntArray
    cum_area: FloatArray

    @classmethod
    def build(
        cls,
        symbol: str,
        quote_ts_ns: IntArray,
        bid_micros: IntArray,
        ask_micros: IntArray,
        trade_ts_ns: IntArray,
        trade_price_micros: IntArray,
        trade_size: IntArray,
    ) -> SymbolMarket:
        """Validate the arrays (sorted, positive, crossed quotes refused) and index them."""
        where = f"market data for {symbol}"
        _check_sorted(quote_ts_ns, f"{where} (quotes)")
        _check_sorted(trade_ts_ns, f"{where} (trades)")
        if len(trade_price_micros) and int(trade_price_micros.min()) <= 0:
            raise DataError(f"{where}: a trade price is not positive")
        if len(trade_size) and int(trade_size.min()) < 0:
            raise DataError(f"{where}: a trade size is negative")
        mid_from_trades = len(quote_ts_ns) == 0
        if mid_from_trades:
            quote_ts_ns, bid_micros, ask_micros = (
                trade_ts_ns,
                trade_price_micros,
                trade_price_micros,
            )
        if len(bid_micros) and (
            int(bid_micros.min()) <= 0 or bool((ask_micros < bid_micros).any())
        ):
            raise DataError(f"{where}: a quote has a non-positive bid or an ask below the bid")
        mid2 = (bid_micros + ask_micros).astype(np.int64)
        # Integral of the mid over time (dollar-seconds), for time-weighted averages.
        widths = np.diff(quote_ts_ns).astype(np.float64) / 1e9
        area = np.zeros(len(quote_ts_ns), dtype=np.float64)
        if len(widths):
            np.cumsum(mid2[:-1] / (2.0 * MICROS) * widths, out=area[1:])
        return cls(
            symbol=symbol,
            quote_ts_ns=quote_ts_ns.astype(np.int64),
            mid2_micros=mid2,
            spread_micros=(ask_micros - bid_micros).astype(np.int64),
            trade_ts_ns=trade_ts_ns.astype(np.int64),
            trade_price_micros=trade_price_micros.astype(np.int64),
            trade_size=trade_size.astype(np.int64),
            mid_from_trades=mid_from_trades,
            cum_value=_prefix(trade_price_micros / MICROS * trade_size).astype(np.float64),
            cum_volume=_prefix(trade_size.astype(np.int64)).astype(np.int64),
            cum_area=area,
        )

    def quote_index(self, ts_ns: IntArray) -> IntArray:
        """Return the index of the quote prevailing at each time (last at or before), or -1."""
        return (np.searchsorted(self.quote_ts_ns, ts_ns, side="right") - 1).astype(np.int64)

    def mid2_at(self, ts_ns: IntArray) -> IntArray:
        """Return twice the prevailing mid in micro-dollars at each time, or ``NO_PRICE``."""
        idx = self.quote_index(ts_ns)
        if not len(self.mid2_micros):
            return np.full(len(ts_ns), NO_PRICE, dtype=np.int64)
        return np.where(idx >= 0, self.mid2_micros[np.maximum(idx, 0)], NO_PRICE).astype(np.int64)

    def quote_at(self, ts_ns: IntArray) -> tuple[IntArray, FloatArray]:
        """Return twice the prevailing mid (micro-dollars, or ``NO_PRICE``) and the prevailing
        spread (dollars, NaN if none) at each time, with one search."""
        idx = self.quote_index(ts_ns)
        if not len(self.mid2_micros):
            return np.full(len(ts_ns), NO_PRICE, dtype=np.int64), np.full(len(ts_ns), np.nan)
        safe = np.maximum(idx, 0)
        mid2 = np.where(idx >= 0, self.mid2_micros[safe], NO_PRICE).astype(np.int64)
        return mid2, np.where(idx >= 0, self.spread_micros[safe] / MICROS, np.nan)

    def _trade_bounds(self, start_ns: IntArray, end_ns: IntArray) -> tuple[IntArray, IntArray]:
        i0 = np.searchsorted(self.trade_ts_ns, start_ns, side="left")
        i1 = np.searchsorted(self.trade_ts_ns, end_ns, side="right")
        return i0.astype(np.int64), np.maximum(i0, i1).astype(np.int64)

    def volume(self, start_ns: IntArray, end_ns: IntArray) -> IntArray:
        """Return the market volume printed in ``[start, end]`` (both inclusive)."""
        i0, i1 = self._trade_bounds(start_ns, end_ns)
        return (self.cum_volume[i1] - self.cum_volume[i0]).astype(np.int64)

    def vwap(self, start_ns: IntArray, end_ns: IntArray) -> FloatArray:
        """Return the volume-weighted trade price over ``[start, end]`` (NaN without volume)."""
        i0, i1 = self._trade_bounds(start_ns, end_ns)
        return _ratio(
            self.cum_value[i1] - self.cum_value[i0], self.cum_volume[i1] - self.cum_volume[i0]
        )

    def twap(self, start_ns: IntArray, end_ns: IntArray) -> FloatArray:
        """Return the time-weighted mid over ``[start, end]``; the mid at ``start`` if equal."""
        mid = self.mid2_micros / (2.0 * MICROS)

        def area(ts: IntArray) -> FloatArray:
            idx = self.quote_index(ts)
            safe = np.maximum(idx, 0)
            since = (ts - self.quote_ts_ns[safe]).astype(np.float64) / 1e9
            return np.where(idx >= 0, self.cum_area[safe] + mid[safe] * since, np.nan)

        if not len(mid):
            return np.full(len(start_ns), np.nan)
        # Before the first quote there is no mid: the average starts at the first quote.
        start = np.maximum(start_ns, self.quote_ts_ns[0])
        end = np.maximum(end_ns, start)
        width = (end - start).astype(np.float64) / 1e9
        spot = np.where(
            self.quote_index(start) >= 0, mid[np.maximum(self.quote_index(start), 0)], np.nan
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            averaged = (area(end) - area(start)) / width
        return np.where(width > 0, averaged, spot)

    def pwp(self, start_ns: IntArray, stop_ns: IntArray, target_volume: FloatArray) -> FloatArray:
        """Return the participation-weighted price: VWAP from ``start`` until the market has
        printed ``target_volume`` shares (the order's size over its participation rate), capped
        at ``stop`` (the session's end). NaN without volume."""
        i0 = np.searchsorted(self.trade_ts_ns, start_ns, side="left").astype(np.int64)
        cap = np.searchsorted(self.trade_ts_ns, stop_ns, side="right").astype(np.int64)
        wanted = self.cum_volume[i0] + np.ceil(target_volume)
        i1 = np.searchsorted(self.cum_volume, wanted, side="left").astype(np.int64)
        i1 = np.clip(i1, i0, np.maximum(i0, cap))
        return _ratio(
            self.cum_value[i1] - self.cum_value[i0], self.cum_volume[i1] - self.cum_volume[i0]
        )

    def last_trade_micros(self, start_ns: IntArray, end_ns: IntArray) -> IntArray:
        """Return the last trade price in ``[start, end)`` in micro-dollars, or ``NO_PRICE``."""
        i0 = np.searchsorted(self.trade_ts_ns, start_ns, side="left")
        i1 = np.searchsorted(self.trade_ts_ns, end_ns, side="left")
        if not len(self.trade_price_micros):
            return np.full(len(start_ns), NO_PRICE, dtype=np.int64)
        last = self.trade_price_micros[np.maximum(i1 - 1, 0)]
        return np.where(i1 > i0, last, NO_PRICE).astype(np.int64)


def _ratio(numerator: npt.NDArray[np.generic], denominator: npt.NDArray[np.generic]) -> FloatArray:
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


@dataclass(frozen=True, slots=True)
class MarketData:
    """Market data of every symbol TCA may need, indexed for interval queries."""

    symbols: dict[str, SymbolMarket]

    def get(self, symbol: str) -> SymbolMarket | None:
        """Return the data of ``symbol``, or None when the market data does not cover it."""
        return self.symbols.get(symbol)

    @classmethod
    def from_records(cls, records: Iterable[MarketRecord]) -> MarketData:
        """Index quote, trade, bar and book records (each symbol's records in time order)."""
        quotes: dict[str, list[tuple[int, int, int]]] = {}
        trades: dict[str, list[tuple[int, int, int]]] = {}
        for record in records:
            if isinstance(record, BookSnapshot):
                top = record.top()
                if top is None:
                    continue
                record = top
            where = f"market data for {record.symbol}"
            if isinstance(record, QuoteTick):
                quotes.setdefault(record.symbol, []).append(
                    (
                        record.ts_event,
                        to_micros(record.bid, "bid", where),
                        to_micros(record.ask, "ask", where),
                    )
                )
            elif isinstance(record, TradeTick):
                trades.setdefault(record.symbol, []).append(
                    (record.ts_event, to_micros(record.price, "price", where), record.size)
                )
            elif isinstance(record, Bar):
                trades.setdefault(record.symbol, []).append(
                    (record.ts_event, to_micros(record.close, "close", where), record.volume)
                )
        out: dict[str, SymbolMarket] = {}
        empty = np.zeros((0, 3), dtype=np.int64)
        for symbol in sorted(set(quotes) | set(trades)):
            q = np.array(quotes.get(symbol, empty), dtype=np.int64).reshape(-1, 3)
            t = np.array(trades.get(symbol, empty), dtype=np.int64).reshape(-1, 3)
            out[symbol] = SymbolMarket.build(
                symbol, q[:, 0], q[:, 1], q[:, 2], t[:, 0], t[:, 1], t[:, 2]
            )
        return cls(out)
