"""Journal records of portfolio state that order events alone cannot rebuild."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.core.schema import journal_record


@journal_record("portfolio.seed_position", version=1)
@dataclass(frozen=True, slots=True)
class SeedPosition:
    """A holding the account started the session with."""

    symbol: str
    quantity: int
    avg_cost: Decimal


@journal_record("portfolio.seeded", version=1)
@dataclass(frozen=True, slots=True)
class PortfolioSeeded:
    """Starting cash and positions, journalled first so replay starts from the same state."""

    cash: Decimal
    positions: tuple[SeedPosition, ...]
    ts_init: int


@journal_record("portfolio.marks_recorded", version=1)
@dataclass(frozen=True, slots=True)
class MarksRecorded:
    """The last price of each symbol at the end of a session (for unrealized P&L on replay)."""

    marks: dict[str, str]
    ts_init: int
