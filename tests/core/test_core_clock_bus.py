"""Clock timers fire in time order; the bus routes by class and key."""

from __future__ import annotations

from dataclasses import dataclass

from slipstream.core.bus import MessageBus
from slipstream.core.clock import SimClock
from slipstream.core.errors import (
    BrokerAuthError,
    ConfigError,
    InputError,
    InvalidTransitionError,
    SlipstreamError,
)
from slipstream.core.ids import IdGenerator


def test_sim_clock_fires_timers_in_time_order_with_clock_at_due_time() -> None:
    clock = SimClock(0)
    seen: list[tuple[str, int, int]] = []
    for name, at in (("c", 30), ("a", 10), ("b", 20), ("late", 50)):

        def record(ts: int, n: str = name) -> None:
            seen.append((n, ts, clock.timestamp_ns()))

        clock.set_timer(name, at, record)
    clock.advance_to(35)
    assert seen == [("a", 10, 10), ("b", 20, 20), ("c", 30, 30)]
    assert clock.timestamp_ns() == 35
    clock.cancel_timer("late")
    clock.advance_to(100)
    assert len(seen) == 3


def test_timer_scheduled_by_a_timer_fires_in_the_same_advance() -> None:
    clock = SimClock(0)
    seen: list[int] = []

    def first(ts: int) -> None:
        seen.append(ts)
        clock.set_timer("second", ts + 5, seen.append)

    clock.set_timer("first", 10, first)
    clock.advance_to(20)
    assert seen == [10, 15]


def test_same_name_timer_is_replaced() -> None:
    clock = SimClock(0)
    seen: list[int] = []
    clock.set_timer("t", 10, seen.append)
    clock.set_timer("t", 12, seen.append)
    clock.advance_to(20)
    assert seen == [12]


@dataclass(frozen=True)
class Base:
    bus_key: str


@dataclass(frozen=True)
class Child(Base):
    pass


def test_bus_routes_by_class_base_and_key_with_catch_all_first() -> None:
    bus = MessageBus()
    log: list[str] = []
    bus.subscribe_all(lambda e: log.append("all"))
    bus.subscribe(Child, lambda e: log.append("child"))
    bus.subscribe(Base, lambda e: log.append("base"))
    bus.subscribe(Child, lambda e: log.append("keyed"), key="k1")
    bus.publish(Child("k1"))
    bus.publish(Child("k2"))
    bus.publish(Base("k1"))
    assert log == ["all", "child", "keyed", "base", "all", "child", "base", "all", "base"]


def test_ids_are_deterministic_and_children_carry_parent() -> None:
    clock = SimClock(1_000)
    ids = IdGenerator(clock)
    parent = ids.parent_order_id()
    child = ids.child_order_id(parent)
    assert child.startswith(parent + ".")
    again = IdGenerator(SimClock(1_000))
    assert again.parent_order_id() == parent


def test_error_classes_carry_exit_codes() -> None:
    assert SlipstreamError.exit_code == 1
    assert InputError("f", 1, "r").exit_code == 2
    assert ConfigError.exit_code == 3 and BrokerAuthError.exit_code == 3
    assert InvalidTransitionError.exit_code == 5
    assert "field 'f' = 1: r" in str(InputError("f", 1, "r"))
