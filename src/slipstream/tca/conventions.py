"""The one sign convention of Slipstream's transaction cost analysis.

Every cost figure in :mod:`slipstream.tca` follows it, and every metric's docstring repeats it:

* **Cost is positive, improvement is negative.** A buy filled above its benchmark, or a sell
  filled below it, is a cost (> 0); the opposite is an improvement (< 0).
* **Signed by side.** With ``s = +1`` for a buy and ``-1`` for a sell, the cost of executing
  ``q`` shares at ``p`` against a benchmark ``b`` is ``s · q · (p − b)`` dollars.
* **Basis points of the benchmark's notional.** That dollar cost divided by ``q · b`` and
  multiplied by 10,000. Implementation shortfall is the exception that proves the rule: its
  benchmark is the *paper portfolio*, so all its parts are in bps of ``decision price ×
  intended quantity``, which is what makes the parts add up to the total in bps as well as
  in dollars.
* **Dollars are exact** (``Decimal``); basis points and other statistics are ``float``.

Markouts follow the same rule: a positive markout is a cost (the mid moved against the fill
after it, i.e. the fill was adversely selected), a negative one an improvement.
"""

from __future__ import annotations

from decimal import Decimal

BPS = 10_000
"""Basis points per unit."""

CONVENTION = (
    "cost > 0, improvement < 0, in bps of the benchmark's notional, signed by side "
    "(s = +1 buy, -1 sell; cost = s·q·(p − b))"
)
"""One-line statement of the convention, printed in reports."""


def cost_usd(side_sign: int, qty: int, px: Decimal, benchmark: Decimal) -> Decimal:
    """Return the exact dollar cost of ``qty`` shares at ``px`` against ``benchmark``.

    Sign convention: cost > 0, improvement < 0, signed by side (``side_sign`` is +1 for a buy,
    -1 for a sell), so the result is ``side_sign · qty · (px − benchmark)``.
    """
    return side_sign * qty * (px - benchmark)


def slippage_bps(side_sign: int, avg_px: float, benchmark: float) -> float:
    """Return the slippage of an average price against a benchmark price, in bps.

    Sign convention: cost > 0, improvement < 0, in bps of the benchmark's notional, signed by
    side: ``side_sign · (avg_px − benchmark) / benchmark · 10,000``. NaN when the benchmark is
    missing or not positive, so a missing benchmark never reads as "no cost".
    """
    if not benchmark > 0:
        return float("nan")
    return side_sign * (avg_px - benchmark) / benchmark * BPS
