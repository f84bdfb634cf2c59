"""Exact values and instrument rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.core.errors import InputError, UnknownInstrumentError
from slipstream.model.enums import OrderType, Side, TimeInForce
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.model.values import money, notional, price, quantity


def test_price_refuses_float_and_non_positive() -> None:
    assert price("10.01") == Decimal("10.01")
    with pytest.raises(InputError, match="not a float"):
        price(10.01)
    with pytest.raises(InputError, match="> 0"):
        price("0")
    with pytest.raises(InputError, match="not a decimal"):
        price("ten")


def test_quantity_is_whole_positive_shares() -> None:
    assert quantity("100") == 100
    for bad in ("1.5", "-3", "0", 2.0, True):
        with pytest.raises(InputError, match="whole number"):
            quantity(bad)


def test_money_and_notional_are_exact() -> None:
    assert money("-1.10") == Decimal("-1.10")
    assert notional(Decimal("0.1"), 3) == Decimal("0.3")


def test_passive_rounding_never_more_aggressive() -> None:
    inst = Instrument("X", Decimal("0.05"))
    assert inst.round_price_passive(Decimal("10.07"), Side.BUY) == Decimal("10.05")
    assert inst.round_price_passive(Decimal("10.07"), Side.SELL) == Decimal("10.10")
    assert inst.round_price(10.074, "nearest") == Decimal("10.05")
    assert inst.round_price(10.076, "nearest") == Decimal("10.10")


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=4))
def test_passive_rounding_property(px: Decimal) -> None:
    inst = Instrument("X", Decimal("0.01"))
    down = inst.round_price_passive(px, Side.BUY)
    up = inst.round_price_passive(px, Side.SELL)
    assert down <= px <= up
    assert up - down < Decimal("0.01") + Decimal("1e-12")
    assert inst.is_on_tick(down) and inst.is_on_tick(up)


def test_lot_floor_keeps_remainder_out() -> None:
    inst = Instrument("X", lot_size=100)
    assert inst.floor_to_lot(1_250) == 1_200
    assert inst.floor_to_lot(99.9) == 0


def test_unknown_symbol_is_named() -> None:
    with pytest.raises(UnknownInstrumentError, match="'ZZZ'"):
        InstrumentTable().get("ZZZ")


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"order_type": OrderType.LIMIT}, "limit_price", "required"),
        ({"order_type": OrderType.LIMIT, "limit_price": Decimal("10.003")}, "limit_price", "tick"),
        (
            {"order_type": OrderType.STOP_LIMIT, "limit_price": Decimal("10")},
            "stop_price",
            "required",
        ),
        ({"order_type": OrderType.TRAILING_STOP}, "trail_amount", "exactly one"),
        ({"quantity": 150}, "quantity", "lot size 100"),
        ({"quantity": 0}, "quantity", "> 0"),
        ({"limit_price": Decimal("10")}, "limit_price", "not used"),
        ({"time_in_force": TimeInForce.GTC}, "time_in_force", "cannot rest"),
    ],
)
def test_order_spec_validation_names_field_and_rule(
    kwargs: dict[str, object], field: str, rule: str
) -> None:
    base: dict[str, object] = {
        "client_order_id": "c1",
        "symbol": "LOT",
        "side": Side.BUY,
        "quantity": 200,
    }
    base.update(kwargs)
    spec = OrderSpec(**base)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        spec.validate(Instrument("LOT", Decimal("0.01"), 100))
    assert info.value.field == field
    assert info.value.rule is not None
    assert rule in info.value.rule
