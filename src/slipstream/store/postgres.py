"""The journal in a PostgreSQL database: the same batches and signed head as the SQLite file.

**Where.** A journal is named by a URL, ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE``
(``postgres://`` too; every libpq parameter may follow as a query, e.g. ``?sslmode=require``),
plus Slipstream's own ``journal=NAME``: the journal's tables live in the PostgreSQL schema
``NAME`` (created by the first writer), so one database holds any number of journals. Without
``journal=`` they live in schema ``public``. ``NAME`` is a plain lower-case identifier
(``[a-z_][a-z0-9_]*``, at most 63 characters). A password is better kept out of the URL (libpq's
``PGPASSWORD`` or ``~/.pgpass``); when one is in it, no message ever prints it.

**Tables** (created by the first writer, in one transaction, when the schema holds none)::

    journal      (first_seq bigint primary key, count int not null, payload bytea not null,
                  hash text not null)                      -- one row per group commit
    journal_head (id int primary key check (id = 1), last_seq bigint not null,
                  last_hash text not null, signature text not null)   -- the signed head

:meth:`PostgresBackend.append` inserts the batch and rewrites the head in one statement, hence
one transaction: both are committed or neither. The schema must hold nothing else: a schema
with other tables and no journal is refused ("is not a Slipstream journal") and left untouched,
and one whose journal table was dropped, leaving the head, is named as such.

**One writer.** A writing backend takes ``pg_try_advisory_lock(K)`` on its own session, ``K``
being a 64-bit key derived from the schema's name, and holds it until it closes; a second
writer on the same journal is refused at once ("in use by another Slipstream process"). The
lock belongs to the session, so a writer that dies (SIGKILL included) releases it as soon as
the server sees its connection close. Advisory locks are per database: the same ``journal=``
in two databases are two journals.

**Readers** take no lock, and never write: their session is opened with
``default_transaction_read_only=on`` and reads everything in one ``REPEATABLE READ``
transaction, so a reader sees one consistent snapshot (batches and head together) even while
the writer keeps committing, and verifying it never mistakes a batch committed meanwhile for a
mismatched head.

**Durability.** ``sync="normal"`` uses the server's ``synchronous_commit`` (``on`` unless the
DBA changed it: a committed batch survives a crash of the server); ``sync="full"`` forces
``synchronous_commit=on`` for the writer's session.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from slipstream.core.errors import ConfigError, JournalError
from slipstream.store.backend import FORMAT_SIGNED, FORMAT_UNSIGNED, Head, Row
from slipstream.store.urls import redact_url

#: The schema of a journal named without ``?journal=``.
DEFAULT_SCHEMA = "public"
#: Batch rows fetched per round trip by :meth:`PostgresBackend.read`.
READ_PAGE = 64
#: Seconds to wait for the server before a connection is refused.
CONNECT_TIMEOUT_S = 10
_COLUMNS = ("first_seq", "count", "payload", "hash")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def parse_url(url: str) -> tuple[str, str]:
    """Return ``(libpq URL without journal=, schema)``; raise ValueError for a bad URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("postgresql", "postgres"):
        raise ValueError("a PostgreSQL journal URL starts postgresql:// or postgres://")
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [value for key, value in query if key == "journal"]
    if len(names) > 1:
        raise ValueError("journal= is given more than once")
    schema = names[0] if names else DEFAULT_SCHEMA
    if not _NAME.fullmatch(schema):
        raise ValueError(
            f"journal={schema!r}: a journal name is a lower-case identifier "
            "([a-z_][a-z0-9_]*, at most 63 characters)"
        )
    rest = urlencode([(key, value) for key, value in query if key != "journal"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), schema


def lock_key(schema: str) -> int:
    """Return the 64-bit advisory lock key of the journal in ``schema`` (signed, for bigint)."""
    digest = hashlib.blake2b(f"slipstream-journal:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresBackend:
    """Journal batches in a PostgreSQL table, and the signed head beside them."""

    def __init__(self, url: str, *, read_only: bool = False, sync: str = "normal") -> None:
        if sync not in ("normal", "full"):
            raise ConfigError(f"journal sync mode {sync!r}: must be 'normal' or 'full'")
        self.path = self.name = redact_url(url)
        self.read_only = read_only
        try:
            conninfo, self.schema = parse_url(url)
            params: dict[str, Any] = conninfo_to_dict(conninfo)
        except (ValueError, psycopg.ProgrammingError) as exc:
            raise ConfigError(f"journal {self.name}: {exc}") from None
        options = [str(params.get("options") or "")]
        if read_only:
            options.append("-c default_transaction_read_only=on")
        elif sync == "full":
            options.append("-c synchronous_commit=on")
        params["options"] = " ".join(o for o in options if o)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        params.setdefault("application_name", "slipstream-journal")
        self._journal = sql.Identifier(self.schema, "journal")
        self._head = sql.Identifier(self.schema, "journal_head")
        self._tables: set[str] = set()
        try:
            self._db = psycopg.connect(autocommit=not read_only, **params)
        except psycopg.Error as exc:
            raise JournalError(f"cannot open journal {self.name}: {_text(exc)}") from None
        try:
            if read_only:
                # One snapshot for the reader's whole life: batches and head always agree.
                self._db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                self._db.read_only = True
            else:
                self._lock()
            self._check_schema()
            if not read_only and not self._tables:
                self._create()
        except psycopg.Error as exc:
            self._db.close()
            raise JournalError(f"cannot open journal {self.name}: {_text(exc)}") from None
        except BaseException:
            self._db.close()
            raise

    def _lock(self) -> None:
        row = self._db.execute(
            "SELECT pg_try_advisory_lock(%s)", (lock_key(self.schema),)
        ).fetchone()
        if not row or not row[0]:
            raise JournalError(
                f"journal {self.name} is in use by another Slipstream process "
                "(one writer per journal)"
            )

    def _check_schema(self) -> None:
        """Refuse a schema that holds tables but not a Slipstream journal table."""
        found = self._db.execute(
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r','p','v','m','f')",
            (self.schema,),
        ).fetchall()
        tables = self._tables = {str(name) for (name,) in found}
        if "journal_head" in tables and "journal" not in tables:
            raise JournalError(
                f"{self.name}: its journal table was dropped (only the head is left)"
            )
        if not tables:
            if self.read_only:
                raise JournalError(
                    f"{self.name} is an empty PostgreSQL journal: no journal table "
                    f"in schema {self.schema}"
                )
            return
        columns = self._db.execute(
            "SELECT a.attname FROM pg_catalog.pg_attribute a "
            "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = 'journal' AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY a.attnum",
            (self.schema,),
        ).fetchall()
        if tuple(str(name) for (name,) in columns) != _COLUMNS:
            raise JournalError(
                f"{self.name} is not a Slipstream journal (a PostgreSQL schema {self.schema} "
                f"with tables {', '.join(sorted(tables))})"
            )

    def _create(self) -> None:
        with self._db.transaction():
            if self.schema != DEFAULT_SCHEMA:
                self._db.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
                )
            self._db.execute(
                sql.SQL(
                    "CREATE TABLE {} (first_seq bigint PRIMARY KEY, count int NOT NULL, "
                    "payload bytea NOT NULL, hash text NOT NULL)"
                ).format(self._journal)
            )
            self._db.execute(
                sql.SQL(
                    "CREATE TABLE {} (id int PRIMARY KEY CHECK (id = 1), last_seq bigint NOT NULL, "
                    "last_hash text NOT NULL, signature text NOT NULL)"
                ).format(self._head)
            )
        self._tables = {"journal", "journal_head"}

    def append(self, row: Row, head: Head) -> None:
        if self.format() != FORMAT_SIGNED:
            raise JournalError(
                f"journal {self.name} is in the unsigned format 1: it can be read, not extended"
            )
        if self.read_only:
            raise JournalError(f"journal {self.name} is open read-only: it cannot be extended")
        # One statement, so one transaction: the batch and its head commit together or not at all.
        statement = sql.SQL(
            "WITH batch AS (INSERT INTO {} (first_seq, count, payload, hash) "
            "VALUES (%s, %s, %b, %s)) "
            "INSERT INTO {} (id, last_seq, last_hash, signature) VALUES (1, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET last_seq = EXCLUDED.last_seq, "
            "last_hash = EXCLUDED.last_hash, signature = EXCLUDED.signature"
        ).format(self._journal, self._head)
        try:
            self._db.execute(statement, (*row, *head))
        except psycopg.Error as exc:
            raise JournalError(f"cannot append to journal {self.name}: {_text(exc)}") from None

    def format(self) -> int:
        return FORMAT_SIGNED if "journal_head" in self._tables else FORMAT_UNSIGNED

    def head(self) -> Head | None:
        if self.format() != FORMAT_SIGNED:
            return None
        try:
            row = self._db.execute(
                sql.SQL("SELECT last_seq, last_hash, signature FROM {} WHERE id = 1").format(
                    self._head
                )
            ).fetchone()
        except psycopg.Error as exc:
            raise JournalError(
                f"cannot read the head of journal {self.name}: {_text(exc)}"
            ) from None
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    def read(self) -> Iterator[Row]:
        # Pages by key: a writer (autocommit) never holds a transaction open across yields, and
        # a reader's pages all come from its one snapshot.
        page = sql.SQL(
            "SELECT first_seq, count, payload, hash FROM {} WHERE first_seq > %s "
            "ORDER BY first_seq LIMIT %s"
        ).format(self._journal)
        after = -(2**63)
        while True:
            try:
                rows = self._db.execute(page, (after, READ_PAGE), binary=True).fetchall()
            except psycopg.Error as exc:
                raise JournalError(f"cannot read journal {self.name}: {_text(exc)}") from None
            for row in rows:
                yield _row(row)
            if len(rows) < READ_PAGE:
                return
            after = int(rows[-1][0])

    def last(self) -> Row | None:
        try:
            row = self._db.execute(
                sql.SQL(
                    "SELECT first_seq, count, payload, hash FROM {} ORDER BY first_seq DESC LIMIT 1"
                ).format(self._journal),
                binary=True,
            ).fetchone()
        except psycopg.Error as exc:
            raise JournalError(f"cannot read journal {self.name}: {_text(exc)}") from None
        return None if row is None else _row(row)

    def drop(self) -> None:
        """Drop the journal's tables (and its schema, when named and left empty)."""
        if self.read_only:
            raise JournalError(f"journal {self.name} is open read-only: it cannot be deleted")
        try:
            with self._db.transaction():
                # A reader's snapshot holds off DROP TABLE: give up rather than wait forever.
                self._db.execute("SET LOCAL lock_timeout = '10s'")
                self._db.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}, {}").format(self._journal, self._head)
                )
                if self.schema != DEFAULT_SCHEMA:
                    left = self._db.execute(
                        "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
                        "n ON n.oid = c.relnamespace WHERE n.nspname = %s",
                        (self.schema,),
                    ).fetchone()
                    if left is not None and left[0] == 0:
                        self._db.execute(
                            sql.SQL("DROP SCHEMA IF EXISTS {}").format(sql.Identifier(self.schema))
                        )
        except psycopg.Error as exc:
            raise JournalError(f"cannot delete journal {self.name}: {_text(exc)}") from None
        self._tables = set()

    def close(self) -> None:
        # Closing the session ends a reader's snapshot and releases a writer's advisory lock.
        self._db.close()


def _row(row: tuple[Any, ...]) -> Row:
    return int(row[0]), int(row[1]), bytes(row[2]), str(row[3])


def _text(exc: psycopg.Error) -> str:
    """Return the server's or libpq's message on one line (libpq never includes a password)."""
    return " ".join(str(exc).split())
