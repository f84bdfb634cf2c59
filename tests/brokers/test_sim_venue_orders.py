"""Simulated venue: stops, trailing stops, cancel, modify, latency, expiry, reports, rejects."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sim_helpers import (
    SYMBOL,
    D,
    Harness,
    OrderType,
    Side,
    TimeInForce,
    TriggerSource,
    quote,
    trade,
)

from slipstream.core.errors import BrokerUnavailableError
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    OrderAccepted,
    OrderCancelRejected,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderTriggered,
    OrderUpdated,
)


def test_buy_stop_triggers_on_a_trade_at_or_above_the_stop_then_fills_at_the_ask() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=1_000))
    cid = h.submit(quantity=200, order_type=OrderType.STOP, stop_price=D("10.10"))
    h.feed(trade("10.09", ts=3_000))
    assert h.kinds(cid) == ["OrderAccepted"]
    h.feed(quote("10.09", "10.11", ask_size=1_000, ts=3_500))
    h.feed(trade("10.10", ts=4_000))
    assert h.kinds(cid) == ["OrderAccepted", "OrderTriggered", "OrderFilled"]
    triggered = h.of(cid, OrderTriggered)[0]
    assert isinstance(triggered, OrderTriggered) and triggered.trigger_price == D("10.10")
    assert h.fills(cid) == [(D("10.11"), 200)]


def test_sell_stop_on_bid_ask_watches_the_bid() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", bid_size=50))
    cid = h.submit(
        side=Side.SELL,
        quantity=100,
        order_type=OrderType.STOP,
        stop_price=D("9.95"),
        trigger_source=TriggerSource.BID_ASK,
    )
    h.feed(trade("9.90", ts=2_500))  # a trade does not move a bid/ask stop
    assert h.kinds(cid) == ["OrderAccepted"]
    h.feed(quote("9.95", "9.97", bid_size=60, ts=3_000))
    assert h.kinds(cid) == ["OrderAccepted", "OrderTriggered", "OrderFilled"]
    assert h.fills(cid) == [(D("9.95"), 60)]  # partial: the rest waits for the next bid
    h.feed(quote("9.94", "9.96", bid_size=500, ts=4_000))
    assert h.fills(cid) == [(D("9.95"), 60), (D("9.94"), 40)]


def test_stop_already_through_on_arrival_triggers_at_once() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=500))
    h.feed(trade("10.01", ts=2_100))
    cid = h.submit(quantity=100, order_type=OrderType.STOP, stop_price=D("9.50"))
    assert h.kinds(cid) == ["OrderAccepted", "OrderTriggered", "OrderFilled"]


def test_stop_limit_becomes_a_limit_that_rests_when_not_marketable() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02"))
    cid = h.submit(
        side=Side.SELL,
        quantity=100,
        order_type=OrderType.STOP_LIMIT,
        stop_price=D("9.90"),
        limit_price=D("9.88"),
    )
    h.feed(quote("9.80", "9.85", bid_size=500, ts=2_500))
    h.feed(trade("9.89", ts=3_000))
    # Triggered, but the bid 9.80 is below the 9.88 limit: nothing fills.
    assert h.kinds(cid) == ["OrderAccepted", "OrderTriggered"]
    h.feed(trade("9.90", 300, ts=4_000))  # trades through the limit (above it, for a sell)
    assert h.fills(cid) == [(D("9.88"), 100)]


def test_trailing_sell_stop_by_amount_tracks_the_high() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", bid_size=1_000))
    h.feed(trade("10.00", ts=2_100))
    cid = h.submit(
        side=Side.SELL, quantity=100, order_type=OrderType.TRAILING_STOP, trail_amount=D("0.10")
    )
    for ts, px in ((3_000, "10.20"), (4_000, "10.15"), (5_000, "10.11")):
        h.feed(trade(px, ts=ts))
    assert h.kinds(cid) == ["OrderAccepted"]  # high 10.20 → stop 10.10, not reached
    h.feed(trade("10.10", ts=6_000))
    triggered = h.of(cid, OrderTriggered)
    assert len(triggered) == 1 and triggered[0].ts_event == 6_000


def test_trailing_buy_stop_in_bps_tracks_the_low_of_the_ask() -> None:
    h = Harness()
    h.feed(quote("99.00", "100.00", ask_size=500))
    cid = h.submit(
        quantity=100,
        order_type=OrderType.TRAILING_STOP,
        trail_bps=D("50"),
        trigger_source=TriggerSource.BID_ASK,
    )
    h.feed(quote("97.00", "98.00", ask_size=500, ts=3_000))  # low ask 98 → stop 98.49
    h.feed(quote("97.50", "98.48", ask_size=500, ts=4_000))
    assert h.kinds(cid) == ["OrderAccepted"]
    h.feed(quote("97.60", "98.49", ask_size=500, ts=5_000))
    assert h.kinds(cid) == ["OrderAccepted", "OrderTriggered", "OrderFilled"]
    assert h.fills(cid) == [(D("98.49"), 100)]


def test_cancel_working_filled_and_unknown_orders() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=1_000))
    resting = h.submit(order_type=OrderType.LIMIT, limit_price=D("9.90"))
    filled = h.submit(quantity=100)
    h.venue.cancel(resting)
    h.venue.cancel(filled)
    h.venue.cancel("nope")
    assert h.kinds(resting)[-1] == "OrderCancelled"
    assert h.kinds(filled)[-1] == "OrderCancelRejected"
    unknown = h.of("nope", OrderCancelRejected)
    assert len(unknown) == 1 and "unknown" in unknown[0].reason  # type: ignore[attr-defined]
    h.feed(trade("9.80", 1_000, ts=3_000))
    assert h.fills(resting) == []


def test_modify_updates_quantity_and_price_and_a_marketable_price_takes() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=1_000))
    cid = h.submit(quantity=100, order_type=OrderType.LIMIT, limit_price=D("9.90"))
    h.venue.modify(cid, 300, D("10.02"), None)
    updated = h.of(cid, OrderUpdated)
    assert len(updated) == 1
    assert updated[0].quantity == 300 and updated[0].limit_price == D("10.02")  # type: ignore[attr-defined]
    assert h.fills(cid) == [(D("10.02"), 300)]


def test_modify_rejections_name_the_rule() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=50))
    cid = h.submit(quantity=100, order_type=OrderType.LIMIT, limit_price=D("10.02"))  # 50 filled
    h.venue.modify(cid, 50, None, None)
    h.venue.modify(cid, 200, D("10.015"), None)
    h.venue.modify(cid, 200, None, D("9.00"))
    h.venue.modify("nope", 100, None, None)
    reasons = [e.reason for e in h.of(cid, OrderModifyRejected)]  # type: ignore[attr-defined]
    assert "must exceed the filled 50" in reasons[0]
    assert "tick" in reasons[1]
    assert "stop_price is not used" in reasons[2]
    assert h.of("nope", OrderModifyRejected)
    report = h.venue.query_order(cid)
    assert report is not None and report.quantity == 100


def test_latency_delays_arrival_and_the_way_back() -> None:
    h = Harness(latency_ns=500)
    h.feed(quote("10.00", "10.02", ask_size=1_000, ts=1_000))
    cid = h.submit(quantity=100)
    assert h.events == []
    h.clock.advance_to(1_499)
    assert h.events == [] and h.venue.query_order(cid) is None
    h.clock.advance_to(1_500)  # arrives and fills at the venue; the news is on its way back
    assert h.events == [] and h.venue.query_order(cid) is not None
    h.clock.advance_to(2_000)
    accepted, filled = h.of(cid)
    assert isinstance(accepted, OrderAccepted) and isinstance(filled, OrderFilled)
    assert (accepted.ts_event, accepted.ts_init) == (1_500, 2_000)
    assert (filled.ts_event, filled.ts_init) == (1_500, 2_000)


def test_cancel_under_latency_races_with_fills() -> None:
    h = Harness(latency_ns=500)
    h.feed(quote("10.00", "10.05", bid_size=100, ts=1_000))
    cid = h.submit(quantity=100, order_type=OrderType.LIMIT, limit_price=D("10.01"))
    h.clock.advance_to(1_600)
    h.venue.cancel(cid)  # arrives at 2_100
    h.feed(trade("10.00", 100, ts=2_000))  # fills first
    h.clock.advance_to(3_000)
    assert h.kinds(cid) == ["OrderAccepted", "OrderFilled", "OrderCancelRejected"]


def test_end_session_expires_day_orders_and_keeps_gtc() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.05"))
    day = h.submit(order_type=OrderType.LIMIT, limit_price=D("9.00"))
    gtc = h.submit(order_type=OrderType.LIMIT, limit_price=D("9.00"), time_in_force=TimeInForce.GTC)
    stop = h.submit(order_type=OrderType.STOP, stop_price=D("11.00"))
    h.venue.end_session(9_000)
    assert h.kinds(day)[-1] == "OrderExpired" and h.of(day)[-1].ts_event == 9_000
    assert h.kinds(stop)[-1] == "OrderExpired"
    assert h.kinds(gtc) == ["OrderAccepted"]
    assert [r.client_order_id for r in h.venue.open_orders()] == [gtc]


def test_rejects_unknown_symbol_and_invalid_order() -> None:
    h = Harness()
    unknown = h.submit(symbol="NOPE")
    bad = h.submit(order_type=OrderType.LIMIT, limit_price=D("10.001"))
    rejected = h.of(unknown, OrderRejected) + h.of(bad, OrderRejected)
    assert "unknown symbol" in rejected[0].reason  # type: ignore[attr-defined]
    assert "tick" in rejected[1].reason  # type: ignore[attr-defined]
    report = h.venue.query_order(bad)
    assert report is not None and report.status is OrderStatus.REJECTED


def test_same_client_order_id_twice_is_one_order() -> None:
    h = Harness()
    h.feed(quote("10.00", "10.02", ask_size=1_000))
    h.submit(cid="dup", quantity=100)
    h.submit(cid="dup", quantity=100)
    assert h.kinds("dup") == ["OrderAccepted", "OrderFilled"]


def test_submit_before_connect_is_an_error() -> None:
    h = Harness()
    h.venue.close()
    with pytest.raises(BrokerUnavailableError):
        h.submit()


def test_reports_positions_cash_and_commission_from_the_venue_fills() -> None:
    h = Harness(commission="0.005")
    h.feed(quote("10.00", "10.02", bid_size=1_000, ask_size=1_000))
    h.submit(quantity=300)
    h.submit(side=Side.SELL, quantity=100)
    h.feed(trade("10.01", ts=3_000))
    (position,) = h.venue.positions()
    assert (position.symbol, position.quantity, position.avg_cost) == (SYMBOL, 200, D("10.02"))
    commissions = Decimal("0.005") * 400
    cash = Decimal(10_000_000) - D("10.02") * 300 + D("10.00") * 100 - commissions
    account = h.venue.account()
    assert account.cash == cash
    assert account.net_liquidation == cash + D("10.01") * 200
    assert h.venue.open_orders() == []


def test_a_new_trading_date_expires_the_previous_days_orders() -> None:
    day1 = 1_381_240_800 * 10**9  # 2013-10-08 14:00 UTC = 10:00 ET
    next_midnight = 1_381_291_200 * 10**9  # 2013-10-09 00:00 ET = 04:00 UTC
    h = Harness(start_ns=day1)
    h.feed(quote("10.00", "10.05", ts=day1))
    day = h.submit(order_type=OrderType.LIMIT, limit_price=D("9.00"))
    gtc = h.submit(order_type=OrderType.LIMIT, limit_price=D("9.00"), time_in_force=TimeInForce.GTC)
    h.feed(quote("10.00", "10.05", ts=next_midnight - 1))
    assert h.kinds(day) == ["OrderAccepted"]
    h.feed(quote("10.00", "10.05", ts=day1 + 86_400 * 10**9))
    assert h.kinds(day)[-1] == "OrderExpired" and h.of(day)[-1].ts_event == next_midnight
    assert h.kinds(gtc) == ["OrderAccepted"]
