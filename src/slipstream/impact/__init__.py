"""Market impact models: forecasts for pre-trade estimates, sizing and optimal schedules.

Every bps model answers :class:`ImpactModel` (``cost_bps(quantity, adv, sigma_daily,
participation, horizon_days)``); :class:`AlmgrenChriss` gives optimal trajectories in dollars.
Calibration and the accuracy test live in :mod:`slipstream.impact.calibration` and
:mod:`slipstream.impact.accuracy` (not imported here: they need pandas and the bundled data).
"""

from slipstream.impact.almgren2005 import Almgren2005Cost, Almgren2005Impact, almgren2005
from slipstream.impact.almgren_chriss import AlmgrenChriss, FrontierPoint, Trajectory
from slipstream.impact.base import ImpactModel
from slipstream.impact.istar import IStarCost, IStarImpact, istar
from slipstream.impact.square_root import TAPE_CALIBRATED_Y, SquareRootImpact, sqrt_cost_bps

__all__ = [
    "TAPE_CALIBRATED_Y",
    "Almgren2005Cost",
    "Almgren2005Impact",
    "AlmgrenChriss",
    "FrontierPoint",
    "IStarCost",
    "IStarImpact",
    "ImpactModel",
    "SquareRootImpact",
    "Trajectory",
    "almgren2005",
    "istar",
    "sqrt_cost_bps",
]
