"""Run the demo session and write its results under ``out/demo``."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slipstream.cli.output import to_json
from slipstream.demo.charts import fills_chart
from slipstream.demo.data import DEMO_DATE, PriceIndex, load_demo_market
from slipstream.demo.orders import BASE_SIZE as BASE_SIZE_SYMBOLS
from slipstream.demo.orders import demo_orders
from slipstream.marketdata.reference import instruments_for
from slipstream.node import SimNode, SimSettings
from slipstream.session import SessionSummary, run_session, summarize


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class DemoResult:
    """What the demo produced."""

    summary: SessionSummary
    out_dir: Path
    files: dict[str, Path]
    records: int


def run_demo(out_dir: Path, date: str = DEMO_DATE) -> DemoResult:
    """Run the demo day and write summary, journal and charts to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    symbols = list(BASE_SIZE_SYMBOLS)
    _say(f"loading {', '.join(symbols)} market data for {date} (regular session) ...")
    market = load_demo_market(symbols, date)
    prices = PriceIndex.build(market)
    instruments = instruments_for(symbols)
    orders = demo_orders(date, prices, instruments)
    journal = out_dir / "journal.db"
    for stale in out_dir.glob("journal.db*"):
        stale.unlink()
    span = market.span_ns()
    start = (span[0] if span else 0) - 1
    node = SimNode(
        instruments, SimSettings(journal_path=journal, latency_ns=2_000_000), start_ns=start
    )
    _say(f"replaying {len(market):,} market records with {len(orders)} orders ...")
    count = run_session(node, market, orders, progress=lambda n: _say(f"  {n:,} records"))
    summary = summarize(node.oms.store, node.portfolio)
    node.close()
    files = {"journal": journal}
    files["summary_json"] = out_dir / "summary.json"
    files["summary_json"].write_text(to_json(summary.as_dict()))
    files["fills_chart"] = fills_chart(
        list(node.oms.store), prices, out_dir / "fills.html", f"Demo fills on {date}"
    )
    return DemoResult(summary, out_dir, files, count)


def manifest(result: DemoResult) -> dict[str, Any]:
    """Return where the demo wrote its files (for --json)."""
    return {"records": result.records, "files": {k: str(v) for k, v in result.files.items()}}
