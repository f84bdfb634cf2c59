"""Typed, frozen, validated parameters of every algorithm.

Each algorithm declares one ``Params`` dataclass; building it validates every field, so a bad
value is refused with an :class:`~slipstream.core.errors.InputError` naming the field, the value
and the rule before anything is sent. :func:`params_from_mapping` builds one from loose text
(CLI flags, order files) with the same checks.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from slipstream.core.errors import InputError

P = TypeVar("P", bound="AlgoParams")


def check_participation(field: str, value: float | None) -> None:
    """Raise unless ``value`` is None or a participation rate in (0, 1]."""
    if value is not None and not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise InputError(field, value, "must be a participation rate in (0, 1]")


def check_positive(field: str, value: float, *, whole: bool = False) -> None:
    """Raise unless ``value`` is finite and > 0 (and a whole number when ``whole``)."""
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise InputError(field, value, "must be > 0")
    if whole and value != int(value):
        raise InputError(field, value, "must be a whole number > 0")


@dataclass(frozen=True, slots=True)
class AlgoParams:
    """Parameters every algorithm understands.

    Attributes
    ----------
    interval_secs : how often the algorithm re-decides size and price, seconds.
    max_participation : cap on each child as a share of the live volume rate (None: no cap).
    impact_budget_bps : cap on each child's own square-root impact forecast (None: no cap).
    """

    interval_secs: float = 10.0
    max_participation: float | None = None
    impact_budget_bps: float | None = None

    def __post_init__(self) -> None:
        check_positive("interval_secs", self.interval_secs)
        check_participation("max_participation", self.max_participation)
        if self.impact_budget_bps is not None:
            check_positive("impact_budget_bps", self.impact_budget_bps)


@dataclass(frozen=True, slots=True)
class SlicedParams(AlgoParams):
    """Parameters of an algorithm that cuts its horizon into ``slices`` equal slices."""

    slices: int = 10

    def __post_init__(self) -> None:
        AlgoParams.__post_init__(self)
        check_positive("slices", self.slices, whole=True)


def params_from_mapping(cls: type[P], values: Mapping[str, Any]) -> P:
    """Build ``cls`` from loose values (strings from a CLI or file), validating every field.

    Unknown names are refused so that a misspelt parameter is never silently ignored.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in fields:
            raise InputError(name, raw, f"is not a parameter of {cls.__name__} ({sorted(fields)})")
        if raw is None or raw == "":
            continue
        kwargs[name] = _coerce(name, raw, str(fields[name].type))
    return cls(**kwargs)


def _coerce(name: str, raw: Any, type_text: str) -> Any:
    """Turn ``raw`` into the annotated type (annotations are strings under PEP 563)."""
    if isinstance(raw, list):  # a tuple after a JSON round trip
        return tuple(raw)
    if not isinstance(raw, str):
        return raw
    try:
        if type_text.startswith("int"):
            return int(raw)
        if type_text.startswith("float"):
            return float(raw)
        if type_text.startswith("bool"):
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1", "yes")
        if type_text.startswith("tuple[float"):
            return tuple(float(x) for x in raw.replace(";", ",").split(",") if x.strip())
    except ValueError:
        raise InputError(name, raw, f"must be of type {type_text}") from None
    return raw
