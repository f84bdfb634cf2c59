"""Pre-trade risk: limit checks, Expected Shortfall, trading state, halts and the kill switch.

Public API::

    expected_shortfall(returns, level=0.975, method="historical" | "normal" | "t" | "fhs")
    parametric_es(mu, sigma, level=0.975, dist="normal" | "t", df=None)
    RiskEngine, build_risk_engine(...), load_portfolio(path), load_limits(path)
"""

from slipstream.risk.es import expected_shortfall, parametric_es

__all__ = ["expected_shortfall", "parametric_es"]
