"""The immutable description of an order: what was asked for, validated once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slipstream.core.errors import OrderInputError
from slipstream.core.ids import ClientOrderId
from slipstream.core.records import fast_frozen_init
from slipstream.core.schema import journal_record
from slipstream.model.enums import OrderType, Side, TimeInForce, TriggerSource
from slipstream.model.instrument import Instrument
from slipstream.model.values import MAX_ORDER_QUANTITY, MAX_PRICE

#: Widest trailing-stop distance in basis points: 10,000 (the whole reference price). A trail
#: wider than the price could never trigger, so it is a typo (dollars written as bps, say).
MAX_TRAIL_BPS = Decimal(10_000)


@journal_record("order.spec", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class OrderSpec:
    """Everything needed to place an order.

    ``trail_amount`` (dollars) or ``trail_bps`` (basis points of the reference price) sets a
    trailing stop's distance; ``trigger_source`` says whether stops watch the last trade or the
    bid/ask (a buy stop watches the ask, a sell stop the bid). ``parent_id`` links a child to
    the parent order an algorithm is working.
    """

    client_order_id: ClientOrderId
    symbol: str
    side: Side
    quantity: int
    order_type: OrderType = OrderType.MARKET
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_amount: Decimal | None = None
    trail_bps: Decimal | None = None
    trigger_source: TriggerSource = TriggerSource.LAST
    parent_id: str | None = None

    def validate(self, instrument: Instrument) -> None:
        """Raise :class:`OrderInputError` naming the field, value and rule of any problem."""
        # Every order is validated at least twice (OMS and venue): the error is built only on
        # failure, so a valid spec costs no string formatting and no closure.
        fail = self._error
        if not self.client_order_id:
            raise fail("client_id", self.client_order_id, "must not be empty")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise fail("quantity", self.quantity, "must be a whole number of shares > 0")
        if self.quantity <= 0:
            raise fail("quantity", self.quantity, "must be a whole number of shares > 0")
        if self.quantity > MAX_ORDER_QUANTITY:
            raise fail("quantity", self.quantity, f"must be at most {MAX_ORDER_QUANTITY:,} shares")
        if self.quantity % instrument.lot_size:
            raise fail(
                "quantity",
                self.quantity,
                f"must be a multiple of the lot size {instrument.lot_size}",
            )
        needs_limit = self.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        needs_stop = self.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        for field, value, needed in (
            ("limit_price", self.limit_price, needs_limit),
            ("stop_price", self.stop_price, needs_stop),
        ):
            if needed and value is None:
                raise fail(field, None, f"is required for a {self.order_type.value} order")
            if not needed and value is not None:
                raise fail(field, str(value), f"is not used by a {self.order_type.value} order")
            if value is not None:
                if value <= 0:
                    raise fail(field, str(value), "must be > 0")
                if value > MAX_PRICE:  # and ``value % tick`` of a huge decimal would raise
                    raise fail(field, str(value), f"must be at most {MAX_PRICE:,}")
                if not instrument.is_on_tick(value):
                    raise fail(
                        field, str(value), f"must be a multiple of the tick {instrument.tick_size}"
                    )
        if self.order_type is OrderType.TRAILING_STOP:
            if (self.trail_amount is None) == (self.trail_bps is None):
                raise fail(
                    "trail_amount",
                    self.trail_amount,
                    "a trailing stop needs exactly one of trail_amount or trail_bps",
                )
            trail = self.trail_amount if self.trail_amount is not None else self.trail_bps
            field = "trail_amount" if self.trail_amount is not None else "trail_bps"
            if trail is not None and trail <= 0:
                raise fail(field, str(trail), "must be > 0")
            limit = MAX_PRICE if self.trail_amount is not None else MAX_TRAIL_BPS
            if trail is not None and trail > limit:
                raise fail(field, str(trail), f"must be at most {limit:,}")
        elif self.trail_amount is not None or self.trail_bps is not None:
            raise fail("trail_amount", self.trail_amount, "is only used by a trailing_stop order")
        if self.order_type is OrderType.MARKET and self.time_in_force is TimeInForce.GTC:
            raise fail("time_in_force", "gtc", "a market order cannot rest (use day, ioc or fok)")

    def _error(self, field: str, value: object, rule: str) -> OrderInputError:
        """Return the error naming ``field``, ``value`` and ``rule`` for this order."""
        return OrderInputError(field, value, rule, where=f"order {self.client_order_id}")
