"""Iceberg: show only ``display_qty`` at a time, refilling as the shown part fills.

The "schedule" is simply: keep ``display_qty`` working (less at the end). Children rest at the
parent's limit price when one is given, otherwise at the near touch, re-pegged when the touch
moves a tick away; the parent completes when filled or at its end time.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.algos.params import AlgoParams, check_positive
from slipstream.algos.pricing import PriceDecision, limit_price
from slipstream.algos.template import AlgoContext, ScheduleFollower, expect_params
from slipstream.core.errors import InputError


@dataclass(frozen=True, slots=True)
class IcebergParams(AlgoParams):
    """Iceberg parameters: ``display_qty`` shares shown at a time (default 100)."""

    display_qty: int = 100

    def __post_init__(self) -> None:
        AlgoParams.__post_init__(self)
        check_positive("display_qty", self.display_qty, whole=True)


class Iceberg(ScheduleFollower):
    """Show a small part of a large order at a time."""

    name = "iceberg"
    Params = IcebergParams
    params: IcebergParams

    def __init__(self, ctx: AlgoContext) -> None:
        super().__init__(ctx)
        self.params = expect_params(ctx.parent, IcebergParams)
        lot = ctx.instrument.lot_size
        if self.params.display_qty % lot:
            raise InputError("display_qty", self.params.display_qty, f"must be whole lots of {lot}")

    def target_qty(self, now_ns: int) -> int:
        return min(self.ctx.parent.quantity, self.ctx.filled_qty + self.params.display_qty)

    def child_unit(self, now_ns: int) -> float:
        return float(self.params.display_qty)

    def price(self, behind: float, time_left: float) -> PriceDecision:
        p, m = self.ctx.parent, self.ctx.market
        if p.limit_price is not None:
            return PriceDecision(p.limit_price, 0.0, False)
        assert m.bid is not None and m.ask is not None
        return limit_price(self.ctx.instrument, p.side, m.bid, m.ask, 0.0)
