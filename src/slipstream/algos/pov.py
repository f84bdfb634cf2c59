"""POV (percentage of volume): trade a target share of the market's volume as it prints.

Each decision credits ``rate × (market volume since the last decision)`` to a running target, so
the target is cumulative (a late timer only sees more volume) while the rate itself adapts to
live liquidity within ``[min_participation, max_participation]``
(:func:`~slipstream.algos.adaptive.adaptive_participation`). The base rate is
``participation``, or the urgency's rate when it is not given. A POV parent that the market
does not give enough volume to finish ends short at its end time, by design.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.algos.adaptive import adaptive_participation
from slipstream.algos.params import AlgoParams, check_participation
from slipstream.algos.template import AlgoContext, ScheduleFollower, expect_params
from slipstream.algos.urgency import participation_for
from slipstream.core.errors import InputError


@dataclass(frozen=True, slots=True)
class PovParams(AlgoParams):
    """POV parameters.

    Attributes
    ----------
    participation : base share of market volume, (0, 1]; None takes it from the urgency.
    min_participation, max_participation : bounds of the adaptive rate (defaults: half and
        twice the base, within (0, 1]).
    adaptive : adapt the rate to live spread, volume and volatility.
    """

    participation: float | None = None
    min_participation: float | None = None
    adaptive: bool = True

    def __post_init__(self) -> None:
        AlgoParams.__post_init__(self)
        check_participation("participation", self.participation)
        check_participation("min_participation", self.min_participation)
        low, high = self.min_participation, self.max_participation
        if low is not None and high is not None and low > high:
            raise InputError("min_participation", low, f"must not exceed max_participation {high}")
        base = self.participation
        if base is not None and (
            (low is not None and base < low) or (high is not None and base > high)
        ):
            raise InputError("participation", base, "must lie within [min, max]_participation")


def pov_bounds(params: PovParams, urgency: float) -> tuple[float, float, float]:
    """Return ``(base, low, high)`` participation for ``params`` at ``urgency``."""
    base = params.participation if params.participation is not None else participation_for(urgency)
    high = params.max_participation if params.max_participation is not None else min(1.0, 2 * base)
    low = params.min_participation if params.min_participation is not None else base / 2
    return min(max(base, low), high), low, high


class Pov(ScheduleFollower):
    """Percentage of volume, with adaptive participation."""

    name = "pov"
    Params = PovParams
    params: PovParams

    def __init__(self, ctx: AlgoContext) -> None:
        super().__init__(ctx)
        self.params = expect_params(ctx.parent, PovParams)
        self.base, self.low, self.high = pov_bounds(self.params, ctx.parent.urgency)
        self.rate = self.base
        self._credit = 0.0
        self._seen_volume: int | None = None

    def current_rate(self) -> float:
        """Return the participation rate for the market as it is now."""
        if not self.params.adaptive:
            return self.base
        m = self.ctx.market
        return adaptive_participation(
            self.base,
            self.low,
            self.high,
            self.ctx.parent.urgency,
            m.spread_ratio(),
            m.volume_ratio(),
            m.volatility_ratio(),
        )

    def target_qty(self, now_ns: int) -> int:
        volume = self.ctx.market.cum_volume
        if self._seen_volume is None:
            self._seen_volume = volume  # volume before the start is not ours to participate in
        self.rate = self.current_rate()
        self._credit += self.rate * (volume - self._seen_volume)
        self._seen_volume = volume
        lot = self.ctx.instrument.lot_size
        quantity = self.ctx.parent.quantity
        if self._credit >= quantity:
            return quantity
        return int(self._credit) // lot * lot

    def child_unit(self, now_ns: int) -> float:
        volume_rate = self.ctx.market.volume_rate() or 0.0
        return self.rate * volume_rate * self.params.interval_secs
