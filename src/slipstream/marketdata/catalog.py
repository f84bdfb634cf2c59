"""A Parquet catalog of market data: parse the CSV files once, load a day in a fraction of a second.

``slipstream data import SOURCE... --catalog DIR`` runs every source file through the same
loaders as :func:`~slipstream.marketdata.replay.load_market` and stores the *records* they give
(not the raw rows), so a catalog replays exactly what the CSV files replay.

Layout::

    DIR/manifest.json
    DIR/<kind>/<SYMBOL>/<YYYY-MM-DD>/<source id>.parquet     kind: quotes, trades, bars, books
    DIR/daily/<SYMBOL>/<source id>.parquet                   daily bars (one file per symbol)

``manifest.json`` holds the format version, every imported source (its path, sha256, format and
the order sources replay in) and every Parquet file (kind, symbol, dates, rows, source file and
its sha256, columns). A file's date is the US Eastern trading date of the record (of a bar's
start), so ``--date`` and ``--symbols`` pick files from the manifest without opening the others.

Prices are stored as their exact text (dictionary-encoded), so they come back as the same
``Decimal`` (digits and exponent) the CSV loader produced. Each row carries its position in the
file's all-session load (``seq_all``) and in its regular-session load (``seq_reg``, -1 when the
regular session does not keep it), so ties replay in the original order and formats whose
regular-session records are not a plain cut of the all-session ones (LEAN quote bars carry a
side forward only within the kept rows) are stored twice and come back exactly.

Importing is idempotent: a source whose sha256 is unchanged is skipped; a changed source has
its files replaced; a source found at a new path with the content of one whose old path is gone
counts as moved (its old entries are dropped, so nothing replays twice). Daily bars (``date,ticker,open,high,low,close,adj_close,volume``) are not
replayable records; :func:`load_daily` reads them back as a frame.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from slipstream.core.errors import DataError, InputError
from slipstream.marketdata import lobster
from slipstream.marketdata.columns import LoadFilter, header_names
from slipstream.marketdata.loaders import data_files, detect_format, load_file
from slipstream.marketdata.timeutil import eastern_date_and_ms
from slipstream.model.market import Bar, BookLevel, BookSnapshot, MarketRecord, QuoteTick, TradeTick

MANIFEST = "manifest.json"
FORMAT = "slipstream-market-catalog"
VERSION = 1
#: Record kinds stored in the catalog, and the daily-bar kind.
KINDS = ("quotes", "trades", "bars", "books")
DAILY = "daily"
DAILY_COLUMNS = ("date", "ticker", "open", "high", "low", "close", "adj_close", "volume")
_ALL, _REG = 1, 2

_PRICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "quotes": ("bid", "ask"),
    "trades": ("price",),
    "bars": ("open", "high", "low", "close"),
    "books": (),
}


def is_catalog(path: Path | str) -> bool:
    """Return whether ``path`` is a catalog directory (it holds a ``manifest.json``)."""
    root = Path(path)
    return root.is_dir() and (root / MANIFEST).is_file()


# --- manifest -------------------------------------------------------------------------------


@dataclass
class Manifest:
    """The catalog's table of contents (``manifest.json``)."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form written to ``manifest.json``."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "sources": dict(sorted(self.sources.items())),
            "files": sorted(self.files, key=lambda f: str(f["path"])),
        }


def read_manifest(root: Path | str) -> Manifest:
    """Read ``root/manifest.json``; a missing catalog reads as empty when ``root`` has no files."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        return Manifest()
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the catalog manifest: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise DataError(f"{path}: not a Slipstream market data catalog manifest")
    if raw.get("version") != VERSION:
        raise DataError(
            f"{path}: catalog format version {raw.get('version')!r}, this Slipstream reads "
            f"version {VERSION}; re-import the sources into a new catalog"
        )
    return Manifest(dict(raw.get("sources", {})), list(raw.get("files", [])))


def _write_manifest(root: Path, manifest: Manifest) -> None:
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest.as_dict(), indent=2) + "\n")
    os.replace(tmp, root / MANIFEST)


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What one import did, per source file: ``imported``, ``replaced`` or ``unchanged``."""

    catalog: str
    actions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"catalog": self.catalog, "sources": self.actions}


def _sha256(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        with p.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _source_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _is_daily(path: Path) -> bool:
    if lobster.parse_name(path) is not None:
        return False
    columns = {c.strip().lower() for c in header_names(path)}
    return set(DAILY_COLUMNS) <= columns and "time_ms" not in columns


def _members(path: Path) -> list[Path]:
    """Return the files one source consists of (a LOBSTER message file and its orderbook)."""
    if lobster.parse_name(path) is not None and "_message_" in path.name:
        partner = path.with_name(path.name.replace("_message_", "_orderbook_"))
        if partner.is_file():
            return [path, partner]
    return [path]


def _mark(
    all_recs: list[MarketRecord], reg_recs: list[MarketRecord]
) -> tuple[list[MarketRecord], list[int], list[int]]:
    """Return the rows to store with their ``seq_all`` and ``seq_reg`` (-1: not in that load).

    When the regular-session load is an in-order subsequence of the all-session load (every
    format but LEAN quote bars), rows are shared; otherwise the regular rows are stored apart.
    """
    seq_reg = [-1] * len(all_recs)
    j = 0
    for i, rec in enumerate(all_recs):
        if j < len(reg_recs) and rec == reg_recs[j]:
            seq_reg[i] = j
            j += 1
    if j == len(reg_recs):
        return all_recs, list(range(len(all_recs))), seq_reg
    rows = [*all_recs, *reg_recs]
    return (
        rows,
        [*range(len(all_recs)), *([-1] * len(reg_recs))],
        [*([-1] * len(all_recs)), *range(len(reg_recs))],
    )


def _kind(rec: MarketRecord) -> str:
    if isinstance(rec, QuoteTick):
        return "quotes"
    if isinstance(rec, TradeTick):
        return "trades"
    if isinstance(rec, Bar):
        return "bars"
    return "books"


def _start_ns(rec: MarketRecord) -> int:
    """The time a record is filtered by: a bar's start, any other record's ``ts_event``."""
    return rec.ts_event - rec.interval_ns if isinstance(rec, Bar) else rec.ts_event


def _table(kind: str, recs: list[MarketRecord], seq_all: list[int], seq_reg: list[int]) -> pa.Table:
    cols: dict[str, Any] = {"ts_event": pa.array([r.ts_event for r in recs], pa.int64())}
    if kind == "quotes":
        q = [r for r in recs if isinstance(r, QuoteTick)]
        cols["bid"] = pa.array([str(r.bid) for r in q], pa.string()).dictionary_encode()
        cols["ask"] = pa.array([str(r.ask) for r in q], pa.string()).dictionary_encode()
        cols["bid_size"] = pa.array([r.bid_size for r in q], pa.int64())
        cols["ask_size"] = pa.array([r.ask_size for r in q], pa.int64())
    elif kind == "trades":
        t = [r for r in recs if isinstance(r, TradeTick)]
        cols["price"] = pa.array([str(r.price) for r in t], pa.string()).dictionary_encode()
        cols["size"] = pa.array([r.size for r in t], pa.int64())
        cols["aggressor"] = pa.array([r.aggressor for r in t], pa.int8())
    elif kind == "bars":
        b = [r for r in recs if isinstance(r, Bar)]
        for name in ("open", "high", "low", "close"):
            values = [str(getattr(r, name)) for r in b]
            cols[name] = pa.array(values, pa.string()).dictionary_encode()
        cols["volume"] = pa.array([r.volume for r in b], pa.int64())
        cols["interval_ns"] = pa.array([r.interval_ns for r in b], pa.int64())
    else:
        k = [r for r in recs if isinstance(r, BookSnapshot)]
        cols["bid_prices"] = pa.array([[str(x.price) for x in r.bids] for r in k])
        cols["bid_sizes"] = pa.array([[x.size for x in r.bids] for r in k], pa.list_(pa.int64()))
        cols["ask_prices"] = pa.array([[str(x.price) for x in r.asks] for r in k])
        cols["ask_sizes"] = pa.array([[x.size for x in r.asks] for r in k], pa.list_(pa.int64()))
    cols["seq_all"] = pa.array(seq_all, pa.int64())
    cols["seq_reg"] = pa.array(seq_reg, pa.int64())
    return pa.table(cols)


def _split(
    recs: list[MarketRecord], seq_all: list[int], seq_reg: list[int]
) -> dict[tuple[str, str, str], tuple[list[MarketRecord], list[int], list[int]]]:
    """Group stored rows by (kind, symbol, Eastern date of the record's start)."""
    starts = np.fromiter((_start_ns(r) for r in recs), np.int64, len(recs))
    dates, _ms = eastern_date_and_ms(starts)
    groups: dict[tuple[str, str, str], tuple[list[MarketRecord], list[int], list[int]]] = {}
    for rec, day, a, g in zip(recs, dates, seq_all, seq_reg, strict=True):
        key = (_kind(rec), rec.symbol, day)
        if key not in groups:
            groups[key] = ([], [], [])
        bucket = groups[key]
        bucket[0].append(rec)
        bucket[1].append(a)
        bucket[2].append(g)
    return groups


def _remove_source(root: Path, manifest: Manifest, key: str) -> None:
    keep: list[dict[str, Any]] = []
    for entry in manifest.files:
        if entry["source"] == key:
            (root / entry["path"]).unlink(missing_ok=True)
        else:
            keep.append(entry)
    manifest.files = keep
    manifest.sources.pop(key, None)


def _import_daily(path: Path, key: str, sha: str, sid: str, root: Path) -> list[dict[str, Any]]:
    frame = pd.read_csv(path, dtype={"date": str, "ticker": str})
    frame.columns = [c.strip().lower() for c in frame.columns]
    frame = frame[list(DAILY_COLUMNS)]
    try:
        frame["date"] = [dt.date.fromisoformat(d.strip()).isoformat() for d in frame["date"]]
    except (ValueError, AttributeError) as exc:
        raise DataError(f"{path}: column 'date' must hold dates YYYY-MM-DD: {exc}") from exc
    frame["ticker"] = frame["ticker"].str.strip().str.upper()
    entries: list[dict[str, Any]] = []
    for symbol, rows in frame.groupby("ticker", sort=True):
        rows = rows.sort_values("date", kind="stable").reset_index(drop=True)
        rel = Path(DAILY) / str(symbol) / f"{sid}.parquet"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(rows, preserve_index=False)
        pq.write_table(table, root / rel)
        dates = rows["date"].tolist()
        entry = _entry(rel, DAILY, str(symbol), [dates[0], dates[-1]], len(rows), key, sha)
        entry["columns"] = table.column_names
        entry["dates"] = {"first": dates[0], "last": dates[-1], "count": len(dates)}
        entries.append(entry)
    return entries


def _entry(
    rel: Path, kind: str, symbol: str, dates: list[str], rows: int, key: str, sha: str
) -> dict[str, Any]:
    return {
        "path": rel.as_posix(),
        "kind": kind,
        "symbol": symbol,
        "dates": dates,
        "rows": rows,
        "source": key,
        "sha256": sha,
        "columns": [],
    }


def _import_records(path: Path, key: str, sha: str, sid: str, root: Path) -> list[dict[str, Any]]:
    all_recs = load_file(path, LoadFilter(session="all"))
    reg_recs = load_file(path, LoadFilter(session="regular"))
    rows, seq_all, seq_reg = _mark(all_recs, reg_recs)
    entries: list[dict[str, Any]] = []
    for (kind, symbol, day), (recs, a, g) in sorted(_split(rows, seq_all, seq_reg).items()):
        rel = Path(kind) / symbol / day / f"{sid}.parquet"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        table = _table(kind, recs, a, g)
        pq.write_table(table, root / rel)
        entry = _entry(rel, kind, symbol, [day], len(recs), key, sha)
        entry["columns"] = table.column_names
        entries.append(entry)
    return entries


def import_sources(
    sources: Iterable[Path | str],
    catalog: Path | str,
    progress: TextIO | None = None,
) -> ImportResult:
    """Import CSV/CSV.gz market data files (or folders of them) into the catalog ``catalog``.

    Every file is read with the CSV loaders (so bad data raises the same :class:`DataError`),
    for the regular and the whole session. A source whose sha256 matches the manifest is left
    alone; a changed one has its Parquet files replaced. ``progress`` (e.g. ``sys.stderr``)
    gets one line per source file. The manifest is rewritten after each source, so an
    interrupted import keeps what it finished.
    """
    root = Path(catalog)
    if root.exists() and not root.is_dir():
        raise InputError("--catalog", str(root), "must be a directory")
    if root.is_dir() and not is_catalog(root) and any(root.iterdir()):
        raise InputError(
            "--catalog", str(root), "is a non-empty directory without a catalog manifest.json"
        )
    files: list[Path] = []
    for source in sources:
        found = data_files(source)
        if not found:
            raise DataError(f"{source}: no market data files (*.csv, *.csv.gz) found")
        files.extend(found)
    root.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(root)
    result = ImportResult(str(root))
    for n, file in enumerate(files, 1):
        key = str(file.resolve())
        members = _members(file)
        sha = _sha256(members)
        old = manifest.sources.get(key)
        if old is not None and old.get("sha256") == sha:
            result.actions.append({"source": key, "action": "unchanged", "files": 0, "rows": 0})
            if progress is not None:
                print(f"[{n}/{len(files)}] {file}: unchanged, skipped", file=progress, flush=True)
            continue
        # The same content under another path that no longer exists: the source was moved.
        # Drop the old entries, or the catalog would replay its records twice.
        moved = [
            k
            for k, s in manifest.sources.items()
            if k != key and s.get("sha256") == sha and not Path(k).exists()
        ]
        for k in moved:
            _remove_source(root, manifest, k)
        if progress is not None:
            print(f"[{n}/{len(files)}] {file}: importing ...", file=progress, flush=True)
        daily = _is_daily(file)
        fmt = DAILY if daily else detect_format(file)
        sid = _source_id(key)
        do = _import_daily if daily else _import_records
        entries = do(file, key, sha, sid, root)
        if old is not None:
            stale = {e["path"] for e in manifest.files if e["source"] == key}
            for rel in stale - {e["path"] for e in entries}:
                (root / rel).unlink(missing_ok=True)
            manifest.files = [e for e in manifest.files if e["source"] != key]
        manifest.files.extend(entries)
        manifest.sources[key] = {
            "sha256": sha,
            "format": fmt,
            "members": [str(m.resolve()) for m in members],
        }
        _write_manifest(root, manifest)
        rows = sum(int(e["rows"]) for e in entries)
        result.actions.append(
            {
                "source": key,
                "action": "replaced" if old is not None else "moved" if moved else "imported",
                "format": fmt,
                "files": len(entries),
                "rows": rows,
            }
        )
        if progress is not None:
            print(
                f"[{n}/{len(files)}] {file}: {fmt}, {rows:,} rows in {len(entries)} file(s)",
                file=progress,
                flush=True,
            )
    if not (root / MANIFEST).is_file():
        _write_manifest(root, manifest)
    return result


# --- load -----------------------------------------------------------------------------------


def _decimals(column: pa.ChunkedArray) -> list[Decimal]:
    """Return a dictionary-encoded text column as Decimals, converting each distinct text once."""
    array = column.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    words = [Decimal(w) for w in array.dictionary.to_pylist()]
    return [words[i] for i in array.indices.to_numpy(zero_copy_only=False).tolist()]


def _ints(table: pa.Table, name: str) -> list[int]:
    values: list[int] = table.column(name).to_numpy().tolist()
    return values


def _records(kind: str, symbol: str, table: pa.Table) -> list[MarketRecord]:
    ts = _ints(table, "ts_event")
    if kind == "quotes":
        return [
            QuoteTick(symbol, b, a, bs, az, t)
            for b, a, bs, az, t in zip(
                _decimals(table.column("bid")),
                _decimals(table.column("ask")),
                _ints(table, "bid_size"),
                _ints(table, "ask_size"),
                ts,
                strict=True,
            )
        ]
    if kind == "trades":
        return [
            TradeTick(symbol, p, z, t, g)
            for p, z, t, g in zip(
                _decimals(table.column("price")),
                _ints(table, "size"),
                ts,
                _ints(table, "aggressor"),
                strict=True,
            )
        ]
    if kind == "bars":
        return [
            Bar(symbol, o, h, lo, c, v, t, i)
            for o, h, lo, c, v, t, i in zip(
                *(_decimals(table.column(n)) for n in ("open", "high", "low", "close")),
                _ints(table, "volume"),
                ts,
                _ints(table, "interval_ns"),
                strict=True,
            )
        ]
    cache: dict[str, Decimal] = {}

    def levels(prices: list[str], sizes: list[int]) -> tuple[BookLevel, ...]:
        return tuple(
            BookLevel(cache.setdefault(p, Decimal(p)), z)
            for p, z in zip(prices, sizes, strict=True)
        )

    return [
        BookSnapshot(symbol, levels(bp, bz), levels(ap, az), t)
        for bp, bz, ap, az, t in zip(
            table.column("bid_prices").to_pylist(),
            table.column("bid_sizes").to_pylist(),
            table.column("ask_prices").to_pylist(),
            table.column("ask_sizes").to_pylist(),
            ts,
            strict=True,
        )
    ]


def _source_order(key: str) -> Path:
    return Path(key)


def load_catalog_sources(
    catalog: Path | str, flt: LoadFilter | None = None
) -> list[list[MarketRecord]]:
    """Load a catalog: one time-sorted record list per imported source, as the CSVs would give.

    Sources come in the order :func:`~slipstream.marketdata.loaders.data_files` lists them
    (by path), each with the records :func:`~slipstream.marketdata.loaders.load_file` gives for
    ``flt`` (symbols, dates, session), in the same order.
    """
    root = Path(catalog)
    flt = flt or LoadFilter()
    manifest = read_manifest(root)
    seq = "seq_reg" if flt.session == "regular" else "seq_all"
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in manifest.files:
        if entry["kind"] == DAILY:
            continue
        if flt.symbols is not None and entry["symbol"] not in flt.symbols:
            continue
        if flt.dates is not None and not set(entry["dates"]) & flt.dates:
            continue
        by_source[entry["source"]].append(entry)
    replayable = [k for k, s in manifest.sources.items() if s.get("format") != DAILY]
    out: list[list[MarketRecord]] = []
    for key in sorted(replayable, key=_source_order):
        parts: list[tuple[npt.NDArray[np.int64], list[MarketRecord]]] = []
        for entry in by_source.get(key, []):
            table = pq.read_table(root / entry["path"])
            order = table.column(seq).to_numpy()
            keep = np.flatnonzero(order >= 0)
            if len(keep) == 0:
                continue
            if len(keep) < len(order):
                table = table.take(pa.array(keep))
                order = order[keep]
            parts.append((order, _records(entry["kind"], entry["symbol"], table)))
        if len(parts) == 1:
            order, recs = parts[0]
            if len(order) < 2 or bool(np.all(order[1:] > order[:-1])):
                out.append(recs)
                continue
        merged_order = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        merged = [r for p in parts for r in p[1]]
        out.append([merged[i] for i in np.argsort(merged_order, kind="stable").tolist()])
    return out


def load_daily(
    catalog: Path | str,
    symbols: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Return the catalog's daily bars (``date,ticker,open,...,adj_close,volume``), sorted.

    ``start``/``end`` are inclusive ISO dates (None: open).
    """
    root = Path(catalog)
    wanted = None if symbols is None else {s.upper() for s in symbols}
    frames = [
        pq.read_table(root / e["path"]).to_pandas()
        for e in read_manifest(root).files
        if e["kind"] == DAILY and (wanted is None or e["symbol"] in wanted)
    ]
    if not frames:
        return pd.DataFrame(columns=list(DAILY_COLUMNS))
    frame = pd.concat(frames, ignore_index=True)
    if start is not None:
        frame = frame[frame["date"] >= start]
    if end is not None:
        frame = frame[frame["date"] <= end]
    ordered: pd.DataFrame = frame.sort_values(["date", "ticker"], kind="stable")
    return ordered.reset_index(drop=True)


def summary(catalog: Path | str) -> dict[str, Any]:
    """Return the manifest with per-kind totals, for ``slipstream data list``."""
    root = Path(catalog)
    if not is_catalog(root):
        raise InputError("--catalog", str(root), "is not a catalog (no manifest.json in it)")
    manifest = read_manifest(root)
    totals: dict[str, dict[str, Any]] = {}
    for e in manifest.files:
        t = totals.setdefault(e["kind"], {"files": 0, "rows": 0, "symbols": set(), "dates": set()})
        t["files"] += 1
        t["rows"] += int(e["rows"])
        t["symbols"].add(e["symbol"])
        dates = e["dates"]
        t["dates"].update(dates if isinstance(dates, list) else [dates["first"], dates["last"]])
    kinds = {
        k: {
            "files": v["files"],
            "rows": v["rows"],
            "symbols": sorted(v["symbols"]),
            "first_date": min(v["dates"]),
            "last_date": max(v["dates"]),
        }
        for k, v in sorted(totals.items())
    }
    return {"catalog": str(root), "kinds": kinds, **manifest.as_dict()}
