"""A snapshot of the portfolio's exposures and scenario P&L, rebuilt when it may be stale.

Checks must be fast, and walking every position with exact decimals for each order would cost
more than every check together on a large book. The engine therefore keeps one snapshot and
rebuilds it whenever a fill arrives, cash or the set of positions changes, or it is older than
``valuation.max_age_secs`` of clock time (marks move continuously; 0 rebuilds for every order).
The candidate order's own name is always read live from the portfolio.
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
