"""Recovery is replay: rebuild orders and positions from a journal through the live fold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import InstrumentTable
from slipstream.oms.manager import OrderManager
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.records import MarksRecorded, PortfolioSeeded


@dataclass
class RebuiltState:
    """Orders and portfolio rebuilt from a journal."""

    oms: OrderManager
    portfolio: Portfolio
    records: int


def rebuild(journalled: Iterable[Any], instruments: InstrumentTable) -> RebuiltState:
    """Replay ``journal`` through the same fold as live trading (no broker, no new records)."""
    clock = SimClock()
    bus = MessageBus()
    oms = OrderManager(clock, bus, instruments, router=None, journal=None)
    portfolio = Portfolio(Decimal(0), instruments.sector_of)
    bus.subscribe(OrderFilled, portfolio.on_fill)
    count = 0

    def records() -> Iterable[Any]:
        nonlocal count
        for record in journalled:
            count += 1
            if isinstance(record, PortfolioSeeded):
                portfolio.cash = record.cash
                for seed in record.positions:
                    portfolio.seed_position(seed.symbol, seed.quantity, seed.avg_cost)
            elif isinstance(record, MarksRecorded):
                for symbol, px in record.marks.items():
                    portfolio.mark(symbol, Decimal(px))
            yield record

    oms.replay(records())
    return RebuiltState(oms, portfolio, count)
