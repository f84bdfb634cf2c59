"""A position folded from fills: signed quantity, average cost, realized P&L.

Average cost follows the usual convention: adding to a position (or opening it) moves the
average; reducing it realizes ``(fill price − average cost) × closed shares × sign`` and leaves
the average unchanged; crossing through zero closes the old position and opens the remainder at
the fill price. Cash flows are exact ``Decimal``; the average cost is a ratio and is held to
Decimal's 28 significant digits, so P&L identities hold to better than 1e-20 dollars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from slipstream.model.enums import Side

ZERO = Decimal(0)


@dataclass(slots=True)
class Position:
    """One instrument's holding."""

    symbol: str
    quantity: int = 0
    avg_cost: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    commissions: Decimal = ZERO
    trade_ids: set[str] = field(default_factory=set)

    def apply_fill(
        self, trade_id: str, side: Side, qty: int, px: Decimal, commission: Decimal
    ) -> bool:
        """Fold one fill in; return False (and change nothing) for a duplicate ``trade_id``."""
        if trade_id in self.trade_ids:
            return False
        self.trade_ids.add(trade_id)
        signed = qty if side is Side.BUY else -qty
        old = self.quantity
        new = old + signed
        if old == 0 or (old > 0) == (signed > 0):
            self.avg_cost = (self.avg_cost * abs(old) + px * qty) / abs(new)
        else:
            closed = min(abs(signed), abs(old))
            direction = 1 if old > 0 else -1
            self.realized_pnl += (px - self.avg_cost) * closed * direction
            if new == 0:
                self.avg_cost = ZERO
            elif (new > 0) != (old > 0):
                self.avg_cost = px
        self.quantity = new
        self.commissions += commission
        self.realized_pnl -= commission
        return True

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        """Return the P&L of the open quantity at ``mark``."""
        return (mark - self.avg_cost) * self.quantity

    def market_value(self, mark: Decimal) -> Decimal:
        """Return the signed market value at ``mark``."""
        return mark * self.quantity
