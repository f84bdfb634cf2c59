"""Transaction cost analysis: implementation shortfall and its parts, benchmarks, markouts,
real-time attribution and reports.

Sign convention (stated once here and in :mod:`slipstream.tca.conventions`, repeated in every
metric's docstring): **cost is positive, improvement negative, in basis points of the
benchmark's notional, signed by side** — for a buy a higher price is a cost, for a sell a lower
price is. Implementation shortfall and its parts are in bps of the paper portfolio (decision
price × intended quantity). Dollar figures are exact ``Decimal``.
"""

from slipstream.tca.engine import TcaOptions
from slipstream.tca.market import MarketData
from slipstream.tca.realtime import ParentCostUpdated, RealTimeAttribution
from slipstream.tca.records import Exclusion, FillRecord, ParentRecord, ShortfallBreakdown
from slipstream.tca.report import build_tca_report
from slipstream.tca.result import TcaResult

__all__ = [
    "Exclusion",
    "FillRecord",
    "MarketData",
    "ParentCostUpdated",
    "ParentRecord",
    "RealTimeAttribution",
    "ShortfallBreakdown",
    "TcaOptions",
    "TcaResult",
    "build_tca_report",
]
