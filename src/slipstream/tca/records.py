"""Input and output records of TCA: what the OMS (or a file) hands in, what comes back out.

``ParentRecord`` and ``FillRecord`` are the small, exact records any source can produce: the
OMS at the end of a run, a CSV file from another system, a test. Times are UTC nanoseconds,
prices and fees ``Decimal``, quantities whole shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.events import OrderFilled


@dataclass(frozen=True, slots=True)
class ParentRecord:
    """A parent order as TCA needs it.

    ``decision_price`` defaults to the mid prevailing at ``decision_ts_ns``. The arrival time is
    ``arrival_ts_ns`` (the first child's submission, which the OMS knows), else ``start_ts_ns``,
    else the first fill, else the decision time. ``forecast_bps`` is the pre-trade impact
    forecast (cost vs arrival, same sign convention as every TCA cost); ``target_participation``
    is a fraction of market volume (0.1 = 10 %).
    """

    parent_id: str
    symbol: str
    side: Side
    quantity: int
    decision_ts_ns: int
    decision_price: Decimal | None = None
    algo: str = ""
    urgency: str = ""
    start_ts_ns: int | None = None
    end_ts_ns: int | None = None
    arrival_ts_ns: int | None = None
    forecast_bps: float | None = None
    target_participation: float | None = None


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One execution of a child of ``parent_id``. ``fee`` is the explicit cost, in dollars."""

    parent_id: str
    ts_ns: int
    price: Decimal
    quantity: int
    fee: Decimal = Decimal(0)
    child_id: str = ""
    liquidity: LiquiditySide | None = None
    venue: str = ""

    @classmethod
    def from_event(cls, event: OrderFilled, parent_id: str, venue: str = "") -> FillRecord:
        """Return the record of a child's ``OrderFilled`` event (the OMS's fills, for TCA)."""
        return cls(
            parent_id=parent_id,
            ts_ns=event.ts_event,
            price=event.last_px,
            quantity=event.last_qty,
            fee=event.commission,
            child_id=event.client_order_id,
            liquidity=event.liquidity,
            venue=venue,
        )


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A parent order left out of the analysis, and why (reported, never silent)."""

    parent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ShortfallBreakdown:
    """Implementation shortfall of one parent and its parts, exact in dollars.

    Sign convention: cost > 0, improvement < 0, signed by side; bps are of the paper portfolio
    (decision price × intended quantity), so ``delay + impact + timing + opportunity + fees ==
    total`` holds exactly in dollars. See :func:`slipstream.tca.shortfall.implementation_shortfall`
    for the definitions.
    """

    paper_notional: Decimal
    delay_usd: Decimal
    impact_usd: Decimal
    timing_usd: Decimal
    opportunity_usd: Decimal
    fees_usd: Decimal
    total_usd: Decimal

    @property
    def trading_usd(self) -> Decimal:
        """Return the trading cost vs arrival (impact + timing), in dollars (cost > 0)."""
        return self.impact_usd + self.timing_usd

    def bps(self, amount: Decimal) -> float:
        """Return ``amount`` in bps of the paper notional (cost > 0, improvement < 0)."""
        if self.paper_notional == 0:
            return float("nan")
        return float(amount * 10_000 / self.paper_notional)
