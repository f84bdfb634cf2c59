"""Which bundled files and day the demo trades, and prevailing prices to place orders around."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from slipstream.marketdata.loaders import load_file, make_filter
from slipstream.marketdata.replay import MarketReplay
from slipstream.model.market import Bar, MarketRecord, QuoteTick, TradeTick
from slipstream.paths import data_dir

DEMO_DATE = "2013-10-08"


def demo_files(root: Path | None = None) -> dict[str, list[Path]]:
    """Return the files loaded per symbol: tick quotes and trades where bundled, else minute bars."""
    base = root or data_dir()
    ticks, minute = base / "ticks", base / "minute"
    return {
        "IBM": [
            ticks / "IBM_quote_ticks_20131007_20131011.csv.gz",
            ticks / "IBM_trade_ticks_20131007_20131011.csv.gz",
        ],
        "BAC": [
            minute / "us_equity_minute_quote_bars.csv.gz",
            ticks / "BAC_trade_ticks_20131007_20131011.csv.gz",
        ],
        "AIG": [
            minute / "us_equity_minute_quote_bars.csv.gz",
            minute / "us_equity_minute_trade_bars.csv.gz",
        ],
    }


def load_demo_market(symbols: list[str], date: str = DEMO_DATE) -> MarketReplay:
    """Load the demo day's regular session for ``symbols``."""
    sources: list[list[MarketRecord]] = []
    for symbol, files in demo_files().items():
        if symbol not in symbols:
            continue
        flt = make_filter([symbol], "regular", [date])
        sources.extend(load_file(f, flt) for f in files)
    return MarketReplay(sources)


@dataclass
class PriceIndex:
    """Prevailing reference price per symbol at any time (last mid, else last trade/close)."""

    times: dict[str, list[int]]
    prices: dict[str, list[Decimal]]

    @classmethod
    def build(cls, records: MarketReplay) -> PriceIndex:
        """Index every record's reference price by symbol and time."""
        times: dict[str, list[int]] = {}
        prices: dict[str, list[Decimal]] = {}
        for rec in records:
            if isinstance(rec, QuoteTick):
                px = rec.mid
            elif isinstance(rec, TradeTick):
                px = rec.price
            elif isinstance(rec, Bar):
                px = rec.close
            else:
                continue
            times.setdefault(rec.symbol, []).append(rec.ts_event)
            prices.setdefault(rec.symbol, []).append(px)
        return cls(times, prices)

    def at(self, symbol: str, ts_ns: int) -> Decimal:
        """Return the last reference price of ``symbol`` at or before ``ts_ns``."""
        ts = self.times[symbol]
        i = max(bisect.bisect_right(ts, ts_ns) - 1, 0)
        return self.prices[symbol][i]
