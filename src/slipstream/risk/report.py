"""The risk report: exposures by name, sector and cluster, ES by method, headroom per limit.

Exposures are signed (a short is negative) and the limits are judged on the gross (absolute)
exposure; a row whose headroom is negative is flagged ``breach``. Money is in cents. A symbol
with no sector in the reference data, or no return history of its own or its sector's, is named
in ``unknown_symbols`` and ``warnings`` rather than filed silently under ``Unknown``/``market``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slipstream.marketdata.reference import UNKNOWN_SECTOR
from slipstream.risk.engine import RiskEngine
from slipstream.risk.es import METHODS, forecast

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

#: Full names of the ES methods (the JSON keys stay the short codes).
METHOD_LABELS: dict[str, str] = {
    "historical": "historical",
    "vwhs": "volatility-weighted historical",
    "normal": "normal (parametric)",
    "t": "Student-t",
    "fhs": "filtered historical (GARCH)",
    "volatility_weighted": "volatility-weighted historical",
    "plain": "historical",
}


def method_label(method: str) -> str:
    """Return the full name of an ES method code (the code itself if unknown)."""
    return METHOD_LABELS.get(method, method)


def _row(name: str, net: Decimal, gross: Decimal, nav: Decimal, limit_pct: float) -> dict[str, Any]:
    cap = nav * Decimal(repr(limit_pct)) / HUNDRED
    headroom = (cap - gross).quantize(CENT)
    return {
        "name": name,
        "exposure": net.quantize(CENT),
        "gross": gross.quantize(CENT),
        "pct_nav": round(float(net / nav * HUNDRED), 4) if nav > 0 else None,
        "gross_pct_nav": round(float(gross / nav * HUNDRED), 4) if nav > 0 else None,
        "limit_pct": limit_pct,
        "headroom": headroom,
        "breach": headroom < 0,
    }


def risk_report(engine: RiskEngine, ts_ns: int) -> dict[str, Any]:
    """Return the report as plain data (JSON-ready with Decimals as strings)."""
    valuation = engine.valuation(ts_ns)
    limits = engine.limits
    nav = valuation.nav
    values = valuation.values
    names = [
        {
            **_row(symbol, value, abs(value), nav, limits.position_limit_pct(symbol)),
            "value": value,
            "sector": engine.sector_of(symbol),
            "scenarios": engine.scenarios.source_of(symbol),
        }
        for symbol, value in sorted(values.items())
    ]
    sector_net: dict[str, Decimal] = {}
    cluster_net: dict[str, Decimal] = {}
    cluster_of = {m: c for c, members in engine.clusters.items() for m in members}
    for symbol, value in values.items():
        sector = engine.sector_of(symbol)
        sector_net[sector] = sector_net.get(sector, Decimal(0)) + value
        if symbol in cluster_of:
            cluster_net[cluster_of[symbol]] = (
                cluster_net.get(cluster_of[symbol], Decimal(0)) + value
            )
    sectors = [
        _row(sector, sector_net.get(sector, gross), gross, nav, limits.sector_max_nav_pct)
        for sector, gross in sorted(valuation.sector_gross.items(), key=lambda kv: -kv[1])
    ]
    clusters = [
        {
            **_row(
                cluster,
                cluster_net.get(cluster, gross),
                gross,
                nav,
                limits.correlation_max_nav_pct,
            ),
            "members": list(engine.clusters[cluster]),
        }
        for cluster, gross in sorted(valuation.cluster_gross.items(), key=lambda kv: -kv[1])
    ]
    unknown: list[str] = []
    warnings: list[str] = []
    for row in names:
        missing = []
        if row["sector"] == UNKNOWN_SECTOR:
            missing.append("no sector in the reference data (counted in sector 'Unknown')")
        if row["scenarios"] == "market":
            missing.append("no return history of its own or its sector's (priced as the market)")
        if missing:
            unknown.append(row["name"])
            warnings.append(f"{row['name']}: {'; '.join(missing)}")
    es_by_method: dict[str, float | None] = {}
    if nav > 0 and valuation.base_pnl.any():
        # The methods weight returns themselves: feed them the plain scenario P&L.
        plain = engine.scenarios.unweighted.pnl({s: float(v) for s, v in values.items()})
        returns = plain / float(nav)
        ordered = sorted(METHODS, key=lambda m: m != limits.es_method)
        for method in ordered:
            es_by_method[method] = round(forecast(returns, limits.es_level, method).es * 100, 4)
    es_headroom = round(limits.es_max_nav_pct - valuation.es_pct, 4)
    return {
        "trading_state": engine.state.value,
        "state_reason": engine.state_reason,
        "nav": nav.quantize(CENT),
        "cash": engine.cash().quantize(CENT),
        "gross_exposure": sum((abs(v) for v in values.values()), Decimal(0)).quantize(CENT),
        "net_exposure": sum(values.values(), Decimal(0)).quantize(CENT),
        "names": names,
        "sectors": sectors,
        "clusters": clusters,
        "unknown_symbols": unknown,
        "warnings": warnings,
        "breaches": [
            f"{kind[:-1]} {r['name']}"
            for kind, rows in (("names", names), ("sectors", sectors), ("clusters", clusters))
            for r in rows
            if r["breach"]
        ]
        + (["expected_shortfall"] if es_headroom < 0 else []),
        "expected_shortfall": {
            "level": limits.es_level,
            "scenarios": engine.scenarios.days,
            "scenario_dates": [engine.scenarios.first_date, engine.scenarios.last_date],
            "pct_nav_by_method": es_by_method,
            "methods": [
                {"method": m, "label": method_label(m), "pct_nav": v}
                for m, v in es_by_method.items()
            ],
            "check_scenarios": limits.es_scenarios,
            "check_scenarios_label": method_label(limits.es_scenarios),
            "check_pct_nav": round(valuation.es_pct, 4),
            "limit_pct": limits.es_max_nav_pct,
            "headroom_pct": es_headroom,
            "breach": es_headroom < 0,
        },
        "limits": limits.describe(),
    }
