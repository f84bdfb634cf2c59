"""Pure wire <-> domain translation, checked against SDK objects built from Tiger's wire shapes."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tigeropen.common.util.order_utils import get_order_status
from tigeropen.push.pb.OrderStatusData_pb2 import OrderStatusData
from tigeropen.push.pb.OrderTransactionData_pb2 import OrderTransactionData
from tigeropen.trade.domain.contract import Contract
from tigeropen.trade.response.orders_response import OrdersResponse

from slipstream.brokers.tiger import parsing
from slipstream.brokers.tiger.parsing import AlgoRequest
from slipstream.core.errors import DataError, OrderInputError
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import OrderStatus, OrderType, Side, TimeInForce
from slipstream.model.orders_spec import OrderSpec

D = Decimal


def spec(order_type: OrderType = OrderType.MARKET, **kw: object) -> OrderSpec:
    return OrderSpec(ClientOrderId("C-1"), "AAPL", Side.SELL, 300, order_type, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given_spec", "order_type", "limit", "aux", "percent"),
    [
        (spec(), "MKT", None, None, None),
        (spec(OrderType.LIMIT, limit_price=D("190.25")), "LMT", 190.25, None, None),
        (spec(OrderType.STOP, stop_price=D("185.5")), "STP", None, 185.5, None),
        (
            spec(OrderType.STOP_LIMIT, limit_price=D("185"), stop_price=D("185.5")),
            "STP_LMT",
            185.0,
            185.5,
            None,
        ),
        (spec(OrderType.TRAILING_STOP, trail_amount=D("1.25")), "TRAIL", None, 1.25, None),
        (spec(OrderType.TRAILING_STOP, trail_bps=D("150")), "TRAIL", None, None, 1.5),
    ],
)
def test_order_fields_per_type(
    given_spec: OrderSpec,
    order_type: str,
    limit: float | None,
    aux: float | None,
    percent: float | None,
) -> None:
    fields = parsing.order_fields(given_spec)
    assert fields["order_type"] == order_type
    assert fields["action"] == "SELL" and fields["quantity"] == 300
    assert (fields["limit_price"], fields["aux_price"], fields["trailing_percent"]) == (
        limit,
        aux,
        percent,
    )
    assert fields["user_mark"] == "C-1" and fields["time_in_force"] == "DAY"


def test_time_in_force_tiger_does_not_offer_is_a_reason() -> None:
    assert (
        parsing.order_fields(
            spec(time_in_force=TimeInForce.GTC, order_type=OrderType.LIMIT, limit_price=D("1"))
        )["time_in_force"]
        == "GTC"
    )
    reason = parsing.unsupported(spec(time_in_force=TimeInForce.IOC))
    assert reason is not None and "ioc" in reason


def test_algo_orders() -> None:
    algo = AlgoRequest("VWAP", participation_rate=D("0.1"), start_ms=1, end_ms=2)
    fields = parsing.order_fields(spec(), algo)
    assert fields["order_type"] == "VWAP"
    assert fields["algo_params"]["participation_rate"] == 0.1
    assert parsing.unsupported(spec(OrderType.STOP, stop_price=D("1")), algo) is not None
    with pytest.raises(OrderInputError, match="participation_rate"):
        AlgoRequest("VWAP", participation_rate=D("0.6"))
    with pytest.raises(OrderInputError, match="strategy"):
        AlgoRequest("POV")
    with pytest.raises(OrderInputError, match="end_ms"):
        AlgoRequest("TWAP", start_ms=5, end_ms=5)


@pytest.mark.parametrize(
    ("name", "filled", "expected"),
    [
        ("HELD", 0, OrderStatus.ACCEPTED),
        ("HELD", 40, OrderStatus.PARTIALLY_FILLED),  # Submitted with filled > 0
        ("PARTIALLY_FILLED", 40, OrderStatus.PARTIALLY_FILLED),
        ("NEW", 0, OrderStatus.ACCEPTED),
        ("FILLED", 100, OrderStatus.FILLED),
        ("CANCELLED", 40, OrderStatus.CANCELLED),
        ("EXPIRED", 0, OrderStatus.EXPIRED),
        ("REJECTED", 0, OrderStatus.REJECTED),
    ],
)
def test_status_of(name: str, filled: int, expected: OrderStatus) -> None:
    assert parsing.status_of(name, filled, 100) is expected


def test_sdk_names_for_tiger_wire_statuses() -> None:
    # The SDK's own reading of Tiger's wire statuses, fed through ours.
    assert parsing.status_of(get_order_status("Submitted", 40).name, 40, 100) is (
        OrderStatus.PARTIALLY_FILLED
    )
    assert parsing.status_of(get_order_status("Inactive").name, 0, 100) is OrderStatus.REJECTED
    with pytest.raises(DataError):
        parsing.status_of("WHATEVER", 0, 1)


@given(st.integers(min_value=1, max_value=10**9))
def test_cent_prices_survive_the_float_wire(cents: int) -> None:
    price = D(cents) / 100
    assert parsing.to_decimal(float(price)) == price


def test_to_decimal_refuses_non_finite() -> None:
    assert parsing.to_decimal(float("inf")) is None
    assert parsing.to_decimal(None) is None


WIRE_ORDER = {
    "account": "U1",
    "id": 40130901147389952,
    "orderId": 7,
    "symbol": "AAPL",
    "currency": "USD",
    "secType": "STK",
    "market": "US",
    "action": "BUY",
    "orderType": "LMT",
    "totalQuantity": 500,
    "filledQuantity": 200,
    "avgFillPrice": 190.015,
    "limitPrice": 190.02,
    "timeInForce": "DAY",
    "status": "Submitted",
    "userMark": "C-9",
    "remark": "",
    "updateTime": 1755073700000,
}


def test_order_from_an_sdk_order_parsed_from_tiger_json() -> None:
    sdk_order = OrdersResponse.parse_order(dict(WIRE_ORDER))
    wire = parsing.order_from_sdk(sdk_order)
    assert wire.venue_order_id == "40130901147389952"
    assert wire.client_order_id == "C-9"
    assert wire.status is OrderStatus.PARTIALLY_FILLED
    assert (wire.quantity, wire.filled) == (500, 200)
    assert wire.avg_px == D("190.015") and wire.limit_price == D("190.02")
    assert wire.side is Side.BUY and wire.ts_ms == 1755073700000


def test_order_and_fill_from_push() -> None:
    status = OrderStatusData(
        id=42,
        symbol="IBM",
        action="SELL",
        totalQuantity=100,
        filledQuantity=30,
        avgFillPrice=140.5,
        limitPrice=140.0,
        status="PARTIALLY_FILLED",
        userMark="C-2",
        updateTime=5,
    )
    wire = parsing.order_from_push(status)
    assert (wire.venue_order_id, wire.client_order_id, wire.filled) == ("42", "C-2", 30)
    assert wire.status is OrderStatus.PARTIALLY_FILLED and wire.side is Side.SELL
    assert wire.stop_price is None and wire.limit_price == D("140")
    tx = OrderTransactionData(
        id=9,
        orderId=42,
        symbol="IBM",
        action="SELL",
        filledPrice=140.51,
        filledQuantity=30,
        transactTime=7,
    )
    fill = parsing.fill_from_push(tx)
    assert (fill.trade_id, fill.venue_order_id, fill.quantity, fill.price) == (
        "9",
        "42",
        30,
        D("140.51"),
    )
    event = parsing.fill_event(fill, "C-2", ts_init=99)
    assert event.ts_event == 7_000_000 and event.last_px == D("140.51") and event.side is Side.SELL


def test_instrument_from_contract() -> None:
    contract = Contract("NVDA", "USD", sec_type="STK")
    contract.tick_sizes = [
        {"begin": "0", "end": "1", "type": "CLOSED", "tick_size": 0.0001},
        {"begin": "1", "end": "Infinity", "type": "OPEN", "tick_size": 0.01},
    ]
    contract.lot_size = 1.0
    instrument = parsing.instrument_from_contract(contract)
    assert instrument.tick_size == D("0.01") and instrument.lot_size == 1
    hk = Contract("00700", "HKD", sec_type="STK")
    hk.lot_size, hk.min_tick = 100.0, 0.2
    assert parsing.instrument_from_contract(hk).lot_size == 100
    assert parsing.instrument_from_contract(hk).tick_size == D("0.2")


def test_market_data_frames() -> None:
    briefs = pd.DataFrame(
        [
            {
                "symbol": "AAPL",
                "bid_price": 189.99,
                "ask_price": 190.01,
                "bid_size": 3,
                "ask_size": 4,
                "latest_time": 1000,
            },
            {
                "symbol": "HALT",
                "bid_price": 0.0,
                "ask_price": 0.0,
                "bid_size": 0,
                "ask_size": 0,
                "latest_time": 1000,
            },
        ]
    )
    (quote,) = parsing.quotes_from_briefs(briefs)
    assert (quote.bid, quote.ask, quote.ts_event) == (D("189.99"), D("190.01"), 1_000_000_000)
    ticks = pd.DataFrame(
        [{"symbol": "AAPL", "time": 1, "price": 190.0, "volume": 100, "direction": "-"}]
    )
    assert parsing.trades_from_frame(ticks)[0].aggressor == -1
    bars = pd.DataFrame(
        [
            {
                "symbol": "AAPL",
                "time": 60_000,
                "open": 1.0,
                "high": 2.0,
                "low": 0.5,
                "close": 1.5,
                "volume": 10,
            }
        ]
    )
    (bar,) = parsing.bars_from_frame(bars, 60_000_000_000)
    assert bar.ts_event == 120_000_000_000  # stamped at the bar's end
    assert (bar.high, bar.low) == (D("2.0"), D("0.5"))
    assert parsing.bars_from_frame(pd.DataFrame(), 1) == []
