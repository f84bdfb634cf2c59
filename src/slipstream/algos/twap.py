"""TWAP: the same share of the parent in each of ``N`` equal slices of the horizon.

The cumulative target after slice ``k`` has started is ``(k + 1)/N`` of the parent, floored to
the lot, with the remainder in the last slice; a parent smaller than ``N`` lots simply sends a
child on the slices where the floored target steps up.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.algos.params import SlicedParams
from slipstream.algos.schedule import twap_fractions
from slipstream.algos.template import SlicedSchedule


@dataclass(frozen=True, slots=True)
class TwapParams(SlicedParams):
    """TWAP parameters: ``slices`` equal slices (default 10)."""


class Twap(SlicedSchedule):
    """Time-weighted average price."""

    name = "twap"
    Params = TwapParams

    def build_fractions(self) -> list[float]:
        return twap_fractions(self.params.slices)
