"""Bad input is refused with the file, line, field, value and rule — never a silent number."""

from __future__ import annotations

import pandas as pd
import pytest

from slipstream.core.errors import InputError
from slipstream.tca.inputs import prepare

ORDERS = {
    "parent_id": ["P1", "P2"],
    "symbol": ["XYZ", "XYZ"],
    "side": ["buy", "SELL"],
    "quantity": ["1000", "500"],
    "decision_ts": ["2013-10-07T09:50:00-04:00", "2013-10-07T13:50:00Z"],
    "decision_price": ["50.00", ""],
}
FILLS = {
    "parent_id": ["P1", "P2", "P1"],
    "ts": ["2013-10-07T10:00:02-04:00", "2013-10-07T14:00:00Z", "1381154702000000000"],
    "price": ["50.08", "49.99", "50.12"],
    "quantity": ["300", "500", "400"],
    "fee": ["0.90", "", "-0.40"],
}


def frames(
    orders: dict[str, list[str]] | None = None, fills: dict[str, list[str]] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    o = pd.DataFrame({**ORDERS, **(orders or {})}, dtype=str).replace("", None)
    f = pd.DataFrame({**FILLS, **(fills or {})}, dtype=str).replace("", None)
    return o, f


def refused(
    orders: dict[str, list[str]] | None = None, fills: dict[str, list[str]] | None = None
) -> InputError:
    with pytest.raises(InputError) as info:
        prepare(*frames(orders, fills), "orders.csv", "fills.csv")
    return info.value


def test_good_input_is_arranged_by_parent_and_time() -> None:
    inputs = prepare(*frames(), "orders.csv", "fills.csv")
    assert inputs.orders["side_sign"].tolist() == [1, -1]
    # 10:00:02 EDT = 14:00:02 UTC; the integer-ns fill is 10:05:02 EDT
    assert inputs.fills["ts_ns"].tolist() == [
        1381154402000000000,
        1381154702000000000,
        1381154400000000000,
    ]
    assert inputs.fills["price_micros"].tolist() == [50_080_000, 50_120_000, 49_990_000]
    assert inputs.fills["fee_micros"].tolist() == [900_000, -400_000, 0]
    assert inputs.orders["decision_price_micros"].tolist() == [50_000_000, -1]


def test_missing_column() -> None:
    orders, fills = frames()
    with pytest.raises(InputError) as info:
        prepare(orders, fills.drop(columns="price"), "orders.csv", "fills.csv")
    error = info.value
    assert error.rule is not None
    assert error.field == "price" and "missing" in error.rule and error.where == "fills.csv"


def test_fill_for_unknown_parent() -> None:
    error = refused(fills={"parent_id": ["P1", "P9", "P1"]})
    assert (error.field, error.value, error.where) == ("parent_id", "P9", "fills.csv, line 3")
    assert error.rule is not None
    assert "not a parent" in error.rule


def test_fill_quantity_above_the_order() -> None:
    error = refused(fills={"quantity": ["300", "500", "701"]})
    assert error.field == "quantity" and error.where == "fills.csv, line 4"
    assert error.rule is not None
    assert "1001" in error.rule and "1000" in error.rule


def test_negative_price() -> None:
    error = refused(fills={"price": ["50.08", "-49.99", "50.12"]})
    assert (error.field, error.value, error.rule) == ("price", "-49.99", "must be > 0")
    assert error.where == "fills.csv, line 3"


def test_price_that_would_be_rounded() -> None:
    error = refused(fills={"price": ["50.0812345", "49.99", "50.12"]})
    assert error.rule is not None
    assert error.field == "price" and "6 decimal places" in error.rule


def test_unsorted_timestamps_within_a_parent() -> None:
    ts = ["2013-10-07T10:06:00-04:00", "2013-10-07T14:00:00Z", "1381154702000000000"]
    error = refused(fills={"ts": ts})
    assert error.field == "ts" and error.where == "fills.csv, line 4"
    assert error.rule is not None
    assert "earlier than the parent's previous fill" in error.rule


def test_timestamp_without_an_offset_is_new_york_time() -> None:
    naive = prepare(*frames(fills={"ts": ["2013-10-07 10:00:02", *FILLS["ts"][1:]]}), "o", "f")
    zoned = prepare(*frames(), "o", "f")
    assert naive.fills["ts_ns"].tolist() == zoned.fills["ts_ns"].tolist()


def test_timestamp_that_is_not_a_time() -> None:
    error = refused(fills={"ts": [FILLS["ts"][0], "10:00 tomorrow", FILLS["ts"][2]]})
    assert error.rule is not None
    assert error.where is not None
    assert error.field == "ts" and error.value == "10:00 tomorrow"
    assert "New York" in error.rule and error.where.endswith("line 3")


def test_fill_before_the_decision() -> None:
    error = refused(fills={"ts": ["2013-10-07T09:00:00-04:00", *FILLS["ts"][1:]]})
    assert error.rule is not None
    assert error.field == "ts" and "decision_ts" in error.rule


@pytest.mark.parametrize(
    ("orders", "field", "rule"),
    [
        ({"parent_id": ["P1", "P1"]}, "parent_id", "must be unique"),
        ({"side": ["buy", "short"]}, "side", "must be 'buy' or 'sell'"),
        ({"quantity": ["1000", "2.5"]}, "quantity", "whole number"),
        ({"quantity": ["1000", "0"]}, "quantity", "whole number of shares > 0"),
        ({"decision_ts": ["2013-10-07T09:50:00-04:00", ""]}, "decision_ts", "is required"),
        ({"target_participation": ["0.1", "1.5"]}, "target_participation", "(0, 1]"),
    ],
)
def test_bad_orders(orders: dict[str, list[str]], field: str, rule: str) -> None:
    error = refused(orders=orders)
    assert error.rule is not None
    assert error.where is not None
    assert error.field == field and rule in error.rule and error.where.startswith("orders.csv")


def test_fill_side_or_symbol_must_match_the_parent() -> None:
    error = refused(fills={"symbol": ["XYZ", "ABC", "XYZ"]})
    assert error.field == "symbol" and error.where == "fills.csv, line 3"
    error = refused(fills={"side": ["buy", "buy", "buy"]})
    assert error.field == "side" and error.where == "fills.csv, line 3"


def test_bad_liquidity_flag() -> None:
    error = refused(fills={"liquidity": ["maker", "hidden", ""]})
    assert error.field == "liquidity" and error.value == "hidden"
