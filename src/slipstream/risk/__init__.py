"""Pre-trade risk: limit checks, Expected Shortfall, trading state, halts and the kill switch.

Public API::

    expected_shortfall(returns, level=0.975, method="historical" | "normal" | "t" | "fhs")
    parametric_es(mu, sigma, level=0.975, dist="normal" | "t", df=None)
    build_risk_engine(portfolio, instruments, open_orders, limits_path, clock, bus) -> RiskEngine
    load_portfolio(path) -> Portfolio, load_limits(path) -> Limits
"""

from slipstream.risk.engine import RiskEngine
from slipstream.risk.es import expected_shortfall, parametric_es
from slipstream.risk.gate import RiskDecision
from slipstream.risk.killswitch import KillSwitchReport
from slipstream.risk.limits import Limits, load_limits
from slipstream.risk.setup import build_risk_engine, load_portfolio
from slipstream.risk.state import RISK_OFFICER, TradingState, User

__all__ = [
    "RISK_OFFICER",
    "KillSwitchReport",
    "Limits",
    "RiskDecision",
    "RiskEngine",
    "TradingState",
    "User",
    "build_risk_engine",
    "expected_shortfall",
    "load_limits",
    "load_portfolio",
    "parametric_es",
]
