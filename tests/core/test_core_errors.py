"""One error shape: every class in the tree takes a sentence or (field, value, rule), the same way."""

from __future__ import annotations

import inspect

import pytest

import slipstream.core.errors as errors
from slipstream.core.errors import InputError, OrderInputError, SlipstreamError, StateError

#: Exit codes as the module docstring draws them (independent of the classes' attributes).
EXIT_CODES = {
    "SlipstreamError": 1,
    "InputError": 2,
    "OrderInputError": 2,
    "UnknownInstrumentError": 2,
    "ConfigError": 3,
    "DataError": 4,
    "StateError": 5,
    "InvalidTransitionError": 5,
    "TradingHaltedError": 5,
    "JournalError": 6,
    "BrokerError": 7,
    "BrokerUnavailableError": 7,
    "BrokerTimeoutError": 7,
    "BrokerAuthError": 3,
    "BrokerRequestError": 7,
}
CLASSES = [
    cls
    for _name, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, SlipstreamError)
]


def test_every_class_in_the_tree_is_drawn_in_the_docstring() -> None:
    assert {cls.__name__ for cls in CLASSES} == set(EXIT_CODES)
    for cls in CLASSES:
        assert cls.__name__ in (errors.__doc__ or "")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_takes_a_sentence_or_field_value_rule(cls: type[SlipstreamError]) -> None:
    plain = cls("the gateway closed the connection")
    assert str(plain) == "the gateway closed the connection"
    assert (plain.field, plain.value, plain.rule) == (None, None, None)
    parts = cls("parent_id", "P1", "is already cancelled", where="orders.csv row 3")
    assert str(parts) == "orders.csv row 3: field 'parent_id' = 'P1': is already cancelled"
    assert (parts.field, parts.value, parts.rule, parts.where) == (
        "parent_id",
        "P1",
        "is already cancelled",
        "orders.csv row 3",
    )
    assert cls.exit_code == EXIT_CODES[cls.__name__]


def test_a_value_without_a_rule_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        StateError("parent_id", "P1")


def test_state_errors_built_from_parts_read_as_a_sentence_not_a_tuple() -> None:
    message = str(StateError("parent_id", "P1", "is already cancelled"))
    assert message == "field 'parent_id' = 'P1': is already cancelled"
    assert "(" not in message


def test_located_keeps_the_parts_and_adds_where() -> None:
    found = InputError("quantity", -5, "must be positive").located(OrderInputError, "f.csv row 2")
    assert isinstance(found, OrderInputError)
    assert str(found) == "f.csv row 2: field 'quantity' = -5: must be positive"
