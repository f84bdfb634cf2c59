"""A scripted pre-trade risk session: one denial of each kind, overrides, an automatic halt.

The book holds real names at their real closes of the last day of the bundled daily data; the
quotes are a cent either side of those closes. Every order goes the one path — OMS, risk
engine, journal, simulated venue — and each step records the outcome and the reason. Order
sizes are derived from NAV so each step lands just past the limit it demonstrates.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from slipstream.core.ids import IdGenerator
from slipstream.core.timestamps import NS_PER_SEC
from slipstream.kernel import KernelSettings, SimKernel
from slipstream.marketdata.reference import instruments_for, sector_map
from slipstream.model.commands import SubmitOrder
from slipstream.model.enums import OrderStatus, OrderType, Side
from slipstream.model.events import OrderDenied, OrderSubmitted
from slipstream.model.market import QuoteTick
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.records import RiskApproved
from slipstream.portfolio.records import SeedPosition
from slipstream.risk.data import last_closes
from slipstream.risk.events import DenialOverridden
from slipstream.risk.state import RISK_OFFICER, User

OFFICER = User("risk.officer", RISK_OFFICER)
#: The showcase book: signed shares at the last close.
BOOK = {
    "AAPL": 5000,
    "MSFT": 2500,
    "JPM": 4000,
    "BAC": 15000,
    "C": 8000,
    "XOM": 10000,
    "JNJ": 3500,
    "KO": 10000,
    "NEE": 7000,
    "DAL": -5000,
}
CASH = Decimal(5_000_000)
QUOTED = (*BOOK, "ORCL", "CSCO", "WFC", "PCG", "AMZN")


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the session: what was done, what came of it, and why."""

    step: str
    action: str
    outcome: str
    check: str
    reason: str


class Showcase:
    """The wired session and the steps taken so far."""

    def __init__(self, journal_path: Path) -> None:
        day, closes = last_closes()
        self.day = day
        start = datetime.fromisoformat(f"{day}T14:00:00").replace(tzinfo=UTC)
        self.instruments = instruments_for(set(sector_map()) | set(QUOTED))
        self.prices = {s: self.instruments.get(s).round_price(Decimal(closes[s])) for s in QUOTED}
        seeds = tuple(SeedPosition(s, qty, self.prices[s]) for s, qty in BOOK.items())
        self.kernel = SimKernel(
            self.instruments,
            KernelSettings(cash=CASH, seed_positions=seeds, journal_path=journal_path),
            start_ns=int(start.timestamp()) * NS_PER_SEC,
        )
        self.clock, self.bus, self.portfolio = (
            self.kernel.clock,
            self.kernel.bus,
            self.kernel.portfolio,
        )
        self.venue, self.oms = self.kernel.venue, self.kernel.oms
        assert self.kernel.risk is not None
        self.engine = self.kernel.risk
        self.ids = IdGenerator(self.clock, "D")
        self.steps: list[Step] = []
        self.venue_orders: list[str] = []
        self.bus.subscribe(OrderSubmitted, lambda e: self.venue_orders.append(e.client_order_id))
        self.overridden: dict[str, DenialOverridden] = {}
        self.bus.subscribe(
            DenialOverridden, lambda e: self.overridden.__setitem__(e.client_order_id, e)
        )

    # -- helpers -------------------------------------------------------------------------

    def quote(self, scale: Decimal = Decimal(1)) -> None:
        """Publish a quote a cent either side of each (scaled) price."""
        self.clock.advance_to(self.clock.timestamp_ns() + NS_PER_SEC)
        cent = Decimal("0.01")
        for symbol in QUOTED:
            mid = self.instruments.get(symbol).round_price(self.prices[symbol] * scale)
            quote = QuoteTick(
                symbol, mid - cent, mid + cent, 50_000, 50_000, self.clock.timestamp_ns()
            )
            self.venue.on_market(quote)
            self.bus.publish(quote)

    def nav(self) -> Decimal:
        return self.portfolio.nav()

    def shares(self, symbol: str, pct_nav: Decimal) -> int:
        """Return the whole shares worth ``pct_nav`` percent of NAV at the mark."""
        value = self.nav() * pct_nav / 100 / self.prices[symbol]
        return int(value.to_integral_value(rounding=ROUND_FLOOR))

    def submit(
        self,
        step: str,
        symbol: str,
        side: Side,
        qty: int,
        limit: Decimal | None = None,
        cid: str | None = None,
    ) -> OrderStatus:
        """Send an order through the OMS and record the outcome."""
        self.clock.advance_to(self.clock.timestamp_ns() + 1_000_000)
        spec = OrderSpec(
            cid or self.ids.client_order_id(),  # type: ignore[arg-type]
            symbol,
            side,
            qty,
            OrderType.LIMIT if limit is not None else OrderType.MARKET,
            limit_price=limit,
        )
        order = self.oms.submit(SubmitOrder(self.clock.timestamp_ns(), spec))
        action = f"{side.value} {qty:,} {symbol}" + (f" limit {limit}" if limit else "")
        denied = order.status is OrderStatus.DENIED
        check = reason = ""
        if denied:
            denial = order.events[-1]
            assert isinstance(denial, OrderDenied)
            check, reason = denial.check, denial.reason
        elif spec.client_order_id in self.overridden:
            used = self.overridden[spec.client_order_id]
            check = used.check
            reason = f"{used.override_id} by {used.user} let through: {used.denial_reason}"
        self.steps.append(
            Step(step, action, "DENIED" if denied else order.status.value.upper(), check, reason)
        )
        return order.status

    def note(self, step: str, action: str, outcome: str, reason: str = "") -> None:
        self.steps.append(Step(step, action, outcome, "", reason))


def _run(s: Showcase) -> None:
    buy, sell = Side.BUY, Side.SELL
    s.quote()
    s.engine.start_day()
    s.note("start", f"book of {len(BOOK)} names at {s.day} closes", "NAV", f"NAV {s.nav():,.2f}")
    s.submit("a passing order", "AAPL", buy, 100)
    s.submit("order_size", "KO", buy, 150_000)
    s.submit("notional", "AMZN", buy, 2_000)
    collar_px = s.instruments.get("AAPL").round_price(s.prices["AAPL"] * Decimal("1.10"))
    s.submit("price_collar", "AAPL", buy, 100, limit=collar_px)
    # Information Technology: a resting ORCL buy counts toward the sector, then CSCO tips it.
    orcl_limit = s.instruments.get("ORCL").round_price(s.prices["ORCL"] * Decimal("0.98"))
    orcl_qty = s.shares("ORCL", Decimal("7.5"))
    s.submit("sector (resting order)", "ORCL", buy, orcl_qty, orcl_limit)
    it = s.engine.valuation(s.clock.timestamp_ns()).sector_gross["Information Technology"]
    it_pct = (it + orcl_qty * orcl_limit) / s.nav() * 100
    s.submit("sector_limit", "CSCO", buy, s.shares("CSCO", Decimal(26) - it_pct))
    # The resting ORCL buy reserves cash: ask for a little more than what is left.
    available = s.portfolio.cash - orcl_qty * orcl_limit
    s.submit("buying_power", "KO", buy, int((available + 200_000) / s.prices["KO"]))
    s.submit("position_limit", "AAPL", buy, s.shares("AAPL", Decimal(3)))
    cluster = s.engine.cluster_of("JPM") or ""
    c1 = s.engine.valuation(s.clock.timestamp_ns()).cluster_gross.get(cluster, Decimal(0))
    s.submit("correlation_limit", "WFC", buy, s.shares("WFC", Decimal(21) - c1 / s.nav() * 100))
    es_now = s.engine.valuation(s.clock.timestamp_ns()).es_pct
    es_limit = s.engine.limits.es_max_nav_pct
    tight = round(es_now + 0.05, 2)
    s.engine.set_limits({"expected_shortfall.max_nav_pct": tight}, OFFICER, "showcase: tight ES")
    s.note("limits", f"ES limit set to {tight}% of NAV", "LIMITS CHANGED", "by risk.officer")
    s.submit("expected_shortfall", "PCG", buy, s.shares("PCG", Decimal(7)))
    s.engine.set_limits(
        {"expected_shortfall.max_nav_pct": es_limit, "throttle.max_orders": 3},
        OFFICER,
        "showcase: ES limit back, throttle 3 orders/s",
    )
    s.clock.advance_to(s.clock.timestamp_ns() + NS_PER_SEC)  # a fresh throttle window
    for _ in range(3):
        s.submit("throttle (3/s)", "KO", buy, 10)
    s.submit("order_rate", "KO", buy, 10)
    s.clock.advance_to(s.clock.timestamp_ns() + NS_PER_SEC)
    s.engine.set_limits({"throttle.max_orders": 200}, OFFICER, "showcase: normal throttle")
    grant = s.engine.grant_override(
        "position_limit", OFFICER, "client block, approved by CRO", client_order_id="BLOCK-1"
    )
    s.note("override", f"{grant.override_id}: position_limit for BLOCK-1", "GRANTED", grant.reason)
    s.submit("overridden denial", "AAPL", buy, s.shares("AAPL", Decimal(3)), cid="BLOCK-1")
    s.quote(Decimal("0.85"))
    s.note("market", "every quote 15% lower", "MARKED", f"NAV {s.nav():,.2f}")
    s.submit("automatic halt", "KO", buy, 10)
    s.submit("trading_state", "XOM", sell, 100)
    s.engine.reduce(OFFICER, "loss reviewed: desk may only reduce")
    s.note("reduce", "trading state set to reducing", "REDUCING", "by risk.officer")
    s.submit("reducing order", "XOM", sell, 1_000)
    s.submit("trading_state", "XOM", buy, 1_000)
    jnj_limit = s.instruments.get("JNJ").round_price(s.prices["JNJ"] * Decimal("0.88"))
    s.submit("reducing (resting)", "JNJ", sell, 1_000, jnj_limit)
    report = s.engine.kill_switch(OFFICER, "end of showcase: flatten the book", flatten=True)
    s.note(
        "kill switch",
        f"cancel {report.cancels_sent} working order(s), flatten with "
        f"{len(report.flatten_orders)} market order(s)",
        "HALTED",
        "by risk.officer",
    )


def run_showcase() -> tuple[list[Step], dict[str, int]]:
    """Run the session; return its steps and the coverage figures from the journal."""
    with tempfile.TemporaryDirectory(prefix="slipstream-risk-demo-") as folder:
        s = Showcase(Path(folder) / "journal.db")
        _run(s)
        journal = s.kernel.journal
        assert journal is not None
        journal.flush()
        approved = {
            r.client_order_id for _seq, _ts, r in journal.records() if isinstance(r, RiskApproved)
        }
        s.kernel.close()
    covered = sum(1 for coid in s.venue_orders if coid in approved)
    return s.steps, {"orders_at_venue": len(s.venue_orders), "with_risk_approval": covered}
