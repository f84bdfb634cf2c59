"""Instruments with their tick and lot rules, and the explicit rounding helpers.

Floats from estimates (schedules, impact-aware limit prices) come back to exact values only
through these helpers: quantities floor to the lot, limit prices round *passively* (a buy rounds
down, a sell rounds up) so rounding never makes an order more aggressive than intended.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from slipstream.core.errors import InputError, UnknownInstrumentError
from slipstream.model.enums import Side
from slipstream.model.values import Price, Quantity


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable equity and its trading rules."""

    symbol: str
    tick_size: Decimal = Decimal("0.01")
    lot_size: int = 1
    sector: str = "Unknown"
    currency: str = "USD"
    min_notional: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.tick_size <= 0:
            raise InputError("tick_size", self.tick_size, "must be > 0")
        if self.lot_size <= 0:
            raise InputError("lot_size", self.lot_size, "must be a whole number > 0")

    def is_on_tick(self, px: Decimal) -> bool:
        """Return whether ``px`` is a whole multiple of the tick size."""
        return px % self.tick_size == 0

    def round_price(self, px: Decimal | float, mode: str = "nearest") -> Price:
        """Round ``px`` to the tick: ``mode`` is ``"nearest"``, ``"down"`` or ``"up"``."""
        value = px if isinstance(px, Decimal) else Decimal(repr(float(px)))
        rounding = {"nearest": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}[mode]
        ticks = (value / self.tick_size).to_integral_value(rounding=rounding)
        return Price(ticks * self.tick_size)

    def round_price_passive(self, px: Decimal | float, side: Side) -> Price:
        """Round a limit price passively: buys down, sells up."""
        return self.round_price(px, "down" if side is Side.BUY else "up")

    def floor_to_lot(self, qty: float | int) -> Quantity:
        """Round a share count down to a whole number of lots (may be 0)."""
        lots = int(qty) // self.lot_size
        return Quantity(lots * self.lot_size)

    def check_price(self, px: Decimal, field: str) -> None:
        """Raise :class:`InputError` unless ``px`` is positive and on the tick."""
        if px <= 0:
            raise InputError(field, str(px), "must be > 0")
        if not self.is_on_tick(px):
            raise InputError(
                field, str(px), f"must be a multiple of the tick size {self.tick_size}"
            )

    def check_quantity(self, qty: int, field: str = "quantity") -> None:
        """Raise :class:`InputError` unless ``qty`` is a positive whole number of lots."""
        if qty <= 0:
            raise InputError(field, qty, "must be a whole number of shares > 0")
        if qty % self.lot_size:
            raise InputError(field, qty, f"must be a multiple of the lot size {self.lot_size}")


class InstrumentTable:
    """Look up instruments by symbol; unknown symbols are a clear error."""

    def __init__(self, instruments: list[Instrument] | None = None) -> None:
        self._by_symbol: dict[str, Instrument] = {}
        for instrument in instruments or []:
            self.add(instrument)

    def add(self, instrument: Instrument) -> None:
        """Add or replace ``instrument``."""
        self._by_symbol[instrument.symbol] = instrument

    def get(self, symbol: str) -> Instrument:
        """Return the instrument for ``symbol`` or raise :class:`UnknownInstrumentError`."""
        try:
            return self._by_symbol[symbol]
        except KeyError:
            raise UnknownInstrumentError("symbol", symbol, "is not a known instrument") from None

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._by_symbol

    def symbols(self) -> list[str]:
        """Return every known symbol, sorted."""
        return sorted(self._by_symbol)

    def sector_of(self, symbol: str) -> str:
        """Return the sector of ``symbol`` ("Unknown" if the symbol is unknown)."""
        inst = self._by_symbol.get(symbol)
        return inst.sector if inst else "Unknown"
