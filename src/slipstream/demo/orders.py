"""The demo's orders: every order type and time in force on several symbols.

Prices are set in basis points around the prevailing price at submission time (a negative
limit offset on a buy rests below the market, a positive one crosses), so each order shows its
rule on real data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from slipstream.core.ids import ClientOrderId
from slipstream.core.timestamps import datetime_to_ns
from slipstream.demo.data import PriceIndex
from slipstream.kernel.orders_file import TimedOrder
from slipstream.model.enums import OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.orders_spec import OrderSpec

BUY, SELL = Side.BUY, Side.SELL
MKT, LMT, STP, STL, TRL = (
    OrderType.MARKET,
    OrderType.LIMIT,
    OrderType.STOP,
    OrderType.STOP_LIMIT,
    OrderType.TRAILING_STOP,
)
DAY, GTC, IOC, FOK = TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK


@dataclass(frozen=True, slots=True)
class Plan:
    """One demo order: when, what, and its prices as offsets from the market."""

    hhmm: str
    label: str
    side: Side
    size: float  # multiple of the symbol's base size
    order_type: OrderType
    tif: TimeInForce
    limit_bps: int | None = None
    stop_bps: int | None = None
    trail_ticks: int | None = None
    trail_bps: int | None = None
    trigger: TriggerSource = TriggerSource.LAST


PLANS = (
    Plan("09:45:00", "mkt-buy", BUY, 1, MKT, DAY),
    Plan("10:15:00", "lmt-buy-passive", BUY, 1, LMT, DAY, limit_bps=-10),
    Plan("10:30:00", "lmt-sell-marketable", SELL, 0.5, LMT, DAY, limit_bps=-5),
    Plan("11:00:00", "lmt-buy-ioc", BUY, 1, LMT, IOC, limit_bps=15),
    Plan("11:05:00", "lmt-buy-fok-large", BUY, 15, LMT, FOK, limit_bps=1),
    Plan("11:30:00", "stop-sell", SELL, 0.5, STP, DAY, stop_bps=-15),
    Plan("12:00:00", "stop-limit-buy", BUY, 1, STL, DAY, stop_bps=10, limit_bps=20),
    Plan("13:00:00", "trail-sell-amount", SELL, 0.5, TRL, DAY, trail_ticks=5),
    Plan(
        "13:30:00",
        "trail-buy-bps-bidask",
        BUY,
        0.5,
        TRL,
        DAY,
        trail_bps=20,
        trigger=TriggerSource.BID_ASK,
    ),
    Plan("14:00:00", "lmt-sell-gtc-far", SELL, 1, LMT, GTC, limit_bps=300),
    Plan("15:45:00", "mkt-sell", SELL, 0.5, MKT, DAY),
    # Larger than the 8 %-of-NAV position limit: pre-trade risk denies it, nothing is sent.
    Plan("10:05:00", "mkt-buy-oversize", BUY, 200, MKT, DAY),
)

BASE_SIZE = {"IBM": 300, "BAC": 5_000, "AIG": 1_000}


def _offset(ref: Decimal, bps: int | None, inst: Instrument, side: Side) -> Decimal | None:
    if bps is None:
        return None
    return inst.round_price_passive(ref * (1 + Decimal(bps) / 10_000), side)


def plan_spec(
    plan: Plan, client_order_id: str, base: int, ref: Decimal, inst: Instrument
) -> OrderSpec:
    """Return the order ``plan`` describes, sized from ``base`` and priced around ``ref``."""
    # A stop triggers when the market moves against the side: a buy stop above.
    stop_side = SELL if plan.side is BUY else BUY
    spec = OrderSpec(
        ClientOrderId(client_order_id),
        inst.symbol,
        plan.side,
        inst.floor_to_lot(base * plan.size),
        plan.order_type,
        plan.tif,
        limit_price=_offset(ref, plan.limit_bps, inst, plan.side),
        stop_price=_offset(ref, plan.stop_bps, inst, stop_side),
        trail_amount=None if plan.trail_ticks is None else inst.tick_size * plan.trail_ticks,
        trail_bps=None if plan.trail_bps is None else Decimal(plan.trail_bps),
        trigger_source=plan.trigger,
    )
    spec.validate(inst)
    return spec


def plan_ts(date: str, plan: Plan) -> int:
    """Return when ``plan`` is submitted on ``date`` (UTC nanoseconds)."""
    return datetime_to_ns(dt.datetime.fromisoformat(f"{date}T{plan.hhmm}"))


def demo_orders(date: str, prices: PriceIndex, instruments: InstrumentTable) -> list[TimedOrder]:
    """Return the demo's timed orders for ``date`` (every plan on every demo symbol)."""
    orders = []
    for symbol, base in BASE_SIZE.items():
        inst = instruments.get(symbol)
        for n, plan in enumerate(PLANS, start=1):
            ts = plan_ts(date, plan)
            spec = plan_spec(
                plan, f"{symbol}-{n:02d}-{plan.label}", base, prices.at(symbol, ts), inst
            )
            orders.append(TimedOrder(ts, spec))
    return orders
