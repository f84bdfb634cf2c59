"""Builders shared by the risk tests: synthetic scenarios, a small book, a recording venue."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from slipstream.brokers.recording import RecordingBroker as RecordingBroker
from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderType, Side
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.manager import OrderManager
from slipstream.oms.router import Router
from slipstream.portfolio.portfolio import Portfolio
from slipstream.risk.engine import RiskEngine
from slipstream.risk.limits import Limits
from slipstream.store.journal import Journal

T0 = 1_700_000_000_000_000_000
SECTORS = {"AAA": "Tech", "BBB": "Tech", "CCC": "Energy", "DDD": "Energy", "EEE": "Health"}


def synthetic_returns(days: int = 300, seed: int = 7) -> pd.DataFrame:
    """AAA and BBB share one factor (ρ ≈ 0.96); CCC, DDD, EEE are independent."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(0, 0.01, days)
    data = {
        "AAA": factor + rng.normal(0, 0.002, days),
        "BBB": factor + rng.normal(0, 0.002, days),
        "CCC": rng.normal(0, 0.01, days),
        "DDD": rng.normal(0, 0.01, days),
        "EEE": rng.normal(0, 0.01, days),
    }
    index = pd.bdate_range("2020-01-01", periods=days)
    return pd.DataFrame(data, index=index)


def instruments() -> InstrumentTable:
    return InstrumentTable([Instrument(s, Decimal("0.01"), 1, sec) for s, sec in SECTORS.items()])


@dataclass
class Book:
    """Working orders the engine reads, in the shape of the OMS store."""

    orders: list[Any] = field(default_factory=list)

    def working(self) -> list[Any]:
        return self.orders


@dataclass
class Working:
    spec: OrderSpec
    leaves_qty: int
    limit_price: Decimal | None = None


@dataclass
class Rig:
    engine: RiskEngine
    portfolio: Portfolio
    clock: SimClock
    bus: MessageBus
    book: Book
    events: list[Any]
    oms: OrderManager | None = None


def rig(
    cash: str = "1000000",
    positions: dict[str, tuple[int, str]] | None = None,
    marks: dict[str, str] | None = None,
    limits: dict[str, Any] | None = None,
    returns: pd.DataFrame | None = None,
    broker: RecordingBroker | None = None,
    journal: Journal | None = None,
    **engine_kw: Any,
) -> Rig:
    """Build an engine over a small book; ``positions`` maps symbol → (qty, mark).

    With a ``broker`` the engine reads the working orders of a real OMS routed to it, is that
    OMS's risk gate, and has it attached for the kill switch.
    """
    portfolio = Portfolio(Decimal(cash), lambda s: SECTORS.get(s, "Unknown"))
    for symbol, (qty, mark) in (positions or {}).items():
        portfolio.seed_position(symbol, qty, Decimal(mark))
    for symbol, mark in (marks or {}).items():
        portfolio.mark(symbol, Decimal(mark))
    clock = SimClock(T0)
    bus = MessageBus()
    events: list[Any] = []
    bus.subscribe_all(events.append)
    book = Book()
    oms = (
        OrderManager(clock, bus, instruments(), Router(broker), journal)
        if broker is not None
        else None
    )
    engine = RiskEngine(
        portfolio,
        instruments(),
        oms.store if oms is not None else book,
        clock,
        bus,
        limits=Limits().changed(limits or {}),
        returns=returns if returns is not None else synthetic_returns(),
        **engine_kw,
    )
    if oms is not None:
        oms.risk = engine
        engine.attach(oms=oms)
    return Rig(engine, portfolio, clock, bus, book, events, oms)


_n = [0]


def order(
    symbol: str,
    side: str,
    qty: int,
    limit: str | None = None,
    cid: str | None = None,
    parent: str | None = None,
) -> OrderSpec:
    _n[0] += 1
    return OrderSpec(
        ClientOrderId(cid or f"T-{_n[0]}"),
        symbol,
        Side(side),
        qty,
        OrderType.LIMIT if limit else OrderType.MARKET,
        limit_price=Decimal(limit) if limit else None,
        parent_id=parent,
    )


def only(*checks: str) -> dict[str, Any]:
    """Limits that switch off every check except ``checks`` (trading_state always stays)."""
    from slipstream.risk.limits import CHECK_NAMES

    off = [c for c in CHECK_NAMES if c not in checks and c != "trading_state"]
    return {"checks.disabled": off}
