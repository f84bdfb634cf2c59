"""The order manager: the one path every order travels, and the fold of events back into it.

::

    command ─▶ validate ─▶ journal(command) ─▶ OrderInitialized ─▶ risk gate
                                               ├─ denial ─▶ OrderDenied            (journal, fold, publish)
                                               └─ pass ──▶ RiskApproved ─▶ OrderSubmitted ─▶ router ─▶ broker
    broker event ─▶ Order.decide ─┬─ duplicate ─▶ drop (counted)
                                  ├─ refused, late ─▶ drop (counted)
                                  ├─ refused ─▶ EventAnomaly             (journal, publish)
                                  └─ destination ─▶ journal(event) ─▶ Order.advance ─▶ bus

Every record is journalled before it takes effect. The order alone judges a broker event
(:meth:`Order.decide <slipstream.model.orders.Order.decide>`: identity, duplicate, over-fill,
the table) and this module only chooses what to do with its answer, so nothing is checked twice:
events that repeat a fill (same trade id) or arrive after the order has moved past them (a late
ack, a trigger after the fill) are dropped and counted; anything else the order refuses becomes
an ``EventAnomaly`` record, with the order's reason, on the journal and the bus for
reconciliation and risk. Events the OMS makes itself (submitted, denied, pending cancel …) and
journal replay go through :meth:`_fold`, which calls ``Order.apply`` (decide and advance, raising
on a refusal), so a restart rebuilds identical orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import BrokerError, BrokerTimeoutError, InputError, StateError
from slipstream.model.commands import CancelOrder, ModifyOrder, SubmitOrder
from slipstream.model.enums import OrderStatus
from slipstream.model.events import (
    OrderDenied,
    OrderEvent,
    OrderInitialized,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderSubmitted,
)
from slipstream.model.instrument import InstrumentTable
from slipstream.model.orders import DUPLICATE, TRANSITIONS, Order, Refusal, Trigger
from slipstream.oms.records import EventAnomaly, RiskApproved
from slipstream.oms.risk_gate import PassThroughRisk, RiskGate
from slipstream.oms.router import Router
from slipstream.oms.store import OrderStore
from slipstream.store.journal import Journal

#: Triggers that carry no new economic fact once the order has moved past them.
_LATE_OK = frozenset(
    {
        Trigger.SUBMIT,
        Trigger.ACCEPT,
        Trigger.TRIGGER,
        Trigger.CANCEL_REJECT,
        Trigger.REPLACE_REJECT,
        Trigger.REPLACE,
        Trigger.CANCEL,
        Trigger.EXPIRE,
    }
)


class OrderManager:
    """Own every order: accept commands, consult risk, journal, route, fold events."""

    def __init__(
        self,
        clock: Clock,
        bus: MessageBus,
        instruments: InstrumentTable,
        router: Router | None,
        journal: Journal | None = None,
        risk: RiskGate | None = None,
        flush_before_send: bool = False,
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._instruments = instruments
        self._router = router
        self._journal = journal
        self.risk: RiskGate = risk or PassThroughRisk()
        self._flush_before_send = flush_before_send
        self._venue_of: dict[str, str] = {}
        self.store = OrderStore()
        self.duplicates_dropped = 0
        self.late_dropped = 0
        self.anomalies = 0
        if router is not None:
            for broker in router.brokers():
                broker.connect(self.on_broker_event)

    # -- commands ---------------------------------------------------------------------------

    def submit(self, command: SubmitOrder) -> Order:
        """Place a new order; submitting an existing client order id returns that order."""
        spec = command.spec
        existing = self.store.get(spec.client_order_id)
        if existing is not None:
            return existing
        spec.validate(self._instruments.get(spec.symbol))
        self._record(command, command.ts_init)
        now = self._clock.timestamp_ns()
        order = Order(OrderInitialized(spec.client_order_id, now, now, spec))
        self._record(order.events[0], now)
        self.store.add(order)
        self._bus.publish(order.events[0])
        denial = self.risk.check_order(spec, now)
        if denial is not None:
            reason = denial.reason
            self._fold(OrderDenied(spec.client_order_id, now, now, denial.check, reason))
            return order
        gate = str(getattr(self.risk, "name", type(self.risk).__name__))
        self._record(RiskApproved(spec.client_order_id, gate, now, now), now)
        if self._router is None:
            raise StateError("no broker is configured to send orders to")
        venue = self._router.venue_for(spec)
        self._venue_of[spec.client_order_id] = venue
        self._fold(OrderSubmitted(spec.client_order_id, now, now, venue))
        self._send(order, lambda broker: broker.submit(spec))
        return order

    def cancel(self, command: CancelOrder) -> bool:
        """Request a cancel; return False if the order is already terminal."""
        order = self._require(command.client_order_id)
        if order.status.is_terminal or order.status is OrderStatus.PENDING_CANCEL:
            return False
        if order.status is OrderStatus.INITIALIZED:
            # Still before its risk decision (a kill switch fired by that very check): nothing
            # has left, and the decision that follows sees the new trading state.
            return False
        self._record(command, command.ts_init)
        now = self._clock.timestamp_ns()
        self._fold(OrderPendingCancel(order.client_order_id, now, now))
        self._send(order, lambda broker: broker.cancel(order.client_order_id))
        return True

    def modify(self, command: ModifyOrder) -> None:
        """Request a change of quantity and/or prices of a working order."""
        order = self._require(command.client_order_id)
        if not order.status.is_working or not TRANSITIONS.get(
            (order.status, Trigger.REPLACE_REQUEST)
        ):
            raise StateError(
                f"order {order.client_order_id}: cannot modify a {order.status.value} order"
            )
        instrument = self._instruments.get(order.spec.symbol)
        qty = command.quantity if command.quantity is not None else order.quantity
        if qty <= order.filled_qty:
            raise InputError("quantity", qty, f"must exceed the filled quantity {order.filled_qty}")
        instrument.check_quantity(qty)
        for field, value in (
            ("limit_price", command.limit_price),
            ("stop_price", command.stop_price),
        ):
            if value is not None:
                instrument.check_price(value, field)
        limit = command.limit_price if command.limit_price is not None else order.limit_price
        stop = command.stop_price if command.stop_price is not None else order.stop_price
        self._record(command, command.ts_init)
        now = self._clock.timestamp_ns()
        self._fold(OrderPendingReplace(order.client_order_id, now, now))
        self._send(order, lambda broker: broker.modify(order.client_order_id, qty, limit, stop))

    # -- events -----------------------------------------------------------------------------

    def on_broker_event(self, event: OrderEvent) -> None:
        """Fold an event reported by a broker (the sink every broker is connected to)."""
        order = self.store.get(event.client_order_id)
        if order is None:
            self._anomaly(event, "event for an order this OMS never created")
            return
        decision = order.decide(event)
        if decision is DUPLICATE:
            self.duplicates_dropped += 1
            return
        if isinstance(decision, Refusal):
            if decision.trigger in _LATE_OK:
                self.late_dropped += 1
            else:
                self._anomaly(event, f"{order!r}: {decision.reason}")
            return
        self._record(event, event.ts_init)
        order.advance(event, decision)
        self.store.refresh(order)
        self._bus.publish(event)

    def replay(self, records: Iterable[Any]) -> None:
        """Rebuild state from journal records through the same fold as live trading."""
        for record in records:
            if isinstance(record, OrderInitialized):
                order = Order(record)
                self.store.add(order)
                self._bus.publish(record)
            elif isinstance(record, OrderSubmitted):
                self._venue_of[record.client_order_id] = record.venue
                self._fold(record, journal=False)
            elif isinstance(record, OrderEvent):
                self._fold(record, journal=False)
            elif isinstance(record, EventAnomaly):
                self.anomalies += 1

    # -- internals --------------------------------------------------------------------------

    def _fold(self, event: OrderEvent, journal: bool = True) -> None:
        order = self.store.get(event.client_order_id)
        if order is None:
            return
        if journal:
            self._record(event, event.ts_init)
        order.apply(event)
        self.store.refresh(order)
        self._bus.publish(event)

    def _send(self, order: Order, request: Any) -> None:
        if self._router is None:
            raise StateError("no broker is configured to send orders to")
        if self._flush_before_send and self._journal is not None:
            self._journal.flush()
        broker = self._router.broker(self._venue_of[order.client_order_id])
        try:
            request(broker)
        except BrokerTimeoutError:
            # Outcome unknown: the order stays where it is until reconciliation asks the broker.
            raise
        except BrokerError as exc:
            if order.status is OrderStatus.SUBMITTED:
                now = self._clock.timestamp_ns()
                self._fold(OrderRejected(order.client_order_id, now, now, f"broker error: {exc}"))
            else:
                raise

    def _require(self, client_order_id: str) -> Order:
        order = self.store.get(client_order_id)
        if order is None:
            raise InputError("client_order_id", client_order_id, "is not a known order")
        return order

    def _record(self, record: object, ts_init: int) -> None:
        if self._journal is not None:
            self._journal.append(record, ts_init)

    def _anomaly(self, event: OrderEvent, reason: str) -> None:
        self.anomalies += 1
        now = self._clock.timestamp_ns()
        record = EventAnomaly(
            event.client_order_id, type(event).__name__, reason, event.ts_event, now
        )
        self._record(record, now)
        self._bus.publish(record)
