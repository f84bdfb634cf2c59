"""Core primitives every other package depends on: clock, state machine, bus, ids, errors."""
