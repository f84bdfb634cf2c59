"""Small stateful controls: the order-rate throttle and the reject-rate window (the gate's and
the automatic halts'), and the register of single-denial overrides (the desk's)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from slipstream.core.errors import InputError
from slipstream.core.timestamps import NS_PER_SEC


def secs_to_ns(secs: float) -> int:
    """Return ``secs`` as whole nanoseconds."""
    return round(secs * NS_PER_SEC)


class SlidingCount:
    """Count timestamps inside a trailing window of ``window_ns`` (amortized O(1))."""

    def __init__(self, window_ns: int) -> None:
        self.window_ns = window_ns
        self._times: deque[int] = deque()

    def add(self, ts_ns: int) -> None:
        """Record one event at ``ts_ns``."""
        self._times.append(ts_ns)

    def count(self, ts_ns: int) -> int:
        """Return how many events fall in ``(ts_ns − window, ts_ns]``."""
        times = self._times
        horizon = ts_ns - self.window_ns
        while times and times[0] <= horizon:
            times.popleft()
        return len(times)


@dataclass(slots=True)
class Override:
    """Permission to skip one check, for one order id or the next ``remaining`` orders."""

    override_id: str
    check: str
    user: str
    reason: str
    client_order_id: str | None
    symbol: str | None
    remaining: int
    expires_ns: int | None

    def matches(self, check: str, client_order_id: str, symbol: str, ts_ns: int) -> bool:
        """Return whether this override covers ``check`` for that order now."""
        return (
            self.remaining > 0
            and self.check == check
            and (self.expires_ns is None or ts_ns <= self.expires_ns)
            and (self.client_order_id is None or self.client_order_id == client_order_id)
            and (self.symbol is None or self.symbol == symbol)
        )


class OverrideRegister:
    """Active overrides, consumed one order at a time."""

    def __init__(self) -> None:
        self._active: list[Override] = []
        self._count = 0

    def grant(
        self,
        check: str,
        user: str,
        reason: str,
        client_order_id: str | None,
        symbol: str | None,
        max_uses: int,
        expires_ns: int | None,
    ) -> Override:
        """Register a new override and return it."""
        if isinstance(max_uses, bool) or not isinstance(max_uses, int) or max_uses < 1:
            raise InputError("max_uses", max_uses, "must be a whole number >= 1")
        if client_order_id is None and symbol is None and expires_ns is None and max_uses > 1:
            # An unscoped multi-use override is a limit change in disguise: make it say so.
            raise InputError("scope", None, "a multi-use override needs a symbol or an expiry time")
        self._count += 1
        override = Override(
            f"OVR-{self._count}",
            check,
            user,
            reason,
            client_order_id,
            symbol,
            1 if client_order_id is not None else max_uses,
            expires_ns,
        )
        self._active.append(override)
        return override

    def find(self, check: str, client_order_id: str, symbol: str, ts_ns: int) -> Override | None:
        """Return an override covering ``check`` for this order, without consuming it."""
        for override in self._active:
            if override.matches(check, client_order_id, symbol, ts_ns):
                return override
        return None

    def use(self, check: str, client_order_id: str, symbol: str, ts_ns: int) -> Override | None:
        """Consume and return an override covering ``check`` for this order, if any."""
        if not self._active:
            return None
        override = self.find(check, client_order_id, symbol, ts_ns)
        if override is not None:
            override.remaining -= 1
            self._active = [o for o in self._active if o.remaining > 0]
        return override

    def active(self, ts_ns: int) -> list[Override]:
        """Return the overrides still usable at ``ts_ns``."""
        return [o for o in self._active if o.expires_ns is None or ts_ns <= o.expires_ns]
