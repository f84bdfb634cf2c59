"""Parent orders and fills: read, validated, and arranged as arrays for the vectorised engine.

Two ways in, one validation: records (:class:`ParentRecord`, :class:`FillRecord`, from the OMS)
and CSV files (from Slipstream's journal export or any other system) both become data frames
that :func:`prepare` checks and arranges. Every refusal is an :class:`InputError` naming the
file, the line, the field, the value and the rule; nothing is dropped silently.

Prices and fees become integer micro-dollars. From a CSV they are parsed as binary floats and
scaled: any decimal with at most 6 places below $1,000,000 is recovered exactly that way (the
parse error is below 10⁻⁹ of a micro-dollar), and a value with more places is refused rather
than rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from slipstream.core.errors import InputError
from slipstream.core.timestamps import (
    MIN_TIMESTAMP_NS,
    first_refused,
    parse_timestamp,
    parse_timestamps,
)
from slipstream.tca.market import MICROS, NO_PRICE, IntArray, to_micros
from slipstream.tca.records import FillRecord, ParentRecord

NO_TS = np.iinfo(np.int64).min
"""Sentinel for a missing optional timestamp."""

ORDER_COLUMNS = {
    "required": ("parent_id", "symbol", "side", "quantity", "decision_ts"),
    "optional": (
        "decision_price",
        "algo",
        "urgency",
        "start_ts",
        "end_ts",
        "arrival_ts",
        "forecast_bps",
        "target_participation",
    ),
}
FILL_COLUMNS = {
    "required": ("parent_id", "ts", "price", "quantity"),
    "optional": ("fee", "child_id", "liquidity", "venue", "symbol", "side"),
}
_MAX_PRICE_MICROS = 10**12  # $1,000,000: the float round-trip is proven exact below it


@dataclass(frozen=True, slots=True)
class TcaInputs:
    """Validated inputs. ``orders`` has one row per parent (row ``i`` is parent index ``i``);
    ``fills`` is sorted by parent index then time, with integer prices and fees."""

    orders: pd.DataFrame
    fills: pd.DataFrame
    orders_source: str
    fills_source: str


def _fail(where: str, row: int | None, field: str, value: object, rule: str) -> InputError:
    place = f"{where}, line {row + 2}" if row is not None else where
    return InputError(field, value, rule, where=place)


def _require(frame: pd.DataFrame, spec: dict[str, tuple[str, ...]], where: str) -> None:
    for column in spec["required"]:
        if column not in frame.columns:
            raise _fail(where, None, column, None, "required column is missing")


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def _present(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and not frame[column].isna().all()


def _text(frame: pd.DataFrame, column: str, *, lower: bool = False) -> pd.Series:
    """Return ``column`` as stripped text ("" when blank or absent).

    Cleans each distinct value once (a fills file repeats the same few ids and flags over
    millions of rows), then maps the cleaned values back by code.
    """
    if column not in frame.columns:
        return pd.Series(np.full(len(frame), "", dtype=object), index=frame.index)
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    cleaned = np.array(
        [str(u).strip().lower() if lower else str(u).strip() for u in uniques] + [""],
        dtype=object,
    )
    return pd.Series(cleaned[codes], index=frame.index, dtype=object)


def _blank_as_zero(series: pd.Series) -> pd.Series:
    """Return ``series`` with blanks as zero, keeping its kind (numbers, text or Decimals)."""
    if not series.isna().any():
        return series
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.fillna(0)
    return series.astype(object).where(series.notna(), "0")


def _labels(frame: pd.DataFrame, column: str) -> pd.Categorical:
    """Return ``column`` as a categorical of stripped text, blank (or absent) as missing.

    Child ids and venues repeat over millions of fills; their codes sort and count fast.
    """
    if column not in frame.columns:
        missing = np.full(len(frame), -1, dtype=np.int64)
        return pd.Categorical.from_codes(missing, categories=pd.Index([], dtype=object))
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    cleaned = [str(u).strip() for u in uniques]
    categories = pd.Index(sorted(set(cleaned) - {""}), dtype=object)
    mapping = np.append(categories.get_indexer(pd.Index(cleaned)), -1)  # blank, NaN → missing
    return pd.Categorical.from_codes(mapping[codes], categories=categories)


def _integers(series: pd.Series, where: str, field: str, *, positive: bool) -> IntArray:
    values = pd.to_numeric(series, errors="coerce")
    as_float = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(as_float) | (as_float != np.round(as_float))
    if positive:
        bad |= as_float <= 0
    row = _first(bad)
    if row is not None:
        rule = "must be a whole number of shares > 0" if positive else "must be a whole number"
        raise _fail(where, row, field, series.iloc[row], rule)
    return as_float.astype(np.int64)


def _micros(series: pd.Series, where: str, field: str, *, positive: bool) -> IntArray:
    """Return exact micro-dollars for a column of floats, strings, ints or Decimals."""
    if series.dtype == object and len(series) and isinstance(series.iloc[0], Decimal):
        out = np.array(
            [to_micros(Decimal(v), field, f"{where}, line {i + 2}") for i, v in enumerate(series)],
            dtype=np.int64,
        )
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        row = _first(~np.isfinite(values))
        if row is not None:
            raise _fail(where, row, field, series.iloc[row], "must be a number")
        scaled = values * MICROS
        whole = np.rint(scaled)
        row = _first((np.abs(scaled - whole) > 1e-3) | (np.abs(whole) >= _MAX_PRICE_MICROS))
        if row is not None:
            raise _fail(
                where, row, field, series.iloc[row], "must have at most 6 decimal places, < 1e6"
            )
        out = whole.astype(np.int64)
    if positive:
        row = _first(out <= 0)
        if row is not None:
            raise _fail(where, row, field, series.iloc[row], "must be > 0")
    return out


def _timestamps(series: pd.Series, where: str, field: str, *, required: bool) -> IntArray:
    """Return UTC nanoseconds by the one rule of :mod:`slipstream.core.timestamps`.

    ISO-8601 with an offset, ISO-8601 without one (New York time) or integer UTC nanoseconds.
    """
    if pd.api.types.is_integer_dtype(series.dtype):
        ints = series.to_numpy(dtype=np.int64)
        # NO_TS marks an optional time left out (records from the OMS).
        row = _first((ints < MIN_TIMESTAMP_NS) & ((ints != NO_TS) | required))
        if row is not None:
            try:
                parse_timestamp(int(ints[row]), field)
            except InputError as exc:
                raise _fail(where, row, field, exc.value, exc.rule or str(exc)) from None
        return ints
    text = series.astype(object).where(series.notna(), "").astype(str).str.strip()
    missing = (text == "").to_numpy()
    if required and missing.any():
        raise _fail(where, _first(missing), field, None, "is required")
    out = np.full(len(text), NO_TS, dtype=np.int64)
    present = text[~missing].tolist()
    try:
        out[~missing] = parse_timestamps(present, field)
    except InputError as exc:
        found = first_refused(present, field)
        row = None if found is None else int(np.flatnonzero(~missing)[found])
        raise _fail(where, row, field, exc.value, exc.rule or str(exc)) from None
    return out


def _optional_float(frame: pd.DataFrame, column: str, where: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    row = _first(frame[column].notna().to_numpy() & ~np.isfinite(values))
    if row is not None:
        raise _fail(where, row, column, frame[column].iloc[row], "must be a number")
    return values


def _prepare_orders(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    _require(raw, ORDER_COLUMNS, where)
    parent_id = _text(raw, "parent_id")
    row = _first((parent_id == "").to_numpy())
    if row is not None:
        raise _fail(where, row, "parent_id", "", "must not be empty")
    row = _first(parent_id.duplicated().to_numpy())
    if row is not None:
        raise _fail(where, row, "parent_id", parent_id.iloc[row], "must be unique")
    symbol = _text(raw, "symbol")
    row = _first((symbol == "").to_numpy())
    if row is not None:
        raise _fail(where, row, "symbol", "", "must not be empty")
    side = _text(raw, "side", lower=True)
    row = _first(~side.isin(["buy", "sell"]).to_numpy())
    if row is not None:
        raise _fail(where, row, "side", raw["side"].iloc[row], "must be 'buy' or 'sell'")
    decision_price = np.full(len(raw), NO_PRICE, dtype=np.int64)
    if _present(raw, "decision_price"):
        given = raw["decision_price"].notna().to_numpy()
        decision_price[given] = _micros(
            raw["decision_price"][given], where, "decision_price", positive=True
        )
    times = {
        name: (
            _timestamps(raw[name], where, name, required=name == "decision_ts")
            if name in raw.columns
            else np.full(len(raw), NO_TS, dtype=np.int64)
        )
        for name in ("decision_ts", "start_ts", "end_ts", "arrival_ts")
    }
    start, end = times["start_ts"], times["end_ts"]
    row = _first((start != NO_TS) & (end != NO_TS) & (end < start))
    if row is not None:
        raise _fail(where, row, "end_ts", raw["end_ts"].iloc[row], "must not be before start_ts")
    participation = _optional_float(raw, "target_participation", where)
    row = _first(~np.isnan(participation) & ((participation <= 0) | (participation > 1)))
    if row is not None:
        raise _fail(where, row, "target_participation", participation[row], "must be in (0, 1]")
    return pd.DataFrame(
        {
            "parent_id": parent_id.to_numpy(),
            "symbol": symbol.to_numpy(),
            "side_sign": np.where(side.to_numpy() == "buy", 1, -1).astype(np.int64),
            "quantity": _integers(raw["quantity"], where, "quantity", positive=True),
            "decision_ts_ns": times["decision_ts"],
            "decision_price_micros": decision_price,
            "algo": _text(raw, "algo").to_numpy(),
            "urgency": _text(raw, "urgency").to_numpy(),
            "start_ts_ns": start,
            "end_ts_ns": end,
            "arrival_ts_ns": times["arrival_ts"],
            "forecast_bps": _optional_float(raw, "forecast_bps", where),
            "target_participation": participation,
        },
        copy=False,
    )


def _prepare_fills(raw: pd.DataFrame, orders: pd.DataFrame, where: str) -> pd.DataFrame:
    _require(raw, FILL_COLUMNS, where)
    # Hash the million ids once; look the few distinct ones up among the parents.
    codes, uniques = pd.factorize(raw["parent_id"], use_na_sentinel=True)
    distinct = [str(u).strip() for u in uniques]
    lookup = np.append(pd.Index(orders["parent_id"]).get_indexer(distinct), -1)
    parent = lookup[codes].astype(np.int64)
    row = _first(parent < 0)
    if row is not None:
        value = raw["parent_id"].iloc[row]
        raise _fail(where, row, "parent_id", value, "is not a parent in the orders file")
    for column, known in (("symbol", orders["symbol"]), ("side", None)):
        if not _present(raw, column):
            continue
        given = _text(raw, column)
        expected = (
            known.to_numpy()[parent]
            if known is not None
            else np.where(orders["side_sign"].to_numpy()[parent] > 0, "buy", "sell")
        )
        values = _text(raw, column, lower=True).to_numpy() if column == "side" else given.to_numpy()
        row = _first((values != "") & (values != expected))
        if row is not None:
            raise _fail(where, row, column, given.iloc[row], f"must match the parent's {column}")
    ts = _timestamps(raw["ts"], where, "ts", required=True)
    qty = _integers(raw["quantity"], where, "quantity", positive=True)
    price = _micros(raw["price"], where, "price", positive=True)
    fee = (
        _micros(_blank_as_zero(raw["fee"]), where, "fee", positive=False)
        if "fee" in raw.columns
        else np.zeros(len(raw), dtype=np.int64)
    )
    liquidity = _text(raw, "liquidity", lower=True)
    row = _first(~liquidity.isin(["", "maker", "taker"]).to_numpy())
    if row is not None:
        raise _fail(
            where, row, "liquidity", raw["liquidity"].iloc[row], "must be 'maker', 'taker' or empty"
        )
    decision = orders["decision_ts_ns"].to_numpy()[parent]
    row = _first(ts < decision)
    if row is not None:
        raise _fail(where, row, "ts", raw["ts"].iloc[row], "is before the parent's decision_ts")
    order = np.argsort(parent, kind="stable")
    sorted_parent, sorted_ts = parent[order], ts[order]
    back = np.flatnonzero((np.diff(sorted_parent) == 0) & (np.diff(sorted_ts) < 0))
    if len(back):
        row = int(order[back[0] + 1])
        raise _fail(
            where, row, "ts", raw["ts"].iloc[row], "is earlier than the parent's previous fill"
        )
    executed = np.bincount(parent, weights=qty.astype(np.float64), minlength=len(orders))
    over = _first(executed > orders["quantity"].to_numpy())
    if over is not None:
        cumulative = np.cumsum(qty[order][sorted_parent == over])
        rows = order[sorted_parent == over]
        row = int(rows[np.flatnonzero(cumulative > orders["quantity"].iloc[over])[0]])
        raise _fail(
            where,
            row,
            "quantity",
            int(qty[row]),
            f"fills of parent {orders['parent_id'].iloc[over]} add up to {int(executed[over])}, "
            f"more than the order's {int(orders['quantity'].iloc[over])} shares",
        )
    return pd.DataFrame(
        {
            "parent": sorted_parent.astype(np.int64),
            "ts_ns": sorted_ts,
            "price_micros": price[order],
            "quantity": qty[order],
            "fee_micros": fee[order],
            "child_id": _labels(raw, "child_id")[order],
            "maker": (liquidity.to_numpy() == "maker")[order],
            "venue": _labels(raw, "venue")[order],
        },
        copy=False,
    )


def prepare(
    orders: pd.DataFrame,
    fills: pd.DataFrame,
    orders_source: str = "orders",
    fills_source: str = "fills",
) -> TcaInputs:
    """Validate raw order and fill frames (CSV columns) and arrange them for the engine."""
    prepared = _prepare_orders(orders.reset_index(drop=True), orders_source)
    return TcaInputs(
        orders=prepared,
        fills=_prepare_fills(fills.reset_index(drop=True), prepared, fills_source),
        orders_source=orders_source,
        fills_source=fills_source,
    )


def frames_from_records(
    orders: Sequence[ParentRecord], fills: Sequence[FillRecord]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return raw order and fill frames (the CSV columns) built from records, exactly."""
    order_frame = pd.DataFrame(
        {
            "parent_id": [o.parent_id for o in orders],
            "symbol": [o.symbol for o in orders],
            "side": [o.side.value for o in orders],
            "quantity": [o.quantity for o in orders],
            "decision_ts": [o.decision_ts_ns for o in orders],
            "decision_price": pd.Series([o.decision_price for o in orders], dtype=object),
            "algo": [o.algo for o in orders],
            "urgency": [o.urgency for o in orders],
            "forecast_bps": [o.forecast_bps for o in orders],
            "target_participation": [o.target_participation for o in orders],
        }
    )
    for name in ("start_ts", "end_ts", "arrival_ts"):
        values = [getattr(o, f"{name}_ns") for o in orders]
        order_frame[name] = np.array([NO_TS if v is None else v for v in values], dtype=np.int64)
    fill_frame = pd.DataFrame(
        {
            "parent_id": [f.parent_id for f in fills],
            "ts": np.array([f.ts_ns for f in fills], dtype=np.int64),
            "price": pd.Series([f.price for f in fills], dtype=object),
            "quantity": np.array([f.quantity for f in fills], dtype=np.int64),
            "fee": pd.Series([f.fee for f in fills], dtype=object),
            "child_id": [f.child_id for f in fills],
            "liquidity": [f.liquidity.value if f.liquidity else "" for f in fills],
            "venue": [f.venue for f in fills],
        }
    )
    return order_frame, fill_frame


def read_csv(path: Path) -> pd.DataFrame:
    """Read an orders or fills CSV with every column as text (parsing is :func:`prepare`'s)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise InputError("path", str(path), "file does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError("path", str(path), f"is not a readable CSV file ({exc})") from None
