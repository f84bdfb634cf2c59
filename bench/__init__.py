"""Slipstream benchmarks: each ``bench_*.py`` module exposes ``run() -> list[dict]``."""
