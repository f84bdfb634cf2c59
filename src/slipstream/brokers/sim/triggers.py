"""Stop and trailing-stop trigger rules, as small pure functions.

A buy stop triggers when the reference price rises to or above its stop, a sell stop when it
falls to or below. The reference is the last trade (``TriggerSource.LAST``) or the touch a stop
would trade against (``TriggerSource.BID_ASK``: a buy watches the ask, a sell the bid).

A trailing stop tracks the best reference since it arrived — the highest for a sell, the lowest
for a buy — and keeps its stop ``trail`` away from it: ``stop = high − trail`` for a sell,
``low + trail`` for a buy, where ``trail`` is ``trail_amount`` dollars or ``trail_bps`` basis
points of that extreme. The stop never moves against the order. Prices are exact Decimals.
"""

from __future__ import annotations

from decimal import Decimal

from slipstream.model.enums import Side

BPS = Decimal(10_000)


def stop_triggered(side: Side, stop: Decimal, reference: Decimal) -> bool:
    """Return whether a ``side`` stop at ``stop`` triggers on ``reference``."""
    return reference >= stop if side is Side.BUY else reference <= stop


def trail_stop(
    side: Side, extreme: Decimal, trail_amount: Decimal | None, trail_bps: Decimal | None
) -> Decimal:
    """Return the trailing stop level for the best reference ``extreme`` seen so far."""
    trail = trail_amount if trail_amount is not None else extreme * (trail_bps or 0) / BPS
    return extreme - trail if side is Side.SELL else extreme + trail


def new_extreme(side: Side, extreme: Decimal | None, reference: Decimal) -> Decimal:
    """Return the best reference so far: the highest for a sell trail, the lowest for a buy."""
    if extreme is None:
        return reference
    return max(extreme, reference) if side is Side.SELL else min(extreme, reference)
