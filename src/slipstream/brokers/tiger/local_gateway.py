"""Start the local Tiger gateway as a real process and point a :class:`TigerConfig` at it.

The gateway (``tools/tiger_gateway``) is a development and test tool that lives beside the
package, not inside it; this module only launches it (``python -m tools.tiger_gateway``) from
the source checkout and reads the one JSON line it prints. :class:`GatewayHandle` is a context
manager that stops the process on exit, and its :meth:`GatewayHandle.control` drives the
gateway's scripted venue and fault injection.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from slipstream.brokers.tiger.config import TigerConfig
from slipstream.core.errors import ConfigError, StateError
from slipstream.model.market import BookSnapshot, MarketRecord, QuoteTick, TradeTick

CENT = Decimal("0.01")


def project_root() -> Path:
    """Return the source checkout holding ``tools/tiger_gateway`` (src layout: three up)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "tools" / "tiger_gateway" / "__main__.py").is_file():
            return parent
    raise ConfigError(
        "the local Tiger gateway needs the source checkout (tools/tiger_gateway not found)"
    )


@dataclass
class GatewayHandle:
    """A running gateway: where it listens, who it accepts, and how to stop or drive it."""

    process: subprocess.Popen[str]
    http_url: str
    push_host: str
    push_port: int
    tiger_id: str
    account: str
    gateway_public_key: str
    private_key_path: Path
    symbols: list[str] = field(default_factory=list)

    @property
    def control_url(self) -> str:
        return self.http_url.rsplit("/", 1)[0] + "/control"

    def config(self, **overrides: Any) -> TigerConfig:
        """Return a TigerConfig pointing at this gateway (fast test timings unless overridden)."""
        base = TigerConfig(
            tiger_id=self.tiger_id,
            account=self.account,
            private_key_path=self.private_key_path,
            tiger_public_key=self.gateway_public_key,
            server_url=self.http_url,
            push_host=self.push_host,
            push_port=self.push_port,
            push_ssl=False,
            timeout_secs=1.0,
            retry_backoff_secs=0.02,
            poll_interval_secs=0.5,
            watchdog_secs=2.0,
            resolve_delay_secs=0.05,
            reconnect_backoff_secs=0.1,
        )
        return replace(base, **overrides)

    def control(self, op: str, **params: Any) -> Any:
        """Run a control operation on the gateway (quote, fill, faults, stats, ...)."""
        body = json.dumps({"op": op, **params}).encode()
        request = urllib.request.Request(self.control_url, data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            reply = json.loads(response.read())
        if reply.get("code") != 0:
            raise StateError("op", op, f"gateway control failed: {reply.get('message')}")
        return reply.get("data")

    def on_market(self, record: MarketRecord) -> None:
        """Move the gateway's market to a replayed record (quotes set the touch; a trade or a
        bar sets the last price one tick inside a synthetic one-cent touch)."""
        if isinstance(record, QuoteTick):
            bid, ask, last = record.bid, record.ask, None
        elif isinstance(record, BookSnapshot):
            top = record.top()
            if top is None:
                return
            bid, ask, last = top.bid, top.ask, None
        else:
            last = record.price if isinstance(record, TradeTick) else record.close
            bid, ask = last - CENT, last + CENT
        self.control(
            "quote",
            symbol=record.symbol,
            bid=str(bid),
            ask=str(ask),
            last=str(last) if last is not None else None,
        )

    def stop(self) -> None:
        """Stop the gateway process."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> GatewayHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_local_gateway(
    key_dir: Path | None = None,
    *extra_args: str,
    symbols: Mapping[str, Decimal] | None = None,
) -> GatewayHandle:
    """Start the gateway on free loopback ports with fresh keys; return its handle.

    ``symbols`` maps each instrument to its starting last price (default: a few large caps);
    ``extra_args`` go to the gateway's command line (``--fail-rate 0.05``...).
    """
    keys = key_dir if key_dir is not None else Path(tempfile.mkdtemp(prefix="tiger-gw-"))
    if symbols:
        listed = ",".join(f"{symbol}={price}" for symbol, price in symbols.items())
        extra_args = ("--symbols", listed, *extra_args)
    command = [
        sys.executable,
        "-m",
        "tools.tiger_gateway",
        "--port",
        "0",
        "--push-port",
        "0",
        "--key-dir",
        str(keys),
        *extra_args,
    ]
    process = subprocess.Popen(
        command,
        cwd=project_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise StateError("gateway", " ".join(command), "exited before reporting its ports")
    info = json.loads(line)
    return GatewayHandle(
        process=process,
        http_url=info["http_url"],
        push_host=info["push_host"],
        push_port=int(info["push_port"]),
        tiger_id=info["tiger_id"],
        account=info["account"],
        gateway_public_key=info["gateway_public_key"],
        private_key_path=Path(info["client_private_key_file"]),
        symbols=list(info.get("symbols", [])),
    )
