"""LOBSTER message and orderbook files (NASDAQ TotalView-ITCH reconstructions).

Files have no header; symbol and date come from the standard file name
``<SYMBOL>_<YYYY-MM-DD>_<start>_<end>_{message|orderbook}_<levels>[...].csv[.gz]``. Times are
seconds after midnight ET with up to nine decimals, parsed as text to exact nanoseconds. Prices
are integer dollars × 10000, divided exactly. Executions (types 4 and 5) become trades whose
aggressor is the opposite of the resting order's direction; a cross trade (type 6, the auction)
becomes a trade with unknown aggressor. Each orderbook row (the book right after its message)
becomes a :class:`BookSnapshot` without LOBSTER's dummy levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from slipstream.marketdata.columns import FileContext, IntArray, LoadFilter, ints, read_text_csv
from slipstream.marketdata.timeutil import NS_PER_MS, eastern_midnight_ns, in_regular_session
from slipstream.model.market import BookLevel, BookSnapshot, MarketRecord, TradeTick

NAME_RE = re.compile(
    r"^(?P<symbol>[A-Za-z.]+)_(?P<date>\d{4}-\d{2}-\d{2})_\d+_\d+_"
    r"(?P<kind>message|orderbook)_(?P<levels>\d+)"
)
_MESSAGE_COLUMNS = ("time", "type", "order_id", "size", "price", "direction")
_DUMMY_PRICE = 9_999_999_999
_TRADE_TYPES = (4, 5, 6)


@dataclass(frozen=True, slots=True)
class LobsterName:
    """What a LOBSTER file name says."""

    symbol: str
    date: str
    kind: str
    levels: int


def parse_name(path: Path) -> LobsterName | None:
    """Return the parts of a LOBSTER file name, or None if ``path`` is not one."""
    match = NAME_RE.match(path.name)
    if match is None:
        return None
    return LobsterName(match["symbol"].upper(), match["date"], match["kind"], int(match["levels"]))


class _PriceCache(dict[int, Decimal]):
    """Exact dollars for integer ×10000 prices, each distinct value converted once."""

    def __missing__(self, key: int) -> Decimal:
        # scaleb is exact; two decimals when the price is whole cents keeps "585.33" readable.
        value = Decimal(key // 100).scaleb(-2) if key % 100 == 0 else Decimal(key).scaleb(-4)
        self[key] = value
        return value


def _times_ns(ctx: FileContext, raw: pd.Series) -> IntArray:
    parts = raw.str.strip().str.partition(".")
    whole = pd.to_numeric(parts[0], errors="coerce")
    frac_text = parts[2].str.slice(0, 9).str.pad(9, side="right", fillchar="0")
    frac = pd.to_numeric(frac_text, errors="coerce")
    bad = (whole.isna() | frac.isna() | ~parts[2].str.fullmatch(r"\d*")).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ctx.fail(row, "time", raw.iloc[row], "must be seconds after midnight (decimal)")
    total: IntArray = whole.to_numpy(np.int64) * 1_000_000_000 + frac.to_numpy(np.int64)
    return total


@dataclass(frozen=True, slots=True)
class _Messages:
    ts: IntArray
    type: IntArray
    size: IntArray
    price: IntArray
    direction: IntArray
    keep: np.ndarray


def _read_messages(ctx: FileContext, name: LobsterName, flt: LoadFilter) -> _Messages:
    df = read_text_csv(ctx, header=False, text_columns=[0])
    if df.shape[1] < len(_MESSAGE_COLUMNS):
        raise ctx.fail_file(
            f"a LOBSTER message file needs {len(_MESSAGE_COLUMNS)} columns "
            f"{list(_MESSAGE_COLUMNS)}, found {df.shape[1]}"
        )
    df = df.iloc[:, : len(_MESSAGE_COLUMNS)]
    df.columns = list(_MESSAGE_COLUMNS)
    offset_ns = _times_ns(ctx, df["time"])
    backwards = np.diff(offset_ns) < 0
    if backwards.any():
        row = int(np.flatnonzero(backwards)[0]) + 1
        raise ctx.fail(row, "time", df["time"].iloc[row], "timestamps must not decrease")
    kind = ints(ctx, df, "type", minimum=1)
    if (kind > 7).any():
        row = int(np.flatnonzero(kind > 7)[0])
        raise ctx.fail(row, "type", df["type"].iloc[row], "must be a LOBSTER event type 1..7")
    direction = ints(ctx, df, "direction", minimum=None)
    wrong = (direction != 1) & (direction != -1)
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise ctx.fail(row, "direction", df["direction"].iloc[row], "must be 1 or -1")
    keep = np.ones(len(df), dtype=bool)
    if flt.symbols is not None and name.symbol not in flt.symbols:
        keep[:] = False
    if flt.dates is not None and name.date not in flt.dates:
        keep[:] = False
    if flt.session == "regular":
        keep &= in_regular_session(offset_ns // NS_PER_MS)
    midnight = eastern_midnight_ns(pd.Timestamp(name.date).date())
    return _Messages(
        ts=offset_ns + midnight,
        type=kind,
        size=ints(ctx, df, "size", minimum=0),
        price=ints(ctx, df, "price", minimum=None),
        direction=direction,
        keep=keep,
    )


def _trade(m: _Messages, i: int, symbol: str, prices: _PriceCache) -> TradeTick:
    kind = int(m.type[i])
    aggressor = 0 if kind == 6 else -int(m.direction[i])
    return TradeTick(symbol, prices[int(m.price[i])], int(m.size[i]), int(m.ts[i]), aggressor)


def _check_trade_prices(ctx: FileContext, m: _Messages) -> None:
    trades = np.isin(m.type, _TRADE_TYPES)
    bad = trades & (m.price <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ctx.fail(row, "price", int(m.price[row]), "an execution price must be > 0")


def load_messages(path: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Return the trades of a message-only LOBSTER file (no book can be rebuilt without one)."""
    ctx = FileContext(path, first_line=1)
    name = parse_name(path)
    if name is None or name.kind != "message":
        raise ctx.fail_file("is not named like a LOBSTER message file")
    m = _read_messages(ctx, name, flt)
    _check_trade_prices(ctx, m)
    prices = _PriceCache()
    rows = np.flatnonzero(m.keep & np.isin(m.type, _TRADE_TYPES))
    return [_trade(m, int(i), name.symbol, prices) for i in rows]


def _levels(row: list[int], offset: int, n: int, prices: _PriceCache) -> tuple[BookLevel, ...]:
    levels = []
    for level in range(n):
        px, size = row[4 * level + offset], row[4 * level + offset + 1]
        if size > 0 and abs(px) < _DUMMY_PRICE:
            levels.append(BookLevel(prices[px], size))
    return tuple(levels)


def load_message_and_book(message: Path, orderbook: Path, flt: LoadFilter) -> list[MarketRecord]:
    """Return trades and one book snapshot per message from a LOBSTER file pair."""
    mctx = FileContext(message, first_line=1)
    name = parse_name(message)
    if name is None or name.kind != "message":
        raise mctx.fail_file("is not named like a LOBSTER message file")
    m = _read_messages(mctx, name, flt)
    _check_trade_prices(mctx, m)
    bctx = FileContext(orderbook, first_line=1)
    book = read_text_csv(bctx, header=False, text_columns=[])
    if book.shape[1] % 4 or book.shape[1] == 0:
        raise bctx.fail_file(f"an orderbook file needs 4·levels columns, found {book.shape[1]}")
    if len(book) != len(m.ts):
        raise bctx.fail_file(
            f"has {len(book)} rows but its message file {message.name} has {len(m.ts)}"
        )
    book.columns = [f"c{i}" for i in range(book.shape[1])]
    columns = [ints(bctx, book, c, minimum=None) for c in book.columns]
    for i in range(1, book.shape[1], 2):
        if (columns[i] < 0).any():
            row = int(np.flatnonzero(columns[i] < 0)[0])
            raise bctx.fail(row, f"c{i}", int(columns[i][row]), "a level size must be >= 0")
    matrix = np.column_stack(columns).tolist()
    n_levels = book.shape[1] // 4
    prices = _PriceCache()
    symbol = name.symbol
    records: list[MarketRecord] = []
    for i in np.flatnonzero(m.keep).tolist():
        if m.type[i] in _TRADE_TYPES:
            records.append(_trade(m, i, symbol, prices))
        row = matrix[i]
        asks = _levels(row, 0, n_levels, prices)
        bids = _levels(row, 2, n_levels, prices)
        records.append(BookSnapshot(symbol, bids, asks, int(m.ts[i])))
    return records
