"""The kill switch: halt, pause every algorithm, cancel every working order, maybe flatten.

Algorithms are paused first so none reacts to the cancels with new children. Cancels go one
``CancelOrder`` per order through the OMS (:class:`~slipstream.risk.ports.OrderEntry`), the one
path. Flattening sends market orders that close each position, sliced to the per-order caps;
their ids are in :attr:`KillSwitch.flattening`, which the gate reads: they are the only orders
the HALTED state lets out, and they skip the throttle.
"""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import SlipstreamError, StateError
from slipstream.core.ids import IdGenerator
from slipstream.model.commands import CancelOrder, SubmitOrder
from slipstream.model.enums import OrderType, Side
from slipstream.model.instrument import InstrumentTable
from slipstream.model.orders_spec import OrderSpec
from slipstream.portfolio.portfolio import Portfolio
from slipstream.risk.events import KillSwitchActivated
from slipstream.risk.ports import AlgoControl, OpenOrders, OrderEntry, StateControl
from slipstream.risk.state import StateTrigger, User, require_reason, require_risk_officer


@dataclass(frozen=True, slots=True)
class KillSwitchReport:
    """What the kill switch did."""

    cancels_sent: int
    cancel_failures: int
    already_cancelling: int
    algos_paused: bool
    flatten_orders: tuple[str, ...]


class KillSwitch:
    """Stop everything at once, through the OMS and the algorithm engine it is attached to."""

    def __init__(
        self,
        desk: StateControl,
        portfolio: Portfolio,
        instruments: InstrumentTable,
        open_orders: OpenOrders,
        clock: Clock,
        bus: MessageBus,
    ) -> None:
        self._desk = desk
        self._portfolio = portfolio
        self._instruments = instruments
        self._open_orders = open_orders
        self._clock = clock
        self._bus = bus
        self._ids = IdGenerator(clock, prefix="RISK")
        self._oms: OrderEntry | None = None
        self._algos: AlgoControl | None = None
        #: Client order ids of the flattening orders sent so far.
        self.flattening: set[str] = set()

    def attach(self, oms: OrderEntry | None = None, algos: AlgoControl | None = None) -> None:
        """Give the kill switch the OMS (cancels, flattening) and the algorithm engine."""
        if oms is not None:
            self._oms = oms
        if algos is not None:
            self._algos = algos

    def activate(self, user: User, reason: str, flatten: bool = False) -> KillSwitchReport:
        """Run the kill switch by hand (risk officer only; reason mandatory; OMS attached)."""
        require_risk_officer(user, "use the kill switch")
        text = require_reason(reason)
        if self._oms is None:
            raise StateError("oms", None, "the kill switch needs the OMS attached (attach(oms=))")
        return self._kill(self._oms, user.name, text, flatten, self._clock.timestamp_ns())

    def trip(self, cause: str, reason: str, ts_ns: int) -> None:
        """Run the kill switch for an automatic halt, without flattening, if the OMS is attached."""
        if self._oms is not None:
            self._kill(self._oms, cause, reason, False, ts_ns)

    def _kill(
        self, oms: OrderEntry, who: str, reason: str, flatten: bool, ts_ns: int
    ) -> KillSwitchReport:
        self._desk.move(StateTrigger.HALT, "kill_switch", reason, who, ts_ns)
        paused = False
        if self._algos is not None:
            self._algos.pause_all()
            paused = True
        sent = failed = already = 0
        for order in list(self._open_orders.working()):
            try:
                if oms.cancel(CancelOrder(ts_ns, order.spec.client_order_id, "kill_switch")):
                    sent += 1
                else:  # a paused algorithm already asked to cancel its children
                    already += 1
            except SlipstreamError:
                failed += 1
        flattening = self._flatten(oms, ts_ns) if flatten else ()
        self._bus.publish(KillSwitchActivated(who, reason, sent, len(flattening), ts_ns, ts_ns))
        return KillSwitchReport(sent, failed, already, paused, flattening)

    def _flatten(self, oms: OrderEntry, ts_ns: int) -> tuple[str, ...]:
        ids: list[str] = []
        limits = self._desk.limits
        for position in self._portfolio.holdings():
            symbol = position.symbol
            lot = self._instruments.get(symbol).lot_size if symbol in self._instruments else 1
            px = self._portfolio.mark_of(symbol) or position.avg_cost
            cap = limits.max_quantity(symbol)
            if px > 0:
                cap = min(cap, int(limits.order_max_notional / px))
            cap -= cap % lot
            remaining = abs(position.quantity)
            side = Side.SELL if position.quantity > 0 else Side.BUY
            while remaining > 0 and cap > 0:
                qty = min(cap, remaining)
                coid = self._ids.client_order_id()
                self.flattening.add(coid)
                spec = OrderSpec(coid, symbol, side, qty, OrderType.MARKET)
                oms.submit(SubmitOrder(ts_ns, spec))
                ids.append(coid)
                remaining -= qty
        return tuple(ids)
