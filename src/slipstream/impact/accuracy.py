"""Out-of-sample accuracy of the impact forecasts on the public tape.

The test a quant would trust (see ``docs/impact.md``): every fixed interval of the bundled IBM
and BAC tape is treated as one parent order whose size is the interval's net signed volume
(buyer- minus seller-initiated shares) and whose realized impact is the mid move over the
interval, signed by the flow. The power law is fitted on the *training* days (ADV and σ measured
there too) and then forecasts the held-out days, beside the naive square-root law (``Y = 1``,
``α = 1/2``), I-Star and Almgren et al. (2005) with their published coefficients.

Two levels are scored:

* **interval**: each held-out interval against its forecast. Most of a single interval's move
  is unrelated noise, so R² here is small for any model; it measures how much of the price
  variance order flow explains.
* **binned**: the held-out intervals grouped into equal-count bins of ``|Q|/V``; the mean move
  of each bin against the mean forecast. This is the expected impact of an order of that size,
  which is what a pre-trade estimate promises.

MAPE is only meaningful for the binned means; per interval it divides by moves near zero and
is reported for completeness.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from slipstream.core.errors import InputError
from slipstream.impact.almgren2005 import Almgren2005Impact
from slipstream.impact.base import ImpactModel
from slipstream.impact.calibration import fit_binned, scale_flows, tape_flows
from slipstream.impact.istar import IStarImpact
from slipstream.impact.square_root import SquareRootImpact

FloatArray = npt.NDArray[np.float64]
SESSION_MINUTES = 390
#: Approximate shares outstanding in October 2013 (company 10-Q filings), for the Θ/V term of
#: the 2005 model: IBM about 1.08 billion, Bank of America about 10.7 billion.
SHARES_OUTSTANDING_2013 = {"IBM": 1.08e9, "BAC": 10.7e9}


def scores(realized: FloatArray, predicted: FloatArray) -> dict[str, float | None]:
    """Return MAE (bps), MAPE (%) and R² of ``predicted`` against ``realized``.

    R² is ``1 − SSE/SST`` around the realized mean, so it can be negative when a forecast is
    worse than the mean. MAPE skips zero realized values (``None`` when all are zero).
    """
    if realized.shape != predicted.shape or realized.size == 0:
        raise InputError("realized", realized.shape, f"must match predicted {predicted.shape}")
    error = realized - predicted
    total = float(((realized - realized.mean()) ** 2).sum())
    nonzero = realized != 0
    mape = (
        float(np.mean(np.abs(error[nonzero]) / np.abs(realized[nonzero])) * 100)
        if nonzero.any()
        else None
    )
    return {
        "mae_bps": float(np.mean(np.abs(error))),
        "mape_pct": mape,
        "r2": 1.0 - float(error @ error) / total if total > 0 else None,
    }


def _forecast(model: ImpactModel, rows: pd.DataFrame, width_minutes: int) -> FloatArray:
    horizon = width_minutes / SESSION_MINUTES
    out = np.empty(len(rows))
    for i, (net, total, adv, sigma) in enumerate(
        zip(rows["net_volume"], rows["total_volume"], rows["adv"], rows["sigma_daily"], strict=True)
    ):
        quantity = abs(float(net))
        participation = min(1.0, quantity / float(total)) if total > 0 else 1.0
        out[i] = model.cost_bps(quantity, float(adv), float(sigma), participation, horizon)
    return out


def _binned(
    rows: pd.DataFrame, realized: FloatArray, predicted: FloatArray, bins: int
) -> tuple[FloatArray, FloatArray]:
    label = pd.qcut(np.log(rows["size_adv"].to_numpy()), bins, labels=False, duplicates="drop")
    frame = pd.DataFrame({"r": realized, "p": predicted, "bin": label}).groupby("bin").mean()
    return frame["r"].to_numpy(), frame["p"].to_numpy()


def accuracy_report(
    symbols: Sequence[str] = ("IBM", "BAC"),
    width_minutes: int = 5,
    train_days: Sequence[str] | None = None,
    test_days: Sequence[str] | None = None,
    bins: int = 10,
) -> dict[str, object]:
    """Fit on ``train_days``, forecast ``test_days`` and score every model.

    By default the first three trading days of the tape train and the remaining days test
    (a chronological split: the forecast never sees the future).
    """
    flows = [tape_flows(s, width_minutes) for s in symbols]
    all_days = sorted(set().union(*(set(f.daily_volume.index) for f in flows)))
    train = list(train_days) if train_days is not None else all_days[:3]
    test = list(test_days) if test_days is not None else [d for d in all_days if d not in train]
    if not train or not test or set(train) & set(test):
        raise InputError("test_days", test, f"must be non-empty and disjoint from {train}")
    scaled = pd.concat([scale_flows(f, train) for f in flows], ignore_index=True)
    scaled = scaled[scaled["size_adv"] > 0]
    fit_rows = scaled[scaled["date"].isin(train)]
    test_rows = scaled[scaled["date"].isin(test)].reset_index(drop=True)
    fitted = fit_binned(fit_rows, bins)
    fitted_sqrt = fit_binned(fit_rows, bins, fixed_alpha=0.5)
    turnover = {
        f.symbol: SHARES_OUTSTANDING_2013[f.symbol] / float(f.daily_volume[train].mean())
        for f in flows
        if f.symbol in SHARES_OUTSTANDING_2013
    }
    candidates: list[tuple[str, Callable[[str], ImpactModel]]] = [
        ("power law (fitted Y, α)", lambda _: fitted.model()),
        ("square root (fitted Y, α = 0.5)", lambda _: fitted_sqrt.model()),
        ("naive square root (Y = 1, α = 0.5)", lambda _: SquareRootImpact(1.0, 0.5)),
        ("I-Star (published coefficients)", lambda _: IStarImpact()),
    ]
    if len(turnover) == len(flows):
        candidates.append(
            (
                "Almgren et al. 2005 (published coefficients)",
                lambda symbol: Almgren2005Impact(turnover[symbol]),
            )
        )
    realized = test_rows["signed_move_bps"].to_numpy(dtype=float)
    results = []
    for name, model_for in candidates:
        predicted = np.empty(len(test_rows))
        for symbol, part in test_rows.groupby("symbol"):
            predicted[part.index.to_numpy()] = _forecast(
                model_for(str(symbol)), part, width_minutes
            )
        binned_r, binned_p = _binned(test_rows, realized, predicted, bins)
        results.append(
            {
                "model": name,
                "interval": _rounded(scores(realized, predicted)),
                "binned": _rounded(scores(binned_r, binned_p)),
                "mean_forecast_bps": round(float(predicted.mean()), 3),
            }
        )
    return {
        "symbols": list(symbols),
        "classification": {f.symbol: f.classification for f in flows},
        "width_minutes": width_minutes,
        "train_days": train,
        "test_days": test,
        "train_intervals": len(fit_rows),
        "test_intervals": len(test_rows),
        "bins": bins,
        "mean_realized_bps": round(float(realized.mean()), 3),
        "fit": fitted.as_dict(),
        "fit_sqrt": fitted_sqrt.as_dict(),
        "models": results,
    }


def _rounded(values: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None or math.isnan(v) else round(v, 4) for k, v in values.items()}


def cross_validation_report(
    symbols: Sequence[str] = ("IBM", "BAC"), width_minutes: int = 5, bins: int = 10
) -> dict[str, object]:
    """Leave one day out: fit on the other days, score the left-out day, average the folds.

    This uses every day once as a test day (some folds train on later days, so it is a check of
    stability, not a chronological backtest).
    """
    days = sorted(
        set().union(*(set(tape_flows(s, width_minutes).daily_volume.index) for s in symbols))
    )
    folds = [
        accuracy_report(symbols, width_minutes, [d for d in days if d != day], [day], bins)
        for day in days
    ]
    summary = []
    for index, first in enumerate(_models(folds[0])):
        rows = [_models(fold)[index] for fold in folds]
        summary.append(
            {
                "model": first["model"],
                "interval_r2_mean": _mean(rows, "interval", "r2"),
                "interval_mae_bps_mean": _mean(rows, "interval", "mae_bps"),
                "binned_r2_mean": _mean(rows, "binned", "r2"),
                "binned_mae_bps_mean": _mean(rows, "binned", "mae_bps"),
                "binned_mape_pct_mean": _mean(rows, "binned", "mape_pct"),
            }
        )
    fits = [fold["fit"] for fold in folds]
    return {
        "symbols": list(symbols),
        "width_minutes": width_minutes,
        "folds": len(folds),
        "fitted_Y": [f["Y"]["value"] for f in fits],  # type: ignore[index]
        "fitted_alpha": [f["alpha"]["value"] for f in fits],  # type: ignore[index]
        "models": summary,
    }


def _models(report: dict[str, object]) -> list[dict[str, object]]:
    models = report["models"]
    assert isinstance(models, list)
    return models


def _mean(rows: list[dict[str, object]], level: str, key: str) -> float | None:
    values = [r[level][key] for r in rows]  # type: ignore[index]
    kept = [float(v) for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None
