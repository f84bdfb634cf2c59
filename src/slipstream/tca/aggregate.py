"""Aggregation of per-parent results by symbol, algorithm, urgency, day or size bucket.

Averages are weighted by notional, as a best-execution committee reads them: shortfall and its
parts by the paper notional (so a group's figure is its total dollars over its total paper
notional — exact dollars summed first), benchmark slippages, markouts and spread capture by the
executed notional. Excluded parents are left out and counted.

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


def size_bucket(size_pct_day_volume: float) -> str:
    """Return the size bucket of an order from its size as a percent of the day's volume."""
    if not np.isfinite(size_pct_day_volume):
        return "unknown"
    for bound, label in SIZE_BUCKETS:
        if size_pct_day_volume < bound:
            return label
    return ">=10% day vol"


def _exec_weighted(group: pd.DataFrame, column: str) -> float:
    values = group[column].to_numpy(dtype=np.float64)
    weights = group["_executed_weight"].to_numpy(dtype=np.float64)
    valid = np.isfinite(values) & (weights > 0)
    if not valid.any():
        return float("nan")
    return float(np.average(values[valid], weights=weights[valid]))


def _summarise(group: pd.DataFrame) -> dict[str, object]:
    paper = sum(group["paper_notional_usd"], Decimal(0))
    row: dict[str, object] = {
        "parents": len(group),
        "paper_notional_usd": paper,
        "executed_notional_usd": sum(group["executed_notional_usd"], Decimal(0)),
        "shortfall_usd": sum(group["shortfall_usd"], Decimal(0)),
    }
    for part in (*PARTS, "shortfall"):
        dollars = sum(group[f"{part}_usd"], Decimal(0))
        row[f"{part}_bps"] = float(dollars * BPS / paper) if paper else float("nan")
    paper_weights = group["_paper_weight"].to_numpy(dtype=np.float64)
    row["fill_rate_pct"] = float(
        np.average(group["fill_rate_pct"].to_numpy(dtype=np.float64), weights=paper_weights)
    )
    for name in BENCHMARKS:
        row[f"vs_{name}_bps"] = _exec_weighted(group, f"vs_{name}_bps")
    for column in group.columns:
        if column.startswith("markout_") or column in ("spread_capture_pct", "participation_pct"):
            row[column] = _exec_weighted(group, column)
    return row


def included(parents: pd.DataFrame) -> pd.DataFrame:
    """Return the parents that were analysed, with their size bucket."""
    kept = parents[parents["included"]].copy()
    kept["size_bucket"] = kept["size_pct_day_volume"].map(size_bucket)
    # Float copies of the exact notionals, made once, serve as averaging weights.
    kept["_paper_weight"] = np.array([float(v) for v in kept["paper_notional_usd"]])
    kept["_executed_weight"] = np.array([float(v) for v in kept["executed_notional_usd"]])
    return kept


def aggregate(parents: pd.DataFrame, by: str, kept: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return notional-weighted cost figures of the analysed parents grouped by ``by``.

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side; shortfall parts in bps of the group's paper notional. Pass ``kept`` (from
    :func:`included`) to reuse it across several groupings.
    """
    kept = included(parents) if kept is None else kept
    rows = [{by: key, **_summarise(group)} for key, group in kept.groupby(by, sort=True)]
    return pd.DataFrame(rows)


def overall(parents: pd.DataFrame, kept: pd.DataFrame | None = None) -> dict[str, object]:
    """Return the notional-weighted figures of all analysed parents (same convention)."""
    kept = included(parents) if kept is None else kept
    if kept.empty:
        return {"parents": 0}
    return _summarise(kept)
