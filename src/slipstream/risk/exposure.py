"""The models the checks price against and the exposure snapshot kept from them.

:class:`ExposureBook` owns the scenario set (Expected Shortfall), the correlation clusters
(cluster limit), and the :class:`~slipstream.risk.valuation.Valuation` snapshot: reused between
orders, a fill revalues only the names that filled, and it is rebuilt when cash or the set of
positions changes otherwise, or when it is older than ``valuation.max_age_secs``. The models are
built from daily returns at start and again when a limit they depend on changes.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from slipstream.core.bus import MessageBus
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import InstrumentTable
from slipstream.portfolio.portfolio import Portfolio
from slipstream.risk.controls import secs_to_ns
from slipstream.risk.data import daily_returns
from slipstream.risk.limits import Limits
from slipstream.risk.scenarios import ScenarioSet, correlation_clusters
from slipstream.risk.valuation import Valuation, build_valuation, fingerprint, revalue_symbols

#: Limits whose change rebuilds the scenarios and clusters.
MODEL_KEYS = frozenset(
    {
        "correlation.threshold",
        "correlation.lookback_days",
        "expected_shortfall.window_days",
        "expected_shortfall.level",
        "expected_shortfall.scenarios",
    }
)


class ExposureBook:
    """Sectors, clusters, scenarios and the exposure snapshot of one portfolio.

    ``returns`` are the daily returns the models are built from (the bundled daily data if
    None).
    """

    def __init__(
        self,
        portfolio: Portfolio,
        instruments: InstrumentTable,
        returns: pd.DataFrame | None,
        limits: Limits,
        bus: MessageBus,
    ) -> None:
        self._portfolio = portfolio
        self._instruments = instruments
        self._returns = returns if returns is not None else daily_returns()
        self._limits = limits
        self._snapshot: Valuation | None = None
        self._filled: set[str] = set()
        self._build_models()
        bus.subscribe(OrderFilled, self._on_fill)

    def _build_models(self) -> None:
        limits = self._limits
        self.scenarios = ScenarioSet(
            self._returns,
            limits.es_window_days,
            self.sector_of,
            volatility_weighted=limits.es_scenarios == "volatility_weighted",
        )
        self.clusters = correlation_clusters(
            self._returns, limits.correlation_lookback_days, limits.correlation_threshold
        )
        self._cluster_of = {s: c for c, members in self.clusters.items() for s in members}
        self._snapshot = None

    def use_limits(self, limits: Limits, changed: frozenset[str]) -> None:
        """Take new limits: rebuild the models if one of theirs changed, and the snapshot."""
        self._limits = limits
        if changed & MODEL_KEYS:
            self._build_models()
        self._snapshot = None

    def invalidate(self) -> None:
        """Drop the snapshot so the next use values every position afresh."""
        self._snapshot = None

    def sector_of(self, symbol: str) -> str:
        """Return ``symbol``'s sector (instrument table first, then the portfolio's map)."""
        sector = self._instruments.sector_of(symbol)
        return sector if sector != "Unknown" else self._portfolio.sector_of(symbol)

    def cluster_of(self, symbol: str) -> str | None:
        """Return the correlation cluster of ``symbol``, or None if it is in none."""
        return self._cluster_of.get(symbol)

    def valuation(self, ts_ns: int) -> Valuation:
        """Return the exposure snapshot, rebuilt if stale (see :mod:`slipstream.risk.valuation`)."""
        snap = self._snapshot
        portfolio, limits = self._portfolio, self._limits
        if snap is not None and self._filled and snap.built_ns <= ts_ns:
            revalue_symbols(
                snap,
                portfolio,
                self._filled,
                self.sector_of,
                self._cluster_of,
                self.scenarios,
                limits.es_level,
            )
        self._filled.clear()
        if (
            snap is None
            or snap.fingerprint != fingerprint(portfolio)
            or ts_ns - snap.built_ns > secs_to_ns(limits.valuation_max_age_secs)
            or ts_ns < snap.built_ns
        ):
            snap = build_valuation(
                portfolio, self.sector_of, self._cluster_of, self.scenarios, limits.es_level, ts_ns
            )
            self._snapshot = snap
        return snap

    def nav(self, ts_ns: int) -> Decimal:
        """Return the NAV of the snapshot at ``ts_ns``."""
        return self.valuation(ts_ns).nav

    def _on_fill(self, fill: OrderFilled) -> None:
        # The portfolio may fold this fill after us: note the name, revalue it on next use.
        self._filled.add(fill.symbol)
