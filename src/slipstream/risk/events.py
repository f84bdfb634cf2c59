"""Risk records published on the bus (and so written to the journal by its catch-all).

Each is a frozen record with ``ts_event`` (when it took effect) and ``ts_init`` (when the record
was made); in Slipstream both come from the injected clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.core.schema import journal_record


@journal_record("risk.trading_state_changed", version=1)
@dataclass(frozen=True, slots=True)
class TradingStateChanged:
    """The trading state moved (``trigger`` says why: ``manual``, ``auto:<rule>``, ``kill_switch``)."""

    previous: str
    state: str
    trigger: str
    reason: str
    user: str | None
    ts_event: int
    ts_init: int


@journal_record("risk.limits_changed", version=1)
@dataclass(frozen=True, slots=True)
class LimitsChanged:
    """A risk officer changed limits at run time; ``changes`` holds ``(key, old, new)`` text."""

    user: str
    reason: str
    changes: tuple[tuple[str, str, str], ...]
    ts_event: int
    ts_init: int


@journal_record("risk.override_granted", version=1)
@dataclass(frozen=True, slots=True)
class OverrideGranted:
    """A risk officer allowed one check to be skipped, for a scope.

    The scope is one client order id, or the next ``max_uses`` orders (optionally of one
    symbol), and never beyond ``expires_ns`` when set.
    """

    override_id: str
    check: str
    user: str
    reason: str
    client_order_id: str | None
    symbol: str | None
    max_uses: int
    expires_ns: int | None
    ts_event: int
    ts_init: int


@journal_record("risk.denial_overridden", version=1)
@dataclass(frozen=True, slots=True)
class DenialOverridden:
    """A check would have denied ``client_order_id`` but an override let it through."""

    client_order_id: str
    check: str
    denial_reason: str
    override_id: str
    user: str
    ts_event: int
    ts_init: int


@journal_record("risk.kill_switch_activated", version=1)
@dataclass(frozen=True, slots=True)
class KillSwitchActivated:
    """The kill switch ran: state HALTED, cancels sent, algorithms paused, maybe flattening."""

    user: str
    reason: str
    cancels_sent: int
    flatten_orders: int
    ts_event: int
    ts_init: int
