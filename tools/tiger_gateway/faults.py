"""Fault injection: which calls fail, how, and whether the venue acted before the failure.

A fault is ``(kind, when)``. ``kind`` is ``latency``, ``timeout`` (the gateway stalls past the
client's timeout, then drops the connection), ``http_5xx`` (an HTTP 502/503) or ``api_error``
(a Tiger error code, ``api_error_code``: 1 server error by default, 5 rate limit, ...). ``when`` is ``before`` (nothing happened at the venue) or
``after`` (the venue took the request, only the answer is lost) — the case that makes a blind
retry place a second order. Random faults hit ``fail_rate`` of calls, seeded; scripted one-shot
faults (``script``) hit the next call of a given method, for tests that need one exact failure.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("timeout", "http_5xx", "api_error")
MUTATING = frozenset({"place_order", "modify_order", "cancel_order"})


API_MESSAGES = {1: "server error", 2: "network read time out", 5: "rate limit error"}


@dataclass
class Fault:
    kind: str
    when: str = "before"
    code: int = 1


@dataclass
class FaultConfig:
    """Every knob the control endpoint can turn."""

    fail_rate: float = 0.0
    kinds: tuple[str, ...] = KINDS
    latency_ms: float = 0.0
    timeout_ms: float = 1500.0
    api_error_code: int = 1
    push_drop_rate: float = 0.0
    push_dup_rate: float = 0.0
    methods: frozenset[str] | None = None
    script: list[dict[str, Any]] = field(default_factory=list)


class Faults:
    """Decide, thread-safely and reproducibly, the fault of each call and push message."""

    def __init__(self, seed: int = 7) -> None:
        self.config = FaultConfig()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def update(self, **changes: Any) -> None:
        """Change knobs; unknown names are refused so a typo cannot silently do nothing."""
        with self._lock:
            for name, value in changes.items():
                if not hasattr(self.config, name):
                    raise ValueError(f"unknown fault setting '{name}'")
                if name == "kinds":
                    value = tuple(value)
                    unknown = set(value) - set(KINDS)
                    if unknown:
                        raise ValueError(f"unknown fault kinds {sorted(unknown)}")
                if name == "methods" and value is not None:
                    value = frozenset(value)
                if name == "seed":
                    continue
                setattr(self.config, name, value)
            if "seed" in changes:
                self._rng.seed(changes["seed"])

    def reset(self) -> None:
        with self._lock:
            self.config = FaultConfig()

    def for_call(self, method: str) -> Fault | None:
        """Return the fault to inject into this call, or None."""
        with self._lock:
            self.calls[method] += 1
            cfg = self.config
            for i, item in enumerate(cfg.script):
                if item.get("method") in (method, "*"):
                    del cfg.script[i]
                    fault = Fault(
                        str(item["kind"]),
                        str(item.get("when", "before")),
                        int(item.get("code", cfg.api_error_code)),
                    )
                    self.injected[f"{fault.kind}:{fault.when}"] += 1
                    return fault
            if cfg.fail_rate <= 0 or (cfg.methods is not None and method not in cfg.methods):
                return None
            if self._rng.random() >= cfg.fail_rate:
                return None
            kind = self._rng.choice(cfg.kinds)
            when = self._rng.choice(("before", "after")) if method in MUTATING else "before"
            self.injected[f"{kind}:{when}"] += 1
            return Fault(kind, when, cfg.api_error_code)

    def push_copies(self) -> int:
        """Return how many times to send the next push message: 0 (dropped), 1 or 2."""
        with self._lock:
            cfg = self.config
            if cfg.push_drop_rate and self._rng.random() < cfg.push_drop_rate:
                self.injected["push_drop"] += 1
                return 0
            if cfg.push_dup_rate and self._rng.random() < cfg.push_dup_rate:
                self.injected["push_dup"] += 1
                return 2
            return 1

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"calls": dict(self.calls), "injected": dict(self.injected)}
