"""Run the local Tiger gateway: ``python -m tools.tiger_gateway --port 0 --key-dir DIR``.

On start it prints one JSON line to stdout with everything a client needs (HTTP URL, push
port, tiger id, account, key paths and the gateway's public key), then serves until killed.
With ``--key-dir`` it generates a fresh client key pair and gateway key pair and writes them
there; with ``--client-public-key``/``--gateway-private-key`` it uses keys from files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

from tools.tiger_gateway import keys
from tools.tiger_gateway.faults import Faults
from tools.tiger_gateway.http_server import GatewayHTTPServer, GatewayState, make_handler
from tools.tiger_gateway.push_server import PushServer
from tools.tiger_gateway.venue import CENT, Market, Venue

DEFAULT_SYMBOLS = "AAPL=190.00,MSFT=410.00,IBM=140.00,BAC=30.00,SPY=450.00"


def parse_symbols(text: str) -> dict[str, Market]:
    """Parse ``SYM=last[,SYM=last...]`` into markets one cent either side of ``last``."""
    markets: dict[str, Market] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        symbol, _, last = item.partition("=")
        px = Decimal(last or "100.00")
        markets[symbol.upper()] = Market(symbol.upper(), px - CENT, px + CENT, px)
    return markets


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.tiger_gateway", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="HTTP port (0 = any free port)")
    p.add_argument("--push-port", type=int, default=0, help="push port (0 = any free port)")
    p.add_argument("--tiger-id", default="20150001")
    p.add_argument("--account", default="U1234567")
    p.add_argument("--key-dir", type=Path, help="generate keys and write them here")
    p.add_argument("--client-public-key", type=Path, help="client public key (PEM)")
    p.add_argument("--gateway-private-key", type=Path, help="gateway private key (PEM)")
    p.add_argument("--symbols", default=DEFAULT_SYMBOLS, help="SYM=last,... instruments")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--fail-rate", type=float, default=0.0)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--timeout-ms", type=float, default=1500.0)
    p.add_argument("--push-drop-rate", type=float, default=0.0)
    p.add_argument("--push-dup-rate", type=float, default=0.0)
    p.add_argument("--fill-slices", type=int, default=1)
    p.add_argument("--algo-interval-ms", type=float, default=100.0)
    p.add_argument("--log-level", default="WARNING")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr)
    key_files: dict[str, str] = {}
    if args.key_dir is not None:
        client, gateway = keys.KeyPair.generate(), keys.KeyPair.generate()
        key_files = keys.write_key_files(args.key_dir, client, gateway)
        client_public, gateway_private = client.public, gateway.private
    elif args.client_public_key and args.gateway_private_key:
        client_public = keys.load_public_key(args.client_public_key.read_text())
        gateway_private = keys.load_private_key(args.gateway_private_key.read_text())
    else:
        print(
            "give --key-dir, or both --client-public-key and --gateway-private-key", file=sys.stderr
        )
        return 2
    gateway_public = keys.pem_body(keys.KeyPair(gateway_private).public_pem())
    venue = Venue(args.account, parse_symbols(args.symbols))
    venue.fill_slices = args.fill_slices
    faults = Faults(args.seed)
    faults.update(
        fail_rate=args.fail_rate,
        latency_ms=args.latency_ms,
        timeout_ms=args.timeout_ms,
        push_drop_rate=args.push_drop_rate,
        push_dup_rate=args.push_dup_rate,
    )
    state = GatewayState(venue, faults, args.tiger_id, client_public, gateway_private)
    push = PushServer(state, args.host, args.push_port)
    http = GatewayHTTPServer((args.host, args.port), make_handler(state))
    threading.Thread(target=push.serve_forever, daemon=True).start()

    def algo_ticker() -> None:
        while True:
            time.sleep(args.algo_interval_ms / 1000)
            venue.algo_tick()

    threading.Thread(target=algo_ticker, daemon=True).start()
    http_port = http.server_address[1]
    info = {
        "http_url": f"http://{args.host}:{http_port}/gateway",
        "http_port": http_port,
        "push_host": args.host,
        "push_port": push.port,
        "tiger_id": args.tiger_id,
        "account": args.account,
        "gateway_public_key": gateway_public,
        "symbols": sorted(venue.markets),
        **key_files,
    }
    print(json.dumps(info), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        http.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
