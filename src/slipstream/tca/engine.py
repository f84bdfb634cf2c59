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

Why one long module (about 700 lines): :func:`analyze` is one vectorised pass cut into named
steps that share the same sorted fill arrays, prefix sums and market queries; splitting the
steps across modules would pass those arrays around without making any step simpler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.timestamps import EXCHANGE_TZ, NS_PER_SEC
from slipstream.tca.conventions import BPS
from slipstream.tca.inputs import NO_TS, TcaInputs
from slipstream.tca.market import (
    MICROS,
    NO_PRICE,
    FloatArray,
    IntArray,
    MarketData,
    SymbolMarket,
)
from slipstream.tca.records import Exclusion, ShortfallBreakdown
from slipstream.tca.shortfall import EXACT, implementation_shortfall

SESSION_OPEN_NS = (9 * 3600 + 30 * 60) * NS_PER_SEC
SESSION_CLOSE_NS = 16 * 3600 * NS_PER_SEC
DEFAULT_HORIZONS_SECS = (1.0, 10.0, 60.0, 300.0)
DEFAULT_PARTICIPATION = 0.10
END_PRICES = ("close", "last_mid")
BENCHMARKS = ("decision", "arrival", "interval_vwap", "interval_twap", "day_vwap", "close", "pwp")
#: The benchmarks that are averages over the tape (float statistics, not exact price levels).
AVERAGE_BENCHMARKS = ("interval_vwap", "interval_twap", "day_vwap", "pwp")
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


@dataclass(frozen=True, slots=True)
class _Executions:
    """What each parent asked for and what it got: order size and side, and its fills.

    The fill arrays are sorted by parent, so parent ``i``'s fills are rows
    ``starts[i]:ends[i]``.
    """

    side: IntArray  # per parent: +1 buy, -1 sell
    intended: IntArray
    starts: IntArray
    ends: IntArray
    count: IntArray
    executed: IntArray
    has_fills: npt.NDArray[np.bool_]
    first_fill: IntArray  # NO_TS without fills
    last_fill: IntArray
    parent: IntArray  # per fill: its parent's row
    ts: IntArray
    qty: IntArray
    px: IntArray  # micro-dollars


@dataclass(frozen=True, slots=True)
class _Times:
    """Each parent's decision, arrival and end of life, and its arrival day's session."""

    decision: IntArray
    arrival: IntArray
    life_end: IntArray
    session_open: IntArray
    session_close: IntArray
    days: list[str]


@dataclass(frozen=True, slots=True)
class _MarketFacts:
    """Everything the market data says about the parents and their fills (twice-mids, µ$)."""

    unpriced: npt.NDArray[np.bool_]  # per parent: no market data for its symbol
    mid_from_trades: npt.NDArray[np.bool_]
    arrival_mid2: IntArray
    decision_mid2: IntArray
    end_micros2: IntArray  # twice the end price of the unexecuted shares
    end_source: npt.NDArray[np.object_]
    close_micros: IntArray
    averages: dict[str, FloatArray]  # interval_vwap, interval_twap, day_vwap, pwp
    interval_volume: IntArray
    day_volume: IntArray
    mid2_fill: IntArray  # per fill: the prevailing mid, and the spread, at the fill
    spread_fill: FloatArray
    horizon_mid2: dict[float, IntArray]  # per fill: the mid each markout horizon later


@dataclass(frozen=True, slots=True)
class _Money:
    """Exact per-parent money sums: micro-dollars, and half micro-dollars for mid sums."""

    value_sum: npt.NDArray[Any]  # Σ q·p
    mid2_sum: npt.NDArray[Any]  # Σ q·2·mid
    fee_sum: npt.NDArray[Any]
    decision2: IntArray  # twice the decision price (given, else the mid at decision_ts)
    avg_px: FloatArray  # dollars; NaN without fills
    paper: FloatArray  # dollars: decision price × intended quantity


def analyze(inputs: TcaInputs, market: MarketData, options: TcaOptions | None = None) -> Analysis:
    """Compute benchmarks, implementation shortfall and quality metrics for every parent.

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side; shortfall parts are in bps of the paper portfolio (decision price × intended qty).
    Parents the market data cannot price are listed in ``exclusions`` with the reason.

    The steps: slice the fills by parent, fix each parent's interval, ask the market data for
    every price and volume, set aside what cannot be priced, sum the money exactly and decompose
    it per parent, then derive the float statistics per parent and per fill. The columns of the
    result keep the order of the steps.
    """
    opts = options or TcaOptions()
    if opts.end_price not in END_PRICES:
        raise ValueError(f"end_price must be one of {END_PRICES}, not {opts.end_price!r}")
    orders, fills = inputs.orders, inputs.fills
    ex = _executions(orders, fills)
    times = _order_times(orders, ex)
    facts = _query_market(orders, ex, times, market, opts)
    excluded, exclusions = _exclusions(orders, ex, facts)
    money = _money_sums(orders, fills, ex, facts)
    ids = orders["parent_id"].tolist()
    halves = {
        "decision": money.decision2,
        "arrival": facts.arrival_mid2,
        "end": facts.end_micros2,
        "mid": money.mid2_sum,
    }
    breakdowns, money_columns = _decompose(
        ids, excluded, ex.side, ex.intended, ex.executed, halves, money.value_sum, money.fee_sum
    )
    keep = ~excluded
    out = _identity_columns(orders, ex, times, facts, money, keep)
    out |= money_columns
    out |= _shortfall_bps(money_columns, money)
    slippage = _benchmark_columns(ex, facts, money, keep)
    out |= slippage
    out |= _volume_columns(orders, ex, facts, slippage["vs_arrival_bps"])
    fill_out, fill_summaries = _fill_statistics(fills, ex, facts, ids, opts)
    out |= fill_summaries
    out |= _activity_columns(fills, ex)
    # copy=False keeps one block per column: consolidating a million-row frame costs more than
    # everything after it.
    frame = pd.DataFrame(out, copy=False)
    return Analysis(frame, pd.DataFrame(fill_out, copy=False), breakdowns, exclusions, opts)


def _executions(orders: pd.DataFrame, fills: pd.DataFrame) -> _Executions:
    """Slice the fills, sorted by parent, into one contiguous span per parent.

    Every per-parent sum after this is a difference of prefix sums over these spans (one
    ``searchsorted`` per bound instead of a group-by), which is why fills arrive sorted by parent.
    """
    n = len(orders)
    parent = fills["parent"].to_numpy()
    ts = fills["ts_ns"].to_numpy()
    qty = fills["quantity"].to_numpy()
    starts = np.searchsorted(parent, np.arange(n), side="left").astype(np.int64)
    ends = np.searchsorted(parent, np.arange(n), side="right").astype(np.int64)
    count = ends - starts
    has_fills = count > 0
    first_fill = np.full(n, NO_TS, dtype=np.int64)
    last_fill = np.full(n, NO_TS, dtype=np.int64)
    first_fill[has_fills] = ts[starts[has_fills]]
    last_fill[has_fills] = ts[ends[has_fills] - 1]
    return _Executions(
        side=orders["side_sign"].to_numpy(),
        intended=orders["quantity"].to_numpy(),
        starts=starts,
        ends=ends,
        count=count,
        executed=_group_sum(qty, starts, ends).astype(np.int64),
        has_fills=has_fills,
        first_fill=first_fill,
        last_fill=last_fill,
        parent=parent,
        ts=ts,
        qty=qty,
        px=fills["price_micros"].to_numpy(),
    )


def _order_times(orders: pd.DataFrame, ex: _Executions) -> _Times:
    """Fix each parent's arrival and end of life: the interval its benchmarks span.

    Arrival is the first time known of arrival, start, first fill and decision, so every parent
    has one. The life ends at the order's end time (never before arrival), stretched to a fill
    reported after it; a fully executed parent ends at its last fill, since nothing it did later
    can cost it. The session (open, close, ET date) is the arrival day's.
    """
    decision = orders["decision_ts_ns"].to_numpy()
    arrival = orders["arrival_ts_ns"].to_numpy().copy()
    for fallback in (orders["start_ts_ns"].to_numpy(), ex.first_fill, decision):
        arrival = np.where(arrival == NO_TS, fallback, arrival)
    end_ts = orders["end_ts_ns"].to_numpy()
    life_end = np.where(end_ts != NO_TS, np.maximum(end_ts, arrival), arrival)
    life_end = np.where(ex.has_fills, np.maximum(life_end, ex.last_fill), life_end)
    life_end = np.where(ex.has_fills & (ex.executed == ex.intended), ex.last_fill, life_end)
    life_end = np.maximum(life_end, arrival)
    session_open, session_close, days = _sessions(arrival)
    return _Times(decision, arrival, life_end, session_open, session_close, days)


def _query_market(
    orders: pd.DataFrame,
    ex: _Executions,
    times: _Times,
    market: MarketData,
    opts: TcaOptions,
) -> _MarketFacts:
    """Ask the market data, one symbol at a time, for every price and volume the figures need.

    Each query is one vectorised search over the symbol's sorted arrays for all its parents (or
    all its fills) at once; a Python call per parent would cost more than the whole analysis.
    A symbol the market data does not cover leaves its parents at ``NO_PRICE`` (and marks them
    ``unpriced``), for :func:`_exclusions` to report.
    """
    n, n_fills = len(orders), len(ex.parent)
    facts = _MarketFacts(
        unpriced=np.zeros(n, dtype=bool),
        mid_from_trades=np.zeros(n, dtype=bool),
        arrival_mid2=np.full(n, NO_PRICE, dtype=np.int64),
        decision_mid2=np.full(n, NO_PRICE, dtype=np.int64),
        end_micros2=np.full(n, NO_PRICE, dtype=np.int64),
        end_source=np.full(n, "", dtype=object),
        close_micros=np.full(n, NO_PRICE, dtype=np.int64),
        averages={name: np.full(n, np.nan) for name in AVERAGE_BENCHMARKS},
        interval_volume=np.zeros(n, dtype=np.int64),
        day_volume=np.zeros(n, dtype=np.int64),
        mid2_fill=np.full(n_fills, NO_PRICE, dtype=np.int64),
        spread_fill=np.full(n_fills, np.nan),
        horizon_mid2={h: np.full(n_fills, NO_PRICE, dtype=np.int64) for h in opts.horizons_secs},
    )
    codes, symbols = pd.factorize(orders["symbol"])
    fill_codes = codes[ex.parent] if n_fills else np.zeros(0, dtype=np.int64)
    fill_order = np.argsort(fill_codes, kind="stable")
    fill_bounds = np.searchsorted(fill_codes[fill_order], np.arange(len(symbols) + 1))
    target = orders["target_participation"].to_numpy()
    rate = np.where(np.isnan(target), opts.default_participation, target)
    for code, symbol in enumerate(symbols):
        p = np.flatnonzero(codes == code)
        data = market.get(str(symbol))
        if data is None:
            facts.unpriced[p] = True
            continue
        _price_parents(facts, data, p, ex, times, rate, opts.end_price)
        f = fill_order[fill_bounds[code] : fill_bounds[code + 1]]
        _price_fills(facts, data, f[np.argsort(ex.ts[f], kind="stable")], ex.ts)
    return facts


def _price_parents(
    facts: _MarketFacts,
    data: SymbolMarket,
    p: IntArray,
    ex: _Executions,
    times: _Times,
    rate: FloatArray,
    end_price: str,
) -> None:
    """Fill in the benchmarks, volumes and end price of parents ``p`` (all of one symbol).

    The end price values the unexecuted shares: the day's close when the tape has one (else the
    mid at the order's end, as the ``end_price_source`` column says), or the mid at the order's
    end when the options ask for ``last_mid``.
    """
    arrival, life_end = times.arrival[p], times.life_end[p]
    session_open, last_ns = times.session_open[p], times.session_close[p] - 1
    facts.mid_from_trades[p] = data.mid_from_trades
    facts.arrival_mid2[p] = data.mid2_at(arrival)
    facts.decision_mid2[p] = data.mid2_at(times.decision[p])
    facts.averages["interval_vwap"][p] = data.vwap(arrival, life_end)
    facts.averages["interval_twap"][p] = data.twap(arrival, life_end)
    facts.averages["day_vwap"][p] = data.vwap(session_open, last_ns)
    facts.averages["pwp"][p] = data.pwp(arrival, last_ns, ex.executed[p] / rate[p])
    facts.interval_volume[p] = data.volume(arrival, life_end)
    facts.day_volume[p] = data.volume(session_open, last_ns)
    close = data.last_trade_micros(session_open, times.session_close[p])
    facts.close_micros[p] = close
    end_mid2 = data.mid2_at(life_end)
    if end_price == "close":
        close_mid2 = np.where(close != NO_PRICE, 2 * close, NO_PRICE)
        facts.end_micros2[p] = np.where(close_mid2 != NO_PRICE, close_mid2, end_mid2)
        facts.end_source[p] = np.where(close_mid2 != NO_PRICE, "close", "mid at order end")
    else:
        facts.end_micros2[p] = end_mid2
        facts.end_source[p] = "mid at order end"


def _price_fills(facts: _MarketFacts, data: SymbolMarket, f: IntArray, ts: IntArray) -> None:
    """Fill in the prevailing quote and the later mids (markouts) of fills ``f``, sorted by time.

    Sorted needles keep the searches cache-friendly: the fills of one symbol come from many
    parents, in parent order, not time order.
    """
    facts.mid2_fill[f], facts.spread_fill[f] = data.quote_at(ts[f])
    for h, later in facts.horizon_mid2.items():
        later[f] = data.mid2_at(ts[f] + round(h * NS_PER_SEC))


def _exclusions(
    orders: pd.DataFrame, ex: _Executions, facts: _MarketFacts
) -> tuple[npt.NDArray[np.bool_], list[Exclusion]]:
    """Set aside the parents the market data cannot price, each with its first reason.

    A parent without a price is reported, never guessed: its figures stay empty and the report
    lists it with the reason.
    """
    n = len(orders)
    given_decision = orders["decision_price_micros"].to_numpy()
    missing_fill_mid = (
        np.bincount(ex.parent, weights=(facts.mid2_fill == NO_PRICE), minlength=n) > 0
    )
    reasons = [
        (facts.unpriced, "no market data for the symbol"),
        (facts.arrival_mid2 == NO_PRICE, "no quote or trade at or before arrival"),
        ((given_decision == NO_PRICE) & (facts.decision_mid2 == NO_PRICE),
         "no decision_price and no quote at decision_ts"),
        (missing_fill_mid, "a fill has no prevailing quote"),
        ((ex.executed < ex.intended) & (facts.end_micros2 == NO_PRICE),
         "no end price for the unexecuted shares"),
    ]  # fmt: skip
    excluded = np.zeros(n, dtype=bool)
    exclusions: list[Exclusion] = []
    for mask, reason in reasons:
        for row in np.flatnonzero(mask & ~excluded):
            exclusions.append(Exclusion(str(orders["parent_id"].iloc[row]), reason))
        excluded |= mask
    return excluded, exclusions


def _money_sums(
    orders: pd.DataFrame, fills: pd.DataFrame, ex: _Executions, facts: _MarketFacts
) -> _Money:
    """Sum each parent's money exactly, in integers, before any of it becomes a float.

    ``Σ q·p`` and fees are integer micro-dollars, ``Σ q·2·mid`` half micro-dollars (a mid is a
    half-cent away from a whole micro-dollar at worst); the shortfall decomposition and the exact
    slippage against price levels start from these. The average price and the paper notional
    are the float denominators of the bps figures.
    """
    value_sum = _group_sum(_exact_products(ex.qty, ex.px), ex.starts, ex.ends)
    mid2_sum = _group_sum(
        _exact_products(ex.qty, np.maximum(facts.mid2_fill, 0)), ex.starts, ex.ends
    )
    fee_sum = _group_sum(fills["fee_micros"].to_numpy(), ex.starts, ex.ends)
    given = orders["decision_price_micros"].to_numpy()
    decision2 = np.where(given != NO_PRICE, 2 * given, facts.decision_mid2)
    with np.errstate(invalid="ignore", divide="ignore"):
        exec_value = value_sum.astype(np.float64) / MICROS
        avg_px = np.where(ex.executed > 0, exec_value / np.maximum(ex.executed, 1), np.nan)
        paper = decision2.astype(np.float64) / (2 * MICROS) * ex.intended
    return _Money(value_sum, mid2_sum, fee_sum, decision2, avg_px, paper)


def _identity_columns(
    orders: pd.DataFrame,
    ex: _Executions,
    times: _Times,
    facts: _MarketFacts,
    money: _Money,
    keep: npt.NDArray[np.bool_],
) -> dict[str, object]:
    """Return the columns that say which parent a row is and what it did, before any cost."""
    with np.errstate(invalid="ignore", divide="ignore"):
        fill_rate_pct = ex.executed / ex.intended * 100.0
    return {
        "parent_id": orders["parent_id"],
        "symbol": orders["symbol"],
        "side": np.where(ex.side > 0, "buy", "sell"),
        "algo": orders["algo"],
        "urgency": orders["urgency"],
        "day": times.days,
        "quantity": ex.intended,
        "executed_qty": ex.executed,
        "fill_rate_pct": fill_rate_pct,
        "avg_price": money.avg_px,
        "arrival_ts_ns": times.arrival,
        "end_ts_ns": times.life_end,
        "included": keep,
        "end_price_source": np.where(keep, facts.end_source, ""),
        "mid_from_trades": facts.mid_from_trades,
    }


def _shortfall_bps(
    money_columns: dict[str, list[Decimal | None]], money: _Money
) -> dict[str, object]:
    """Return each shortfall part in bps of the paper portfolio, from its exact dollars."""
    out: dict[str, object] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for part in (*PARTS, "trading", "shortfall"):
            dollars = money_columns[f"{part}_usd"]
            as_float = np.array([float(d) if d is not None else np.nan for d in dollars])
            out[f"{part}_bps"] = as_float / money.paper * BPS
    return out


def _benchmark_columns(
    ex: _Executions, facts: _MarketFacts, money: _Money, keep: npt.NDArray[np.bool_]
) -> dict[str, FloatArray]:
    """Return every benchmark's level and the average fill's slippage against it, in bps.

    Benchmarks that are exact prices (decision, arrival, close: twice their value in
    micro-dollars) get an exact numerator, so a fill at the benchmark is exactly 0; the averages
    (VWAPs, TWAP, PWP) are float statistics.
    """
    levels: dict[str, FloatArray] = {
        "decision": money.decision2 / (2.0 * MICROS),
        "arrival": facts.arrival_mid2 / (2.0 * MICROS),
        "close": np.where(facts.close_micros != NO_PRICE, facts.close_micros / MICROS, np.nan),
        **facts.averages,
    }
    exact_levels = {
        "decision": money.decision2,
        "arrival": facts.arrival_mid2,
        "close": np.where(facts.close_micros != NO_PRICE, 2 * facts.close_micros, NO_PRICE),
    }
    executed, side = ex.executed, ex.side
    twice_value, executed_exact = 2 * money.value_sum.astype(object), executed.astype(object)
    out: dict[str, FloatArray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in BENCHMARKS:
            level = np.where(levels[name] > 0, levels[name], np.nan)
            out[f"{name}_benchmark"] = np.where(keep, level, np.nan)
            if name in exact_levels:
                twice = exact_levels[name]
                cost = twice_value - executed_exact * twice.astype(object)
                ratio = cost.astype(np.float64) / (executed * twice.astype(np.float64))
                valid = keep & (executed > 0) & (twice != NO_PRICE)
                out[f"vs_{name}_bps"] = np.where(valid, side * ratio * BPS, np.nan)
            else:
                out[f"vs_{name}_bps"] = np.where(
                    keep & (executed > 0), side * (money.avg_px - level) / level * BPS, np.nan
                )
    return out


def _volume_columns(
    orders: pd.DataFrame, ex: _Executions, facts: _MarketFacts, vs_arrival_bps: FloatArray
) -> dict[str, object]:
    """Return participation and size against the tape, and the pre-trade forecast's error."""
    forecast = orders["forecast_bps"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "interval_volume": facts.interval_volume,
            "day_volume": facts.day_volume,
            "participation_pct": np.where(
                facts.interval_volume > 0, ex.executed / facts.interval_volume * 100.0, np.nan
            ),
            "target_participation_pct": orders["target_participation"].to_numpy() * 100.0,
            "size_pct_day_volume": np.where(
                facts.day_volume > 0, ex.intended / facts.day_volume * 100.0, np.nan
            ),
            "forecast_bps": forecast,
            "forecast_error_bps": vs_arrival_bps - forecast,
        }


def _fill_statistics(
    fills: pd.DataFrame, ex: _Executions, facts: _MarketFacts, ids: list[str], opts: TcaOptions
) -> tuple[dict[str, object], dict[str, object]]:
    """Return the per-fill columns, and their per-parent summaries (spread capture, markouts).

    Spread capture counts maker fills only (a taker pays the spread by definition), weighted by
    shares; a markout is weighted by notional, so a parent's figure is its dollars' markout.
    """
    n = len(ids)
    parent, qf = ex.parent, ex.qty.astype(np.float64)
    summaries: dict[str, object] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        fill_side = ex.side[parent] if len(parent) else np.zeros(0, dtype=np.int64)
        fill_px = ex.px / MICROS
        mid2 = facts.mid2_fill
        fill_mid = np.where(mid2 != NO_PRICE, mid2 / (2.0 * MICROS), np.nan)
        spread = facts.spread_fill
        maker = fills["maker"].to_numpy() & (spread > 0)
        capture = np.where(maker, fill_side * (fill_mid - fill_px) / (spread / 2) * 100.0, 0.0)
        summaries["spread_capture_pct"] = _weighted(
            np.nan_to_num(capture * qf), np.where(maker, qf, 0.0), parent, n
        )
        fill_out: dict[str, object] = {
            "parent_id": pd.Categorical.from_codes(parent, categories=pd.Index(ids)),
            "ts_ns": ex.ts,
            "price": fill_px,
            "quantity": ex.qty,
            "fee": fills["fee_micros"].to_numpy() / MICROS,
            "mid": fill_mid,
            "spread": spread,
            "maker": fills["maker"].to_numpy(),
            "vs_mid_bps": fill_side * (fill_px - fill_mid) / fill_mid * BPS,
        }
        for h in opts.horizons_secs:
            later_mid2 = facts.horizon_mid2[h]
            later = np.where(later_mid2 != NO_PRICE, later_mid2 / (2.0 * MICROS), np.nan)
            markout = fill_side * (fill_px - later) / fill_px * BPS
            valid = ~np.isnan(markout)
            fill_out[f"markout_{h:g}s_bps"] = markout
            summaries[f"markout_{h:g}s_bps"] = _weighted(
                np.where(valid, markout * qf * fill_px, 0.0),
                np.where(valid, qf * fill_px, 0.0),
                parent,
                n,
            )
    return fill_out, summaries


def _activity_columns(fills: pd.DataFrame, ex: _Executions) -> dict[str, object]:
    """Return how each parent traded: fills, children, venues, maker share, size, duration."""
    n, parent = len(ex.side), ex.parent
    qf = ex.qty.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "n_fills": ex.count,
            "n_children": _distinct_per_parent(fills["child_id"], parent, n),
            "n_venues": _distinct_per_parent(fills["venue"], parent, n),
            "maker_pct": _weighted(fills["maker"].to_numpy() * qf, qf, parent, n) * 100.0,
            "avg_fill_size": np.where(ex.count > 0, ex.executed / np.maximum(ex.count, 1), np.nan),
            "duration_secs": np.where(
                ex.has_fills, (ex.last_fill - ex.first_fill) / NS_PER_SEC, np.nan
            ),
        }


def horizon_columns(horizons_secs: Sequence[float]) -> list[str]:
    """Return the markout column names for ``horizons_secs``."""
    return [f"markout_{h:g}s_bps" for h in horizons_secs]
