"""Implementation shortfall (Perold 1988) and its Kissell/Wagner decomposition, exact.

For one parent with side sign ``s`` (+1 buy, -1 sell), intended quantity ``Q``, decision price
``P_d``, arrival price ``P_0`` (mid when the first child went out), fills ``(p_j, q_j)`` with
the mid ``m_j`` prevailing at each fill, executed ``X = Σ q_j``, end price ``P_end`` (the close,
or another chosen price) and explicit fees ``F``:

==============  ==================================  =========================================
part            dollars                             meaning
==============  ==================================  =========================================
delay           ``s · X · (P_0 − P_d)``             the market moved between decision and
                                                    arrival, on the shares that were executed
timing          ``s · Σ q_j (m_j − P_0)``           the mid drifted while the order worked,
                                                    weighted by when (and how much) it traded
impact          ``s · Σ q_j (p_j − m_j)``           what each fill paid over the mid it traded
                                                    against: spread plus immediate impact
opportunity     ``s · (Q − X) · (P_end − P_d)``     the move on the shares never executed
fees            ``F``                               commissions and fees
total           sum of the above                    = paper return − real return (Perold)
==============  ==================================  =========================================

``impact + timing = s · Σ q_j (p_j − P_0)`` is the trading cost vs arrival. The split is the
"prevailing mid" method: timing is the mid's own drift, measured on executed shares at the
times they executed, and impact is the remainder. The mid drift also contains the permanent
part of the order's own impact, which public market data cannot separate from the market's
move; compare ``impact`` with a model forecast to judge the rest.

Sign convention: cost > 0, improvement < 0, signed by side, in bps of the paper portfolio
``P_d · Q``. Dollars are computed in a decimal context that traps inexact results, so the parts
add up to the total exactly — a rounding anywhere would raise, not hide.
"""

from __future__ import annotations

from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from slipstream.tca.records import ShortfallBreakdown

EXACT = Context(prec=80, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
"""Decimal context for money: any result that would need rounding raises instead."""


def implementation_shortfall(
    *,
    side_sign: int,
    intended_qty: int,
    decision_price: Decimal,
    arrival_price: Decimal,
    executed_qty: int,
    executed_value: Decimal,
    executed_mid_value: Decimal,
    end_price: Decimal,
    fees: Decimal,
) -> ShortfallBreakdown:
    """Return the exact implementation shortfall of one parent and its parts.

    Sign convention: cost > 0, improvement < 0, in bps of the paper portfolio (decision price ×
    intended quantity), signed by side. ``executed_value`` is ``Σ q_j p_j`` and
    ``executed_mid_value`` is ``Σ q_j m_j`` (the mid prevailing at each fill); taking the sums
    rather than the fills lets the vectorised path and the real-time path share this function.
    """
    with localcontext(EXACT):
        s = side_sign
        unexecuted = intended_qty - executed_qty
        delay = s * executed_qty * (arrival_price - decision_price)
        timing = s * (executed_mid_value - executed_qty * arrival_price)
        impact = s * (executed_value - executed_mid_value)
        opportunity = s * unexecuted * (end_price - decision_price)
        fees = +fees
        total = delay + timing + impact + opportunity + fees
        return ShortfallBreakdown(
            paper_notional=decision_price * intended_qty,
            delay_usd=delay,
            impact_usd=impact,
            timing_usd=timing,
            opportunity_usd=opportunity,
            fees_usd=fees,
            total_usd=total,
        )
