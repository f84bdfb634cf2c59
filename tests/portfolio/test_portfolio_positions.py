"""Positions folded from fills: average cost, realized and unrealized P&L, cash and NAV."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from slipstream.core.ids import ClientOrderId
from slipstream.model.enums import LiquiditySide, Side
from slipstream.model.events import OrderFilled
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.positions import Position

D = Decimal


def test_average_cost_and_realized_pnl_worked_example() -> None:
    pos = Position("IBM")
    pos.apply_fill("1", Side.BUY, 100, D("10.00"), D(0))
    pos.apply_fill("2", Side.BUY, 100, D("12.00"), D(0))
    assert pos.avg_cost == D("11.00")
    pos.apply_fill("3", Side.SELL, 50, D("13.00"), D("1.00"))
    # (13 - 11) * 50 - 1 commission
    assert pos.realized_pnl == D("99.00")
    assert pos.quantity == 150 and pos.avg_cost == D("11.00")
    # cross through zero: close 150 at 9 (loss 300), open 50 short at 9
    pos.apply_fill("4", Side.SELL, 200, D("9.00"), D(0))
    assert pos.realized_pnl == D("99.00") - D("300.00")
    assert pos.quantity == -50 and pos.avg_cost == D("9.00")
    assert pos.unrealized_pnl(D("8.00")) == D("50.00")


def test_duplicate_trade_is_ignored() -> None:
    pos = Position("IBM")
    assert pos.apply_fill("1", Side.BUY, 10, D("1"), D(0))
    assert not pos.apply_fill("1", Side.BUY, 10, D("1"), D(0))
    assert pos.quantity == 10


def _fill(n: int, side: Side, qty: int, px: Decimal, fee: Decimal = Decimal(0)) -> OrderFilled:
    return OrderFilled(
        ClientOrderId("c"), n, n, str(n), "v", "IBM", side, qty, px, fee, LiquiditySide.TAKER
    )


def test_cash_nav_and_sector_exposure() -> None:
    pf = Portfolio(D(1000), sector_of=lambda s: "IT")
    pf.on_fill(_fill(1, Side.BUY, 10, D("20.00"), D("0.50")))
    assert pf.cash == D("799.50")
    pf.mark("IBM", D("21.00"))
    assert pf.nav() == D("799.50") + D("210.00")
    assert pf.exposure_by_sector() == {"IT": D("210.00")}
    assert pf.unrealized_pnl() == D("10.00")


fills = st.lists(
    st.tuples(
        st.sampled_from([Side.BUY, Side.SELL]),
        st.integers(1, 500),
        st.decimals(min_value=D("1.00"), max_value=D("500.00"), places=2),
    ),
    min_size=1,
    max_size=40,
)


@given(fills)
def test_position_equals_sum_of_fills_and_pnl_identity(
    trades: list[tuple[Side, int, Decimal]],
) -> None:
    pf = Portfolio(D(0))
    for n, (side, qty, px) in enumerate(trades):
        pf.on_fill(_fill(n, side, qty, px))
    net = sum(q if s is Side.BUY else -q for s, q, _ in trades)
    assert pf.position("IBM").quantity == net
    # Independent identity: cash + market value at any mark = realized + unrealized P&L.
    mark = D("100.00")
    pf.mark("IBM", mark)
    # The average cost is a ratio held to 28 significant digits, hence the 1e-12 tolerance.
    assert abs(pf.nav() - (pf.realized_pnl() + pf.unrealized_pnl())) < D("1e-12")
