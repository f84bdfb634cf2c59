"""Read market data files into time-ordered market records.

Formats are recognised by their header columns (LOBSTER files, which have none, by their
standard file name); extra columns are ignored, ``.gz`` is read transparently. See
``docs/simulated-venue.md`` for every format. All prices are exact ``Decimal`` parsed from the
file's text; times become UTC nanoseconds (US Eastern local stamps converted with the day's DST
offset). Each loader returns its records sorted by ``ts_event`` (stable, so same-time records
keep file order); timestamps must not run backwards within a symbol (and day), since the order
of events is what the venue matches on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.errors import DataError
from slipstream.marketdata import lobster
from slipstream.marketdata.columns import (
    FileContext,
    IntArray,
    LoadFilter,
    check_sorted,
    decimals,
    floats,
    header_names,
    ints,
    iso_dates,
    optional_decimals,
    read_text_csv,
    require_columns,
    texts,
    timestamps_ns,
)
from slipstream.marketdata.nbbo import build_nbbo, change_points
from slipstream.marketdata.timeutil import (
    MINUTE_NS,
    NS_PER_MS,
    eastern_date_and_ms,
    in_regular_session,
    midnights_ns,
)
from slipstream.model.market import Bar, MarketRecord, QuoteTick, TradeTick

Mask = npt.NDArray[np.bool_]

#: Header columns (a subset is enough; order does not matter) → format name.
FORMATS: dict[str, tuple[str, ...]] = {
    "quotes": ("ts", "symbol", "bid", "ask", "bid_size", "ask_size"),
    "trades": ("ts", "symbol", "price", "size"),
    "bars": ("ts", "symbol", "open", "high", "low", "close", "volume"),
    "lean_trade_bars": ("ticker", "date", "time_ms", "open", "high", "low", "close", "volume"),
    "lean_quote_bars": ("ticker", "date", "time_ms", "bid_close", "bid_size", "ask_close"),
    "tick_quotes": ("date", "time_ms", "bid", "bid_size", "ask", "ask_size", "exchange"),
    "tick_trades": ("date", "time_ms", "price", "size", "suspicious"),
}
#: Columns read as text: prices (parsed exactly as Decimal), names, dates and time stamps.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "quotes": ("ts", "symbol", "bid", "ask"),
    "trades": ("ts", "symbol", "price"),
    "bars": ("ts", "symbol", "open", "high", "low", "close"),
    "lean_trade_bars": ("ticker", "date", "open", "high", "low", "close"),
    "lean_quote_bars": ("ticker", "date", "bid_close", "ask_close"),
    "tick_quotes": ("date", "bid", "ask", "exchange"),
    "tick_trades": ("date", "price", "exchange"),
}
DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz")


def detect_format(path: Path) -> str:
    """Return the format name of ``path`` (a key of :data:`FORMATS`, or ``lobster_*``)."""
    name = lobster.parse_name(path)
    if name is not None:
        return f"lobster_{name.kind}"
    columns = {c.strip().lower() for c in header_names(path)}
    for fmt, needed in FORMATS.items():
        if set(needed) <= columns:
            return fmt
    closest = max(FORMATS, key=lambda fmt: len(columns & set(FORMATS[fmt])))
    if len(columns & set(FORMATS[closest])) >= 3:
        missing = [c for c in FORMATS[closest] if c not in columns]
        raise DataError(
            f"{path}: looks like the '{closest}' format but is missing column(s) {missing} "
            f"(needs {','.join(FORMATS[closest])})"
        )
    expected = "; ".join(f"{k}: {','.join(v)}" for k, v in FORMATS.items())
    raise DataError(
        f"{path}: unrecognised market data header {sorted(columns)}; expected one of "
        f"[{expected}] or a LOBSTER file name"
    )


def _keep(flt: LoadFilter, symbols: list[str], dates: list[str] | None, ms: IntArray) -> Mask:
    keep = np.ones(len(symbols), dtype=bool)
    if flt.symbols is not None:
        keep &= np.isin(np.asarray(symbols, dtype=object), list(flt.symbols))
    if flt.dates is not None and dates is not None:
        keep &= np.isin(np.asarray(dates, dtype=object), list(flt.dates))
    if flt.session == "regular":
        keep &= in_regular_session(ms)
    return keep


def _sort(records: list[MarketRecord], ts: Iterable[int]) -> list[MarketRecord]:
    order = np.argsort(np.fromiter(ts, dtype=np.int64, count=len(records)), kind="stable")
    return [records[i] for i in order.tolist()]


def _read_frame(path: Path, fmt: str) -> tuple[FileContext, pd.DataFrame]:
    """Read a CSV of format ``fmt`` with lower-cased headers, refusing missing columns."""
    ctx = FileContext(path)
    df = read_text_csv(ctx, text_columns=TEXT_COLUMNS[fmt])
    df.columns = [c.strip().lower() for c in df.columns]
    require_columns(ctx, df, FORMATS[fmt])
    return ctx, df


# --- simulate formats: ts,symbol,... -------------------------------------------------------


def _sim_frame(
    path: Path, fmt: str, flt: LoadFilter
) -> tuple[FileContext, pd.DataFrame, list[str], IntArray]:
    ctx, df = _read_frame(path, fmt)
    symbols = [s.upper() for s in texts(ctx, df, "symbol")]
    ts = timestamps_ns(ctx, df, "ts")
    check_sorted(ctx, ts, symbols, "ts")
    need_local = flt.dates is not None or flt.session == "regular"
    dates, ms = eastern_date_and_ms(ts) if need_local else (None, np.zeros(len(ts), np.int64))
    keep = _keep(flt, symbols, dates, ms)
    index = np.flatnonzero(keep)
    df = df.iloc[index].reset_index(drop=True)
    return _Renumbered(ctx, index), df, [symbols[i] for i in index.tolist()], ts[index]


class _Renumbered(FileContext):
    """A file context whose row numbers refer to the rows left after filtering."""

    def __init__(self, ctx: FileContext, kept: IntArray) -> None:
        super().__init__(ctx.path, ctx.first_line)
        self._kept = kept

    def fail(self, row: int, column: str, value: object, rule: str) -> DataError:
        return super().fail(int(self._kept[row]), column, value, rule)


def load_sim_quotes(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load ``ts,symbol,bid,ask,bid_size,ask_size`` rows as quotes."""
    ctx, df, symbols, ts = _sim_frame(path, "quotes", flt)
    bid, ask = decimals(ctx, df, "bid"), decimals(ctx, df, "ask")
    bid_size, ask_size = ints(ctx, df, "bid_size"), ints(ctx, df, "ask_size")
    records: list[MarketRecord] = [
        QuoteTick(s, b, a, bs, az, t)
        for s, b, a, bs, az, t in zip(
            symbols, bid, ask, bid_size.tolist(), ask_size.tolist(), ts.tolist(), strict=True
        )
    ]
    return _sort(records, ts.tolist())


def load_sim_trades(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load ``ts,symbol,price,size`` rows as trades (aggressor unknown unless given)."""
    ctx, df, symbols, ts = _sim_frame(path, "trades", flt)
    price = decimals(ctx, df, "price")
    size = ints(ctx, df, "size", minimum=1)
    aggressor = (
        ints(ctx, df, "aggressor", minimum=-1).tolist()
        if "aggressor" in df.columns
        else [0] * len(df)
    )
    records: list[MarketRecord] = [
        TradeTick(s, p, z, t, g)
        for s, p, z, t, g in zip(symbols, price, size.tolist(), ts.tolist(), aggressor, strict=True)
    ]
    return _sort(records, ts.tolist())


def _bars(
    ctx: FileContext, df: pd.DataFrame, symbols: list[str], end_ns: IntArray
) -> list[MarketRecord]:
    o, h = decimals(ctx, df, "open"), decimals(ctx, df, "high")
    lo, c = decimals(ctx, df, "low"), decimals(ctx, df, "close")
    volume = ints(ctx, df, "volume")
    records: list[MarketRecord] = []
    for i, (s, bo, bh, bl, bc, v, t) in enumerate(
        zip(symbols, o, h, lo, c, volume.tolist(), end_ns.tolist(), strict=True)
    ):
        if bl > min(bo, bc) or bh < max(bo, bc):
            raise ctx.fail(
                i, "high", str(bh), f"bar range [low {bl}, high {bh}] must hold open/close"
            )
        records.append(Bar(s, bo, bh, bl, bc, v, t, MINUTE_NS))
    return _sort(records, end_ns.tolist())


def load_sim_bars(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load ``ts,symbol,open,high,low,close,volume`` minute bars; ``ts`` is the bar start."""
    ctx, df, symbols, ts = _sim_frame(path, "bars", flt)
    return _bars(ctx, df, symbols, ts + MINUTE_NS)


# --- LEAN / AlgoSeek minute bars: ticker,date,time_ms,... -----------------------------------


def _lean_frame(
    path: Path, fmt: str, flt: LoadFilter
) -> tuple[FileContext, pd.DataFrame, list[str], IntArray]:
    """Return the kept rows of a LEAN file with their symbols and bar *start* times."""
    ctx, df = _read_frame(path, fmt)
    symbols = [s.upper() for s in texts(ctx, df, "ticker")]
    dates = iso_dates(ctx, df, "date")
    ms = ints(ctx, df, "time_ms")
    midnight = midnights_ns(set(dates))
    start = np.fromiter((midnight[d] for d in dates), np.int64, len(dates)) + ms * NS_PER_MS
    check_sorted(ctx, start, symbols, "time_ms")
    index = np.flatnonzero(_keep(flt, symbols, dates, ms))
    return (
        _Renumbered(ctx, index),
        df.iloc[index].reset_index(drop=True),
        [symbols[i] for i in index.tolist()],
        start[index],
    )


def load_lean_trade_bars(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load LEAN minute trade bars (``time_ms`` = bar start, ms after midnight ET)."""
    ctx, df, symbols, start = _lean_frame(path, "lean_trade_bars", flt)
    return _bars(ctx, df, symbols, start + MINUTE_NS)


def load_lean_quote_bars(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load LEAN minute quote bars as one quote per bar at its end, from the closing bid/ask.

    A side with no quote in a minute (blank) keeps that symbol-day's last known price and size;
    a bar before both sides are known gives no quote.
    """
    ctx, df, symbols, start = _lean_frame(path, "lean_quote_bars", flt)
    frame = pd.DataFrame(
        {
            "key": [f"{s}|{d}" for s, d in zip(symbols, df["date"].tolist(), strict=True)],
            "bid": optional_decimals(ctx, df, "bid_close"),
            "ask": optional_decimals(ctx, df, "ask_close"),
            "bid_size": pd.to_numeric(df["bid_size"], errors="coerce"),
            "ask_size": pd.to_numeric(df["ask_size"], errors="coerce"),
        }
    )
    for side in ("bid", "ask"):
        # A size belongs to its price: blank it with the price so both carry forward together.
        frame.loc[frame[side].isna(), f"{side}_size"] = np.nan
        frame[[side, f"{side}_size"]] = frame.groupby("key", sort=False)[
            [side, f"{side}_size"]
        ].ffill()
    ready = frame[["bid", "ask", "bid_size", "ask_size"]].notna().all(axis=1).to_numpy()
    rows = np.flatnonzero(ready)
    end = (start + MINUTE_NS)[rows]
    bids: list[Decimal] = frame["bid"].tolist()
    asks: list[Decimal] = frame["ask"].tolist()
    records: list[MarketRecord] = [
        QuoteTick(symbols[i], bids[i], asks[i], int(bs), int(az), t)
        for i, bs, az, t in zip(
            rows.tolist(),
            frame["bid_size"].to_numpy()[rows].tolist(),
            frame["ask_size"].to_numpy()[rows].tolist(),
            end.tolist(),
            strict=True,
        )
    ]
    return _sort(records, end.tolist())


# --- TAQ-style tick files: date,time_ms,... (symbol from the file name) ---------------------


def _symbol_from_name(ctx: FileContext, marker: str) -> str:
    head = ctx.path.name.split(marker)[0]
    if not head or head == ctx.path.name:
        raise ctx.fail_file(f"cannot tell the symbol: expected a name like SYMBOL{marker}...")
    return head.upper()


def _tick_frame(
    path: Path, fmt: str, marker: str, flt: LoadFilter
) -> tuple[FileContext, pd.DataFrame, str, list[str], IntArray, IntArray]:
    """Return the unsuspicious rows of a tick file (all sessions), symbol, dates, ms and ts."""
    ctx = FileContext(path)
    symbol = _symbol_from_name(ctx, marker)
    df = read_text_csv(ctx, text_columns=TEXT_COLUMNS[fmt])
    df.columns = [c.strip().lower() for c in df.columns]
    require_columns(ctx, df, FORMATS[fmt])
    suspicious = ints(ctx, df, "suspicious") if "suspicious" in df.columns else None
    dates = iso_dates(ctx, df, "date")
    ms = ints(ctx, df, "time_ms")
    midnight = midnights_ns(set(dates))
    ts = np.fromiter((midnight[d] for d in dates), np.int64, len(dates)) + ms * NS_PER_MS
    check_sorted(ctx, ts, None, "time_ms")
    keep = _keep(LoadFilter(flt.symbols, flt.dates, "all"), [symbol] * len(df), dates, ms)
    if suspicious is not None:
        keep &= suspicious == 0
    index = np.flatnonzero(keep)
    return (
        _Renumbered(ctx, index),
        df.iloc[index].reset_index(drop=True),
        symbol,
        [dates[i] for i in index.tolist()],
        ms[index],
        ts[index],
    )


def load_tick_trades(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load trade ticks ``date,time_ms,price,size,exchange,condition,suspicious``.

    Rows flagged suspicious are dropped; the symbol comes from ``SYMBOL_trade_ticks...``.
    """
    ctx, df, symbol, _dates, ms, ts = _tick_frame(path, "tick_trades", "_trade_ticks", flt)
    keep = in_regular_session(ms) if flt.session == "regular" else np.ones(len(ms), bool)
    price = decimals(ctx, df, "price")
    size = ints(ctx, df, "size", minimum=1)
    return [
        TradeTick(symbol, price[i], int(size[i]), int(ts[i])) for i in np.flatnonzero(keep).tolist()
    ]


def load_tick_quotes(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Load one-sided quote ticks and emit the NBBO each time it changes.

    Each row updates one side (the other side is 0); see :mod:`slipstream.marketdata.nbbo` for
    why the latest bid and ask rows make the NBBO. It is rebuilt per trading day from every
    unsuspicious row, including pre-market ones, and only then cut to the requested session.
    """
    ctx, df, symbol, dates, ms, ts = _tick_frame(path, "tick_quotes", "_quote_ticks", flt)
    # Comparisons run on floats; the emitted prices come back exact from the file's text.
    exact: dict[float, Decimal] = {
        float(value): value
        for column in ("bid", "ask")
        for value in set(decimals(ctx, df, column, allow_zero=True))
    }
    bid, ask = floats(ctx, df, "bid"), floats(ctx, df, "ask")
    bid_size, ask_size = ints(ctx, df, "bid_size"), ints(ctx, df, "ask_size")
    session = in_regular_session(ms) if flt.session == "regular" else np.ones(len(ms), bool)
    records: list[MarketRecord] = []
    day_codes, _ = pd.factorize(pd.Series(dates))
    bounds = np.flatnonzero(np.diff(day_codes)) + 1
    for rows in np.split(np.arange(len(dates)), bounds):
        if len(rows) == 0:
            continue
        lo, hi = int(rows[0]), int(rows[-1]) + 1
        nbbo = build_nbbo(bid[lo:hi], bid_size[lo:hi], ask[lo:hi], ask_size[lo:hi])
        emit = np.flatnonzero(change_points(nbbo, ts[lo:hi]) & session[lo:hi])
        records.extend(
            QuoteTick(symbol, exact[b], exact[a], bs, az, t)
            for b, a, bs, az, t in zip(
                nbbo.bid[emit].tolist(),
                nbbo.ask[emit].tolist(),
                nbbo.bid_size[emit].tolist(),
                nbbo.ask_size[emit].tolist(),
                ts[lo:hi][emit].tolist(),
                strict=True,
            )
        )
    return records


# --- dispatch -------------------------------------------------------------------------------

_LOADERS: dict[str, Callable[[Path, LoadFilter], list[MarketRecord]]] = {
    "quotes": load_sim_quotes,
    "trades": load_sim_trades,
    "bars": load_sim_bars,
    "lean_trade_bars": load_lean_trade_bars,
    "lean_quote_bars": load_lean_quote_bars,
    "tick_quotes": load_tick_quotes,
    "tick_trades": load_tick_trades,
}


def make_filter(
    symbols: Iterable[str] | None = None,
    session: str = "all",
    dates: Iterable[str] | None = None,
) -> LoadFilter:
    """Return a :class:`LoadFilter`; dates may be ``datetime.date`` or ISO strings."""
    return LoadFilter(
        frozenset(s.upper() for s in symbols) if symbols is not None else None,
        frozenset(str(d) for d in dates) if dates is not None else None,
        session,
    )


def load_file(path: Path | str, flt: LoadFilter | None = None) -> list[MarketRecord]:
    """Load one market data file (format detected from its header or LOBSTER name).

    A LOBSTER message file is loaded with its orderbook file when one sits next to it; an
    orderbook file is loaded with its message file (which it needs for times and trades).
    """
    file = Path(path)
    flt = flt or LoadFilter()
    if not file.is_file():
        raise DataError(f"{file}: no such market data file")
    fmt = detect_format(file)
    if fmt == "lobster_orderbook":
        message = Path(str(file).replace("_orderbook_", "_message_"))
        if not message.is_file():
            raise DataError(f"{file}: a LOBSTER orderbook file needs its message file {message}")
        return lobster.load_message_and_book(message, file, flt)
    if fmt == "lobster_message":
        partner = file.with_name(file.name.replace("_message_", "_orderbook_"))
        if not partner.is_file():
            return lobster.load_messages(file, flt)
        return lobster.load_message_and_book(file, partner, flt)
    return _LOADERS[fmt](file, flt)


def data_files(path: Path | str) -> list[Path]:
    """Return the market data files of ``path``: a file, or every CSV file under a folder.

    A folder is searched recursively (sorted by path; hidden files and folders are skipped), so a
    multi-day layout such as ``market/2013-10-07/*.csv`` loads as one. A LOBSTER orderbook file
    is skipped when its message file sits next to it (the pair loads once, through the message
    file).
    """
    root = Path(path)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DataError(f"{root}: no such market data file or folder")
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.name.lower().endswith(DATA_SUFFIXES)
    )
    present = set(files)
    return [
        p
        for p in files
        if not (
            "_orderbook_" in p.name
            and lobster.parse_name(p) is not None
            and p.with_name(p.name.replace("_orderbook_", "_message_")) in present
        )
    ]


def load_sources(path: Path | str, flt: LoadFilter | None = None) -> list[list[MarketRecord]]:
    """Load every file under ``path``; return one time-sorted record list per source."""
    files = data_files(path)
    if not files:
        raise DataError(f"{path}: no market data files (*.csv, *.csv.gz) found")
    return [load_file(f, flt) for f in files]
