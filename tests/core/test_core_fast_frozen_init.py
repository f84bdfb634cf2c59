"""fast_frozen_init builds the same frozen objects as the dataclass-generated constructor."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest

from slipstream.core.records import fast_frozen_init


@dataclass(frozen=True, slots=True)
class _Stock:
    name: str
    qty: int
    note: str | None = None


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class _Fast:
    name: str
    qty: int
    note: str | None = None


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class _FastChild(_Fast):
    extra: int = 7


def test_same_values_defaults_and_keywords_as_the_stock_constructor() -> None:
    cases: tuple[tuple[tuple[Any, ...], dict[str, Any]], ...] = (
        ((("a", 1)), {}),
        (("a", 1, "n"), {}),
        (("a",), {"qty": 2, "note": "x"}),
    )
    for args, kwargs in cases:
        stock, fast = _Stock(*args, **kwargs), _Fast(*args, **kwargs)
        assert dataclasses.astuple(stock) == dataclasses.astuple(fast)
    assert _FastChild("b", 3) == _FastChild("b", 3, None, 7)
    assert dataclasses.replace(_Fast("a", 1), qty=5) == _Fast("a", 5)


def test_instances_stay_frozen() -> None:
    fast = _Fast("a", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.qty = 2  # type: ignore[misc]


def test_bad_calls_fail_like_the_stock_constructor() -> None:
    with pytest.raises(TypeError, match=r"_Fast.__init__\(\) missing 1 required positional"):
        _Fast("a")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword"):
        _Fast("a", 1, colour="red")  # type: ignore[call-arg]


def test_refuses_classes_it_cannot_build_faithfully() -> None:
    @dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[int] = field(default_factory=list)

    @dataclass(slots=True)
    class Mutable:
        x: int

    for cls in (WithFactory, Mutable):
        with pytest.raises(TypeError):
            fast_frozen_init(cls)
