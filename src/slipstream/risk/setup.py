"""Building a risk engine and its starting portfolio from files (for the CLI and the node).

Portfolio file (JSON)::

    {
      "cash": "2000000",
      "positions": [
        {"symbol": "AAPL", "quantity": 1000, "avg_cost": "120.00", "mark": "127.45"},
        {"symbol": "XOM", "quantity": -500, "avg_cost": "60.10"}
      ],
      "marks": {"MSFT": "246.00"}
    }

``cash`` and prices are exact decimals (strings or integers, never floats); ``quantity`` is a
signed whole number of shares (negative is short); ``mark`` (optional) is the latest price,
defaulting to ``avg_cost``; ``marks`` (optional) prices names not held, for what-if checks.

Bounds (see :mod:`slipstream.model.values`): ``|cash|`` at most ``MAX_MONEY`` ($10^15), prices
above 0 and at most ``MAX_PRICE`` ($10^7), each with at most ``MAX_DECIMAL_PLACES`` (8) decimal
places, and ``|quantity|`` at most ``MAX_POSITION_QUANTITY`` (10^11 shares).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slipstream.core.bounds import shown
from slipstream.core.bus import MessageBus
from slipstream.core.clock import Clock
from slipstream.core.errors import InputError
from slipstream.marketdata.reference import sector_map
from slipstream.model.instrument import InstrumentTable
from slipstream.model.values import MAX_POSITION_QUANTITY, money, price
from slipstream.portfolio.portfolio import Portfolio
from slipstream.portfolio.records import SeedPosition
from slipstream.risk.engine import RiskEngine
from slipstream.risk.limits import load_limits
from slipstream.risk.ports import OpenOrders

_POSITION_KEYS = frozenset({"symbol", "quantity", "avg_cost", "mark"})
_TOP_KEYS = frozenset({"cash", "positions", "marks"})


def _require(where: str, cond: bool, field: str, value: object, rule: str) -> None:
    if not cond:
        raise InputError(field, value, rule, where=where)


def parse_portfolio(document: Any, where: str = "portfolio") -> Portfolio:
    """Return a :class:`Portfolio` from a parsed portfolio document (format above)."""
    _require(
        where,
        isinstance(document, dict),
        "portfolio",
        type(document).__name__,
        "must be a JSON object",
    )
    unknown = sorted(set(document) - _TOP_KEYS)
    _require(
        where,
        not unknown,
        unknown[0] if unknown else "",
        None,
        f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})",
    )
    _require(where, "cash" in document, "cash", None, "is required")
    sectors = sector_map()
    portfolio = Portfolio(money(document["cash"], "cash"), lambda s: sectors.get(s, "Unknown"))
    rows = document.get("positions", [])
    _require(where, isinstance(rows, list), "positions", rows, "must be a list of objects")
    for n, row in enumerate(rows):
        at = f"positions[{n}]"
        _require(where, isinstance(row, dict), at, row, "must be an object")
        extra = sorted(set(row) - _POSITION_KEYS)
        _require(where, not extra, f"{at}.{extra[0] if extra else ''}", None, "unknown key")
        symbol = row.get("symbol")
        _require(
            where, isinstance(symbol, str) and bool(symbol), f"{at}.symbol", symbol, "is required"
        )
        qty = row.get("quantity")
        _require(
            where,
            isinstance(qty, int) and not isinstance(qty, bool) and qty != 0,
            f"{at}.quantity",
            qty,
            "must be a non-zero whole number of shares (negative for short)",
        )
        _require(
            where,
            abs(qty) <= MAX_POSITION_QUANTITY,
            f"{at}.quantity",
            shown(qty),
            f"must be at most {MAX_POSITION_QUANTITY:,} shares either way",
        )
        _require(where, symbol not in portfolio.positions, f"{at}.symbol", symbol, "appears twice")
        avg_cost = price(row.get("avg_cost"), f"{at}.avg_cost")
        portfolio.seed_position(str(symbol), int(qty), avg_cost)
        if row.get("mark") is not None:
            portfolio.mark(str(symbol), price(row["mark"], f"{at}.mark"))
    marks = document.get("marks", {})
    _require(where, isinstance(marks, dict), "marks", marks, "must be an object SYMBOL: price")
    for symbol, px in marks.items():
        portfolio.mark(str(symbol), price(px, f"marks.{symbol}"))
    return portfolio


def load_portfolio(path: Path | str) -> Portfolio:
    """Read a portfolio file (format in the module docstring)."""
    source = Path(path)
    try:
        document = json.loads(source.read_text())
    except OSError as exc:
        raise InputError("portfolio", str(source), f"cannot be read: {exc}") from exc
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4,300 digits
        raise InputError("portfolio", str(source), f"is not valid JSON: {exc}") from exc
    return parse_portfolio(document, f"portfolio {source}")


def seed_positions_of(portfolio: Portfolio) -> tuple[SeedPosition, ...]:
    """Return the portfolio's holdings as seeds for a simulated session's settings."""
    return tuple(SeedPosition(p.symbol, p.quantity, p.avg_cost) for p in portfolio.holdings())


def build_risk_engine(
    portfolio: Portfolio,
    instruments: InstrumentTable,
    open_orders: OpenOrders,
    limits_path: Path | str | None,
    clock: Clock,
    bus: MessageBus,
) -> RiskEngine:
    """Return a risk engine with limits from ``limits_path`` (defaults if None).

    ``engine.attach(oms=..., algos=...)`` once those exist so the kill switch can act.
    """
    return RiskEngine(
        portfolio,
        instruments,
        open_orders,
        clock,
        bus,
        limits=load_limits(limits_path),
    )
