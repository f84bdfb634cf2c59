"""``slipstream demo --broker tiger-local``: the demo's orders through Tiger's SDK, for real.

The local Tiger gateway starts as a separate process on a loopback port; Slipstream talks to it
only through the official ``tigeropen`` SDK (signed HTTP requests and the protobuf push
channel), exactly as it would talk to Tiger. Ten minutes of real IBM quotes and trades of
2013-10-08 (10:00-10:10) are replayed into the gateway's market, thinned to about one quote and
one trade per second so the session takes seconds. Orders of every type Tiger offers are sent
at their market time and priced around the prevailing price; a passive limit is modified and
then cancelled; an IOC order shows that Tiger offers no IOC for US stocks (rejected, nothing
sent). At the end the journal and the OMS are reconciled against what the gateway reports.

Orders and fills carry wall-clock time (the session is live against the gateway); the market
time at which each order was sent is reported beside it. Tiger reports commission per order,
not per execution, so fills carry no commission.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.brokers.tiger import GatewayHandle, TigerBroker, start_local_gateway
from slipstream.core.clock import LiveClock
from slipstream.core.ids import ClientOrderId
from slipstream.core.jsontext import to_json
from slipstream.core.timestamps import datetime_to_ns, format_ts
from slipstream.demo.data import DEMO_DATE, PriceIndex, load_demo_market
from slipstream.demo.journal import replace_own_journal
from slipstream.demo.orders import (
    BUY,
    DAY,
    GTC,
    IOC,
    LMT,
    MKT,
    SELL,
    STL,
    STP,
    TRL,
    Plan,
    plan_spec,
    plan_ts,
)
from slipstream.kernel import KernelSettings, LiveKernel
from slipstream.kernel.session import SessionSummary, summarize_kernel
from slipstream.marketdata.reference import instruments_for
from slipstream.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from slipstream.model.enums import OrderStatus
from slipstream.model.events import OrderFilled, OrderRejected
from slipstream.model.market import MarketRecord, QuoteTick
from slipstream.model.orders import Order
from slipstream.portfolio.reconciliation import ReconciliationReport

SYMBOL = "IBM"
BASE = 100
WINDOW = ("10:00:00", "10:10:00")
#: Keep at most one quote and one trade per this much market time (1,935 records in the window become 450).
SAMPLE_NS = 1_000_000_000
CASH = Decimal(10_000_000)
#: How long to wait for Tiger's answer to one request, and for the last pushes at the end.
ANSWER_TIMEOUT_S = 5.0
SETTLE_S = 0.5
_AWAITING = (OrderStatus.SUBMITTED, OrderStatus.PENDING_CANCEL, OrderStatus.PENDING_REPLACE)

PLANS = (
    Plan("10:00:30", "mkt-buy", BUY, 3, MKT, DAY),
    Plan("10:01:00", "lmt-buy-passive", BUY, 2, LMT, DAY, limit_bps=-10),
    Plan("10:01:30", "lmt-sell-marketable", SELL, 1, LMT, DAY, limit_bps=-5),
    # Tiger offers only day and GTC for US stocks: rejected by the adapter, nothing is sent.
    Plan("10:02:00", "lmt-buy-ioc", BUY, 1, LMT, IOC, limit_bps=2),
    Plan("10:02:30", "stop-sell", SELL, 1, STP, DAY, stop_bps=-3),
    Plan("10:03:30", "stop-limit-buy", BUY, 1, STL, DAY, stop_bps=3, limit_bps=8),
    Plan("10:04:00", "trail-sell-amount", SELL, 1, TRL, DAY, trail_ticks=10),
    Plan("10:04:30", "trail-buy-bps", BUY, 1, TRL, DAY, trail_bps=5),
    Plan("10:05:00", "lmt-sell-gtc-far", SELL, 1, LMT, GTC, limit_bps=300),
    Plan("10:08:00", "mkt-sell", SELL, 2, MKT, DAY),
)
#: The passive limit is halved and lowered to 15 bps under the market, then cancelled.
AMENDED = f"{SYMBOL}-02-lmt-buy-passive"
MODIFY_AT, MODIFY_BPS, MODIFY_QTY = "10:03:00", -15, BASE
CANCEL_AT = "10:06:00"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class TigerDemoResult:
    """What the Tiger demo did, what it found, and where it wrote it."""

    summary: SessionSummary
    reconciliation: ReconciliationReport
    sent_at: dict[str, str]
    fills: list[dict[str, Any]]
    rejections: dict[str, str]
    records: int
    gateway: dict[str, Any]
    broker_stats: dict[str, int]
    timings_s: dict[str, float]
    files: dict[str, Path]

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain data (for JSON)."""
        rec = self.reconciliation
        return {
            "broker": "tiger-local",
            **self.summary.as_dict(),
            "market": {"symbol": SYMBOL, "date": DEMO_DATE, "window": list(WINDOW)},
            "records": self.records,
            "sent_at_market_time": self.sent_at,
            "fills_at_market_time": self.fills,
            "rejections": self.rejections,
            "reconciliation": {
                "orders_checked": rec.orders_checked,
                "positions_checked": rec.positions_checked,
                "breaks": [
                    {"kind": b.kind, "client_id": b.client_order_id, "resolution": b.resolution}
                    for b in rec.breaks
                ],
                "resolved": rec.resolved,
                "escalated": rec.escalated,
                "in_sync_pct": rec.in_sync_pct,
            },
            "gateway": self.gateway,
            "broker_stats": self.broker_stats,
            "timings_s": self.timings_s,
            "files": {k: str(v) for k, v in self.files.items()},
        }


def thinned(records: Iterator[MarketRecord], start_ns: int, end_ns: int) -> list[MarketRecord]:
    """Return the records in [start, end), at most one quote and one trade per SAMPLE_NS."""
    kept: list[MarketRecord] = []
    last: dict[bool, int] = {}
    for record in records:
        if not start_ns <= record.ts_event < end_ns:
            continue
        kind = isinstance(record, QuoteTick)
        if record.ts_event - last.get(kind, start_ns - SAMPLE_NS) >= SAMPLE_NS:
            kept.append(record)
            last[kind] = record.ts_event
    return kept


def rejections(orders: Iterable[Order]) -> dict[str, str]:
    """Return why each rejected order was rejected."""
    return {
        str(o.client_order_id): e.reason
        for o in orders
        for e in o.events
        if isinstance(e, OrderRejected)
    }


def _at(hhmm: str) -> int:
    return datetime_to_ns(dt.datetime.fromisoformat(f"{DEMO_DATE}T{hhmm}"))


class _Session:
    """The scripted session: what to send at which market time, on one node."""

    def __init__(self, node: LiveKernel, prices: PriceIndex) -> None:
        self.node = node
        self.prices = prices
        self.inst = node.instruments.get(SYMBOL)
        self.sent_at: dict[str, str] = {}
        self.fills: list[dict[str, Any]] = []
        self.market_ns = 0
        node.bus.subscribe(OrderFilled, self._on_fill)
        self.actions: list[tuple[int, Callable[[int], Order]]] = sorted(
            [(plan_ts(DEMO_DATE, p), self._submitter(n, p)) for n, p in enumerate(PLANS, 1)]
            + [(_at(MODIFY_AT), self._modify), (_at(CANCEL_AT), self._cancel)],
            key=lambda action: action[0],
        )

    def _on_fill(self, fill: OrderFilled) -> None:
        """Note the market time at which each execution reached the OMS."""
        self.fills.append(
            {
                "client_id": str(fill.client_order_id),
                "market_time": format_ts(self.market_ns),
                "price": fill.last_px,
                "quantity": fill.last_qty,
                "trade_id": fill.trade_id,
            }
        )

    def _submitter(self, n: int, plan: Plan) -> Callable[[int], Order]:
        def submit(market_ns: int) -> Order:
            coid = f"{SYMBOL}-{n:02d}-{plan.label}"
            spec = plan_spec(plan, coid, BASE, self.prices.at(SYMBOL, market_ns), self.inst)
            self.sent_at[coid] = format_ts(market_ns)
            return self.node.oms.submit(SubmitOrder(self.node.clock.timestamp_ns(), spec))

        return submit

    def _modify(self, market_ns: int) -> Order:
        ref = self.prices.at(SYMBOL, market_ns)
        limit = self.inst.round_price_passive(ref * (1 + Decimal(MODIFY_BPS) / 10_000), BUY)
        command = ModifyOrder(
            self.node.clock.timestamp_ns(), ClientOrderId(AMENDED), MODIFY_QTY, limit
        )
        self.node.oms.modify(command)
        return self._order(AMENDED)

    def _cancel(self, _market_ns: int) -> Order:
        self.node.oms.cancel(CancelOrder(self.node.clock.timestamp_ns(), ClientOrderId(AMENDED)))
        return self._order(AMENDED)

    def _order(self, coid: str) -> Order:
        order = self.node.oms.store.get(coid)
        assert order is not None
        return order

    def run(self, gateway: GatewayHandle, records: list[MarketRecord]) -> None:
        """Replay ``records`` into the gateway and the node, acting at each action's time."""
        pending = list(self.actions)
        for count, record in enumerate(records, 1):
            while pending and pending[0][0] <= record.ts_event:
                ts, act = pending.pop(0)
                self.market_ns = max(self.market_ns, ts)
                self._settle(act(ts))
            self.market_ns = record.ts_event
            gateway.on_market(record)
            self.node.on_market(record)
            self.node.pump()
            if count % 150 == 0:
                _say(f"  {count}/{len(records)} records, market time {format_ts(record.ts_event)}")
        # Let the last pushes (fills triggered by the final records) arrive.
        self.node.pump_until(lambda: False, SETTLE_S)

    def _settle(self, order: Order) -> None:
        """Wait for Tiger's answer to the request just made (acknowledged, changed or done)."""

        def answered() -> bool:
            status = order.status
            if status.is_terminal:
                return True
            return order.venue_order_id is not None and status not in _AWAITING

        self.node.pump_until(answered, ANSWER_TIMEOUT_S)


def run_tiger_demo(out_dir: Path) -> TigerDemoResult:
    """Run the demo through the SDK against the local gateway; write summary and journal."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    journal = out_dir / "journal.db"
    replace_own_journal(journal)
    _say(f"loading {SYMBOL} quotes and trades for {DEMO_DATE} ...")
    market = load_demo_market([SYMBOL], DEMO_DATE)
    prices = PriceIndex.build(market)
    records = thinned(iter(market), _at(WINDOW[0]), _at(WINDOW[1]))
    timings = {"load_s": time.perf_counter() - started}
    first = prices.at(SYMBOL, records[0].ts_event)
    _say("starting the local Tiger gateway (a separate process on 127.0.0.1) ...")
    with start_local_gateway(symbols={SYMBOL: first.quantize(Decimal("0.01"))}) as gateway:
        clock = LiveClock()
        broker = TigerBroker.from_config(gateway.config(), clock)
        settings = KernelSettings(
            cash=CASH, journal_path=journal, fingerprint={"demo": "tiger-local"}
        )
        node = LiveKernel(instruments_for([SYMBOL]), broker, settings, clock)
        timings["connect_s"] = time.perf_counter() - started - timings["load_s"]
        session = _Session(node, prices)
        _say(
            f"replaying {len(records)} records ({SYMBOL} {WINDOW[0]}-{WINDOW[1]}) into the "
            f"gateway; {len(PLANS)} orders, a modify and a cancel through the SDK ..."
        )
        mark = time.perf_counter()
        session.run(gateway, records)
        timings["session_s"] = time.perf_counter() - mark
        _say("reconciling the journal and the OMS against the gateway ...")
        report = node.reconcile()
        summary = summarize_kernel(node)
        stats = gateway.control("stats")
        broker_stats = dict(broker.stats)
        node.close()
    timings["total_s"] = time.perf_counter() - started
    files = {"journal": journal, "summary_json": out_dir / "summary.json"}
    result = TigerDemoResult(
        summary,
        report,
        session.sent_at,
        session.fills,
        rejections(node.oms.store),
        len(records),
        stats,
        broker_stats,
        {k: round(v, 2) for k, v in timings.items()},
        files,
    )
    files["summary_json"].write_text(to_json(result.as_dict()))
    return result
