"""The out-of-sample accuracy report: scores by hand and the shape of the report."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from slipstream.core.errors import InputError
from slipstream.impact.accuracy import accuracy_report, cross_validation_report, scores


def test_scores_by_hand() -> None:
    realized = np.array([1.0, 2.0, 3.0, 0.0])
    predicted = np.array([1.5, 2.0, 2.0, 0.5])
    result = scores(realized, predicted)
    assert result["mae_bps"] == pytest.approx((0.5 + 0 + 1 + 0.5) / 4)
    assert result["mape_pct"] == pytest.approx((0.5 / 1 + 0 + 1 / 3) / 3 * 100)
    # SST around mean 1.5: 0.25 + 0.25 + 2.25 + 2.25 = 5; SSE = 0.25 + 0 + 1 + 0.25 = 1.5
    assert result["r2"] == pytest.approx(1 - 1.5 / 5)
    with pytest.raises(InputError):
        scores(realized, predicted[:2])


def test_report_fits_on_train_days_and_scores_held_out_days() -> None:
    report: dict[str, Any] = accuracy_report()  # typed dict[str, object] in src
    assert report["train_days"] == ["2013-10-07", "2013-10-08", "2013-10-09"]
    assert report["test_days"] == ["2013-10-10", "2013-10-11"]
    assert report["test_intervals"] > 250
    names = [m["model"] for m in report["models"]]
    assert "naive square root (Y = 1, α = 0.5)" in names and len(names) == 5
    for model in report["models"]:
        for level in ("interval", "binned"):
            figures = model[level]
            assert figures["mae_bps"] > 0 and figures["r2"] is not None
    with pytest.raises(InputError):
        accuracy_report(train_days=["2013-10-07"], test_days=["2013-10-07"])


def test_cross_validation_uses_each_day_once() -> None:
    report: dict[str, Any] = cross_validation_report()  # typed dict[str, object] in src
    assert report["folds"] == 5
    assert len(report["fitted_alpha"]) == 5
