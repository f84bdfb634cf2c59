"""Durable storage: the append-only, hash-chained write-ahead journal and its backends."""
