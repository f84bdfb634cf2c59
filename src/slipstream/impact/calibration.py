"""Calibrate the power-law impact model ``cost = Y·σ·(Q/V)^α`` from the public tape or our fills.

Both routes end in the same least-squares fit on log cost,

    log(cost / σ) = log Y + α·log(Q/V)        (optionally + (δ − 1)·log σ)

with standard errors from the regression and t-based confidence intervals.

**From the tape** (J.-P. Bouchaud et al., "Trades, Quotes and Prices", 2018, ch. 12): the
bundled IBM and BAC trade ticks of 7–11 Oct 2013 are classified buyer- or seller-initiated
(Lee–Ready against the IBM quote ticks; BAC has no quote ticks, so the tick rule), the signed
volume is summed over fixed intervals, and the mid-quote move of each interval (from the
1-minute quote bars) is taken as the impact of that net flow, as if the interval's imbalance
were one metaorder. Each interval is scaled by the stock's ADV and daily volatility, intervals
are pooled into equal-count bins of ``|Q|/V``, and the bins' mean signed moves are fitted in
log space: a single interval's move is mostly noise (its sign is often against the flow), the
conditional mean is what the law describes.

Minute bars of the other tickers are *not* used: signing a bar's volume by the bar's own price
change (bar-level tick rule) makes the fit circular.

**From our fills**: :func:`fit_from_fills` takes one record per completed parent order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as scipy_stats

from slipstream.core.errors import DataError, InputError
from slipstream.impact._checks import positive
from slipstream.impact.square_root import SquareRootImpact
from slipstream.marketdata._frames import MINUTE_QUOTE_BARS, read_csv, rows_for, tick_file
from slipstream.marketdata.nbbo import build_nbbo
from slipstream.marketdata.stats import intraday_volatility
from slipstream.marketdata.tape import lee_ready_signs, signed_volume_arrays, tick_rule_signs
from slipstream.marketdata.timeutil import REGULAR_CLOSE_MS, REGULAR_OPEN_MS
from slipstream.paths import data_dir

FloatArray = npt.NDArray[np.float64]
MINUTE_MS = 60_000
#: Sale conditions whose price was not set against the prevailing quote (LEAN's
#: TradeConditionFlags): derivatively priced, sold last, out of sequence, stock-option,
#: average price, cross, official close/open, prior reference price.
OFF_QUOTE_CONDITIONS = (
    0x200 | 0x800 | 0x4000 | 0x40000 | 0x100000 | 0x200000 | 0x1000000 | 0x2000000 | 0x4000000
)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A fitted coefficient with its standard error and confidence interval."""

    value: float
    std_error: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class PowerLawFit:
    """Result of a log-cost regression.

    Attributes
    ----------
    y:
        Prefactor ``Y`` (its interval is ``exp`` of the log-intercept interval; its standard
        error is the delta-method one).
    alpha:
        Exponent of ``Q/V``.
    sigma_exponent:
        Exponent of ``σ`` when it was fitted, else ``None`` (fixed at 1).
    observations:
        Points in the regression; ``dropped`` non-positive costs could not enter a log fit.
    r_squared:
        R² of the log regression (in sample).
    """

    y: Estimate
    alpha: Estimate
    sigma_exponent: Estimate | None
    observations: int
    dropped: int
    r_squared: float
    confidence: float

    def model(self) -> SquareRootImpact:
        """Return the fitted law as a :class:`SquareRootImpact` (σ exponent taken as 1)."""
        return SquareRootImpact(self.y.value, self.alpha.value)

    def as_dict(self) -> dict[str, object]:
        """Return the figures as plain JSON-ready values."""
        out: dict[str, object] = {
            "Y": _estimate_dict(self.y),
            "alpha": _estimate_dict(self.alpha),
            "observations": self.observations,
            "dropped_non_positive": self.dropped,
            "r_squared_log": round(self.r_squared, 4),
            "confidence": self.confidence,
        }
        if self.sigma_exponent is not None:
            out["sigma_exponent"] = _estimate_dict(self.sigma_exponent)
        return out


def _estimate_dict(e: Estimate) -> dict[str, float]:
    return {
        "value": round(e.value, 4),
        "std_error": round(e.std_error, 4),
        "ci_low": round(e.ci_low, 4),
        "ci_high": round(e.ci_high, 4),
    }


def fit_log_cost(
    size_adv: Sequence[float] | FloatArray,
    sigma_daily: Sequence[float] | FloatArray,
    cost_bps: Sequence[float] | FloatArray,
    *,
    confidence: float = 0.95,
    fit_sigma_exponent: bool = False,
    fixed_alpha: float | None = None,
) -> PowerLawFit:
    """Fit ``cost_bps = 1e4·Y·σ^δ·(Q/V)^α`` by ordinary least squares on logs.

    Parameters
    ----------
    size_adv, sigma_daily, cost_bps:
        One entry per observation: size over ADV (> 0), daily volatility (> 0, a fraction) and
        the realized cost in bps. Non-positive costs are dropped and counted.
    confidence:
        Level of the t-based intervals, in (0, 1).
    fit_sigma_exponent:
        Estimate ``δ`` too; by default ``δ = 1`` as in the square-root law.
    fixed_alpha:
        Hold ``α`` at this value and fit ``Y`` (and ``δ``) alone; the reported ``alpha`` then
        has a zero standard error.
    """
    x = np.asarray(size_adv, dtype=float)
    s = np.asarray(sigma_daily, dtype=float)
    c = np.asarray(cost_bps, dtype=float)
    if not (x.shape == s.shape == c.shape) or x.ndim != 1:
        raise InputError("observations", (x.shape, s.shape, c.shape), "need equal 1-D lengths")
    if not 0.0 < confidence < 1.0:
        raise InputError("confidence", confidence, "must lie in (0, 1)")
    if np.any(~(x > 0)) or np.any(~(s > 0)):
        raise InputError("size_adv/sigma_daily", "non-positive", "must all be > 0")
    keep = np.isfinite(c) & (c > 0)
    x, s, c = x[keep], s[keep], c[keep]
    target = np.log(c / 1e4)
    columns = [np.ones_like(x)]
    if fixed_alpha is None:
        columns.append(np.log(x))
    else:
        target = target - fixed_alpha * np.log(x)
    if fit_sigma_exponent:
        columns.append(np.log(s))
    else:
        target = target - np.log(s)
    design = np.column_stack(columns)
    n, p = design.shape
    if n <= p:
        raise DataError(f"{n} positive-cost observations cannot fit {p} coefficients")
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coef
    dof = n - p
    s2 = float(residuals @ residuals) / dof
    cov = s2 * np.linalg.inv(design.T @ design)
    se = np.sqrt(np.diag(cov))
    t = float(scipy_stats.t.ppf(0.5 + confidence / 2.0, dof))
    total = float(((target - target.mean()) ** 2).sum())
    r2 = 1.0 - float(residuals @ residuals) / total if total > 0 else 0.0

    def linear(i: int) -> Estimate:
        b, e = float(coef[i]), float(se[i])
        return Estimate(b, e, b - t * e, b + t * e)

    b0, e0 = float(coef[0]), float(se[0])
    y = Estimate(math.exp(b0), math.exp(b0) * e0, math.exp(b0 - t * e0), math.exp(b0 + t * e0))
    alpha = (
        linear(1) if fixed_alpha is None else Estimate(fixed_alpha, 0.0, fixed_alpha, fixed_alpha)
    )
    return PowerLawFit(
        y=y,
        alpha=alpha,
        sigma_exponent=linear(p - 1) if fit_sigma_exponent else None,
        observations=n,
        dropped=int((~keep).sum()),
        r_squared=r2,
        confidence=confidence,
    )


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One completed parent order: its size, the stock's ADV and σ, and what it cost.

    ``cost_bps`` follows the TCA convention: positive is a cost, in bps of the arrival price.
    """

    quantity: float
    adv: float
    sigma_daily: float
    cost_bps: float

    def __post_init__(self) -> None:
        positive("quantity", self.quantity, "FillRecord")
        positive("adv", self.adv, "FillRecord")
        positive("sigma_daily", self.sigma_daily, "FillRecord")


def fit_from_fills(
    records: Sequence[FillRecord], *, confidence: float = 0.95, fit_sigma_exponent: bool = False
) -> PowerLawFit:
    """Calibrate ``Y`` and ``α`` from our own parent orders (one record each)."""
    return fit_log_cost(
        [r.quantity / r.adv for r in records],
        [r.sigma_daily for r in records],
        [r.cost_bps for r in records],
        confidence=confidence,
        fit_sigma_exponent=fit_sigma_exponent,
    )


# -- the public tape ----------------------------------------------------------------------------


def classify_tape(symbol: str) -> tuple[pd.DataFrame, str]:
    """Return the regular-session trades of ``symbol`` with a ``sign`` column, and the method.

    Suspicious prints and prints not priced against the quote (see ``OFF_QUOTE_CONDITIONS``)
    are dropped. Lee–Ready runs against the NBBO built from the bundled quote ticks, using the
    quote of the previous millisecond (a quote stamped in the trade's own millisecond may be
    the trade's consequence); without quote ticks the tick rule signs alone.
    """
    trades = read_csv(tick_file(symbol, "trade"), text_columns=("condition",))
    flags = trades["condition"].map(lambda text: int(str(text), 16))
    trades = trades[
        (trades["suspicious"] == 0)
        & (trades["time_ms"] >= REGULAR_OPEN_MS)
        & (trades["time_ms"] < REGULAR_CLOSE_MS)
        & ((flags & OFF_QUOTE_CONDITIONS) == 0)
    ]
    try:
        quotes: pd.DataFrame | None = read_csv(tick_file(symbol, "quote"))
    except DataError:
        quotes = None
    method = "tick rule" if quotes is None else "Lee-Ready"
    parts = []
    for day, rows in trades.groupby("date"):
        price = rows["price"].to_numpy(dtype=float)
        if quotes is None:
            signs = tick_rule_signs(price)
        else:
            q = quotes[(quotes["date"] == day) & (quotes["suspicious"] == 0)]
            nbbo = build_nbbo(
                q["bid"].to_numpy(dtype=float),
                q["bid_size"].to_numpy(dtype=np.int64),
                q["ask"].to_numpy(dtype=float),
                q["ask_size"].to_numpy(dtype=np.int64),
            )
            signs = lee_ready_signs(
                rows["time_ms"].to_numpy(dtype=np.int64),
                price,
                q["time_ms"].to_numpy(dtype=np.int64),
                nbbo.bid,
                nbbo.ask,
                delay=1,
            )
        parts.append(rows.assign(sign=signs))
    if not parts:
        raise DataError(f"no regular-session trades for {symbol}")
    return pd.concat(parts, ignore_index=True), method


def _minute_mids(symbol: str) -> pd.DataFrame:
    """Return the mid at the end of each minute (rows: minute start ms; columns: dates)."""
    rows = rows_for(MINUTE_QUOTE_BARS, "ticker", symbol)
    mids = (rows["bid_close"] + rows["ask_close"]) / 2.0
    table = rows.assign(mid=mids).pivot_table(index="time_ms", columns="date", values="mid")
    grid = np.arange(REGULAR_OPEN_MS - MINUTE_MS, REGULAR_CLOSE_MS, MINUTE_MS)
    return table.reindex(grid).ffill()


@dataclass(frozen=True, slots=True)
class TapeFlows:
    """Unscaled interval flows of one symbol: what the tape says before any ADV or σ."""

    symbol: str
    classification: str
    width_minutes: int
    intervals: pd.DataFrame
    daily_volume: pd.Series


@lru_cache(maxsize=32)
def _tape_flows(symbol: str, width_minutes: int, data_key: str) -> TapeFlows:
    trades, method = classify_tape(symbol)
    mids = _minute_mids(symbol)
    width = width_minutes * MINUTE_MS
    rows = []
    for day, g in trades.groupby("date"):
        if day not in mids.columns:
            continue
        starts, buy, sell, unsigned = signed_volume_arrays(
            g["time_ms"].to_numpy(dtype=np.int64),
            g["size"].to_numpy(dtype=np.int64),
            g["sign"].to_numpy(dtype=np.int64),
            width,
            REGULAR_OPEN_MS,
        )
        mid = mids[day]
        for start, b, s, u in zip(starts, buy, sell, unsigned, strict=True):
            end = start + width
            if start < REGULAR_OPEN_MS + width or end > REGULAR_CLOSE_MS - width:
                continue
            before, after = mid.get(start - MINUTE_MS), mid.get(end - MINUTE_MS)
            if not (before and after and before > 0 and after > 0):
                continue
            move = 1e4 * math.log(after / before)
            rows.append((symbol, day, int(start), int(b - s), int(b + s + u), move))
    frame = pd.DataFrame(
        rows, columns=["symbol", "date", "start_ms", "net_volume", "total_volume", "move_bps"]
    )
    frame["signed_move_bps"] = np.sign(frame["net_volume"]) * frame["move_bps"]
    volume = trades.groupby("date")["size"].sum().astype(float)
    return TapeFlows(symbol, method, width_minutes, frame, volume)


def tape_flows(symbol: str, width_minutes: int = 5) -> TapeFlows:
    """Return the signed volume and mid move of each interval of the bundled tape of ``symbol``.

    Interval columns: ``symbol, date, start_ms, net_volume`` (buy − sell shares),
    ``total_volume``, ``move_bps`` (log mid return over the interval, mids from the 1-minute
    quote bars) and ``signed_move_bps = sign(net)·move_bps`` (positive when the price followed
    the flow). The first and last interval of each session are dropped: auctions dominate
    them. The result is cached; treat it as read-only.
    """
    if width_minutes <= 0:
        raise InputError("width_minutes", width_minutes, "must be a whole number > 0")
    return _tape_flows(symbol, width_minutes, str(data_dir()))


def scale_flows(flows: TapeFlows, scale_days: Sequence[str]) -> pd.DataFrame:
    """Return the intervals with ``adv``, ``sigma_daily`` and ``size_adv = |net|/ADV`` added.

    ADV (mean session volume of the tape) and σ (realized intraday volatility of the minute
    bars) come from ``scale_days`` only, so a held-out day is scaled with figures known before
    it.
    """
    scale = list(scale_days)
    volumes = flows.daily_volume[flows.daily_volume.index.isin(scale)]
    if volumes.empty:
        raise DataError(f"{flows.symbol}: no tape on scale days {scale}")
    adv = float(volumes.mean())
    frame = flows.intervals.copy()
    frame["adv"] = adv
    frame["sigma_daily"] = intraday_volatility(flows.symbol, scale).daily_realized
    frame["size_adv"] = frame["net_volume"].abs() / adv
    return frame


def binned_means(intervals: pd.DataFrame, bins: int) -> pd.DataFrame:
    """Return equal-count bins of ``size_adv``: mean size, mean move/σ and the count.

    ``normalised_move`` is ``signed_move_bps / (1e4·σ)``: the move in units of daily volatility,
    so stocks of different volatility pool into one curve.
    """
    data = intervals[intervals["size_adv"] > 0]
    if len(data) < bins:
        raise DataError(f"{len(data)} intervals cannot fill {bins} bins")
    if bins < 3:
        raise InputError("bins", bins, "must be >= 3")
    label = pd.qcut(np.log(data["size_adv"]), bins, labels=False, duplicates="drop")
    normalised = data["signed_move_bps"] / (1e4 * data["sigma_daily"])
    grouped = pd.DataFrame({"size_adv": data["size_adv"], "move": normalised}).groupby(label)
    return pd.DataFrame(
        {
            "size_adv": grouped["size_adv"].mean(),
            "normalised_move": grouped["move"].mean(),
            "count": grouped["move"].size(),
        }
    ).reset_index(drop=True)


def fit_binned(
    intervals: pd.DataFrame,
    bins: int = 10,
    confidence: float = 0.95,
    fixed_alpha: float | None = None,
) -> PowerLawFit:
    """Fit ``Y`` and ``α`` to the binned conditional mean moves of scaled tape intervals."""
    table = binned_means(intervals, bins)
    return fit_log_cost(
        table["size_adv"].to_numpy(),
        np.ones(len(table)),
        1e4 * table["normalised_move"].to_numpy(),
        confidence=confidence,
        fixed_alpha=fixed_alpha,
    )


@dataclass(frozen=True, slots=True)
class TapeCalibration:
    """A tape fit with what it was fitted on."""

    fit: PowerLawFit
    symbols: tuple[str, ...]
    classification: dict[str, str]
    days: tuple[str, ...]
    width_minutes: int
    intervals: int
    bins: int


def fit_tape_impact(
    symbols: Sequence[str] = ("IBM", "BAC"),
    width_minutes: int = 5,
    days: Sequence[str] | None = None,
    bins: int = 10,
    confidence: float = 0.95,
    fixed_alpha: float | None = None,
) -> TapeCalibration:
    """Calibrate the power law on the bundled tape of ``symbols`` (all days, or ``days``).

    ADV and σ are measured on the same days as the fit; ``fixed_alpha`` fits ``Y`` alone.
    """
    frames = []
    methods = {}
    for symbol in symbols:
        flows = tape_flows(symbol, width_minutes)
        chosen = list(days) if days is not None else list(flows.daily_volume.index)
        frame = scale_flows(flows, chosen)
        frames.append(frame[frame["date"].isin(chosen)])
        methods[symbol] = flows.classification
    pooled = pd.concat(frames, ignore_index=True)
    return TapeCalibration(
        fit=fit_binned(pooled, bins, confidence, fixed_alpha),
        symbols=tuple(symbols),
        classification=methods,
        days=tuple(sorted(pooled["date"].unique())),
        width_minutes=width_minutes,
        intervals=len(pooled),
        bins=bins,
    )
