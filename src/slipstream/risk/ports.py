"""What each part of pre-trade risk needs from its neighbours, as small protocols.

Outside risk: the OMS's ``OrderManager`` satisfies :class:`OrderEntry` and its store
:class:`OpenOrders`; the algorithm engine satisfies :class:`AlgoControl`. Risk reads them; it
keeps no copies.

Inside risk, the parts the engine is built from see each other only through these ports, so
each module imports none of the others (see ``docs/risk.md``, *How the engine is built*):

* the checks read a :class:`RiskView` (the gate implements it), never the engine;
* the gate reads the desk's trading state and overrides through :class:`DeskView`;
* the automatic halts and the kill switch move the trading state through :class:`StateControl`;
* the automatic halts run the kill switch through :class:`EmergencyStop`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from slipstream.model.commands import CancelOrder, SubmitOrder
from slipstream.model.orders_spec import OrderSpec
from slipstream.oms.risk_gate import Denial
from slipstream.risk.limits import Limits
from slipstream.risk.scenarios import ScenarioSet
from slipstream.risk.state import StateTrigger, TradingState


class WorkingOrder(Protocol):
    """An order that is still working (``slipstream.model.orders.Order`` fits)."""

    @property
    def spec(self) -> OrderSpec: ...

    @property
    def leaves_qty(self) -> int: ...

    @property
    def limit_price(self) -> Decimal | None: ...


class OpenOrders(Protocol):
    """Where the working orders are (the OMS order store)."""

    def working(self) -> Iterable[WorkingOrder]: ...


class OrderEntry(Protocol):
    """The OMS command entry the kill switch sends its cancels and flattening orders through."""

    def submit(self, command: SubmitOrder) -> Any: ...

    def cancel(self, command: CancelOrder) -> bool: ...


class AlgoControl(Protocol):
    """The algorithm engine's emergency control."""

    def pause_all(self) -> object: ...


class RiskView(Protocol):
    """The shared facts the checks read, and nothing they could change."""

    @property
    def limits(self) -> Limits: ...

    @property
    def state(self) -> TradingState: ...

    @property
    def state_reason(self) -> str: ...

    @property
    def scenarios(self) -> ScenarioSet: ...

    def orders_in_window(self, ts_ns: int) -> int:
        """Return how many orders were approved in the throttle's window ending at ``ts_ns``."""
        ...

    def mark_of(self, symbol: str) -> Decimal | None: ...

    def cash(self) -> Decimal: ...

    def cluster_members(self, cluster: str) -> tuple[str, ...]: ...


class DeskView(Protocol):
    """The desk's trading state and limits as the gate reads them, and the overrides."""

    @property
    def state(self) -> TradingState: ...

    @property
    def limits(self) -> Limits: ...

    @property
    def state_reason(self) -> str: ...

    def use_override(self, check: str, denial: Denial, spec: OrderSpec, ts_ns: int) -> bool:
        """Consume an override that lets ``denial`` pass, audit it, and say whether one did."""
        ...

    def find_override(self, check: str, spec: OrderSpec, ts_ns: int) -> str | None:
        """Return the id of the override that would let ``check`` pass, without using it."""
        ...


class StateControl(Protocol):
    """The trading state as the automatic halts and the kill switch move it."""

    @property
    def state(self) -> TradingState: ...

    @property
    def limits(self) -> Limits: ...

    def move(
        self, trigger: StateTrigger, cause: str, reason: str, user: str | None, ts_ns: int
    ) -> None:
        """Apply ``trigger`` (a no-op when already in its target state) and publish the change."""
        ...


class EmergencyStop(Protocol):
    """The kill switch as an automatic halt runs it."""

    def trip(self, cause: str, reason: str, ts_ns: int) -> None:
        """Pause the algorithms and cancel every working order, if the OMS is attached."""
        ...
