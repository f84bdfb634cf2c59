"""The vectorised TCA engine: every parent's benchmarks, shortfall and quality metrics at once.

Market-data queries run per symbol as ``searchsorted`` over sorted arrays; per-parent sums are
differences of prefix sums over fills sorted by parent. Money stays exact: the per-parent sums
that enter the shortfall (``Σ q·p``, ``Σ q·mid``, ``Σ fee``) are integer micro-dollars summed in
``int64`` (Python integers if a sum could overflow), and the decomposition itself is done in
``Decimal`` per parent by :func:`slipstream.tca.shortfall.implementation_shortfall`. Averages
(VWAP, TWAP, PWP), basis points and markouts are ``float64`` statistics: their relative error
(~10⁻¹⁵) is eleven orders of magnitude below the 0.01 bp a report shows.

Sign convention (every metric here): cost > 0, improvement < 0, in bps of the benchmark's
notional, signed by side; shortfall parts in bps of the paper portfolio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.timestamps import EXCHANGE_TZ, NS_PER_SEC
from slipstream.tca.conventions import BPS
from slipstream.tca.inputs import NO_TS, TcaInputs
from slipstream.tca.market import MICROS, NO_PRICE, FloatArray, IntArray, MarketData
from slipstream.tca.records import Exclusion, ShortfallBreakdown
from slipstream.tca.shortfall import EXACT, implementation_shortfall

SESSION_OPEN_NS = (9 * 3600 + 30 * 60) * NS_PER_SEC
SESSION_CLOSE_NS = 16 * 3600 * NS_PER_SEC
DEFAULT_HORIZONS_SECS = (1.0, 10.0, 60.0, 300.0)
DEFAULT_PARTICIPATION = 0.10
END_PRICES = ("close", "last_mid")
BENCHMARKS = ("decision", "arrival", "interval_vwap", "interval_twap", "day_vwap", "close", "pwp")
PARTS = ("delay", "impact", "timing", "opportunity", "fees")


@dataclass(frozen=True, slots=True)
class TcaOptions:
    """Choices that change the figures; every report states them.

    ``end_price`` prices unexecuted shares for the opportunity cost: ``"close"`` (the last
    regular-session trade of the arrival day; the mid at the order's end when no trade is
    known) or ``"last_mid"`` (the mid prevailing at the order's end). ``horizons_secs`` are
    the markout horizons; ``default_participation`` sets the participation-weighted price of
    parents without a ``target_participation``.
    """

    end_price: str = "close"
    horizons_secs: tuple[float, ...] = DEFAULT_HORIZONS_SECS
    default_participation: float = DEFAULT_PARTICIPATION


@dataclass(frozen=True, slots=True)
class Analysis:
    """Per-parent results (``parents``), per-fill results (``fills``) and the exclusions."""

    parents: pd.DataFrame
    fills: pd.DataFrame
    breakdowns: dict[str, ShortfallBreakdown]
    exclusions: list[Exclusion]
    options: TcaOptions


def _group_sum(values: np.ndarray, starts: IntArray, ends: IntArray) -> np.ndarray:
    """Return per-group sums of ``values`` (sorted by group); exact for integers."""
    if values.dtype.kind == "i":
        bound = float(np.abs(values).astype(np.float64).sum()) if len(values) else 0.0
        if bound >= 2**62:  # int64 prefix sums could overflow: use Python integers
            values = values.astype(object)
    prefix = np.zeros(len(values) + 1, dtype=values.dtype)
    if len(values):
        prefix[1:] = np.cumsum(values)
    return np.asarray(prefix[ends] - prefix[starts])


def _exact_products(a: IntArray, b: IntArray) -> np.ndarray:
    """Return ``a * b`` element-wise, as Python integers if ``int64`` could overflow."""
    if len(a) and float(np.abs(a).max()) * float(np.abs(b).max()) >= 2**62:
        return np.asarray(a.astype(object) * b.astype(object))
    return np.asarray(a * b)


def _dollars(micros: object, *, halves: bool = False) -> Decimal:
    """Return integer micro-dollars (or half micro-dollars) as exact dollars.

    Call it inside ``localcontext(EXACT)``, so a value too long to hold exactly raises.
    """
    whole = int(micros)  # type: ignore[call-overload]
    if not halves:
        return Decimal(whole).scaleb(-6)
    # Half micro-dollars: exact without a decimal division (odd x: x/2 µ$ = 5x × 10⁻⁷ $).
    return Decimal(whole // 2).scaleb(-6) if whole % 2 == 0 else Decimal(5 * whole).scaleb(-7)


def _sessions(ts_ns: IntArray) -> tuple[IntArray, IntArray, list[str]]:
    """Return the regular session open/close (UTC ns) and the ET date of each timestamp."""
    local = pd.DatetimeIndex(pd.to_datetime(ts_ns, unit="ns", utc=True)).tz_convert(EXCHANGE_TZ)
    midnight = local.normalize()
    # The UTC offset is constant from midnight to the close on any trading day (DST changes
    # at 02:00 on Sundays), so midnight + wall-clock duration is exact.
    base = midnight.tz_convert("UTC").asi8.astype(np.int64)
    days = [d.isoformat() for d in local.date]
    return base + SESSION_OPEN_NS, base + SESSION_CLOSE_NS, days


def _distinct_per_parent(labels: pd.Series, parent: IntArray, n: int) -> IntArray:
    """Return how many distinct non-missing labels (a categorical column) each parent has."""
    codes = np.asarray(labels.cat.codes, dtype=np.int64)
    given = codes >= 0
    width = int(codes.max(initial=0)) + 1
    pairs = np.unique(parent[given] * width + codes[given])
    return np.bincount(pairs // width, minlength=n).astype(np.int64)


def eastern_days(ts_ns: IntArray) -> list[str]:
    """Return the distinct US Eastern dates (ISO) of the given UTC timestamps, sorted."""
    return sorted(set(_sessions(np.asarray(ts_ns, dtype=np.int64))[2]))


def _weighted(numerator: FloatArray, weights: FloatArray, parent: IntArray, n: int) -> FloatArray:
    num = np.bincount(parent, weights=numerator, minlength=n)
    den = np.bincount(parent, weights=weights, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _decompose(
    ids: list[str],
    excluded: npt.NDArray[np.bool_],
    side: IntArray,
    intended: IntArray,
    executed: IntArray,
    halves: dict[str, np.ndarray],
    value_sum: np.ndarray,
    fee_sum: np.ndarray,
) -> tuple[dict[str, ShortfallBreakdown], dict[str, list[Decimal | None]]]:
    """Return each parent's exact shortfall breakdown and its dollar columns.

    ``halves`` holds prices as twice their value in micro-dollars (decision, arrival, end)
    and ``Σ q·2·mid`` (mid); ``value_sum`` and ``fee_sum`` are micro-dollars.
    """
    names = (
        "paper_notional_usd", "executed_notional_usd", "decision_price", "arrival_price",
        "end_price", *(f"{part}_usd" for part in PARTS), "trading_usd", "shortfall_usd",
    )  # fmt: skip
    columns: dict[str, list[Decimal | None]] = {name: [] for name in names}
    breakdowns: dict[str, ShortfallBreakdown] = {}
    decision_h, arrival_h = halves["decision"].tolist(), halves["arrival"].tolist()
    end_h, mid_h = halves["end"].tolist(), halves["mid"].tolist()
    values_l, fees_l = value_sum.tolist(), fee_sum.tolist()
    with localcontext(EXACT):
        for i, parent_id in enumerate(ids):
            if excluded[i]:
                for column in columns.values():
                    column.append(None)
                continue
            decision_px = _dollars(decision_h[i], halves=True)
            arrival_px = _dollars(arrival_h[i], halves=True)
            # Fully executed parents need no end price; the decision price makes it 0.
            end_px = _dollars(end_h[i], halves=True) if end_h[i] != NO_PRICE else decision_px
            executed_value = _dollars(values_l[i])
            b = implementation_shortfall(
                side_sign=int(side[i]),
                intended_qty=int(intended[i]),
                decision_price=decision_px,
                arrival_price=arrival_px,
                executed_qty=int(executed[i]),
                executed_value=executed_value,
                executed_mid_value=_dollars(mid_h[i], halves=True),
                end_price=end_px,
                fees=_dollars(fees_l[i]),
            )
            breakdowns[parent_id] = b
            row = (
                b.paper_notional, executed_value, decision_px, arrival_px, end_px,
                b.delay_usd, b.impact_usd, b.timing_usd, b.opportunity_usd, b.fees_usd,
                b.trading_usd, b.total_usd,
            )  # fmt: skip
            for name, value in zip(names, row, strict=True):
                columns[name].append(value)
    return breakdowns, columns


def analyze(inputs: TcaInputs, market: MarketData, options: TcaOptions | None = None) -> Analysis:
    """Compute benchmarks, implementation shortfall and quality metrics for every parent.

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side; shortfall parts are in bps of the paper portfolio (decision price × intended qty).
    Parents the market data cannot price are listed in ``exclusions`` with the reason.
    """
    opts = options or TcaOptions()
    if opts.end_price not in END_PRICES:
        raise ValueError(f"end_price must be one of {END_PRICES}, not {opts.end_price!r}")
    orders, fills = inputs.orders, inputs.fills
    n = len(orders)
    parent = fills["parent"].to_numpy()
    ts = fills["ts_ns"].to_numpy()
    qty = fills["quantity"].to_numpy()
    px = fills["price_micros"].to_numpy()
    side = orders["side_sign"].to_numpy()
    intended = orders["quantity"].to_numpy()
    starts = np.searchsorted(parent, np.arange(n), side="left").astype(np.int64)
    ends = np.searchsorted(parent, np.arange(n), side="right").astype(np.int64)
    count = ends - starts
    executed = _group_sum(qty, starts, ends).astype(np.int64)
    has_fills = count > 0
    first_fill = np.full(n, NO_TS, dtype=np.int64)
    last_fill = np.full(n, NO_TS, dtype=np.int64)
    first_fill[has_fills] = ts[starts[has_fills]]
    last_fill[has_fills] = ts[ends[has_fills] - 1]

    decision_ts = orders["decision_ts_ns"].to_numpy()
    arrival_ts = orders["arrival_ts_ns"].to_numpy().copy()
    for fallback in (orders["start_ts_ns"].to_numpy(), first_fill, decision_ts):
        arrival_ts = np.where(arrival_ts == NO_TS, fallback, arrival_ts)
    end_ts = orders["end_ts_ns"].to_numpy()
    life_end = np.where(end_ts != NO_TS, np.maximum(end_ts, arrival_ts), arrival_ts)
    life_end = np.where(has_fills, np.maximum(life_end, last_fill), life_end)
    life_end = np.where(has_fills & (executed == intended), last_fill, life_end)
    life_end = np.maximum(life_end, arrival_ts)
    session_open, session_close, days = _sessions(arrival_ts)

    arrival_mid2 = np.full(n, NO_PRICE, dtype=np.int64)
    decision_mid2 = np.full(n, NO_PRICE, dtype=np.int64)
    end_micros2 = np.full(n, NO_PRICE, dtype=np.int64)  # twice the end price, micro-dollars
    close_micros = np.full(n, NO_PRICE, dtype=np.int64)
    bench = {
        name: np.full(n, np.nan) for name in ("interval_vwap", "interval_twap", "day_vwap", "pwp")
    }
    interval_volume = np.zeros(n, dtype=np.int64)
    day_volume = np.zeros(n, dtype=np.int64)
    mid2_fill = np.full(len(fills), NO_PRICE, dtype=np.int64)
    spread_fill = np.full(len(fills), np.nan)
    horizon_mid2 = {h: np.full(len(fills), NO_PRICE, dtype=np.int64) for h in opts.horizons_secs}
    end_source = np.full(n, "", dtype=object)
    mid_from_trades = np.zeros(n, dtype=bool)

    codes, symbols = pd.factorize(orders["symbol"])
    fill_codes = codes[parent] if len(parent) else np.zeros(0, dtype=np.int64)
    fill_order = np.argsort(fill_codes, kind="stable")
    fill_bounds = np.searchsorted(fill_codes[fill_order], np.arange(len(symbols) + 1))
    rate = np.where(
        np.isnan(orders["target_participation"].to_numpy()),
        opts.default_participation,
        orders["target_participation"].to_numpy(),
    )
    for code, symbol in enumerate(symbols):
        data = market.get(str(symbol))
        if data is None:
            continue
        p = np.flatnonzero(codes == code)
        f = fill_order[fill_bounds[code] : fill_bounds[code + 1]]
        mid_from_trades[p] = data.mid_from_trades
        arrival_mid2[p] = data.mid2_at(arrival_ts[p])
        decision_mid2[p] = data.mid2_at(decision_ts[p])
        bench["interval_vwap"][p] = data.vwap(arrival_ts[p], life_end[p])
        bench["interval_twap"][p] = data.twap(arrival_ts[p], life_end[p])
        bench["day_vwap"][p] = data.vwap(session_open[p], session_close[p] - 1)
        bench["pwp"][p] = data.pwp(arrival_ts[p], session_close[p] - 1, executed[p] / rate[p])
        interval_volume[p] = data.volume(arrival_ts[p], life_end[p])
        day_volume[p] = data.volume(session_open[p], session_close[p] - 1)
        close_micros[p] = data.last_trade_micros(session_open[p], session_close[p])
        end_mid2 = data.mid2_at(life_end[p])
        if opts.end_price == "close":
            close_mid2 = np.where(close_micros[p] != NO_PRICE, 2 * close_micros[p], NO_PRICE)
            end_micros2[p] = np.where(close_mid2 != NO_PRICE, close_mid2, end_mid2)
            end_source[p] = np.where(close_mid2 != NO_PRICE, "close", "mid at order end")
        else:
            end_micros2[p] = end_mid2
            end_source[p] = "mid at order end"
        f = f[np.argsort(ts[f], kind="stable")]  # sorted needles make the searches fast
        mid2_fill[f], spread_fill[f] = data.quote_at(ts[f])
        for h in opts.horizons_secs:
            horizon_mid2[h][f] = data.mid2_at(ts[f] + round(h * NS_PER_SEC))

    # Exclusions: a parent the market data cannot price is reported, never guessed.
    given_decision = orders["decision_price_micros"].to_numpy()
    missing_fill_mid = np.bincount(parent, weights=(mid2_fill == NO_PRICE), minlength=n) > 0
    reasons = [
        (np.isin(codes, [c for c, s in enumerate(symbols) if market.get(str(s)) is None]),
         "no market data for the symbol"),
        (arrival_mid2 == NO_PRICE, "no quote or trade at or before arrival"),
        ((given_decision == NO_PRICE) & (decision_mid2 == NO_PRICE),
         "no decision_price and no quote at decision_ts"),
        (missing_fill_mid, "a fill has no prevailing quote"),
        ((executed < intended) & (end_micros2 == NO_PRICE),
         "no end price for the unexecuted shares"),
    ]  # fmt: skip
    excluded = np.zeros(n, dtype=bool)
    exclusions: list[Exclusion] = []
    for mask, reason in reasons:
        for row in np.flatnonzero(mask & ~excluded):
            exclusions.append(Exclusion(str(orders["parent_id"].iloc[row]), reason))
        excluded |= mask

    # Exact per-parent money sums (integer micro-dollars; mid sums in half micro-dollars).
    value_sum = _group_sum(_exact_products(qty, px), starts, ends)
    mid2_sum = _group_sum(_exact_products(qty, np.maximum(mid2_fill, 0)), starts, ends)
    fee_sum = _group_sum(fills["fee_micros"].to_numpy(), starts, ends)
    decision2 = np.where(given_decision != NO_PRICE, 2 * given_decision, decision_mid2)

    breakdowns, money_columns = _decompose(
        orders["parent_id"].tolist(),
        excluded,
        side,
        intended,
        executed,
        {"decision": decision2, "arrival": arrival_mid2, "end": end_micros2, "mid": mid2_sum},
        value_sum,
        fee_sum,
    )
    ids = orders["parent_id"].tolist()

    # Float statistics (bps, rates); NaN where not defined.
    keep = ~excluded
    with np.errstate(invalid="ignore", divide="ignore"):
        exec_value = value_sum.astype(np.float64) / MICROS
        avg_px = np.where(executed > 0, exec_value / np.maximum(executed, 1), np.nan)
        paper = decision2.astype(np.float64) / (2 * MICROS) * intended
        benchmarks = {
            "decision": decision2 / (2.0 * MICROS),
            "arrival": arrival_mid2 / (2.0 * MICROS),
            "close": np.where(close_micros != NO_PRICE, close_micros / MICROS, np.nan),
            **bench,
        }
        out: dict[str, object] = {
            "parent_id": orders["parent_id"],
            "symbol": orders["symbol"],
            "side": np.where(side > 0, "buy", "sell"),
            "algo": orders["algo"],
            "urgency": orders["urgency"],
            "day": days,
            "quantity": intended,
            "executed_qty": executed,
            "fill_rate_pct": executed / intended * 100.0,
            "avg_price": avg_px,
            "arrival_ts_ns": arrival_ts,
            "end_ts_ns": life_end,
            "included": keep,
            "end_price_source": np.where(keep, end_source, ""),
            "mid_from_trades": mid_from_trades,
            **money_columns,
        }
        for part in (*PARTS, "trading", "shortfall"):
            dollars = money_columns[f"{part}_usd"]
            as_float = np.array([float(d) if d is not None else np.nan for d in dollars])
            out[f"{part}_bps"] = as_float / paper * BPS
        # Benchmarks that are exact prices (twice their value in micro-dollars) get an exact
        # numerator, so a fill at the benchmark is exactly 0; averages are float statistics.
        exact_levels = {
            "decision": decision2,
            "arrival": arrival_mid2,
            "close": np.where(close_micros != NO_PRICE, 2 * close_micros, NO_PRICE),
        }
        slippage: dict[str, FloatArray] = {}
        for name in BENCHMARKS:
            level = np.where(benchmarks[name] > 0, benchmarks[name], np.nan)
            out[f"{name}_benchmark"] = np.where(keep, level, np.nan)
            if name in exact_levels:
                twice = exact_levels[name]
                cost = 2 * value_sum.astype(object) - executed.astype(object) * twice.astype(object)
                ratio = cost.astype(np.float64) / (executed * twice.astype(np.float64))
                valid = keep & (executed > 0) & (twice != NO_PRICE)
                slippage[name] = np.where(valid, side * ratio * BPS, np.nan)
            else:
                slippage[name] = np.where(
                    keep & (executed > 0), side * (avg_px - level) / level * BPS, np.nan
                )
            out[f"vs_{name}_bps"] = slippage[name]
        out_vs_arrival = slippage["arrival"]
        out["interval_volume"] = interval_volume
        out["day_volume"] = day_volume
        out["participation_pct"] = np.where(
            interval_volume > 0, executed / interval_volume * 100.0, np.nan
        )
        out["target_participation_pct"] = orders["target_participation"].to_numpy() * 100.0
        out["size_pct_day_volume"] = np.where(day_volume > 0, intended / day_volume * 100.0, np.nan)
        out["forecast_bps"] = orders["forecast_bps"].to_numpy()
        out["forecast_error_bps"] = out_vs_arrival - orders["forecast_bps"].to_numpy()

        # Per-fill statistics.
        fill_side = side[parent] if len(parent) else np.zeros(0, dtype=np.int64)
        fill_px = px / MICROS
        fill_mid = np.where(mid2_fill != NO_PRICE, mid2_fill / (2.0 * MICROS), np.nan)
        qf = qty.astype(np.float64)
        maker = fills["maker"].to_numpy() & (spread_fill > 0)
        capture = np.where(maker, fill_side * (fill_mid - fill_px) / (spread_fill / 2) * 100.0, 0.0)
        out["spread_capture_pct"] = _weighted(
            np.nan_to_num(capture * qf), np.where(maker, qf, 0.0), parent, n
        )
        fill_out: dict[str, object] = {
            "parent_id": pd.Categorical.from_codes(parent, categories=pd.Index(ids)),
            "ts_ns": ts,
            "price": fill_px,
            "quantity": qty,
            "fee": fills["fee_micros"].to_numpy() / MICROS,
            "mid": fill_mid,
            "spread": spread_fill,
            "maker": fills["maker"].to_numpy(),
            "vs_mid_bps": fill_side * (fill_px - fill_mid) / fill_mid * BPS,
        }
        for h in opts.horizons_secs:
            later = np.where(horizon_mid2[h] != NO_PRICE, horizon_mid2[h] / (2.0 * MICROS), np.nan)
            markout = fill_side * (fill_px - later) / fill_px * BPS
            valid = ~np.isnan(markout)
            fill_out[f"markout_{h:g}s_bps"] = markout
            out[f"markout_{h:g}s_bps"] = _weighted(
                np.where(valid, markout * qf * fill_px, 0.0),
                np.where(valid, qf * fill_px, 0.0),
                parent,
                n,
            )
        out["n_fills"] = count
        out["n_children"] = _distinct_per_parent(fills["child_id"], parent, n)
        out["n_venues"] = _distinct_per_parent(fills["venue"], parent, n)
        out["maker_pct"] = _weighted(fills["maker"].to_numpy() * qf, qf, parent, n) * 100.0
        out["avg_fill_size"] = np.where(count > 0, executed / np.maximum(count, 1), np.nan)
        out["duration_secs"] = np.where(has_fills, (last_fill - first_fill) / NS_PER_SEC, np.nan)
    # copy=False keeps one block per column: consolidating a million-row frame costs more than
    # everything after it.
    frame = pd.DataFrame(out, copy=False)
    return Analysis(frame, pd.DataFrame(fill_out, copy=False), breakdowns, exclusions, opts)


def horizon_columns(horizons_secs: Sequence[float]) -> list[str]:
    """Return the markout column names for ``horizons_secs``."""
    return [f"markout_{h:g}s_bps" for h in horizons_secs]
