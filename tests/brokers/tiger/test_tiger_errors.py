"""Every tigeropen failure maps once into the broker error tree, and the mapping is complete."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
import tigeropen.common.exceptions as sdk_exceptions
import tigeropen.push.network.exception as push_exceptions
from hypothesis import given
from hypothesis import strategies as st
from tigeropen.common.exceptions import ApiException, RequestException, ResponseException
from tigeropen.push.network.exception import ConnectFailedException

from slipstream.brokers.tiger.errors import (
    API_CODES,
    SDK_EXCEPTIONS,
    map_exception,
    outcome_unknown,
)
from slipstream.core.errors import (
    BrokerAuthError,
    BrokerError,
    BrokerRequestError,
    BrokerTimeoutError,
    BrokerUnavailableError,
)


def _sample(cls: type[Exception]) -> Exception:
    if issubclass(cls, ApiException):
        return cls(1200, "refused")
    if issubclass(cls, ResponseException):
        response_cls: Callable[..., Exception] = cls  # tigeropen is untyped
        return response_cls("invalid http status 502", status=502)
    return cls("failed")


def _sdk_exception_classes() -> list[type[Exception]]:
    found = []
    for module in (sdk_exceptions, push_exceptions):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Exception) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


@pytest.mark.parametrize("cls", _sdk_exception_classes(), ids=lambda c: c.__name__)
def test_every_sdk_exception_maps_to_a_specific_broker_error(cls: type[Exception]) -> None:
    assert issubclass(cls, SDK_EXCEPTIONS), f"{cls.__name__} is not covered by the mapping"
    mapped = map_exception(_sample(cls), "test")
    assert isinstance(mapped, BrokerError)
    assert type(mapped) is not BrokerError, "a vendor failure must map to a specific class"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1, BrokerUnavailableError),
        (2, BrokerTimeoutError),
        (4, BrokerAuthError),
        (5, BrokerUnavailableError),
        (1000, BrokerRequestError),
        (1010, BrokerRequestError),
        (1200, BrokerRequestError),
        (4001, BrokerAuthError),
        (987654, BrokerRequestError),
    ],
)
def test_api_codes(code: int, expected: type[BrokerError]) -> None:
    mapped = map_exception(ApiException(code, "message"), "place_order X")
    assert type(mapped) is expected
    assert f"code {code}" in str(mapped) and "place_order X" in str(mapped)


def test_every_documented_code_has_a_class() -> None:
    for code, kind in API_CODES.items():
        assert type(map_exception(ApiException(code, "m"), "a")) is kind


def test_bad_signature_is_an_auth_error() -> None:
    text = "failed to verify signature, please make sure you use the correct rsa private key"
    assert type(map_exception(ApiException(1000, text), "accounts")) is BrokerAuthError


def test_request_failures_split_timeouts_from_unreachable() -> None:
    # The SDK puts the whole request before " detail: "; a word in the request must not count.
    timed_out = RequestException(
        "POST failed params: {'x': 1} detail: Read timed out. (read timeout=1)"
    )
    refused = RequestException("POST failed params: {'timeout': 1} detail: Connection refused")
    assert type(map_exception(timed_out, "a")) is BrokerTimeoutError
    assert type(map_exception(refused, "a")) is BrokerUnavailableError


@pytest.mark.parametrize(
    ("status", "text", "expected"),
    [
        (503, "invalid http status 503", BrokerUnavailableError),
        (502, "invalid http status 502", BrokerUnavailableError),
        (429, "invalid http status 429", BrokerUnavailableError),
        (401, "invalid http status 401", BrokerAuthError),
        (404, "invalid http status 404", BrokerRequestError),
        (None, "response sign verify failed. bad", BrokerAuthError),
    ],
)
def test_http_failures(status: int | None, text: str, expected: type[BrokerError]) -> None:
    assert type(map_exception(ResponseException(text, status=status), "a")) is expected


def test_push_failures_are_unavailable() -> None:
    assert type(map_exception(ConnectFailedException(), "push")) is BrokerUnavailableError


def test_outcome_unknown_only_when_the_request_may_have_arrived() -> None:
    assert outcome_unknown(BrokerTimeoutError("t"))
    assert outcome_unknown(BrokerUnavailableError("u"))
    assert not outcome_unknown(BrokerRequestError("r"))
    assert not outcome_unknown(BrokerAuthError("a"))


@given(st.integers(min_value=-10_000, max_value=10_000_000), st.text(max_size=40))
def test_any_api_error_maps_to_a_broker_error(code: int, message: str) -> None:
    mapped = map_exception(ApiException(code, message), "q")
    assert isinstance(mapped, BrokerError) and type(mapped) is not BrokerError
