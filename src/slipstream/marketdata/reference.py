"""Reference data: the instrument table and sector map built from the bundled files."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from slipstream.core.errors import DataError
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.paths import data_dir


@lru_cache(maxsize=4)
def sector_map(path: Path | None = None) -> dict[str, str]:
    """Return ticker → GICS sector from ``reference/daily_ticker_sector.csv``."""
    source = path or data_dir() / "reference" / "daily_ticker_sector.csv"
    try:
        with source.open(newline="") as handle:
            return {row["ticker"]: row["sector"] for row in csv.DictReader(handle)}
    except (OSError, KeyError) as exc:
        raise DataError(f"cannot read sector map {source}: {exc}") from exc


def instruments_for(symbols: list[str] | set[str], tick: str = "0.01") -> InstrumentTable:
    """Return US-equity instruments (cent tick, 1-share lot) for ``symbols`` with sectors."""
    sectors = sector_map()
    extra = {"SPY": "ETF", "SHY": "ETF"}
    return InstrumentTable(
        [
            Instrument(s, Decimal(tick), 1, sectors.get(s, extra.get(s, "Unknown")))
            for s in sorted(set(symbols))
        ]
    )
