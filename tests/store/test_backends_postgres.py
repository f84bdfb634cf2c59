"""What only the PostgreSQL journal has: its URL, schemas, session settings and lock key."""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from slipstream.core.errors import ConfigError, JournalError
from slipstream.store.journal import open_journal, read_journal
from slipstream.store.locations import describe, is_postgres, journal_location, open_backend
from slipstream.store.postgres import DEFAULT_SCHEMA, PostgresBackend, lock_key, parse_url
from slipstream.store.records import SessionStarted
from slipstream.store.urls import redact_url

MakeJournal = Callable[[str | None], str]


def _name() -> str:
    return f"t_{secrets.token_hex(6)}"


# The URL, without a server ----------------------------------------------------------------


def test_parse_url_takes_the_journal_name_out_of_the_libpq_url() -> None:
    assert parse_url("postgresql://u@h:5433/db") == ("postgresql://u@h:5433/db", DEFAULT_SCHEMA)
    assert parse_url("postgres://u@h/db?sslmode=require&journal=desk_1") == (
        "postgres://u@h/db?sslmode=require",
        "desk_1",
    )
    for bad in ("journal=Desk", "journal=a-b", "journal=", "journal=1a", "journal=a&journal=b"):
        with pytest.raises(ValueError):
            parse_url(f"postgresql://u@h/db?{bad}")


def test_a_password_is_never_shown() -> None:
    url = "postgresql://trader:s3cret@db.example:5433/prod?journal=desk&password=other"
    shown = redact_url(url)
    assert "s3cret" not in shown
    assert "other" not in shown
    assert shown.startswith("postgresql://trader@db.example:5433/prod?journal=desk")
    assert describe(url) == shown
    assert describe(Path("/tmp/j.db")) == "/tmp/j.db"


def test_journal_location_is_a_path_or_a_url() -> None:
    assert journal_location("out/j.db") == Path("out/j.db")
    url = "postgresql://user@127.0.0.1:5433/db"
    assert journal_location(url) == url
    assert is_postgres(url)
    assert is_postgres("POSTGRES://user@h/db")
    assert not is_postgres(Path("postgresql:/x"))
    with pytest.raises(argparse.ArgumentTypeError):
        journal_location("postgresql://u@h/db?journal=Nope")


def test_lock_keys_are_64_bit_and_differ_by_journal() -> None:
    keys = {lock_key(name) for name in ("public", "desk_1", "desk_2")}
    assert len(keys) == 3
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert lock_key("desk_1") == lock_key("desk_1")


def test_a_server_that_cannot_be_reached_is_named_without_the_password() -> None:
    url = "postgresql://trader:s3cret@127.0.0.1:1/db?journal=desk&connect_timeout=2"
    for read_only in (False, True):
        with pytest.raises(JournalError) as refused:
            open_backend(url, read_only=read_only)
        text = str(refused.value)
        assert text.startswith("cannot open journal postgresql://trader@127.0.0.1:1/db")
        assert "s3cret" not in text


def test_a_bad_sync_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match="sync mode"):
        PostgresBackend("postgresql://u@h/db", sync="fast")


# On the server -----------------------------------------------------------------------------


def test_a_wrong_password_is_refused_without_showing_it(pg_url: str) -> None:
    wrong = pg_url.replace("@", "x@", 1)  # the throw-away cluster's or CI's password, changed
    password = wrong.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
    if not password:
        pytest.skip("the test server's URL carries no password")
    with pytest.raises(JournalError) as refused:
        open_backend(wrong)
    assert password not in str(refused.value)
    assert "cannot open journal" in str(refused.value)


def test_one_database_holds_several_journals(pg_journal: MakeJournal) -> None:
    desk_a, desk_b = pg_journal(_name()), pg_journal(_name())
    a = open_journal(desk_a, "new", group_size=2)
    b = open_journal(desk_b, "new", group_size=2)  # another journal: another lock
    try:
        a.append(SessionStarted("live", {"desk": "a"}, 1), 1)
        b.append(SessionStarted("simulation", {"desk": "b"}, 1), 1)
    finally:
        a.close()
        b.close()
    (_, _, first_a), _ = list(read_journal(desk_a).records())
    (_, _, first_b), _ = list(read_journal(desk_b).records())
    assert first_a.fingerprint == {"desk": "a"}
    assert first_b.fingerprint == {"desk": "b"}


def test_without_a_name_the_journal_lives_in_public(pg_journal: MakeJournal) -> None:
    url = pg_journal(None)
    journal = open_journal(url, "new")
    journal.close()
    with psycopg.connect(url) as db:
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name LIKE 'journal%' ORDER BY 1"
        ).fetchall()
    assert tables == [("journal",), ("journal_head",)]
    assert read_journal(url).verify() == 1


def test_the_tables_are_those_documented(pg_journal: MakeJournal) -> None:
    name = _name()
    url = pg_journal(name)
    open_backend(url).close()
    with psycopg.connect(url.split("?")[0]) as db:
        columns = db.execute(
            "SELECT table_name, column_name, data_type, is_nullable "
            "FROM information_schema.columns WHERE table_schema = %s "
            "ORDER BY table_name, ordinal_position",
            (name,),
        ).fetchall()
    assert columns == [
        ("journal", "first_seq", "bigint", "NO"),
        ("journal", "count", "integer", "NO"),
        ("journal", "payload", "bytea", "NO"),
        ("journal", "hash", "text", "NO"),
        ("journal_head", "id", "integer", "NO"),
        ("journal_head", "last_seq", "bigint", "NO"),
        ("journal_head", "last_hash", "text", "NO"),
        ("journal_head", "signature", "text", "NO"),
    ]


def test_the_writer_holds_the_advisory_lock_and_readers_cannot_write(
    pg_journal: MakeJournal,
) -> None:
    name = _name()
    url = pg_journal(name)
    writer = PostgresBackend(url, sync="full")
    key = lock_key(name)
    try:
        assert writer._db.execute("SHOW synchronous_commit").fetchone() == ("on",)
        with psycopg.connect(url.split("?")[0]) as db:
            held = db.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 1",
                ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
            ).fetchone()
        assert held == (1,)
        reader = PostgresBackend(url, read_only=True)
        try:
            assert reader._db.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                reader._db.execute(f'CREATE TABLE "{name}".x (i int)')
        finally:
            reader.close()
        with pytest.raises(JournalError, match="read-only"):
            PostgresBackend(url, read_only=True).append((1, 1, b"", ""), (1, "", ""))
    finally:
        writer.close()


def test_a_schema_with_a_foreign_journal_table_is_refused(pg_journal: MakeJournal) -> None:
    name = _name()
    url = pg_journal(name)
    with psycopg.connect(url.split("?")[0], autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{name}"')
        db.execute(f'CREATE TABLE "{name}".journal (id int, body text)')
    with pytest.raises(JournalError, match="is not a Slipstream journal"):
        open_backend(url)
    with psycopg.connect(url.split("?")[0]) as db:
        left = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (name,)
        ).fetchone()
    assert left == (1,)  # left untouched


def test_delete_drops_the_tables_and_the_named_schema(pg_journal: MakeJournal) -> None:
    from slipstream.store.journal import delete_journal

    name = _name()
    url = pg_journal(name)
    open_journal(url, "new").close()
    delete_journal(url)
    with psycopg.connect(url.split("?")[0]) as db:
        found = db.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (name,)
        ).fetchone()
    assert found == (0,)
