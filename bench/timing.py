"""Shared timing helper for the micro-benchmarks (not a benchmark itself)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def per_call_us(fn: Callable[[], Any], calls: int) -> dict[str, float]:
    """Return the median and p99 of per-call times over 20 batches, in microseconds."""
    batches = []
    per_batch = max(1, calls // 20)
    for _ in range(20):
        start = time.perf_counter_ns()
        for _ in range(per_batch):
            fn()
        batches.append((time.perf_counter_ns() - start) / per_batch / 1000)
    batches.sort()
    return {"p50": batches[len(batches) // 2], "p99": batches[-1]}
