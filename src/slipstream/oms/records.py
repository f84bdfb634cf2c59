"""Journal records the OMS writes besides commands and order events."""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.core.records import fast_frozen_init
from slipstream.core.schema import journal_record


@journal_record("oms.risk_approved", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class RiskApproved:
    """Pre-trade risk passed ``client_order_id``; written before the order is submitted."""

    client_order_id: str
    gate: str
    ts_event: int
    ts_init: int


@journal_record("oms.event_anomaly", version=1)
@fast_frozen_init
@dataclass(frozen=True, slots=True)
class EventAnomaly:
    """A broker event that could not be applied (not a duplicate, not merely late).

    Live, this is a break to reconcile: risk may halt on it. The event is kept verbatim.
    """

    client_order_id: str
    event_type: str
    reason: str
    ts_event: int
    ts_init: int
