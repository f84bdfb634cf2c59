"""An in-process, synchronous event bus.

Subscribers are called in subscription order on the caller's thread: one thread, no locks,
deterministic order. Subscriptions are by event class (exact class, then its bases), with an
optional key (e.g. a parent order id) matched against the event's ``bus_key``; catch-all
subscribers (the journal) see every event first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
Handler = Callable[[Any], None]


class MessageBus:
    """Publish events to subscribers registered by event class and optional key."""

    def __init__(self) -> None:
        self._catch_all: list[Handler] = []
        self._by_type: dict[type, list[tuple[str | None, Handler]]] = {}
        # Event class -> (its typed subscriptions in delivery order, whether any is keyed).
        self._dispatch_cache: dict[type, tuple[list[tuple[str | None, Handler]], bool]] = {}

    def subscribe_all(self, handler: Handler) -> None:
        """Call ``handler`` for every event, before any typed subscriber."""
        self._catch_all.append(handler)

    def subscribe(
        self, event_type: type[E], handler: Callable[[E], None], key: str | None = None
    ) -> None:
        """Call ``handler`` for events of ``event_type`` (and subclasses), optionally keyed."""
        self._by_type.setdefault(event_type, []).append((key, handler))
        self._dispatch_cache.clear()

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Remove every subscription of ``handler`` to ``event_type``."""
        subs = self._by_type.get(event_type, [])
        self._by_type[event_type] = [(k, h) for k, h in subs if h != handler]
        self._dispatch_cache.clear()

    def _handlers_for(self, event_type: type) -> tuple[list[tuple[str | None, Handler]], bool]:
        cached = self._dispatch_cache.get(event_type)
        if cached is None:
            handlers: list[tuple[str | None, Handler]] = []
            for klass in event_type.__mro__:
                handlers.extend(self._by_type.get(klass, ()))
            keyed = any(key is not None for key, _ in handlers)
            cached = self._dispatch_cache[event_type] = (handlers, keyed)
        return cached

    def publish(self, event: object) -> None:
        """Deliver ``event`` to catch-all subscribers, then to matching typed subscribers."""
        for handler in self._catch_all:
            handler(event)
        # One dict read per event on the hot path; the MRO walk runs once per event class.
        cached = self._dispatch_cache.get(type(event))
        handlers, keyed = cached if cached is not None else self._handlers_for(type(event))
        if not keyed:  # nobody filters by key: skip reading the event's ``bus_key``
            for _, handler in handlers:
                handler(event)
            return
        event_key = getattr(event, "bus_key", None)
        for key, handler in handlers:
            if key is None or key == event_key:
                handler(event)
