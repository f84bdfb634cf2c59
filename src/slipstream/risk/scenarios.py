"""Scenario returns for Expected Shortfall and correlation clusters for the cluster limit.

A :class:`ScenarioSet` holds the last ``window`` days of daily returns of every name with data,
stored name-major so one name's scenario vector is a contiguous row; optionally each name's
returns are rescaled to its current EWMA volatility (volatility-weighted historical simulation,
see :mod:`slipstream.risk.es`). A name without its own
history borrows a proxy: the equal-weight return of its sector, else of the whole market, so a
new listing is never treated as riskless.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from slipstream.core.errors import InputError
from slipstream.risk.es import ewma_volatility
from slipstream.risk.es import volatility_weighted as volatility_weighted_series

FloatArray = npt.NDArray[np.float64]


class ScenarioSet:
    """Daily return scenarios by name (rows) and day (columns)."""

    def __init__(
        self,
        returns: pd.DataFrame,
        window: int,
        sector_of: Callable[[str], str],
        volatility_weighted: bool = False,
    ) -> None:
        if returns.empty:
            raise InputError("returns", "empty", "scenarios need daily returns")
        market_all = returns.mean(axis=1, skipna=True).fillna(0.0).to_numpy(np.float64)
        full = np.array(returns.to_numpy(dtype=np.float64))  # a writable copy
        # A missing day for one name takes that day's market return, not zero.
        gaps = np.isnan(full)
        full[gaps] = np.broadcast_to(market_all[:, None], full.shape)[gaps]
        if volatility_weighted:
            # Each name's past returns rescaled to its own current EWMA volatility.
            vol = ewma_volatility(full)
            full = full / vol[:-1] * vol[-1]
            market_all = volatility_weighted_series(market_all)
        tail = returns.iloc[-window:]
        self.market: FloatArray = market_all[-window:]
        matrix = np.array(full[-window:].T, order="C")
        self.symbols: list[str] = [str(s) for s in tail.columns]
        self.index = {s: i for i, s in enumerate(self.symbols)}
        self.matrix: FloatArray = matrix
        self._sector_of = sector_of
        by_sector: dict[str, list[int]] = {}
        for i, symbol in enumerate(self.symbols):
            by_sector.setdefault(sector_of(symbol), []).append(i)
        self._sector_proxy = {
            sector: self.matrix[rows].mean(axis=0) for sector, rows in by_sector.items()
        }
        self.days = self.matrix.shape[1]
        #: The same scenarios without volatility weighting (for reports that weight their own).
        self.unweighted: ScenarioSet = (
            ScenarioSet(returns, window, sector_of) if volatility_weighted else self
        )
        self.first_date = str(tail.index[0])[:10]
        self.last_date = str(tail.index[-1])[:10]

    def column(self, symbol: str) -> FloatArray:
        """Return the scenario returns of ``symbol`` (its own, else a sector or market proxy)."""
        row = self.index.get(symbol)
        found: FloatArray = (
            self.matrix[row]
            if row is not None
            else self._sector_proxy.get(self._sector_of(symbol), self.market)
        )
        return found

    def source_of(self, symbol: str) -> str:
        """Return where ``symbol``'s scenarios come from: ``own``, ``sector`` or ``market``."""
        if symbol in self.index:
            return "own"
        return "sector" if self._sector_of(symbol) in self._sector_proxy else "market"

    def pnl(self, values: Mapping[str, float]) -> FloatArray:
        """Return the scenario P&L (in money) of positions with the given market values."""
        rows: list[int] = []
        held: list[float] = []
        total = np.zeros(self.days)
        for symbol, value in values.items():
            row = self.index.get(symbol)
            if row is not None:
                rows.append(row)
                held.append(value)
            elif value:
                total += value * self.column(symbol)
        weights = np.zeros(len(self.symbols))
        weights[rows] = held  # keys of a mapping are unique, so no row repeats
        result: FloatArray = total + weights @ self.matrix
        return result


def correlation_clusters(
    returns: pd.DataFrame, lookback: int, threshold: float
) -> dict[str, tuple[str, ...]]:
    """Group names whose daily returns are all pairwise correlated above ``threshold``.

    Complete-linkage clustering on the distance ``1 − ρ`` cut at ``1 − threshold``: inside a
    cluster every pair has ``ρ ≥ threshold`` over the last ``lookback`` days (single linkage
    would chain loosely related names into one giant cluster). Only clusters of two or more
    names are returned, keyed ``C1, C2, …`` by size; names with too little data are left out.
    """
    tail = returns.iloc[-lookback:]
    usable = tail.loc[:, tail.notna().sum() >= max(20, lookback // 2)]
    if usable.shape[1] < 2:
        return {}
    corr = usable.corr().to_numpy(dtype=np.float64)
    corr = np.nan_to_num(corr, nan=0.0)
    distance = np.clip(1.0 - corr, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="complete")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[str]] = {}
    for symbol, label in zip(usable.columns, labels, strict=True):
        groups.setdefault(int(label), []).append(str(symbol))
    ranked = sorted(
        (tuple(sorted(m)) for m in groups.values() if len(m) > 1), key=lambda m: (-len(m), m)
    )
    return {f"C{i + 1}": members for i, members in enumerate(ranked)}
