"""The interface between the OMS and pre-trade risk.

The OMS asks a :class:`RiskGate` about every order (parents and children alike) before anything
is journalled as submitted. A refusal is a :class:`Denial` (stable ``check`` code, human reason,
the figures involved) that the OMS turns into an ``OrderDenied`` event; a pass is recorded as a
``RiskApproved`` journal record so every order at a venue has a recorded passing decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from slipstream.model.orders_spec import OrderSpec


@dataclass(frozen=True, slots=True)
class Denial:
    """Why an order may not go out: a stable reason code, a sentence and the numbers."""

    check: str
    reason: str
    figures: dict[str, str] = field(default_factory=dict)


class RiskGate(Protocol):
    """Decide whether an order may leave, and whether a parent order may be accepted."""

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Return a :class:`Denial`, or None when every check passes."""
        ...

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Judge a parent order by what it would leave once complete (its children are
        checked again, one by one, by :meth:`check_order`)."""
        ...


class PassThroughRisk:
    """A gate that approves everything (used until limits are configured)."""

    name = "pass_through"

    def check_order(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Approve ``spec``."""
        return None

    def check_parent(self, spec: OrderSpec, ts_ns: int) -> Denial | None:
        """Approve the parent ``spec``."""
        return None
