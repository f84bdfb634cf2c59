"""The portfolio: cash, positions, marks, NAV and exposures by instrument and sector.

It subscribes to ``OrderFilled`` on the bus and to market data for marks; risk checks read it
rather than keeping their own copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from slipstream.model.enums import Side
from slipstream.model.events import OrderFilled
from slipstream.portfolio.positions import ZERO, Position


class Portfolio:
    """Cash and positions of one account, marked to the latest prices."""

    def __init__(
        self,
        cash: Decimal = ZERO,
        sector_of: Callable[[str], str] | None = None,
    ) -> None:
        self.cash = cash
        self.positions: dict[str, Position] = {}
        self.marks: dict[str, Decimal] = {}
        self._sector_of = sector_of or (lambda _symbol: "Unknown")

    def seed_position(self, symbol: str, quantity: int, avg_cost: Decimal) -> None:
        """Start with an existing holding (from a portfolio file or a broker report)."""
        self.positions[symbol] = Position(symbol, quantity, avg_cost)
        self.marks.setdefault(symbol, avg_cost)

    def position(self, symbol: str) -> Position:
        """Return the position in ``symbol`` (a flat one if none)."""
        pos = self.positions.get(symbol)
        if pos is None:
            pos = self.positions[symbol] = Position(symbol)
        return pos

    def on_fill(self, fill: OrderFilled) -> None:
        """Fold a fill into its position and cash (duplicates are ignored)."""
        if self.position(fill.symbol).apply_fill(
            fill.trade_id, fill.side, fill.last_qty, fill.last_px, fill.commission
        ):
            flow = fill.last_px * fill.last_qty
            self.cash += -flow if fill.side is Side.BUY else flow
            self.cash -= fill.commission
            self.marks.setdefault(fill.symbol, fill.last_px)

    def mark(self, symbol: str, px: Decimal) -> None:
        """Record the latest price of ``symbol``."""
        self.marks[symbol] = px

    def mark_of(self, symbol: str) -> Decimal | None:
        """Return the latest price of ``symbol`` or None."""
        return self.marks.get(symbol)

    def market_value(self, symbol: str) -> Decimal:
        """Return the signed market value of the position in ``symbol``."""
        pos = self.positions.get(symbol)
        if pos is None or pos.quantity == 0:
            return ZERO
        return pos.market_value(self.marks.get(symbol, pos.avg_cost))

    def nav(self) -> Decimal:
        """Return net asset value: cash plus the market value of every position."""
        return self.cash + sum((self.market_value(s) for s in self.positions), ZERO)

    def gross_exposure(self) -> Decimal:
        """Return the sum of absolute market values."""
        return sum((abs(self.market_value(s)) for s in self.positions), ZERO)

    def exposure_by_sector(self) -> dict[str, Decimal]:
        """Return gross exposure per sector."""
        out: dict[str, Decimal] = {}
        for symbol in self.positions:
            sector = self._sector_of(symbol)
            out[sector] = out.get(sector, ZERO) + abs(self.market_value(symbol))
        return out

    def sector_of(self, symbol: str) -> str:
        """Return the sector of ``symbol``."""
        return self._sector_of(symbol)

    def realized_pnl(self) -> Decimal:
        """Return realized P&L net of commissions across positions."""
        return sum((p.realized_pnl for p in self.positions.values()), ZERO)

    def unrealized_pnl(self) -> Decimal:
        """Return unrealized P&L across positions at the latest marks."""
        return sum(
            (
                p.unrealized_pnl(self.marks.get(p.symbol, p.avg_cost))
                for p in self.positions.values()
            ),
            ZERO,
        )

    def holdings(self) -> Iterable[Position]:
        """Return the non-flat positions, by symbol."""
        return [self.positions[s] for s in sorted(self.positions) if self.positions[s].quantity]
