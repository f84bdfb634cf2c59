"""Input that cannot poison the journal: out-of-bounds numbers are refused up front.

Each refusal is an :class:`InputError` naming the field, the value and the rule; values just
inside the bounds are accepted; and whatever the builders accept, the journal's codec encodes
and decodes exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slipstream.core.bounds import MAX_LATENCY_MS, MAX_NUMBER_TEXT, latency_ns_from_ms
from slipstream.core.errors import InputError
from slipstream.core.timestamps import MAX_TIMESTAMP_NS, parse_timestamp
from slipstream.model.enums import OrderType, Side
from slipstream.model.instrument import Instrument
from slipstream.model.orders_spec import MAX_TRAIL_BPS, OrderSpec
from slipstream.model.values import (
    MAX_DECIMAL_PLACES,
    MAX_MONEY,
    MAX_ORDER_QUANTITY,
    MAX_POSITION_QUANTITY,
    MAX_PRICE,
    money,
    notional,
    price,
    quantity,
)
from slipstream.portfolio.records import PortfolioSeeded, SeedPosition
from slipstream.risk.setup import load_portfolio, parse_portfolio
from slipstream.store.codec import _default, decode_batch, encode_batch, kind_of

FORTY_PLACES = "1." + "0" * 39 + "1"
LONG_TEXT = "9" * 5000


def _refused(call: Any, value: object, field: str) -> InputError:
    """Return the error ``call(value, field)`` raises, checking it reads as a sentence."""
    with pytest.raises(InputError) as info:
        call(value, field)
    exc = info.value
    assert exc.field == field
    text = str(exc)
    assert not text.startswith("(")  # a sentence, not the args tuple
    assert f"'{field}'" in text
    assert exc.rule is not None
    assert exc.rule in text
    return exc


# --- quantity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (10**21, "at most 1,000,000,000 shares"),
        (2**63, "at most 1,000,000,000 shares"),
        (MAX_ORDER_QUANTITY + 1, "at most 1,000,000,000 shares"),
        (str(MAX_ORDER_QUANTITY + 1), "at most 1,000,000,000 shares"),
        ("1e999999", "at most 1,000,000,000 shares"),
        ("1e21", "at most 1,000,000,000 shares"),
        ("NaN", "finite"),
        ("sNaN", "finite"),
        ("Infinity", "finite"),
        ("-Infinity", "finite"),
        (Decimal("NaN"), "finite"),
        ("-0", "negative zero"),
        ("abc", "not a decimal number"),
        ("1e-999999", "whole number"),
        ("-1e999999", "whole number"),
        (float("nan"), "whole number"),
        (1e21, "whole number"),
    ],
)
def test_quantity_refuses_out_of_bounds(value: object, rule: str) -> None:
    exc = _refused(quantity, value, "quantity")
    assert exc.rule is not None
    assert rule in exc.rule
    assert exc.value is value  # the value exactly as given


def test_quantity_refuses_a_huge_int_without_printing_it() -> None:
    exc = _refused(quantity, 10**5000, "quantity")
    assert "bits" in str(exc.value)
    assert exc.rule is not None
    assert "at most 1,000,000,000" in exc.rule


def test_quantity_accepts_the_bounds() -> None:
    assert quantity(1) == 1
    assert quantity(MAX_ORDER_QUANTITY) == MAX_ORDER_QUANTITY
    assert quantity("1000000000") == MAX_ORDER_QUANTITY
    assert quantity("1e9") == MAX_ORDER_QUANTITY
    assert quantity(Decimal("1E+9")) == MAX_ORDER_QUANTITY
    assert MAX_ORDER_QUANTITY < 2**63 - 1


# --- price ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1e999999", "at most 10,000,000"),
        ("10000000.01", "at most 10,000,000"),
        ("10000000.00000001", "at most 10,000,000"),
        (10**21, "at most 10,000,000"),
        ("NaN", "finite"),
        ("sNaN", "finite"),
        (Decimal("sNaN"), "finite"),
        ("Infinity", "finite"),
        ("-inf", "finite"),
        ("-0", "negative zero"),
        ("0", "> 0"),
        ("-1e999999", "> 0"),
        (FORTY_PLACES, "at most 8 decimal places"),
        ("0.000000001", "at most 8 decimal places"),
        ("1e-999999", "at most 8 decimal places"),
        ("ten", "not a decimal number"),
        ("", "not a decimal number"),
        (10.5, "not a float"),
        (True, "not a bool"),
        (None, "must be str, int or Decimal"),
    ],
)
def test_price_refuses_out_of_bounds(value: object, rule: str) -> None:
    exc = _refused(price, value, "limit_price")
    assert exc.rule is not None
    assert rule in exc.rule
    assert exc.value is value


def test_price_accepts_the_bounds() -> None:
    assert price("0.00000001") == Decimal("1e-8")
    assert price("10000000") == MAX_PRICE
    assert price("9999999.99999999") == Decimal("9999999.99999999")
    assert price(Decimal("1E+7")) == MAX_PRICE
    assert price("  12.5 ") == Decimal("12.5")


def test_overlong_text_is_refused_and_shown_short() -> None:
    exc = _refused(price, LONG_TEXT, "price")
    assert exc.rule is not None
    assert f"at most {MAX_NUMBER_TEXT} characters" in exc.rule
    assert "5,000 characters" in str(exc.value)
    assert len(str(exc)) < 200


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1e999999", "within ±1,000,000,000,000,000"),
        ("-1e16", "within ±1,000,000,000,000,000"),
        (10**16, "within ±1,000,000,000,000,000"),
        ("1000000000000000.00000001", "within ±1,000,000,000,000,000"),
        ("NaN", "finite"),
        ("-sNaN", "finite"),
        ("Infinity", "finite"),
        ("-0", "negative zero"),
        ("-0.00", "negative zero"),
        (Decimal("-0"), "negative zero"),
        ("0." + "0" * 39 + "1", "at most 8 decimal places"),
        ("1E-999999", "at most 8 decimal places"),
        ("1 000", "not a decimal number"),
        (float("inf"), "not a float"),
    ],
)
def test_money_refuses_out_of_bounds(value: object, rule: str) -> None:
    exc = _refused(money, value, "cash")
    assert exc.rule is not None
    assert rule in exc.rule
    assert exc.value is value


def test_money_accepts_the_bounds() -> None:
    assert money("1000000000000000") == MAX_MONEY
    assert money("-1000000000000000") == -MAX_MONEY
    assert money(10**15) == MAX_MONEY
    assert money("0") == 0
    assert money("-0.00000001") == Decimal("-1e-8")
    assert money("999999999999999.99999999") == Decimal("999999999999999.99999999")


def test_notional_of_accepted_extremes_is_exact() -> None:
    px = price("9999999.99999999")
    exact = Decimal(999999999999999) * MAX_POSITION_QUANTITY / Decimal(10**8)
    assert notional(px, MAX_POSITION_QUANTITY) == exact
    assert str(notional(px, MAX_POSITION_QUANTITY)) == "999999999999999000.00000000"


# --- timestamps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (2**63, "signed 64-bit"),
        (-1, "signed 64-bit"),
        ("9223372036854775808", "signed 64-bit"),
        ("-5", "signed 64-bit"),
        ("2262-04-12T00:00:00Z", "2262-04-11"),
        ("9999-12-31T23:59:59", "2262-04-11"),
        ("1969-12-31T23:59:59Z", "1970-01-01"),
        ("0001-01-01T00:00:00+05:00", "1970-01-01"),
        ("²", "ISO-8601"),
        ("tomorrow", "ISO-8601"),
        ("NaN", "ISO-8601"),
        (1.5e18, "ISO-8601"),
        (True, "ISO-8601"),
        ("9" * 100, "at most 64 characters"),
    ],
)
def test_parse_timestamp_refuses_out_of_range(value: object, rule: str) -> None:
    exc = _refused(parse_timestamp, value, "submit_at")
    assert exc.rule is not None
    assert rule in exc.rule


def test_parse_timestamp_refuses_a_huge_int_without_printing_it() -> None:
    exc = _refused(parse_timestamp, 10**5000, "submit_at")
    assert "bits" in str(exc.value)


def test_parse_timestamp_accepts_the_range() -> None:
    assert parse_timestamp(0) == 0
    assert parse_timestamp(MAX_TIMESTAMP_NS) == 2**63 - 1
    assert parse_timestamp(str(MAX_TIMESTAMP_NS)) == 2**63 - 1
    assert parse_timestamp("1970-01-01T00:00:00Z") == 0
    assert parse_timestamp("2262-04-11T23:47:16Z") == 9_223_372_036_000_000_000
    assert parse_timestamp("2013-10-07T09:45:00") == 1_381_153_500_000_000_000


# --- latency (the CLI's --latency-ms) ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("nan", "finite"),
        (float("nan"), "finite"),
        ("Infinity", "finite"),
        (float("inf"), "finite"),
        ("1e999999", "at most 60,000 milliseconds"),
        ("60000.001", "at most 60,000 milliseconds"),
        (-1, ">= 0"),
        (-0.5, ">= 0"),
        ("-0", "negative zero"),
        (-0.0, "negative zero"),
        ("fast", "not a decimal number"),
        (True, "not a bool"),
    ],
)
def test_latency_refuses_out_of_bounds(value: object, rule: str) -> None:
    exc = _refused(latency_ns_from_ms, value, "--latency-ms")
    assert exc.rule is not None
    assert rule in exc.rule


def test_latency_accepts_the_bounds_in_whole_nanoseconds() -> None:
    assert latency_ns_from_ms("0") == 0
    assert latency_ns_from_ms(0.0) == 0
    assert latency_ns_from_ms("60000") == 60_000_000_000 == int(MAX_LATENCY_MS) * 10**6
    assert latency_ns_from_ms(0.1) == 100_000  # the float's decimal form, not 0.1000000000000000055
    assert latency_ns_from_ms(Decimal("0.000001")) == 1
    assert latency_ns_from_ms("2.5") == 2_500_000


# --- orders and the portfolio file ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"quantity": MAX_ORDER_QUANTITY + 1}, "quantity", "at most 1,000,000,000"),
        ({"quantity": 10**21}, "quantity", "at most 1,000,000,000"),
        (
            {"order_type": OrderType.LIMIT, "limit_price": Decimal("1e999999")},
            "limit_price",
            "at most 10,000,000",
        ),
        (
            {"order_type": OrderType.TRAILING_STOP, "trail_bps": MAX_TRAIL_BPS + 1},
            "trail_bps",
            "at most 10,000",
        ),
        (
            {"order_type": OrderType.TRAILING_STOP, "trail_amount": MAX_PRICE + 1},
            "trail_amount",
            "at most 10,000,000",
        ),
    ],
)
def test_order_spec_refuses_out_of_bounds(kwargs: dict[str, object], field: str, rule: str) -> None:
    base: dict[str, object] = {"client_order_id": "c1", "symbol": "X", "side": Side.BUY}
    base["quantity"] = 100
    base.update(kwargs)
    spec = OrderSpec(**base)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        spec.validate(Instrument("X", Decimal("0.01")))
    assert info.value.field == field
    assert info.value.rule is not None
    assert rule in info.value.rule


def test_order_spec_accepts_the_bounds() -> None:
    instrument = Instrument("X", Decimal("0.01"))
    OrderSpec("c1", "X", Side.BUY, MAX_ORDER_QUANTITY).validate(instrument)  # type: ignore[arg-type]
    OrderSpec(
        "c2",  # type: ignore[arg-type]
        "X",
        Side.SELL,
        100,
        OrderType.LIMIT,
        limit_price=MAX_PRICE,
    ).validate(instrument)
    OrderSpec(
        "c3",  # type: ignore[arg-type]
        "X",
        Side.SELL,
        100,
        OrderType.TRAILING_STOP,
        trail_bps=MAX_TRAIL_BPS,
    ).validate(instrument)


def _portfolio(**position: object) -> dict[str, object]:
    row: dict[str, object] = {"symbol": "AAPL", "quantity": 100, "avg_cost": "120"}
    row.update(position)
    return {"cash": "1000", "positions": [row]}


@pytest.mark.parametrize(
    ("document", "field", "rule"),
    [
        ({"cash": "1e999999"}, "cash", "within ±"),
        ({"cash": "NaN"}, "cash", "finite"),
        ({"cash": float("inf")}, "cash", "not a float"),
        ({"cash": "-0"}, "cash", "negative zero"),
        (_portfolio(quantity=10**21), "positions[0].quantity", "at most 100,000,000,000"),
        (_portfolio(quantity=-(10**12)), "positions[0].quantity", "at most 100,000,000,000"),
        (_portfolio(avg_cost=FORTY_PLACES), "positions[0].avg_cost", "decimal places"),
        (_portfolio(mark="1e999999"), "positions[0].mark", "at most 10,000,000"),
    ],
)
def test_portfolio_refuses_out_of_bounds(document: object, field: str, rule: str) -> None:
    with pytest.raises(InputError) as info:
        parse_portfolio(document)
    assert info.value.field == field
    assert info.value.rule is not None
    assert rule in info.value.rule


def test_portfolio_accepts_the_bounds() -> None:
    document = _portfolio(quantity=-MAX_POSITION_QUANTITY, avg_cost="9999999.99999999")
    document["cash"] = str(MAX_MONEY)
    portfolio = parse_portfolio(document)
    assert portfolio.cash == MAX_MONEY
    assert portfolio.positions["AAPL"].quantity == -MAX_POSITION_QUANTITY


def test_portfolio_file_with_an_endless_integer_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.json"
    path.write_text('{"cash": ' + LONG_TEXT + "}")
    with pytest.raises(InputError) as info:
        load_portfolio(path)
    assert info.value.field == "portfolio"
    assert info.value.rule is not None
    assert "not valid JSON" in info.value.rule


def test_portfolio_file_with_json_nan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps({"cash": float("nan")}))  # writes the bare NaN literal
    with pytest.raises(InputError) as info:
        load_portfolio(path)
    assert info.value.field == "cash"


# --- whatever the builders accept, the journal can write -----------------------------------

_NUMERIC_TEXT = st.one_of(
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(
        lambda digits, exponent, sign: f"{sign}{digits}e{exponent}",
        st.integers(min_value=0, max_value=10**30),
        st.integers(min_value=-1_000_000, max_value=1_000_000),
        st.sampled_from(["", "-", "+"]),
    ),
    st.text(max_size=30),
)
_ANY_INPUT = st.one_of(
    _NUMERIC_TEXT,
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**16), max_value=10**16, places=MAX_DECIMAL_PLACES),
    st.floats(),
)


def _accepted(build: Any, value: object) -> Any:
    try:
        return build(value)
    except InputError:
        return None


def _journal_round_trip(cash: Decimal, qty: int, px: Decimal, ts_init: int) -> None:
    """Encode a record through the codec's batch path and decode it unchanged."""
    record = PortfolioSeeded(cash, (SeedPosition("AAPL", qty, px),), ts_init)
    [(kind, ts, back)] = decode_batch(encode_batch([(kind_of(PortfolioSeeded), ts_init, record)]))
    assert (kind, ts, back) == (kind_of(PortfolioSeeded), ts_init, record)
    assert str(back.cash) == str(cash) and str(back.positions[0].avg_cost) == str(px)


@given(_ANY_INPUT)
def test_whatever_quantity_accepts_orjson_encodes(value: object) -> None:
    qty = _accepted(quantity, value)
    if qty is not None:
        assert orjson.loads(orjson.dumps([qty], default=_default)) == [qty]
        _journal_round_trip(Decimal(0), qty, Decimal(1), 0)


@given(_ANY_INPUT)
def test_whatever_price_accepts_orjson_encodes(value: object) -> None:
    px = _accepted(price, value)
    if px is not None:
        assert Decimal(orjson.loads(orjson.dumps([px], default=_default))[0]) == px
        assert notional(px, MAX_ORDER_QUANTITY) == px * MAX_ORDER_QUANTITY  # no overflow
        _journal_round_trip(Decimal(0), 1, px, 0)


@given(_ANY_INPUT)
def test_whatever_money_accepts_orjson_encodes(value: object) -> None:
    amount = _accepted(money, value)
    if amount is not None:
        assert Decimal(orjson.loads(orjson.dumps([amount], default=_default))[0]) == amount
        _journal_round_trip(amount, 1, Decimal(1), 0)


@given(st.one_of(st.integers(), _NUMERIC_TEXT))
def test_whatever_parse_timestamp_accepts_orjson_encodes(value: object) -> None:
    ts = _accepted(lambda v: parse_timestamp(v, "ts"), value)
    if ts is not None:
        _journal_round_trip(Decimal(0), 1, Decimal(1), ts)


@given(
    st.integers(min_value=-MAX_POSITION_QUANTITY, max_value=MAX_POSITION_QUANTITY).filter(bool),
    st.decimals(min_value=Decimal("1e-8"), max_value=MAX_PRICE, places=MAX_DECIMAL_PLACES),
    st.decimals(min_value=-MAX_MONEY, max_value=MAX_MONEY, places=MAX_DECIMAL_PLACES).filter(
        lambda d: not (d.is_zero() and d.is_signed())
    ),
)
def test_accepted_extremes_journal_exactly(qty: int, px: Decimal, cash: Decimal) -> None:
    assert price(px) == px and money(cash) == cash
    _journal_round_trip(cash, qty, px, MAX_TIMESTAMP_NS)


def test_a_long_decimal_is_shown_short() -> None:
    exc = _refused(money, Decimal("9" * 1000), "cash")
    assert exc.value == "a decimal of 1,000 digits"
    assert exc.rule is not None
    assert "within ±" in exc.rule


def test_exponents_beyond_decimal_range_are_refused_not_overflowed() -> None:
    for build, field in ((money, "cash"), (price, "price"), (quantity, "quantity")):
        for value in ("10000E999996", "-10000E999996", "1E-1000000"):
            _refused(build, value, field)
