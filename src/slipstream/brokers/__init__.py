"""Brokers and venues behind one contract (:mod:`slipstream.brokers.contract`)."""
