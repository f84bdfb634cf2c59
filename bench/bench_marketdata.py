"""Loading one day of the bundled ticks: from the CSV files vs from a Parquet catalog.

The day is 2013-10-08, regular session: IBM quote ticks (NBBO rebuilt from 575,589 rows a week)
and trade ticks, and BAC trade ticks — what ``slipstream simulate --market data/ticks --date
2013-10-08`` loads. Each figure is the median of 3 loads through :func:`load_market`; the
catalog is imported once into a temporary folder (its import time is reported too) and both
loads are checked to give the same records.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from slipstream.marketdata.catalog import import_sources
from slipstream.marketdata.replay import MarketReplay, load_market
from slipstream.paths import data_dir

DAY = "2013-10-08"
SYMBOLS = ("IBM", "BAC")
RUNS = 3


def _load(market: Path) -> tuple[float, MarketReplay]:
    start = time.perf_counter()
    replay = load_market(market, SYMBOLS, date=DAY)
    return time.perf_counter() - start, replay


def _median(market: Path) -> tuple[float, MarketReplay]:
    runs = [_load(market) for _ in range(RUNS)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def run() -> list[dict[str, Any]]:
    """Return the median load time of one day from CSV and from the catalog, and the speed-up."""
    ticks = data_dir() / "ticks"
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "catalog"
        start = time.perf_counter()
        import_sources([ticks], catalog)
        import_s = time.perf_counter() - start
        csv_s, from_csv = _median(ticks)
        cat_s, from_catalog = _median(catalog)
    assert list(from_csv) == list(from_catalog), "the catalog must replay the CSV records"
    records = len(from_csv)
    common = {"date": DAY, "symbols": "IBM quotes+trades, BAC trades", "records": records}
    return [
        {
            "name": f"load one day of ticks from CSV.gz ({records:,} records)",
            "value": csv_s,
            "unit": "s",
            **common,
        },
        {
            "name": f"load one day of ticks from the Parquet catalog ({records:,} records)",
            "value": cat_s,
            "unit": "s",
            **common,
        },
        {"name": "catalog speed-up over CSV, one day", "value": csv_s / cat_s, "unit": "x"},
        {
            "name": "catalog import of data/ticks (3 files, 5 days, once)",
            "value": import_s,
            "unit": "s",
        },
    ]


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
