"""The registry of algorithms, and the one validated way to build a parent order.

:func:`make_parent` checks everything that does not need the market — quantity, side, horizon,
algorithm name, urgency, price cap and every parameter — and raises an
:class:`~slipstream.core.errors.InputError` naming the field, value and rule, so a bad parent is
refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from slipstream.algos.iceberg import Iceberg
from slipstream.algos.implementation_shortfall import ImplementationShortfall
from slipstream.algos.params import AlgoParams, params_from_mapping
from slipstream.algos.parent import ParentAccepted, ParentOrder
from slipstream.algos.pov import Pov
from slipstream.algos.template import ExecAlgorithm
from slipstream.algos.twap import Twap
from slipstream.algos.urgency import urgency_level
from slipstream.algos.vwap import Vwap
from slipstream.core.errors import InputError
from slipstream.core.ids import ParentOrderId
from slipstream.model.enums import Side
from slipstream.model.values import price, quantity

ALGORITHMS: dict[str, type[ExecAlgorithm]] = {
    cls.name: cls for cls in (Twap, Vwap, Pov, ImplementationShortfall, Iceberg)
}


def algorithm_class(name: str) -> type[ExecAlgorithm]:
    """Return the algorithm called ``name`` or raise an InputError listing the known ones."""
    try:
        return ALGORITHMS[name.strip().lower()]
    except KeyError:
        raise InputError("algo", name, f"must be one of {', '.join(ALGORITHMS)}") from None


def make_parent(
    parent_id: str,
    symbol: str,
    side: Side | str,
    qty: object,
    algo: str,
    start_ns: int,
    end_ns: int,
    urgency: str | float = "medium",
    limit_price: object | None = None,
    params: AlgoParams | Mapping[str, Any] | None = None,
) -> ParentOrder:
    """Return a validated :class:`ParentOrder`.

    ``params`` is the algorithm's ``Params`` instance, or a mapping of loose values (CLI text)
    that is checked field by field; None takes the defaults.
    """
    cls = algorithm_class(algo)
    try:
        side_value = Side(side.strip().lower() if isinstance(side, str) else side)
    except ValueError:
        raise InputError("side", side, "must be buy or sell") from None
    if not symbol:
        raise InputError("symbol", symbol, "must not be empty")
    if end_ns <= start_ns:
        raise InputError("end_ns", end_ns, f"must be after start_ns {start_ns}")
    if params is None or isinstance(params, Mapping):
        built = params_from_mapping(cls.Params, params or {})
    elif isinstance(params, cls.Params):
        built = params
    else:
        raise InputError(
            "params", type(params).__name__, f"algo {cls.name!r} needs {cls.Params.__name__}"
        )
    return ParentOrder(
        parent_id=ParentOrderId(parent_id),
        symbol=symbol,
        side=side_value,
        quantity=int(quantity(qty)),
        algo=cls.name,
        params=built,
        start_ns=start_ns,
        end_ns=end_ns,
        urgency=urgency_level(urgency),
        limit_price=None if limit_price is None else Decimal(price(limit_price, "limit_price")),
    )


def parent_from_accepted(event: ParentAccepted) -> ParentOrder:
    """Rebuild the typed parent order recorded by a ``ParentAccepted`` event (journal replay)."""
    return make_parent(
        event.parent_id,
        event.symbol,
        event.side,
        event.quantity,
        event.algo,
        event.start_ns,
        event.end_ns,
        event.urgency,
        event.limit_price,
        event.params,
    )
