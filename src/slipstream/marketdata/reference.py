"""Reference data: the instrument table and sector map built from the bundled files.

What each instrument gets, and where it comes from:

- **sector**: the ``sector`` column of ``data/reference/daily_ticker_sector.csv`` (columns
  ``ticker,name,sector,list_date,list_commit``; only ``ticker`` and ``sector`` are read). SPY
  and SHY, which the bundled minute bars hold but the S&P 500 list does not, are ``ETF``. Any
  other symbol has no sector: it is filed under ``Unknown``, and :func:`instruments_for` says so
  on stderr, naming the symbols and the file to add them to. Where a sector matters (a sector
  limit would lump every such name into one ``Unknown`` sector), call
  :func:`require_sectors`, which raises a :class:`DataError` instead.
- **tick** 0.01 and **lot** 1 share: the US-equity defaults, for every symbol (there is no
  per-symbol tick/lot file); pass ``tick`` for another price grid.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from slipstream.core.errors import DataError
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.paths import data_dir

#: Symbols outside the sector file with a known classification (documented above).
EXTRA_SECTORS = {"SPY": "ETF", "SHY": "ETF"}
#: The sector of a symbol with no reference data.
UNKNOWN_SECTOR = "Unknown"
DEFAULT_TICK = "0.01"
DEFAULT_LOT = 1


def sector_file() -> Path:
    """Return the bundled sector map, ``data/reference/daily_ticker_sector.csv``."""
    return data_dir() / "reference" / "daily_ticker_sector.csv"


@lru_cache(maxsize=4)
def sector_map(path: Path | None = None) -> dict[str, str]:
    """Return ticker → GICS sector from ``reference/daily_ticker_sector.csv``."""
    source = path or sector_file()
    try:
        with source.open(newline="") as handle:
            return {row["ticker"]: row["sector"] for row in csv.DictReader(handle)}
    except (OSError, KeyError) as exc:
        raise DataError(f"cannot read sector map {source}: {exc}") from exc


def missing_sectors(symbols: Iterable[str], path: Path | None = None) -> list[str]:
    """Return the symbols (sorted) that have no sector in the map or :data:`EXTRA_SECTORS`."""
    sectors = sector_map(path)
    return sorted({s for s in symbols if s not in sectors and s not in EXTRA_SECTORS})


def missing_reference_message(symbols: list[str], path: Path | None = None) -> str:
    """Return the message naming symbols without reference data and how to supply them."""
    source = path or sector_file()
    shown = ", ".join(symbols[:10]) + (
        f" and {len(symbols) - 10} more" if len(symbols) > 10 else ""
    )
    return (
        f"no reference data for {shown}: no sector in {source} (add a row "
        f"'{symbols[0]},<name>,<GICS sector>,,' per symbol; columns "
        "ticker,name,sector,list_date,list_commit)"
    )


def require_sectors(symbols: Iterable[str], path: Path | None = None) -> None:
    """Raise a :class:`DataError` naming every symbol without a sector and the file to add it to.

    Use it where a sector is acted on (sector limits, exposure by sector), so a name is not
    silently filed under ``Unknown`` with every other unlisted name.
    """
    missing = missing_sectors(symbols, path)
    if missing:
        raise DataError(missing_reference_message(missing, path))


def instruments_for(
    symbols: Iterable[str],
    tick: str = DEFAULT_TICK,
    *,
    quiet: bool = False,
) -> InstrumentTable:
    """Return US-equity instruments (cent tick, 1-share lot) for ``symbols`` with sectors.

    A symbol with no sector in the reference file gets ``Unknown``; one note on stderr (unless
    ``quiet``) names those symbols and the file to add them to.
    """
    sectors = sector_map()
    chosen = sorted(set(symbols))
    missing = missing_sectors(chosen)
    if missing and not quiet:
        print(
            f"slipstream: note: {missing_reference_message(missing)}; filed under sector "
            f"'{UNKNOWN_SECTOR}', with the US-equity tick {tick} and lot {DEFAULT_LOT} share",
            file=sys.stderr,
        )
    return InstrumentTable(
        [
            Instrument(
                s,
                Decimal(tick),
                DEFAULT_LOT,
                sectors.get(s, EXTRA_SECTORS.get(s, UNKNOWN_SECTOR)),
            )
            for s in chosen
        ]
    )
