"""The risk report: exposures by name, sector and cluster, ES by method, headroom per limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slipstream.risk.engine import RiskEngine
from slipstream.risk.es import METHODS, forecast

HUNDRED = Decimal(100)


def _row(name: str, gross: Decimal, nav: Decimal, limit_pct: float) -> dict[str, Any]:
    cap = nav * Decimal(repr(limit_pct)) / HUNDRED
    return {
        "name": name,
        "exposure": gross,
        "pct_nav": round(float(gross / nav * HUNDRED), 4) if nav > 0 else None,
        "limit_pct": limit_pct,
        "headroom": (cap - gross).quantize(Decimal("0.01")),
    }


def risk_report(engine: RiskEngine, ts_ns: int) -> dict[str, Any]:
    """Return the report as plain data (JSON-ready with Decimals as strings)."""
    valuation = engine.valuation(ts_ns)
    limits = engine.limits
    nav = valuation.nav
    names = [
        {
            **_row(symbol, abs(value), nav, limits.position_limit_pct(symbol)),
            "value": value,
            "scenarios": engine.scenarios.source_of(symbol),
        }
        for symbol, value in sorted(valuation.values.items())
    ]
    sectors = [
        _row(sector, gross, nav, limits.sector_max_nav_pct)
        for sector, gross in sorted(valuation.sector_gross.items(), key=lambda kv: -kv[1])
    ]
    clusters = [
        {
            **_row(cluster, gross, nav, limits.correlation_max_nav_pct),
            "members": list(engine.clusters[cluster]),
        }
        for cluster, gross in sorted(valuation.cluster_gross.items(), key=lambda kv: -kv[1])
    ]
    es_by_method: dict[str, float | None] = {}
    if nav > 0 and valuation.base_pnl.any():
        # The methods weight returns themselves: feed them the plain scenario P&L.
        plain = engine.scenarios.unweighted.pnl({s: float(v) for s, v in valuation.values.items()})
        returns = plain / float(nav)
        ordered = sorted(METHODS, key=lambda m: m != limits.es_method)
        for method in ordered:
            es_by_method[method] = round(forecast(returns, limits.es_level, method).es * 100, 4)
    return {
        "trading_state": engine.state.value,
        "state_reason": engine.state_reason,
        "nav": nav,
        "cash": engine.cash(),
        "gross_exposure": sum((abs(v) for v in valuation.values.values()), Decimal(0)),
        "names": names,
        "sectors": sectors,
        "clusters": clusters,
        "expected_shortfall": {
            "level": limits.es_level,
            "scenarios": engine.scenarios.days,
            "scenario_dates": [engine.scenarios.first_date, engine.scenarios.last_date],
            "pct_nav_by_method": es_by_method,
            "check_scenarios": limits.es_scenarios,
            "check_pct_nav": round(valuation.es_pct, 4),
            "limit_pct": limits.es_max_nav_pct,
            "headroom_pct": round(limits.es_max_nav_pct - valuation.es_pct, 4),
        },
        "limits": limits.describe(),
    }
