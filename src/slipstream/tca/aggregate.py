"""Aggregation of per-parent results by symbol, algorithm, urgency, day or size bucket.

Averages are weighted by notional, as a best-execution committee reads them: shortfall and its
parts by the paper notional (a group's figure is its total dollars over its total paper
notional), benchmark slippages, markouts, spread capture and participation by the executed
notional, fill rate by the paper notional. Dollar totals are exact ``Decimal`` sums; the bps
figures are ratios of float sums (relative error ~10⁻¹⁵). Excluded parents are left out (the
report lists them).

Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by side.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from slipstream.tca.conventions import BPS
from slipstream.tca.engine import BENCHMARKS, PARTS

GROUPINGS = ("symbol", "algo", "urgency", "day", "size_bucket")
SIZE_BUCKETS = ((1.0, "<1% day vol"), (5.0, "1-5% day vol"), (10.0, "5-10% day vol"))
EXACT_TOTALS = ("paper_notional_usd", "executed_notional_usd", "shortfall_usd")
_COST_PARTS = (*PARTS, "shortfall")


def size_buckets(size_pct_day_volume: np.ndarray) -> np.ndarray:
    """Return the size bucket of each order from its size as a percent of the day's volume."""
    values = np.asarray(size_pct_day_volume, dtype=np.float64)
    conditions = [~np.isfinite(values)] + [values < bound for bound, _ in SIZE_BUCKETS]
    labels = ["unknown"] + [label for _, label in SIZE_BUCKETS]
    return np.select(conditions, labels, default=">=10% day vol").astype(object)


def _executed_weighted_columns(parents: pd.DataFrame) -> list[str]:
    extra = [
        c
        for c in parents.columns
        if c.startswith("markout_") or c in ("spread_capture_pct", "participation_pct")
    ]
    return [f"vs_{name}_bps" for name in BENCHMARKS] + extra


def included(parents: pd.DataFrame) -> pd.DataFrame:
    """Return the analysed parents with their size bucket and the weighted sums to aggregate.

    Weighted numerators and denominators are made once here, so every grouping is a single
    ``groupby().sum()``. The float weights come from float columns (decision price × quantity,
    average price × executed quantity), not from converting the exact dollars one by one.
    """
    kept = parents[parents["included"]].copy()
    kept["size_bucket"] = size_buckets(kept["size_pct_day_volume"].to_numpy())
    paper = kept["decision_benchmark"].to_numpy(np.float64) * kept["quantity"].to_numpy()
    executed = np.nan_to_num(kept["avg_price"].to_numpy(np.float64) * kept["executed_qty"])
    helpers: dict[str, np.ndarray] = {"_paper": paper}
    for part in _COST_PARTS:
        helpers[f"_{part}_usd"] = kept[f"{part}_bps"].to_numpy(np.float64) * paper / BPS
    helpers["_fill_rate_num"] = kept["fill_rate_pct"].to_numpy(dtype=np.float64) * paper
    for column in _executed_weighted_columns(kept):
        values = kept[column].to_numpy(dtype=np.float64)
        valid = np.isfinite(values) & (executed > 0)
        helpers[f"_{column}_num"] = np.where(valid, values * executed, 0.0)
        helpers[f"_{column}_den"] = np.where(valid, executed, 0.0)
    for column in EXACT_TOTALS:
        # Every dollar figure is a whole number of half micro-dollars: exact Python integers.
        helpers[f"_exact_{column}"] = np.array(
            [int(v * 2_000_000) for v in kept[column]], dtype=object
        )
    return pd.concat([kept, pd.DataFrame(helpers, index=kept.index)], axis=1)


def _exact_sums(values: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Return exact per-group dollar sums (Decimal, to the micro-dollar) of half-micro-dollar
    integers."""
    totals = [0] * groups
    for code, value in zip(codes.tolist(), values.tolist(), strict=True):
        totals[code] += value
    return np.array([Decimal(t).scaleb(-6) / 2 for t in totals], dtype=object)


def _summaries(kept: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    codes, labels = pd.factorize(keys, sort=True)
    numeric = [c for c in kept.columns if c.startswith("_") and not c.startswith("_exact_")]
    sums = kept[numeric].groupby(codes).sum()
    out = pd.DataFrame(index=pd.Index(labels))
    out["parents"] = np.bincount(codes, minlength=len(labels))
    for column in EXACT_TOTALS:
        out[column] = _exact_sums(kept[f"_exact_{column}"].to_numpy(), codes, len(labels))
    with np.errstate(invalid="ignore", divide="ignore"):
        paper = sums["_paper"].to_numpy()
        for part in _COST_PARTS:
            out[f"{part}_bps"] = sums[f"_{part}_usd"].to_numpy() / paper * BPS
        out["fill_rate_pct"] = sums["_fill_rate_num"].to_numpy() / paper
        for column in _executed_weighted_columns(kept):
            den = sums[f"_{column}_den"].to_numpy()
            out[column] = np.where(den > 0, sums[f"_{column}_num"].to_numpy() / den, np.nan)
    return out


def aggregate(parents: pd.DataFrame, by: str, kept: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return notional-weighted cost figures of the analysed parents grouped by ``by``.

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side; shortfall parts in bps of the group's paper notional. Pass ``kept`` (from
    :func:`included`) to reuse it across several groupings.
    """
    kept = included(parents) if kept is None else kept
    return _summaries(kept, kept[by]).rename_axis(by).reset_index()


def overall(parents: pd.DataFrame, kept: pd.DataFrame | None = None) -> dict[str, object]:
    """Return the notional-weighted figures of all analysed parents (same convention)."""
    kept = included(parents) if kept is None else kept
    if kept.empty:
        return {"parents": 0}
    row = _summaries(kept, pd.Series("all", index=kept.index)).iloc[0]
    return {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
