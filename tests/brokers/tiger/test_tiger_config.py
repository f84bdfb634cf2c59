"""Bad configuration fails clearly at start-up, and nothing is sent."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from slipstream.brokers.tiger import GatewayHandle, TigerBroker, TigerConfig, start_local_gateway
from slipstream.core.clock import LiveClock
from slipstream.core.errors import (
    BrokerAuthError,
    BrokerUnavailableError,
    ConfigError,
    StateError,
)
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import Side
from slipstream.model.orders_spec import OrderSpec


@pytest.fixture(scope="module")
def gateway() -> Iterator[GatewayHandle]:
    with start_local_gateway() as handle:
        yield handle


def _calls(gateway: GatewayHandle) -> dict[str, int]:
    return dict(gateway.control("stats")["calls"])


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def _write(path: Path, key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat) -> Path:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    )
    return path


def test_missing_key_file(gateway: GatewayHandle, tmp_path: Path) -> None:
    before = _calls(gateway)
    config = gateway.config(private_key_path=tmp_path / "absent.pem")
    with pytest.raises(ConfigError, match=r"private_key_path.*no such file"):
        TigerBroker.from_config(config)
    assert _calls(gateway) == before


def test_malformed_key(gateway: GatewayHandle, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text(
        "-----BEGIN RSA PRIVATE KEY-----\nnot a key at all\n-----END RSA PRIVATE KEY-----\n"
    )
    before = _calls(gateway)
    with pytest.raises(ConfigError, match="not a PEM RSA private key"):
        TigerBroker.from_config(gateway.config(private_key_path=bad))
    assert _calls(gateway) == before


def test_pkcs8_key_is_accepted(gateway: GatewayHandle, tmp_path: Path) -> None:
    pem = gateway.private_key_path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    pkcs8 = _write(tmp_path / "pkcs8.pem", key, serialization.PrivateFormat.PKCS8)
    broker = TigerBroker.from_config(gateway.config(private_key_path=pkcs8, use_push=False))
    broker.connect(lambda event: None)
    broker.close()


def test_wrong_account_refused_before_any_order(gateway: GatewayHandle) -> None:
    before = _calls(gateway)
    broker = TigerBroker.from_config(gateway.config(account="U0000000"), LiveClock())
    with pytest.raises(BrokerAuthError, match="U0000000"):
        broker.connect(lambda event: None)
    with pytest.raises(StateError):
        broker.submit(OrderSpec(ClientOrderId("X"), "AAPL", Side.BUY, 1))
    after = _calls(gateway)
    assert after.get("place_order", 0) == before.get("place_order", 0)
    assert after["accounts"] == before.get("accounts", 0) + 1


def test_wrong_private_key_is_an_auth_error(gateway: GatewayHandle, tmp_path: Path) -> None:
    other = _write(
        tmp_path / "other.pem", _new_key(), serialization.PrivateFormat.TraditionalOpenSSL
    )
    bad_before = gateway.control("stats")["bad_signatures"]
    broker = TigerBroker.from_config(gateway.config(private_key_path=other))
    with pytest.raises(BrokerAuthError, match="signature"):
        broker.connect(lambda event: None)
    assert gateway.control("stats")["bad_signatures"] == bad_before + 1


def test_wrong_gateway_public_key_is_an_auth_error(gateway: GatewayHandle) -> None:
    public = (
        _new_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    config = gateway.config(tiger_public_key=base64.b64encode(public).decode())
    with pytest.raises(BrokerAuthError, match="sign verify failed"):
        TigerBroker.from_config(config).connect(lambda event: None)


def test_malformed_public_key_is_a_config_error(gateway: GatewayHandle) -> None:
    with pytest.raises(ConfigError, match="tiger_public_key"):
        gateway.config(tiger_public_key="bm90IGEga2V5")


def test_from_mapping_validates_fields(tmp_path: Path) -> None:
    good = {"tiger_id": "1", "account": "U1", "private_key_path": str(tmp_path / "k.pem")}
    config = TigerConfig.from_mapping(good)
    assert config.private_key_path == tmp_path / "k.pem" and config.push_ssl
    with pytest.raises(ConfigError, match="'tigerid'"):
        TigerConfig.from_mapping({**good, "tigerid": "1"})
    with pytest.raises(ConfigError, match=r"'account'.*required"):
        TigerConfig.from_mapping({k: v for k, v in good.items() if k != "account"})
    with pytest.raises(ConfigError, match="push_port"):
        TigerConfig.from_mapping({**good, "push_host": "127.0.0.1"})
    with pytest.raises(ConfigError, match="timeout_secs"):
        replace(config, timeout_secs=0)
    with pytest.raises(ConfigError, match="server_url"):
        replace(config, server_url="ftp://x")


def test_unreachable_push_address_fails_fast(gateway: GatewayHandle) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    broker = TigerBroker.from_config(gateway.config(push_port=closed_port, timeout_secs=0.5))
    with pytest.raises(BrokerUnavailableError, match="push connect"):
        broker.connect(lambda event: None)
    broker.close()
