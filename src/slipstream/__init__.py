"""Slipstream: an adaptive execution engine for equities."""

__version__ = "0.1.0"
