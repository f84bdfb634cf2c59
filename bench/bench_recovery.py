"""Live restart: a LiveKernel recovering from a 100,000-record journal after a crash.

A live session with a recording broker (every order acknowledged and filled through the broker
sink, the last 200 left working) writes its journal and dies without a close (the process
exits in a fork, as under SIGKILL). A new kernel then opens the journal in ``continue`` mode:
replay through the OMS, portfolio, risk and algorithm engine, reconciliation of the working
orders with the broker, adoption, and only then new work. The figure is that whole start-up.
"""

from __future__ import annotations

import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from slipstream.brokers.recording import RecordingBroker
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId, TradeId, VenueOrderId
from slipstream.kernel import KernelSettings, LiveKernel
from slipstream.model.commands import SubmitOrder
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.events import OrderAccepted, OrderFilled
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.market import QuoteTick
from slipstream.model.orders import Order
from slipstream.model.orders_spec import OrderSpec
from slipstream.store.inspection import inspect_journal

ORDERS = 16_700
WORKING = 200
INSTRUMENTS = InstrumentTable([Instrument("IBM", Decimal("0.01"), 1, "Information Technology")])


class _PumpedRecording(RecordingBroker):
    """A recording broker with the live kernel's pump and adoption (nothing queued)."""

    def drain(self) -> int:
        return 0

    def wait_events(self, timeout_s: float) -> int:
        return 0

    def adopt(self, order: Order) -> None:
        self.requests.append(("adopt", str(order.client_order_id)))


def _settings(journal: Path, mode: str) -> KernelSettings:
    return KernelSettings(
        cash=Decimal(10**12),
        journal_path=journal,
        journal_mode=mode,
        risk="pass-through",  # type: ignore[arg-type]
    )


def _write_session(journal: Path) -> None:
    clock = SimClock(1)
    broker = _PumpedRecording()
    kernel = LiveKernel(INSTRUMENTS, broker, _settings(journal, "new"), clock)
    px = Decimal("185.10")
    for i in range(ORDERS):
        ts = 1_000_000 * (i + 2)
        clock.advance_to(ts)
        kernel.on_market(QuoteTick("IBM", px, px + Decimal("0.02"), 500, 500, ts))
        coid = ClientOrderId(f"R{i}")
        spec = OrderSpec(coid, "IBM", (Side.BUY, Side.SELL)[i & 1], 100)
        kernel.oms.submit(SubmitOrder(ts, spec))
        kernel.oms.on_broker_event(OrderAccepted(coid, ts, ts, VenueOrderId(f"V{i}")))
        if i < ORDERS - WORKING:
            fill = OrderFilled(
                coid,
                ts,
                ts,
                TradeId(f"T{i}"),
                VenueOrderId(f"V{i}"),
                "IBM",
                spec.side,
                100,
                px,
                Decimal(0),
                LiquiditySide.TAKER,
            )
            kernel.oms.on_broker_event(fill)
    kernel.pump()  # commits the last batch, as every live pump does; then the process dies


def run() -> list[dict[str, Any]]:
    """Return the recovery time of a live kernel on a ~100,000-record journal (median of 3)."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="slipstream-recovery-") as folder:
        timings, report = [], None
        for n in range(3):
            journal = Path(folder) / f"live-{n}.db"
            pid = os.fork()
            if pid == 0:
                _write_session(journal)
                os._exit(0)  # no close: a crash
            os.waitpid(pid, 0)
            records = inspect_journal(journal).count
            started = time.perf_counter()
            kernel = LiveKernel(
                INSTRUMENTS, _PumpedRecording(), _settings(journal, "continue"), SimClock(1)
            )
            timings.append((time.perf_counter() - started) * 1e3)
            report = kernel.recovery
            kernel.close()
        assert report is not None and report.open_orders == WORKING == report.adopted
        timings.sort()
        rows.append(
            {
                "name": f"live restart from a {records:,}-record journal (replay + reconcile + adopt)",
                "value": timings[1],
                "unit": "ms",
                "records": records,
                "records_per_s": records / (timings[1] / 1e3),
                "open_orders_adopted": report.adopted,
            }
        )
    return rows
