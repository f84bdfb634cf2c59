"""Configuration of the Tiger adapter, validated before anything is sent.

A real account needs four things from Tiger's developer page: the **tiger id**, the **account**,
the developer's **RSA private key** (a PEM file; PKCS#1 ``BEGIN RSA PRIVATE KEY`` as Tiger hands
it out, PKCS#8 ``BEGIN PRIVATE KEY`` is converted) and nothing else: the server URLs, the push
host and Tiger's public key default to the SDK's production values. The local gateway overrides
the URLs, the push address and ``tiger_public_key``.

Every problem is a :class:`~slipstream.core.errors.ConfigError` naming the field, raised by
:meth:`TigerConfig.from_mapping` or :meth:`TigerConfig.private_key_body` — before any request.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from slipstream.core.errors import ConfigError


def _fail(field: str, value: object, rule: str) -> ConfigError:
    return ConfigError(f"tiger config: field '{field}' = {value!r}: {rule}")


def _pem_body(text: str) -> str:
    return "".join(line.strip() for line in text.splitlines() if line and "-----" not in line)


@dataclass(frozen=True, slots=True)
class TigerConfig:
    """Everything the adapter needs; durations in seconds, as in the TOML file.

    ``private_key_path`` is the developer's private key file. ``tiger_public_key`` (the base64
    body of Tiger's public key, used to verify response signatures) and the URLs are only set
    when talking to something other than Tiger's production servers. ``push_ssl`` is True for
    Tiger and False for the local gateway.
    """

    tiger_id: str
    account: str
    private_key_path: Path
    tiger_public_key: str | None = None
    server_url: str | None = None
    quote_server_url: str | None = None
    push_host: str | None = None
    push_port: int | None = None
    push_ssl: bool = True
    use_push: bool = True
    license: str | None = None
    timeout_secs: float = 15.0
    query_retries: int = 4
    retry_backoff_secs: float = 0.2
    poll_interval_secs: float = 2.0
    watchdog_secs: float = 5.0
    resolve_delay_secs: float = 0.5
    max_place_attempts: int = 3
    reconnect_backoff_secs: float = 0.5
    workers: int = 4

    def __post_init__(self) -> None:
        for name in ("tiger_id", "account"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise _fail(name, value, "must be a non-empty string")
        for name in (
            "timeout_secs",
            "poll_interval_secs",
            "watchdog_secs",
            "reconnect_backoff_secs",
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise _fail(name, value, "must be a number of seconds > 0")
        for name in ("retry_backoff_secs", "resolve_delay_secs"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise _fail(name, value, "must be a number of seconds >= 0")
        for name, low in (("query_retries", 0), ("max_place_attempts", 1), ("workers", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise _fail(name, value, f"must be a whole number >= {low}")
        if (self.push_host is None) != (self.push_port is None):
            raise _fail("push_port", self.push_port, "push_host and push_port go together")
        if self.push_port is not None and not 0 < self.push_port < 65536:
            raise _fail("push_port", self.push_port, "must be a TCP port (1-65535)")
        for name in ("server_url", "quote_server_url"):
            value = getattr(self, name)
            if value is not None and not str(value).startswith(("http://", "https://")):
                raise _fail(name, value, "must be an http:// or https:// URL")
        if self.tiger_public_key is not None:
            self.public_key_body()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> TigerConfig:
        """Build from a mapping (a ``[broker.tiger]`` TOML table); unknown keys are refused."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise _fail(unknown[0], data[unknown[0]], f"is not a setting (known: {sorted(known)})")
        missing = [name for name in ("tiger_id", "account", "private_key_path") if name not in data]
        if missing:
            raise _fail(missing[0], None, "is required")
        values = dict(data)
        values["private_key_path"] = Path(values["private_key_path"]).expanduser()
        return cls(**values)

    def private_key_body(self) -> str:
        """Return the private key as the SDK wants it: base64 PKCS#1 DER, no PEM lines.

        Raise :class:`ConfigError` when the file is missing, unreadable, not a key or not RSA.
        """
        path = self.private_key_path
        if not path.is_file():
            raise _fail("private_key_path", str(path), "no such file")
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail("private_key_path", str(path), f"cannot be read ({exc})") from exc
        try:
            key = serialization.load_der_private_key(
                base64.b64decode(_pem_body(text), validate=True), password=None
            )
        except (ValueError, TypeError) as exc:
            raise _fail(
                "private_key_path", str(path), "is not a PEM RSA private key (PKCS#1 or PKCS#8)"
            ) from exc
        if not isinstance(key, RSAPrivateKey):
            raise _fail("private_key_path", str(path), "holds a key that is not RSA")
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        return base64.b64encode(der).decode()

    def public_key_body(self) -> str | None:
        """Return ``tiger_public_key`` checked to be an RSA public key (None: SDK default)."""
        if self.tiger_public_key is None:
            return None
        body = _pem_body(self.tiger_public_key)
        try:
            key = serialization.load_der_public_key(base64.b64decode(body, validate=True))
        except (ValueError, TypeError) as exc:
            raise _fail("tiger_public_key", body[:24] + "…", "is not an RSA public key") from exc
        if not isinstance(key, RSAPublicKey):
            raise _fail("tiger_public_key", body[:24] + "…", "is not an RSA public key")
        return body
