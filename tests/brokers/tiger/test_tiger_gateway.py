"""The local gateway speaks Tiger's protocol: checked here over raw HTTP, without the SDK.

The signing rule is re-implemented in this test from Tiger's description (RSA PKCS#1 v1.5 over
SHA-1 of the sorted ``k=v&...`` parameters; responses sign the request's timestamp), so the
gateway is checked against the protocol, not against itself.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from slipstream.brokers.tiger import GatewayHandle, start_local_gateway

TIMESTAMP = "2026-01-05 09:30:00"


@pytest.fixture(scope="module")
def gateway() -> Iterator[GatewayHandle]:
    with start_local_gateway() as handle:
        yield handle


def _signed(gateway: GatewayHandle, method: str, biz: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "method": method,
        "biz_content": json.dumps(biz, sort_keys=True, separators=(",", ":")),
        "tiger_id": gateway.tiger_id,
        "charset": "UTF-8",
        "sign_type": "RSA",
        "version": "2.0",
        "timestamp": TIMESTAMP,
        "device_id": "test",
    }
    content = "&".join(f"{k}={params[k]}" for k in sorted(params))
    key = serialization.load_pem_private_key(gateway.private_key_path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA1())
    params["sign"] = base64.b64encode(signature).decode()
    return params


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        reply: dict[str, Any] = json.loads(response.read())
    return reply


def _verify_response(gateway: GatewayHandle, reply: dict[str, Any]) -> None:
    public = serialization.load_der_public_key(base64.b64decode(gateway.gateway_public_key))
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(
        base64.b64decode(reply["sign"]), TIMESTAMP.encode(), padding.PKCS1v15(), hashes.SHA1()
    )


def test_signed_request_gets_a_signed_answer(gateway: GatewayHandle) -> None:
    reply = _post(gateway.http_url, _signed(gateway, "accounts", {}))
    assert reply["code"] == 0
    assert reply["data"]["items"][0]["account"] == gateway.account
    _verify_response(gateway, reply)


def test_tampered_or_unsigned_requests_are_refused(gateway: GatewayHandle) -> None:
    params = _signed(gateway, "positions", {"account": gateway.account})
    params["biz_content"] = params["biz_content"].replace(gateway.account, "U9999999")
    assert _post(gateway.http_url, params)["code"] == 1000
    del params["sign"]
    assert "signature" in _post(gateway.http_url, params)["message"]
    other = _signed(gateway, "accounts", {})
    other["tiger_id"] = "not-me"
    assert _post(gateway.http_url, other)["code"] == 1000


def test_a_forged_response_signature_does_not_verify(gateway: GatewayHandle) -> None:
    reply = _post(gateway.http_url, _signed(gateway, "accounts", {}))
    reply["sign"] = base64.b64encode(b"\x00" * 128).decode()
    with pytest.raises(InvalidSignature):
        _verify_response(gateway, reply)


def test_user_mark_is_an_idempotency_key(gateway: GatewayHandle) -> None:
    order = {
        "account": gateway.account,
        "symbol": "MSFT",
        "sec_type": "STK",
        "currency": "USD",
        "action": "BUY",
        "order_type": "LMT",
        "limit_price": 300.0,
        "total_quantity": 10,
        "time_in_force": "DAY",
        "user_mark": "same-id",
    }
    before = gateway.control("stats")
    first = _post(gateway.http_url, _signed(gateway, "place_order", order))
    second = _post(gateway.http_url, _signed(gateway, "place_order", order))
    assert first["code"] == second["code"] == 0
    assert first["data"]["id"] == second["data"]["id"]
    after = gateway.control("stats")
    assert after["orders"] == before["orders"] + 1
    assert after["duplicate_marks"] == before["duplicate_marks"] + 1


def test_scripted_api_error_codes(gateway: GatewayHandle) -> None:
    gateway.control("faults", script=[{"method": "assets", "kind": "api_error", "code": 5}])
    reply = _post(gateway.http_url, _signed(gateway, "assets", {"account": gateway.account}))
    assert (reply["code"], reply["message"]) == (5, "rate limit error")
    assert _post(gateway.http_url, _signed(gateway, "assets", {}))["code"] == 0


def test_refusals_use_tiger_codes(gateway: GatewayHandle) -> None:
    too_big = {
        "account": gateway.account,
        "symbol": "AAPL",
        "action": "BUY",
        "order_type": "MKT",
        "total_quantity": 5_000_000,
        "user_mark": "big",
    }
    assert _post(gateway.http_url, _signed(gateway, "place_order", too_big))["code"] == 1200
    unknown = _post(gateway.http_url, _signed(gateway, "no_such_method", {}))
    assert unknown["code"] == 1000 and "not support" in unknown["message"]
