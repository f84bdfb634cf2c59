"""Merge several market data sources into one time-ordered stream for the venue and the bus.

Each source (one file, or a LOBSTER pair) is already sorted by ``ts_event``; :class:`MarketReplay`
merges them lazily with a heap. Records with the same timestamp keep the order of their sources
(then file order), so a replay is deterministic.

Choosing the data: :func:`load_market` keeps one trading date (``date``) and/or a time window
(``start_ns``/``end_ns``) of a multi-day file or folder (folders are searched recursively) or
of a Parquet catalog (:mod:`slipstream.marketdata.catalog`);
:func:`parse_window` turns the CLI's ``--date``/``--start``/``--end`` text into that window, and
:func:`check_within_data` refuses an order time outside the trading days being replayed (an
order dated outside the data is an input error, not a fill years later).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections.abc import Collection, Iterable, Iterator, Sequence
from operator import attrgetter
from pathlib import Path

from slipstream.core.errors import InputError
from slipstream.core.timestamps import NS_PER_SEC, format_ts, parse_timestamp
from slipstream.marketdata.catalog import is_catalog, load_catalog_sources
from slipstream.marketdata.columns import LoadFilter
from slipstream.marketdata.loaders import load_sources, make_filter
from slipstream.marketdata.timeutil import EASTERN, eastern_midnight_ns
from slipstream.model.market import MarketRecord

_TS = attrgetter("ts_event")
_HOUR_NS = 3_600 * NS_PER_SEC


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

    def dates(self) -> list[str]:
        """Return the US Eastern trading dates (ISO) the records fall on, sorted."""
        return trading_dates(r.ts_event for source in self.sources for r in source)


def eastern_date(ts_ns: int) -> str:
    """Return the US Eastern date (ISO ``YYYY-MM-DD``) of a UTC nanosecond time."""
    return dt.datetime.fromtimestamp(ts_ns // NS_PER_SEC, tz=EASTERN).date().isoformat()


def trading_dates(stamps: Iterable[int]) -> list[str]:
    """Return the sorted distinct US Eastern dates of UTC nanosecond times.

    Times are bucketed by hour first, so millions of ticks cost a set of a few hundred hours.
    """
    hours = {ts // _HOUR_NS for ts in stamps}
    return sorted({eastern_date(h * _HOUR_NS) for h in hours})


def parse_date(text: str, field: str = "--date") -> str:
    """Return ``text`` as an ISO date ``YYYY-MM-DD`` or raise an :class:`InputError`."""
    value = str(text).strip()
    try:
        ok = len(value) == 10 and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        ok = False
    if not ok:
        raise InputError(field, text, "must be a date YYYY-MM-DD")
    return value


def parse_window(
    date: str | None, start: str | None = None, end: str | None = None
) -> tuple[int | None, int | None]:
    """Return ``--start``/``--end`` as UTC nanoseconds ``(start_ns, end_ns)`` (None: open).

    ``start``/``end`` are a New York clock time ``HH:MM[:SS]`` on ``date`` (which is then
    required), or a full ISO-8601 time / int nanoseconds. The window is ``[start, end)``.
    """
    day = parse_date(date) if date is not None else None

    def one(text: str | None, field: str) -> int | None:
        if text is None:
            return None
        value = str(text).strip()
        if ":" in value and "T" not in value and " " not in value and "-" not in value:
            if day is None:
                raise InputError(field, text, "a clock time HH:MM needs --date YYYY-MM-DD")
            try:
                clock = dt.time.fromisoformat(value)
            except ValueError:
                raise InputError(field, text, "must be HH:MM[:SS] or ISO-8601") from None
            midnight = eastern_midnight_ns(dt.date.fromisoformat(day))
            secs = clock.hour * 3600 + clock.minute * 60 + clock.second
            return midnight + secs * NS_PER_SEC + clock.microsecond * 1_000
        return parse_timestamp(value, field)

    start_ns, end_ns = one(start, "--start"), one(end, "--end")
    if start_ns is not None and end_ns is not None and end_ns <= start_ns:
        raise InputError("--end", end, f"must be after --start {start}")
    return start_ns, end_ns


def _cut(
    source: Sequence[MarketRecord], start_ns: int | None, end_ns: int | None
) -> Sequence[MarketRecord]:
    stamps = [r.ts_event for r in source]
    lo = 0 if start_ns is None else bisect.bisect_left(stamps, start_ns)
    hi = len(stamps) if end_ns is None else bisect.bisect_left(stamps, end_ns)
    return source[lo:hi]


def _listing(dates: list[str]) -> str:
    if not dates:
        return "no records at all"
    if len(dates) <= 12:
        return ", ".join(dates)
    return f"{len(dates)} dates, {', '.join(dates[:5])} ... {', '.join(dates[-5:])}"


def load_market(
    path: Path | str,
    symbols: Iterable[str] | None = None,
    session: str = "regular",
    dates: Iterable[str] | None = None,
    *,
    date: str | None = None,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> MarketReplay:
    """Load a file or folder of market data into a merged replay.

    Parameters
    ----------
    path:
        A data file or a folder of them, searched recursively (formats in
        ``docs/simulated-venue.md``), or a Parquet catalog directory (one holding a
        ``manifest.json``, see :mod:`slipstream.marketdata.catalog`), which gives the same
        records as the CSV files it was imported from.
    symbols:
        Keep only these symbols (None keeps all).
    session:
        ``"regular"`` keeps 09:30–16:00 ET, ``"all"`` keeps extended hours too.
    dates:
        Keep only these US Eastern trading dates (ISO strings or ``datetime.date``).
    date:
        The one trading date to replay (``--date``, ISO). The data must hold records on it.
    start_ns, end_ns:
        Keep records with ``start_ns <= ts_event < end_ns`` (``--start``/``--end``; None: open).

    Raises
    ------
    InputError
        ``date`` is not ``YYYY-MM-DD``, the data holds no records on it (the message lists the
        dates it does hold), or the window holds no records.
    """
    chosen = None if dates is None else {str(d) for d in dates}
    if date is not None:
        day = parse_date(date)
        chosen = {day} if chosen is None else chosen & {day}
    if start_ns is not None and end_ns is not None and end_ns <= start_ns:
        raise InputError("--end", format_ts(end_ns), f"must be after --start {format_ts(start_ns)}")
    flt: LoadFilter = make_filter(symbols, session, chosen)
    sources = load_catalog_sources(path, flt) if is_catalog(path) else load_sources(path, flt)
    if date is not None and not any(sources):
        held = load_market(path, symbols, session).dates()
        kept = f" for {', '.join(sorted({s.upper() for s in symbols}))}" if symbols else ""
        raise InputError(
            "--date",
            date,
            f"must be a trading day of the market data {path}{kept} ({session} session); "
            f"it holds {_listing(held)}",
        )
    if start_ns is None and end_ns is None:
        return MarketReplay(sources)
    cut = [_cut(s, start_ns, end_ns) for s in sources]
    if any(sources) and not any(cut):
        span = MarketReplay(sources).span_ns()
        assert span is not None  # some source has records
        field, value = ("--start", start_ns) if start_ns is not None else ("--end", end_ns)
        assert value is not None
        raise InputError(
            field,
            format_ts(value),
            f"the window [{_show(start_ns)}, {_show(end_ns)}) New York holds no records; "
            f"the data runs from {format_ts(span[0])} to {format_ts(span[1])}",
        )
    return MarketReplay(cut)


def _show(ts_ns: int | None) -> str:
    return "open" if ts_ns is None else format_ts(ts_ns)


def data_span_days(span: tuple[int, int]) -> tuple[int, int]:
    """Return the ET midnights bounding the trading days of ``span``: ``[first day, day after)``."""
    first = dt.date.fromisoformat(eastern_date(span[0]))
    last = dt.date.fromisoformat(eastern_date(span[1]))
    return eastern_midnight_ns(first), eastern_midnight_ns(last + dt.timedelta(days=1))


def check_within_data(
    field: str,
    ts_ns: int,
    span: tuple[int, int] | None,
    where: str | None = None,
    dates: Collection[str] | None = None,
) -> None:
    """Refuse an order time that lies outside the trading day(s) of the replayed data.

    Parameters
    ----------
    field:
        The field the time came from (e.g. ``"submit_at"``), named in the error.
    ts_ns:
        The time, UTC nanoseconds.
    span:
        The replay's ``span_ns()`` (None: the replay is empty, so every time is outside).
    where:
        Where the value came from (e.g. ``"orders.csv line 3"``), prefixed to the message.
    dates:
        The replay's trading dates (``MarketReplay.dates()``); when given, the time's New York
        date must be one of them, not merely between the first and the last.

    Raises
    ------
    InputError
        The time falls on a day the data does not cover.
    """
    shown = format_ts(ts_ns)
    if span is None:
        raise InputError(field, shown, "the market data has no records to trade on", where=where)
    first_ns, after_ns = data_span_days(span)
    day = eastern_date(ts_ns)
    first, last = eastern_date(span[0]), eastern_date(span[1])
    outside = not first_ns <= ts_ns < after_ns or (dates is not None and day not in dates)
    if outside:
        held = f"{first}" if first == last else f"{first} to {last}"
        if dates is not None and len(dates) > 1:
            held = _listing(sorted(dates))
        raise InputError(
            field,
            shown,
            f"must fall on a trading day of the market data ({held} New York); an order "
            "dated outside the data cannot be filled",
            where=where,
        )
