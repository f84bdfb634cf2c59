"""VWAP: follow the intraday volume profile, so the parent trades when the market does.

The horizon is cut into ``N`` slices; slice ``k`` gets its share of the expected volume over
the horizon. The profile comes from ``params.profile`` (``N`` weights) when given, otherwise
from the engine's volume-profile source (averaged over past days of real minute bars).
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.algos.params import SlicedParams
from slipstream.algos.schedule import profile_fractions
from slipstream.algos.template import SlicedSchedule
from slipstream.core.errors import InputError


@dataclass(frozen=True, slots=True)
class VwapParams(SlicedParams):
    """VWAP parameters: ``slices`` (default 10) and an optional explicit ``profile``."""

    profile: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        SlicedParams.__post_init__(self)
        if self.profile is not None:
            if len(self.profile) != self.slices:
                raise InputError(
                    "profile", self.profile, f"must have one weight per slice ({self.slices})"
                )
            profile_fractions(self.profile)


class Vwap(SlicedSchedule):
    """Volume-weighted average price."""

    name = "vwap"
    Params = VwapParams

    def build_fractions(self) -> list[float]:
        assert isinstance(self.params, VwapParams)
        weights = self.params.profile or self.ctx.volume_profile(self.params.slices)
        if weights is None:
            raise InputError(
                "profile",
                None,
                f"no intraday volume profile is known for {self.ctx.parent.symbol}; "
                "pass params.profile",
            )
        return profile_fractions(weights)
