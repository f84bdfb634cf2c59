"""Clocks: the only module allowed to read wall time.

Every component takes a :class:`Clock`, so a simulation replays with identical timestamps, ids
and journals. ``SimClock`` fires due timers in time order as it is advanced; ``LiveClock`` reads
the system clock and fires timers from :meth:`LiveClock.run_due` (called by the I/O edge).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

TimerCallback = Callable[[int], None]


class Clock(Protocol):
    """Source of time and timers for every component."""

    def timestamp_ns(self) -> int:
        """Return the current time in UTC nanoseconds."""
        ...

    def set_timer(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        """Call ``callback(at_ns)`` at ``at_ns``; a timer of the same name is replaced."""
        ...

    def cancel_timer(self, name: str) -> None:
        """Forget the timer called ``name`` if it is pending."""
        ...


@dataclass(order=True)
class _Timer:
    at_ns: int
    seq: int
    name: str = field(compare=False)
    callback: TimerCallback = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class _TimerQueue:
    """A heap of timers ordered by (time, insertion order), with lazy cancellation."""

    def __init__(self) -> None:
        self._heap: list[_Timer] = []
        self._by_name: dict[str, _Timer] = {}
        self._seq = itertools.count()

    def set(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self.cancel(name)
        timer = _Timer(at_ns, next(self._seq), name, callback)
        self._by_name[name] = timer
        heapq.heappush(self._heap, timer)

    def cancel(self, name: str) -> None:
        old = self._by_name.pop(name, None)
        if old is not None:
            old.cancelled = True

    def next_due(self, now_ns: int) -> _Timer | None:
        while self._heap:
            head = self._heap[0]
            if head.cancelled:
                heapq.heappop(self._heap)
                continue
            if head.at_ns > now_ns:
                return None
            heapq.heappop(self._heap)
            if self._by_name.get(head.name) is head:
                del self._by_name[head.name]
            return head
        return None

    def peek_ns(self) -> int | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].at_ns if self._heap else None


class SimClock:
    """A clock that moves only when told to, firing due timers in time order."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now_ns = start_ns
        self._timers = _TimerQueue()

    def timestamp_ns(self) -> int:
        return self._now_ns

    def set_timer(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self._timers.set(name, at_ns, callback)

    def cancel_timer(self, name: str) -> None:
        self._timers.cancel(name)

    def next_timer_ns(self) -> int | None:
        """Return when the earliest pending timer is due, or None."""
        return self._timers.peek_ns()

    def advance_to(self, ts_ns: int) -> None:
        """Move time forward to ``ts_ns``, firing every timer due on the way, in order.

        Each timer fires with the clock set to its own due time, so work it schedules sees the
        right "now"; time never moves backwards.
        """
        while (timer := self._timers.next_due(ts_ns)) is not None:
            self._now_ns = max(self._now_ns, timer.at_ns)
            timer.callback(timer.at_ns)
        self._now_ns = max(self._now_ns, ts_ns)


class LiveClock:
    """Wall-clock time; timers fire when the owner calls :meth:`run_due`."""

    def __init__(self) -> None:
        self._timers = _TimerQueue()

    def timestamp_ns(self) -> int:
        return time.time_ns()

    def set_timer(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self._timers.set(name, at_ns, callback)

    def cancel_timer(self, name: str) -> None:
        self._timers.cancel(name)

    def run_due(self) -> int:
        """Fire every timer that is due now; return how many fired."""
        fired = 0
        while (timer := self._timers.next_due(self.timestamp_ns())) is not None:
            timer.callback(timer.at_ns)
            fired += 1
        return fired


def monotonic_ns() -> int:
    """Return a monotonic reading for measuring durations (benchmarks, watchdogs)."""
    return time.perf_counter_ns()
