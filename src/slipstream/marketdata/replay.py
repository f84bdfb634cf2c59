"""Merge several market data sources into one time-ordered stream for the venue and the bus.

Each source (one file, or a LOBSTER pair) is already sorted by ``ts_event``; :class:`MarketReplay`
merges them lazily with a heap. Records with the same timestamp keep the order of their sources
(then file order), so a replay is deterministic.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from pathlib import Path

from slipstream.marketdata.columns import LoadFilter
from slipstream.marketdata.loaders import load_sources, make_filter
from slipstream.model.market import MarketRecord

_TS = attrgetter("ts_event")


class MarketReplay:
    """An iterable over the merged, time-ordered records of several sources.

    Iterate it as many times as needed; each iteration merges the sources afresh.
    """

    def __init__(self, sources: Sequence[Sequence[MarketRecord]]) -> None:
        self.sources = sources

    def __iter__(self) -> Iterator[MarketRecord]:
        return heapq.merge(*self.sources, key=_TS)

    def __len__(self) -> int:
        return sum(len(s) for s in self.sources)

    def symbols(self) -> list[str]:
        """Return every symbol that appears in the sources, sorted."""
        return sorted({r.symbol for source in self.sources for r in source})

    def span_ns(self) -> tuple[int, int] | None:
        """Return the first and last ``ts_event``, or None when there are no records."""
        firsts = [s[0].ts_event for s in self.sources if s]
        lasts = [s[-1].ts_event for s in self.sources if s]
        return (min(firsts), max(lasts)) if firsts else None


def load_market(
    path: Path | str,
    symbols: Iterable[str] | None = None,
    session: str = "regular",
    dates: Iterable[str] | None = None,
) -> MarketReplay:
    """Load a file or folder of market data into a merged replay.

    Parameters
    ----------
    path:
        A data file or a folder of them (formats in ``docs/simulated-venue.md``).
    symbols:
        Keep only these symbols (None keeps all).
    session:
        ``"regular"`` keeps 09:30–16:00 ET, ``"all"`` keeps extended hours too.
    dates:
        Keep only these US Eastern trading dates (ISO strings or ``datetime.date``).
    """
    flt: LoadFilter = make_filter(symbols, session, dates)
    return MarketReplay(load_sources(path, flt))
