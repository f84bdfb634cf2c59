"""Where a journal lives: an SQLite file, or a PostgreSQL database named by a URL.

A :data:`JournalLocation` is a :class:`~pathlib.Path` (an SQLite journal file) or a ``str``
URL starting ``postgresql://`` or ``postgres://`` (a journal in a PostgreSQL database; see
:mod:`slipstream.store.postgres` for the URL's form). :func:`open_backend` opens either behind
the same :class:`~slipstream.store.backend.JournalBackend` protocol, so the journal, the kernel
and the commands never ask which one they write to. :func:`journal_location` is the
``argparse`` type of every ``--journal``/``JOURNAL`` argument, and :func:`describe` is the text
to show for a location: a URL's password is never printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from slipstream.store.backend import JournalBackend, SQLiteBackend
from slipstream.store.urls import redact_url

#: An SQLite journal file, or a ``postgresql://`` URL (a ``str``).
JournalLocation = Path | str

#: URL schemes that name a PostgreSQL journal.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: JournalLocation) -> bool:
    """Return whether ``location`` names a PostgreSQL journal (a URL, not a file)."""
    return isinstance(location, str) and location.lower().startswith(POSTGRES_SCHEMES)


def as_location(location: JournalLocation) -> JournalLocation:
    """Return ``location`` as a URL (PostgreSQL) or a Path (SQLite; a ``str`` path becomes one)."""
    if isinstance(location, Path) or is_postgres(location):
        return location
    return Path(location)


def describe(location: JournalLocation) -> str:
    """Return ``location`` as text fit to print: a URL without its password."""
    if not is_postgres(location):
        return str(location)
    return redact_url(str(location))


def open_backend(
    location: JournalLocation, sync: str = "normal", read_only: bool = False
) -> JournalBackend:
    """Open the journal store at ``location``: SQLite for a path, PostgreSQL for a URL."""
    location = as_location(location)
    if isinstance(location, Path):
        return SQLiteBackend(location, sync, read_only=read_only)
    from slipstream.store.postgres import PostgresBackend  # psycopg only when it is used

    return PostgresBackend(location, sync=sync, read_only=read_only)


def journal_location(text: str) -> JournalLocation:
    """``argparse`` type of a journal argument: a ``postgresql://`` URL, or a file path."""
    if not text:
        raise argparse.ArgumentTypeError("a journal file or a postgresql:// URL is required")
    if not is_postgres(text):
        return Path(text)
    from slipstream.store.postgres import parse_url

    try:
        parse_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{redact_url(text)}: {exc}") from None
    return text
