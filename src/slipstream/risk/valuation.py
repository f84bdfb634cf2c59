"""A snapshot of the portfolio's exposures and scenario P&L, rebuilt when it may be stale.

Checks must be fast, and walking every position with exact decimals for each order would cost
more than every check together on a large book. The engine therefore keeps one snapshot: a fill
revalues only the names that filled (:func:`revalue_symbols`, O(scenarios) each), and the whole
snapshot is rebuilt when cash or the set of positions changes otherwise, or when it is older
than ``valuation.max_age_secs`` of clock time (marks move continuously; 0 rebuilds for every
order). The candidate order's own name is always read live from the portfolio.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from slipstream.portfolio.portfolio import Portfolio
from slipstream.risk.es import historical_from_losses
from slipstream.risk.scenarios import FloatArray, ScenarioSet

ZERO = Decimal(0)


@dataclass(slots=True)
class Valuation:
    """NAV, signed value per name, gross exposure per sector and cluster, scenario P&L."""

    built_ns: int
    fingerprint: tuple[Decimal, int]
    nav: Decimal
    values: dict[str, Decimal]
    sector_gross: dict[str, Decimal]
    cluster_gross: dict[str, Decimal]
    base_pnl: FloatArray
    es_money: float
    es_pct: float


def fingerprint(portfolio: Portfolio) -> tuple[Decimal, int]:
    """Return what changes whenever positions or cash change (cheap to compare)."""
    return portfolio.cash, len(portfolio.positions)


def build_valuation(
    portfolio: Portfolio,
    sector_of: Callable[[str], str],
    cluster_by_symbol: Mapping[str, str],
    scenarios: ScenarioSet,
    level: float,
    ts_ns: int,
) -> Valuation:
    """Value every position at its mark and price the portfolio across the scenarios."""
    values: dict[str, Decimal] = {}
    sector_gross: dict[str, Decimal] = {}
    cluster_gross: dict[str, Decimal] = {}
    for symbol in portfolio.positions:
        value = portfolio.market_value(symbol)
        if not value:
            continue
        values[symbol] = value
        gross = abs(value)
        sector = sector_of(symbol)
        sector_gross[sector] = sector_gross.get(sector, ZERO) + gross
        cluster = cluster_by_symbol.get(symbol)
        if cluster is not None:
            cluster_gross[cluster] = cluster_gross.get(cluster, ZERO) + gross
    nav = portfolio.cash + sum(values.values(), ZERO)
    base = scenarios.pnl({s: float(v) for s, v in values.items()})
    es_money = historical_from_losses(-base, level)[1] if np.any(base) else 0.0
    es_pct = es_money / float(nav) * 100.0 if nav > 0 else float("inf")
    return Valuation(
        ts_ns,
        fingerprint(portfolio),
        nav,
        values,
        sector_gross,
        cluster_gross,
        base,
        es_money,
        es_pct,
    )


def revalue_symbols(
    snap: Valuation,
    portfolio: Portfolio,
    symbols: set[str],
    sector_of: Callable[[str], str],
    cluster_by_symbol: Mapping[str, str],
    scenarios: ScenarioSet,
    level: float,
) -> None:
    """Fold the positions of ``symbols`` (those that filled) into ``snap`` in place.

    O(scenarios) per symbol instead of a whole rebuild: each name's change in value moves NAV,
    its sector's and cluster's gross exposure, and the scenario P&L by ``Δvalue × returns``.
    """
    old_cash = snap.fingerprint[0]
    nav = snap.nav + portfolio.cash - old_cash
    for symbol in symbols:
        old = snap.values.get(symbol, ZERO)
        new = portfolio.market_value(symbol)
        if new == old:
            continue
        if new:
            snap.values[symbol] = new
        else:
            snap.values.pop(symbol, None)
        nav += new - old
        change = abs(new) - abs(old)
        sector = sector_of(symbol)
        snap.sector_gross[sector] = snap.sector_gross.get(sector, ZERO) + change
        cluster = cluster_by_symbol.get(symbol)
        if cluster is not None:
            snap.cluster_gross[cluster] = snap.cluster_gross.get(cluster, ZERO) + change
        snap.base_pnl += float(new - old) * scenarios.column(symbol)
    snap.nav = nav
    snap.es_money = (
        historical_from_losses(-snap.base_pnl, level)[1] if np.any(snap.base_pnl) else 0.0
    )
    snap.es_pct = snap.es_money / float(nav) * 100.0 if nav > 0 else float("inf")
    snap.fingerprint = fingerprint(portfolio)
