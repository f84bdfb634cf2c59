"""A generic finite-state machine driven by one transition table."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

from slipstream.core.errors import InvalidTransitionError

S = TypeVar("S", bound=Hashable)
T = TypeVar("T", bound=Hashable)


class StateMachine(Generic[S, T]):
    """Hold a state and advance it only along edges of ``table``.

    ``table`` maps ``(state, trigger)`` to the next state. Any pair not in it raises
    :class:`InvalidTransitionError`, so an impossible sequence of events is loud, never silent.
    """

    __slots__ = ("_table", "state")

    def __init__(self, table: Mapping[tuple[S, T], S], initial: S) -> None:
        self._table = table
        self.state = initial

    def can_trigger(self, trigger: T) -> bool:
        """Return whether ``trigger`` is an edge out of the current state."""
        return (self.state, trigger) in self._table

    def trigger(self, trigger: T) -> S:
        """Advance along the edge ``(state, trigger)`` and return the new state."""
        try:
            self.state = self._table[(self.state, trigger)]
        except KeyError:
            raise InvalidTransitionError(
                "trigger", trigger, f"not allowed from state {self.state!r}"
            ) from None
        return self.state
