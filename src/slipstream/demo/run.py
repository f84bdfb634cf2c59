"""Run the demo session and write its results under ``out/demo``.

One trading day (2013-10-08) of real IBM, BAC and AIG data is replayed twice through the full
path — OMS, pre-trade risk, journal, simulated venue, positions — once with the venue's impact
overlay on (our own volume moves the prices we see) and once with it off, to show what the
overlay costs. The main run (overlay on) is summarised, journalled, charted and measured by TCA.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.algos.estimate import profiles_before_each_day
from slipstream.brokers.sim.impact_overlay import ImpactOverlayConfig
from slipstream.core.jsontext import to_json
from slipstream.core.progress import is_terminal
from slipstream.core.progress import work as progress
from slipstream.demo.algos import demo_parents
from slipstream.demo.charts import fills_chart
from slipstream.demo.data import DEMO_DATE, PriceIndex, load_demo_market
from slipstream.demo.journal import replace_own_journal
from slipstream.demo.orders import BASE_SIZE, demo_orders
from slipstream.kernel import KernelSettings, SimKernel, VenueSettings
from slipstream.kernel.orders_file import OrdersFile, TimedParent
from slipstream.kernel.session import SessionSummary, children_fill, run_session, summarize_kernel
from slipstream.kernel.tca_feed import tca_inputs
from slipstream.marketdata.profiles import adv_from_minute_bars
from slipstream.marketdata.reference import instruments_for
from slipstream.marketdata.replay import MarketReplay
from slipstream.marketdata.stats import intraday_volatility
from slipstream.model.instrument import InstrumentTable
from slipstream.store.locations import JournalLocation
from slipstream.tca.report import build_tca_report
from slipstream.tca.result import TcaResult

CASH = Decimal(100_000_000)
LATENCY_NS = 2_000_000


def _say(message: str) -> None:
    if not is_terminal(sys.stderr):  # on a terminal, the progress bars say it
        print(message, file=sys.stderr, flush=True)


@dataclass
class DemoResult:
    """What the demo produced."""

    summary: SessionSummary
    out_dir: Path
    files: dict[str, Path]
    records: int
    tca: TcaResult
    overlay: list[dict[str, Any]] = field(default_factory=list)


def overlay_config(symbols: list[str], date: str) -> ImpactOverlayConfig:
    """Return the overlay calibrated per symbol: ADV and σ from the week's minute bars."""
    days = [
        d
        for d in ("2013-10-07", "2013-10-08", "2013-10-09", "2013-10-10", "2013-10-11")
        if d != date
    ]
    return ImpactOverlayConfig(
        enabled=True,
        sigma_daily={s: intraday_volatility(s, days).daily_realized for s in symbols},
        adv_shares={s: adv_from_minute_bars(s, days) for s in symbols},
    )


def _session(
    market: MarketReplay,
    instruments: InstrumentTable,
    work: OrdersFile,
    date: str,
    overlay: ImpactOverlayConfig,
    journal: JournalLocation | None,
) -> tuple[SimKernel, int]:
    start = (market.span_ns() or (1, 0))[0] - 1
    settings = KernelSettings(
        cash=CASH,
        journal_path=journal,
        profile_source=profiles_before_each_day(),
        fingerprint={"demo": date, "overlay": str(overlay.enabled)},
    )
    venue = VenueSettings(latency_ns=LATENCY_NS, options={"impact": overlay})
    kernel = SimKernel(instruments, settings, venue, start_ns=start)
    with progress(
        f"replaying, impact overlay {'on' if overlay.enabled else 'off'}",
        total=len(market),
        every=lambda n: f"  {n:,} records",
    ) as advance:
        count = run_session(kernel, market, work, progress=advance)
    return kernel, count


def _overlay_rows(on: SimKernel, off: SimKernel, timed: list[TimedParent]) -> list[dict[str, Any]]:
    rows = []
    for parent in (t.parent for t in timed):
        row: dict[str, Any] = {"parent": parent.parent_id, "side": parent.side.value}
        for label, node in (("off", off), ("on", on)):
            filled, avg_px = children_fill(node.oms.store.children_of(parent.parent_id))
            row[f"filled_{label}"] = filled
            row[f"avg_px_{label}"] = avg_px
        if row["avg_px_on"] is not None and row["avg_px_off"] is not None:
            diff = (row["avg_px_on"] - row["avg_px_off"]) * parent.side.sign
            row["overlay_cost_bps"] = round(float(diff / row["avg_px_off"]) * 1e4, 2)
        rows.append(row)
    return rows


def run_demo(
    out_dir: Path, date: str = DEMO_DATE, journal: JournalLocation | None = None
) -> DemoResult:
    """Run the demo day and write summary, journal, charts and TCA to ``out_dir``.

    ``journal`` is where the session is journalled (default ``out_dir/journal.db``; a
    ``postgresql://`` URL journals it to PostgreSQL).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    symbols = list(BASE_SIZE)
    with progress(
        f"loading {', '.join(symbols)} market data for {date}",
        line=f"loading {', '.join(symbols)} market data for {date} (regular session) ...",
    ):
        market = load_demo_market(symbols, date)
    prices = PriceIndex.build(market)
    instruments = instruments_for(symbols)
    orders = demo_orders(date, prices, instruments)
    journal = journal if journal is not None else out_dir / "journal.db"
    replace_own_journal(journal)
    parents = demo_parents(date)
    work = OrdersFile(orders, parents, [])
    overlay = overlay_config(symbols, date)
    _say(
        f"replaying {len(market):,} records: {len(orders)} orders and 5 algorithm parents, impact overlay on ..."
    )
    node, count = _session(market, instruments, work, date, overlay, journal)
    summary = summarize_kernel(node)
    node.close()
    _say("replaying again with the impact overlay off, for comparison ...")
    off, _ = _session(market, instruments, work, date, ImpactOverlayConfig(enabled=False), None)
    with progress("transaction cost analysis", line="transaction cost analysis ..."):
        parent_records, fills = tca_inputs([t.parent for t in parents], node.oms.store)
        tca = build_tca_report(
            parent_records, fills, market, out_dir / "tca", title=f"Demo TCA, {date}"
        )
    files = {"summary_json": out_dir / "summary.json"}
    if isinstance(journal, Path):
        files["journal"] = journal
    overlay_rows = _overlay_rows(node, off, parents)
    files["summary_json"].write_text(to_json({**summary.as_dict(), "impact_overlay": overlay_rows}))
    files["fills_chart"] = fills_chart(
        list(node.oms.store), prices, out_dir / "fills.html", f"Demo fills on {date}"
    )
    files["tca_report"] = out_dir / "tca" / "tca_report.html"
    return DemoResult(summary, out_dir, files, count, tca, overlay_rows)


def manifest(result: DemoResult) -> dict[str, Any]:
    """Return where the demo wrote its files (for --json)."""
    return {"records": result.records, "files": {k: str(v) for k, v in result.files.items()}}
