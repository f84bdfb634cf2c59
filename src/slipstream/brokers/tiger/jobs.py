"""The blocking work the Tiger broker hands to its worker threads.

Each job makes one request (or one retried query) through :class:`TigerClient` and returns the
record that describes its outcome; it never touches order state. Order requests classify a
failure as *refused* (Tiger answered no) or *unknown* (the answer was lost), which decides
whether the order is rejected or resolved by query.
"""

from __future__ import annotations

import logging

from slipstream.brokers.tiger.client import TigerClient
from slipstream.brokers.tiger.errors import outcome_unknown
from slipstream.brokers.tiger.inbox import Answered, Fills, Polled, PushLink, QueryFailed, Resolved
from slipstream.brokers.tiger.tracking import Change, Outcome, Query, RequestKind
from slipstream.core.errors import BrokerError

log = logging.getLogger("slipstream.brokers.tiger")

PLACE, CANCEL, MODIFY = RequestKind.PLACE, RequestKind.CANCEL, RequestKind.MODIFY


def _failed(exc: BrokerError) -> Outcome:
    return Outcome.UNKNOWN if outcome_unknown(exc) else Outcome.REFUSED


def place(client: TigerClient, coid: str, symbol: str, fields: dict[str, object]) -> object:
    """Look the contract up and place the order once."""
    try:
        contract = client.contract(symbol)
        if contract is None:
            reason = f"unknown symbol {symbol!r}: Tiger has no contract"
            return Answered(coid, PLACE, Outcome.REFUSED, reason)
        return Answered(coid, PLACE, Outcome.OK, venue_id=client.place(contract, fields))
    except BrokerError as exc:
        return Answered(coid, PLACE, _failed(exc), str(exc))


def cancel(client: TigerClient, coid: str, venue_id: str) -> object:
    """Ask Tiger once to cancel."""
    try:
        client.cancel(venue_id)
    except BrokerError as exc:
        return Answered(coid, CANCEL, _failed(exc), str(exc))
    return Answered(coid, CANCEL, Outcome.OK)


def cancel_other(client: TigerClient, venue_id: str) -> None:
    """Cancel a second Tiger order that carries one of our client order ids (no record back)."""
    client.cancel(venue_id)


def modify(
    client: TigerClient,
    coid: str,
    venue_id: str,
    symbol: str,
    fields: dict[str, object],
    change: Change,
) -> object:
    """Ask Tiger once to change quantity and prices."""
    quantity, limit_price, stop_price = change
    try:
        contract = client.contract(symbol)
        client.modify(venue_id, contract, fields, quantity, limit_price, stop_price)
    except BrokerError as exc:
        return Answered(coid, MODIFY, _failed(exc), str(exc), change=change)
    return Answered(coid, MODIFY, Outcome.OK, change=change)


def resolve(client: TigerClient, coid: str, since_ms: int) -> object:
    """Find the order carrying ``coid`` as its user mark (None in the record: Tiger has none)."""
    try:
        return Resolved(coid, client.find_by_mark(coid, since_ms))
    except BrokerError as exc:
        return QueryFailed(coid, Query.RESOLVE, str(exc))


def poll(client: TigerClient, coid: str, venue_id: str, started_ns: int) -> object:
    """Query one order by Tiger's id."""
    try:
        return Polled(coid, client.order(venue_id), started_ns)
    except BrokerError as exc:
        return QueryFailed(coid, Query.POLL, str(exc))


def fills(client: TigerClient, coid: str, venue_id: str, symbol: str) -> object:
    """Query every execution of one order."""
    try:
        return Fills(coid, tuple(client.transactions(venue_id, symbol)))
    except BrokerError as exc:
        return QueryFailed(coid, Query.FILLS, str(exc))


def reconnect(client: TigerClient) -> object:
    """Reconnect the push channel; report it still down if that fails."""
    try:
        client.reconnect_push()
    except BrokerError as exc:
        log.warning("tiger push reconnect failed: %s", exc)
        return PushLink(False)
    return None
