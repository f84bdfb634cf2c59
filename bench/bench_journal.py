"""Journal throughput on SQLite and on PostgreSQL, and the order path journalled to each.

- **Append**: 100,000 ``OrderFilled`` records through :class:`~slipstream.store.journal.Journal`
  with group commit 1,024 (98 batches, each with its signed head in the same transaction),
  closed; records per second of wall time, records built beforehand; median of three, after
  a warm-up.
- **Read + verify**: the same journal opened read-only, every batch's keyed MAC and the signed
  head checked and every record decoded (:meth:`Journal.verify`).
- **Order path**: 10,000 market orders through ``SimKernel`` with the real risk engine, the
  workload of ``bench_oms`` (its ``_run_once``), journalled to a file and to PostgreSQL; median
  of three runs.

PostgreSQL is the server named by ``SLIPSTREAM_BENCH_PG_URL`` (or ``SLIPSTREAM_TEST_PG_URL``);
without one, a throw-away local cluster is started when the server binaries are found (the
store tests' helper, with ``fsync`` on, so commits are durable as in production), on loopback:
no network latency is in these figures. With no PostgreSQL at all, its rows are skipped with a
note.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.bench_oms import _run_once
from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.events import OrderFilled
from slipstream.store.journal import open_journal, read_journal
from slipstream.store.locations import JournalLocation

RECORDS = 100_000
GROUP = 1024
ROOT = Path(__file__).resolve().parents[1]


def _fills() -> list[OrderFilled]:
    return [
        OrderFilled(
            ClientOrderId(f"C{i // 4}"),
            1_000_000 * i,
            1_000_000 * i,
            f"T{i}",
            f"V{i // 4}",
            "IBM",
            Side.BUY if i & 1 else Side.SELL,
            100,
            Decimal("185.12") + Decimal(i % 100) / 100,
            Decimal("0.35"),
            LiquiditySide.TAKER,
        )
        for i in range(RECORDS)
    ]


def _throughput(location: JournalLocation, fills: list[OrderFilled]) -> dict[str, float]:
    start = time.perf_counter()
    journal = open_journal(location, "new", group_size=GROUP)
    for fill in fills:
        journal.append(fill, fill.ts_init)
    journal.close(clean=False)
    append_s = time.perf_counter() - start
    start = time.perf_counter()
    reader = read_journal(location)
    count = reader.verify()
    reader.close(clean=False)
    read_s = time.perf_counter() - start
    assert count == len(fills)
    return {"append": len(fills) / append_s, "read_verify": count / read_s}


def _load_cluster_helper() -> Any:
    """The store tests' throw-away cluster helper (tests/store/conftest.py), loaded by path."""
    spec = importlib.util.spec_from_file_location(
        "_slipstream_pg_cluster", ROOT / "tests" / "store" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@contextmanager
def _postgres() -> Iterator[tuple[str | None, str]]:
    """Yield (database URL or None, where it is / why not)."""
    named = os.environ.get("SLIPSTREAM_BENCH_PG_URL") or os.environ.get("SLIPSTREAM_TEST_PG_URL")
    if named:
        yield named, "the server named in the environment"
        return
    try:
        helper = _load_cluster_helper()
        pg_bin = helper.find_pg_bin()
    except Exception as exc:
        yield None, f"cannot load the cluster helper ({exc})"
        return
    if pg_bin is None:
        yield None, "no SLIPSTREAM_BENCH_PG_URL and no PostgreSQL server binaries"
        return
    try:
        cluster = helper.start_cluster(pg_bin, fsync=True)
    except Exception as exc:
        yield None, f"could not start a throw-away cluster ({exc})"
        return
    try:
        yield cluster.url, f"a throw-away local cluster ({pg_bin.parent.name}, fsync on)"
    finally:
        cluster.stop()


def _journals(url: str) -> tuple[Callable[[], str], Callable[[], None]]:
    """Return a maker of fresh journal URLs on ``url`` and a cleanup dropping them all."""
    made: list[str] = []

    def make() -> str:
        made.append(f"bench_{secrets.token_hex(4)}")
        return f"{url}{'&' if '?' in url else '?'}journal={made[-1]}"

    def cleanup() -> None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as db:
            for name in made:
                db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'.encode())

    return make, cleanup


def _rows(
    backend: str, where: Callable[[], JournalLocation], fills: list[OrderFilled]
) -> list[dict[str, Any]]:
    trials = [_throughput(where(), fills) for _ in range(3)]
    rates = {k: sorted(t[k] for t in trials)[1] for k in ("append", "read_verify")}  # medians
    runs = [_run_once(where(), "engine") for _ in range(3)]  # type: ignore[arg-type]
    median = sorted(runs, key=lambda r: r["orders_per_s"])[1]
    assert median["filled"] == 10_000, "every order must fill for the figure to count"
    return [
        {
            "name": f"journal append, 100k OrderFilled, group commit {GROUP}, {backend}",
            "value": rates["append"],
            "unit": "records/s",
            "backend": backend,
        },
        {
            "name": f"journal read + verify, 100k OrderFilled, {backend}",
            "value": rates["read_verify"],
            "unit": "records/s",
            "backend": backend,
        },
        {
            "name": f"orders/s, 10k market orders, risk engine, journal on {backend}",
            "value": median["orders_per_s"],
            "unit": "orders/s",
            "backend": backend,
            **median,
        },
        {
            "name": f"submit→fill latency p99, journal on {backend}",
            "value": median["p99_us"],
            "unit": "µs",
            "backend": backend,
        },
    ]


def run() -> list[dict[str, Any]]:
    """Return journal and order-path throughput on SQLite and (when available) PostgreSQL."""
    fills = _fills()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = iter(Path(tmp) / f"bench.{n}.db" for n in range(100))
        _throughput(next(files), fills[:5000])  # warm-up: codec tables, imports
        rows += _rows("sqlite", lambda: next(files), fills)
    with _postgres() as (url, where):
        if url is None:
            print(f"bench_journal: PostgreSQL rows skipped: {where}", file=sys.stderr)
            rows.append(
                {"name": "postgresql rows", "value": f"skipped: {where}", "unit": "", "note": where}
            )
            return rows
        make, cleanup = _journals(url)
        try:
            pg_rows = _rows("postgresql", make, fills)
        finally:
            cleanup()
        for row in pg_rows:
            row["note"] = where
        rows += pg_rows
    return rows


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, default=str))
