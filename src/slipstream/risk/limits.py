"""Risk limits: one frozen record, read from TOML and validated key by key.

Every limit has a dotted key (``section.name``), a type, a rule and a default; the same table
drives loading, validation, run-time changes and the documentation in ``docs/risk.md``. A bad
key or value raises :class:`~slipstream.core.errors.ConfigError` naming the key, the value and
the rule, and nothing is applied: Slipstream refuses to start on a bad limits file.

Percentages are in percent (``8.0`` is 8% of NAV); money is an exact decimal (write it as an
integer or a string in TOML, never a float); durations are in seconds.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from slipstream.core.errors import ConfigError

CHECK_NAMES = (
    "trading_state",
    "order_rate",
    "order_size",
    "notional",
    "price_collar",
    "buying_power",
    "position_limit",
    "sector_limit",
    "correlation_limit",
    "expected_shortfall",
)
ES_METHODS = ("historical", "vwhs", "normal", "t", "fhs")
SCENARIO_WEIGHTINGS = ("historical", "volatility_weighted")


@dataclass(frozen=True, slots=True)
class Limits:
    """Every risk limit; build with :func:`load_limits` or :meth:`Limits.changed`."""

    order_max_quantity: int = 100_000
    order_max_quantity_per_symbol: dict[str, int] = field(default_factory=dict)
    order_max_notional: Decimal = Decimal(5_000_000)
    price_collar_pct: float = 5.0
    margin: Decimal = Decimal(0)
    position_max_nav_pct: float = 8.0
    position_per_symbol_pct: dict[str, float] = field(default_factory=dict)
    sector_max_nav_pct: float = 25.0
    correlation_threshold: float = 0.7
    correlation_lookback_days: int = 250
    correlation_max_nav_pct: float = 20.0
    es_level: float = 0.975
    es_max_nav_pct: float = 5.0
    es_window_days: int = 500
    es_method: str = "historical"
    es_scenarios: str = "volatility_weighted"
    throttle_max_orders: int = 200
    throttle_window_secs: float = 1.0
    daily_loss_pct: float = 3.0
    drawdown_pct: float = 10.0
    reject_rate_pct: float = 50.0
    reject_window_secs: float = 60.0
    reject_min_orders: int = 20
    stale_data_secs: float = 0.0
    auto_halt_action: str = "halt"
    auto_halt_kill_switch: bool = False
    valuation_max_age_secs: float = 1.0
    disabled_checks: tuple[str, ...] = ()

    def position_limit_pct(self, symbol: str) -> float:
        """Return the single-name limit for ``symbol`` (its override, else the default)."""
        return self.position_per_symbol_pct.get(symbol, self.position_max_nav_pct)

    def max_quantity(self, symbol: str) -> int:
        """Return the per-order quantity limit for ``symbol``."""
        return self.order_max_quantity_per_symbol.get(symbol, self.order_max_quantity)

    def changed(self, changes: Mapping[str, Any], where: str = "limits") -> Limits:
        """Return a copy with ``changes`` (dotted keys) applied, validated as a whole."""
        values: dict[str, Any] = {}
        for key, raw in changes.items():
            spec = _SPEC_BY_KEY.get(key)
            if spec is None:
                raise ConfigError(f"{where}: unknown key '{key}' (known: {', '.join(KEYS)})")
            values[spec.attr] = spec.parse(key, raw, where)
        return dataclasses.replace(self, **values)

    def value_of(self, key: str) -> Any:
        """Return the current value of a dotted key."""
        spec = _SPEC_BY_KEY.get(key)
        if spec is None:
            raise ConfigError(f"limits: unknown key '{key}'")
        return getattr(self, spec.attr)

    def describe(self) -> list[dict[str, Any]]:
        """Return every limit as ``{key, value, rule}`` (for the risk report)."""
        return [
            {"key": spec.key, "value": getattr(self, spec.attr), "rule": spec.rule}
            for spec in SPECS
        ]


def _fail(where: str, key: str, value: object, rule: str) -> ConfigError:
    return ConfigError(f"{where}: key '{key}' = {value!r}: {rule}")


@dataclass(frozen=True, slots=True)
class _Spec:
    key: str
    attr: str
    parse_value: Callable[[str, object, str], Any]
    rule: str

    def parse(self, key: str, raw: object, where: str) -> Any:
        return self.parse_value(key, raw, where)


def _number(low: float, high: float, low_open: bool = True) -> Callable[[str, object, str], Any]:
    def parse(key: str, raw: object, where: str) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _fail(where, key, raw, "must be a number")
        value = float(raw)
        above = value > low if low_open else value >= low
        if not (math.isfinite(value) and above and value <= high):
            bracket = "(" if low_open else "["
            raise _fail(where, key, raw, f"must be in {bracket}{low:g}, {high:g}]")
        return value

    return parse


def _integer(low: int, high: int) -> Callable[[str, object, str], Any]:
    def parse(key: str, raw: object, where: str) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _fail(where, key, raw, "must be a whole number")
        if not low <= raw <= high:
            raise _fail(where, key, raw, f"must be in [{low}, {high}]")
        return raw

    return parse


def _money(key: str, raw: object, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _fail(where, key, raw, "must be an exact amount (integer or string), not a float")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _fail(where, key, raw, "is not a decimal number") from None
    if not value.is_finite() or value < 0:
        raise _fail(where, key, raw, "must be a finite amount >= 0")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[str, object, str], Any]:
    def parse(key: str, raw: object, where: str) -> str:
        if raw not in options:
            raise _fail(where, key, raw, f"must be one of {', '.join(options)}")
        return str(raw)

    return parse


def _boolean(key: str, raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise _fail(where, key, raw, "must be true or false")
    return raw


def _check_list(key: str, raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple) or any(name not in CHECK_NAMES for name in raw):
        raise _fail(where, key, raw, f"must be a list of check names from {', '.join(CHECK_NAMES)}")
    if "trading_state" in raw:
        raise _fail(where, key, raw, "the trading_state check cannot be disabled")
    return tuple(str(name) for name in raw)


def _per_symbol(
    inner: Callable[[str, object, str], Any],
) -> Callable[[str, object, str], Any]:
    def parse(key: str, raw: object, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise _fail(where, key, raw, "must be a table of SYMBOL = value")
        return {str(sym): inner(f"{key}.{sym}", value, where) for sym, value in raw.items()}

    return parse


_PCT = _number(0.0, 100.0)
_SECS = _number(0.0, 86_400.0, low_open=False)
SPECS: tuple[_Spec, ...] = (
    _Spec("order.max_quantity", "order_max_quantity", _integer(1, 10**9), "shares, >= 1"),
    _Spec(
        "order.max_quantity_per_symbol",
        "order_max_quantity_per_symbol",
        _per_symbol(_integer(1, 10**9)),
        "table SYMBOL = shares",
    ),
    _Spec("order.max_notional", "order_max_notional", _money, "USD, >= 0"),
    _Spec("order.price_collar_pct", "price_collar_pct", _PCT, "percent of reference, (0, 100]"),
    _Spec("buying_power.margin", "margin", _money, "USD of margin credit, >= 0"),
    _Spec("position.max_nav_pct", "position_max_nav_pct", _PCT, "percent of NAV, (0, 100]"),
    _Spec(
        "position.per_symbol",
        "position_per_symbol_pct",
        _per_symbol(_PCT),
        "table SYMBOL = percent of NAV",
    ),
    _Spec("sector.max_nav_pct", "sector_max_nav_pct", _PCT, "percent of NAV, (0, 100]"),
    _Spec("correlation.threshold", "correlation_threshold", _number(0.0, 1.0), "(0, 1]"),
    _Spec("correlation.lookback_days", "correlation_lookback_days", _integer(20, 5000), "days"),
    _Spec("correlation.max_nav_pct", "correlation_max_nav_pct", _PCT, "percent of NAV"),
    _Spec("expected_shortfall.level", "es_level", _number(0.5, 0.999), "(0.5, 0.999]"),
    _Spec("expected_shortfall.max_nav_pct", "es_max_nav_pct", _PCT, "percent of NAV"),
    _Spec("expected_shortfall.window_days", "es_window_days", _integer(50, 5000), "days"),
    _Spec("expected_shortfall.method", "es_method", _choice(ES_METHODS), "report method"),
    _Spec(
        "expected_shortfall.scenarios",
        "es_scenarios",
        _choice(SCENARIO_WEIGHTINGS),
        "historical|volatility_weighted",
    ),
    _Spec("throttle.max_orders", "throttle_max_orders", _integer(1, 10**7), "orders per window"),
    _Spec("throttle.window_secs", "throttle_window_secs", _number(0.0, 86_400.0), "seconds"),
    _Spec("auto_halt.daily_loss_pct", "daily_loss_pct", _number(0.0, 100.0, False), "0 = off"),
    _Spec("auto_halt.drawdown_pct", "drawdown_pct", _number(0.0, 100.0, False), "0 = off"),
    _Spec("auto_halt.reject_rate_pct", "reject_rate_pct", _number(0.0, 100.0, False), "0 = off"),
    _Spec("auto_halt.reject_window_secs", "reject_window_secs", _number(0.0, 86_400.0), "secs"),
    _Spec("auto_halt.reject_min_orders", "reject_min_orders", _integer(1, 10**6), "orders"),
    _Spec("auto_halt.stale_data_secs", "stale_data_secs", _SECS, "seconds, 0 = off"),
    _Spec("auto_halt.action", "auto_halt_action", _choice(("halt", "reduce")), "halt|reduce"),
    _Spec("auto_halt.kill_switch", "auto_halt_kill_switch", _boolean, "true|false"),
    _Spec("valuation.max_age_secs", "valuation_max_age_secs", _SECS, "seconds, 0 = always"),
    _Spec("checks.disabled", "disabled_checks", _check_list, "list of check names"),
)
_SPEC_BY_KEY = {spec.key: spec for spec in SPECS}
KEYS = tuple(spec.key for spec in SPECS)
_TABLE_KEYS = frozenset({"order.max_quantity_per_symbol", "position.per_symbol"})


def _flatten(document: Mapping[str, Any], where: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for section, body in document.items():
        if not isinstance(body, Mapping):
            raise _fail(where, section, body, "must be a [section] table")
        for name, value in body.items():
            key = f"{section}.{name}"
            if isinstance(value, Mapping) and key not in _TABLE_KEYS:
                raise _fail(where, key, dict(value), "is not a known table")
            flat[key] = value
    return flat


def parse_limits(document: Mapping[str, Any], where: str = "limits") -> Limits:
    """Return :class:`Limits` from a parsed TOML document (defaults for absent keys)."""
    return Limits().changed(_flatten(document, where), where)


def load_limits(path: Path | str | None) -> Limits:
    """Read and validate a limits TOML file; ``None`` gives the defaults."""
    if path is None:
        return Limits()
    source = Path(path)
    try:
        with source.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"limits file {source}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"limits file {source}: not valid TOML: {exc}") from exc
    return parse_limits(document, f"limits file {source}")
