"""A harness for algorithm tests: the real OMS and AlgoEngine on a SimClock, and a scripted venue.

The scripted venue is a unit-test double of one piece (the venue): it records every request
and lets the test decide when acks, fills and cancel confirmations happen, either by hand or
automatically with delays scheduled on the clock. Everything else is the production code.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from slipstream.algos.engine import AlgoEngine, ParentSummary
from slipstream.algos.parent import ParentEvent
from slipstream.algos.registry import make_parent
from slipstream.algos.template import MarketInputs
from slipstream.brokers.recording import RecordingBroker
from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.ids import IdGenerator
from slipstream.model.enums import LiquiditySide, OrderStatus
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
)
from slipstream.model.instrument import InstrumentTable
from slipstream.model.market import QuoteTick, TradeTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.manager import OrderManager
from slipstream.oms.risk_gate import Denial
from slipstream.oms.router import Router

SEC = 1_000_000_000
T0 = 1_381_152_600 * SEC  # 2013-10-07 09:30 New York, in UTC ns


class RecordingRisk:
    """A risk gate that records every order it is asked about and can deny them."""

    name = "recording"

    def __init__(self, deny: bool = False, deny_parents: bool = False) -> None:
        self.seen: list[str] = []
        self.parents_seen: list[str] = []
        self.deny = deny
        self.deny_parents = deny_parents

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        self.seen.append(spec.client_order_id)
        return Denial("test", "denied by the test") if self.deny else None

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        self.parents_seen.append(spec.client_order_id)
        return Denial("position_limit", "parent denied by the test") if self.deny_parents else None


class ScriptedVenue(RecordingBroker):
    """A venue double whose answers the test scripts (by hand or with clock delays)."""

    def __init__(self, clock: SimClock, ids: IdGenerator) -> None:
        super().__init__("scripted")
        self.clock = clock
        self.ids = ids
        self.on_submit: Callable[[OrderSpec], None] | None = None
        self.on_cancel: Callable[[str], None] | None = None

    def submit(self, spec: OrderSpec) -> None:
        super().submit(spec)
        if self.on_submit is not None:
            self.on_submit(spec)

    def cancel(self, client_order_id: str) -> None:
        super().cancel(client_order_id)
        if self.on_cancel is not None:
            self.on_cancel(client_order_id)

    # -- scripting -------------------------------------------------------------------------
    def ack(self, cid: str) -> None:
        now = self.clock.timestamp_ns()
        self.emit(OrderAccepted(cid, now, now, f"V-{cid}"))  # type: ignore[arg-type]

    def fill(self, cid: str, qty: int, px: Decimal | None = None) -> None:
        spec = self.specs[cid]
        now = self.clock.timestamp_ns()
        price = px if px is not None else (spec.limit_price or Decimal("100"))
        self.emit(
            OrderFilled(
                cid,  # type: ignore[arg-type]
                now,
                now,
                str(self.ids.trade_id()),
                f"V-{cid}",
                spec.symbol,
                spec.side,
                qty,
                price,
                Decimal(0),
                LiquiditySide.TAKER,
            )
        )

    def confirm_cancel(self, cid: str) -> None:
        now = self.clock.timestamp_ns()
        self.emit(OrderCancelled(cid, now, now, "cancelled"))  # type: ignore[arg-type]


class Harness:
    """Clock, bus, real OMS, scripted venue and the AlgoEngine, wired as in a node."""

    def __init__(
        self,
        instruments: InstrumentTable,
        risk: RecordingRisk | None = None,
        inputs: MarketInputs | None = None,
        profile: list[float] | None = None,
    ) -> None:
        self.clock = SimClock(T0)
        self.bus = MessageBus()
        self.ids = IdGenerator(self.clock)
        self.venue = ScriptedVenue(self.clock, self.ids)
        self.risk = risk or RecordingRisk()
        self.oms = OrderManager(
            self.clock, self.bus, instruments, Router(self.venue), risk=self.risk
        )
        self.engine = AlgoEngine(
            self.clock,
            self.bus,
            self.oms,
            instruments,
            self.ids,
            inputs_source=(lambda _s: inputs),
            profile_source=None if profile is None else (lambda _s, _a, _b, n: profile[:n]),
        )
        self.parent_events: list[ParentEvent] = []
        self.bus.subscribe(ParentEvent, self.parent_events.append)

    # -- market ----------------------------------------------------------------------------
    def quote(self, symbol: str, bid: str, ask: str, size: int = 10_000) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(QuoteTick(symbol, Decimal(bid), Decimal(ask), size, size, now))

    def trade(self, symbol: str, px: str, size: int) -> None:
        self.bus.publish(TradeTick(symbol, Decimal(px), size, self.clock.timestamp_ns()))

    def advance(self, secs: float) -> None:
        self.clock.advance_to(self.clock.timestamp_ns() + int(secs * SEC))

    # -- parents ---------------------------------------------------------------------------
    def submit(
        self,
        algo: str,
        qty: int,
        symbol: str = "IBM",
        side: str = "buy",
        duration_secs: float = 600,
        start_delay_secs: float = 0,
        pid: str = "P1",
        **kwargs: Any,
    ) -> ParentSummary:
        start = self.clock.timestamp_ns() + int(start_delay_secs * SEC)
        parent = make_parent(
            pid,
            symbol,
            side,
            qty,
            algo,
            start,
            start + int(duration_secs * SEC),
            **kwargs,
        )
        return self.engine.submit(parent)

    # -- venue automation ------------------------------------------------------------------
    def fill_instantly(self) -> None:
        """Ack and fully fill every child at its limit price, synchronously."""

        def on_submit(spec: OrderSpec) -> None:
            self.venue.ack(spec.client_order_id)
            self.venue.fill(spec.client_order_id, spec.quantity)

        self.venue.on_submit = on_submit
        self.venue.on_cancel = self.venue.confirm_cancel

    def working_and_filled(self, pid: str = "P1") -> tuple[int, int]:
        children = self.oms.store.children_of(pid)
        filled = sum(o.filled_qty for o in children)
        working = sum(o.leaves_qty for o in children if o.status is not OrderStatus.INITIALIZED)
        return filled, working
