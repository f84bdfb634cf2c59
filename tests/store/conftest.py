"""The store tests run against both journal backends: an SQLite file and a PostgreSQL database.

``backend_location`` is parametrised over ``sqlite`` and ``postgresql``. The PostgreSQL
journal lives in a schema of its own (``?journal=t_<random>``) of:

- the server named by ``SLIPSTREAM_TEST_PG_URL`` when it is set (``.ci/run`` sets it), else
- a throw-away cluster this test process starts itself when PostgreSQL's server binaries are
  found (in ``SLIPSTREAM_PG_BIN`` when set, else on ``PATH`` or in Debian's
  ``/usr/lib/postgresql/*/bin``):
  ``initdb`` into a fresh temporary folder, password authentication on 127.0.0.1 and a free
  port, unix sockets inside the folder, stopped at the end of the session. PostgreSQL refuses
  to run as root, so when the tests run as root the cluster is run as the ``postgres`` user
  (Debian's package creates it), else as ``nobody``, through ``runuser -u``;
- else the PostgreSQL tests skip, saying why; but with ``CI=true`` they fail instead, so a CI
  machine without PostgreSQL cannot pass by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slipstream.store.locations import JournalLocation, is_postgres

BACKENDS = ["sqlite", "postgresql"]
#: The superuser of a throw-away cluster (its password is random, per cluster).
CLUSTER_USER = "slipstream"


def find_pg_bin() -> Path | None:
    """Return the folder of PostgreSQL's server binaries (initdb, pg_ctl), or None."""
    named = os.environ.get("SLIPSTREAM_PG_BIN")
    if named:  # only there (a folder without them: no PostgreSQL)
        folder = Path(named)
        return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> tuple[list[str], str | None]:
    """Return the command prefix that runs PostgreSQL as a non-root user, and that user."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"], user
    raise RuntimeError("running as root and neither user postgres nor nobody exists")


@dataclass
class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, on 127.0.0.1."""

    folder: Path
    port: int
    password: str
    prefix: list[str]
    bin: Path
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://{CLUSTER_USER}:{self.password}@127.0.0.1:{self.port}/slipstream"

    def stop(self) -> None:
        _stop(self.prefix, self.bin, self.folder)


def _stop(prefix: list[str], pg_bin: Path, folder: Path) -> None:
    """Stop the cluster in ``folder`` (immediately: it is thrown away) and remove the folder."""
    stop = ["-D", str(folder / "data"), "-m", "immediate", "-w", "stop"]
    subprocess.run([*prefix, str(pg_bin / "pg_ctl"), *stop], capture_output=True, check=False)
    shutil.rmtree(folder, ignore_errors=True)


def start_cluster(pg_bin: Path, fsync: bool = False) -> ThrowawayCluster:
    """initdb, start and create database ``slipstream``; raise RuntimeError saying what failed.

    ``fsync`` off (the tests') makes commits cheap; the benchmark turns it on.
    """
    import psycopg

    prefix, user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="slipstream-pg-"))
    password = secrets.token_hex(12)
    (folder / "pw").write_text(password + "\n")
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (folder, folder / "pw"):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def run(*argv: str) -> None:
        done = subprocess.run([*prefix, *argv], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {done.stderr or done.stdout}")

    try:
        run(
            str(pg_bin / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            CLUSTER_USER,
            "--pwfile",
            str(folder / "pw"),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        )
        for attempt in range(3):
            port = _free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}"
            options += "" if fsync else " -c fsync=off"
            try:
                run(
                    str(pg_bin / "pg_ctl"),
                    "-D",
                    str(folder / "data"),
                    "-l",
                    str(folder / "log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                break
            except RuntimeError:
                if attempt == 2:
                    log = (folder / "log").read_text() if (folder / "log").exists() else ""
                    raise RuntimeError(f"pg_ctl start failed: {log[-2000:]}") from None
        cluster = ThrowawayCluster(folder, port, password, prefix, pg_bin, user)
        admin = f"postgresql://{CLUSTER_USER}:{password}@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute("CREATE DATABASE slipstream")
        return cluster
    except BaseException:
        _stop(prefix, pg_bin, folder)
        raise


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield a PostgreSQL URL to test against, or None (with the reason in ``unavailable``)."""
    named = os.environ.get("SLIPSTREAM_TEST_PG_URL")
    if named:
        yield named
        return
    pg_bin = find_pg_bin()
    if pg_bin is None:
        yield None
        return
    cluster = start_cluster(pg_bin)
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and PostgreSQL is unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The URL (database, no ``journal=``) of a PostgreSQL server for this test session."""
    try:
        server = postgres_server()
        url = server.__enter__()
    except Exception as exc:
        _unavailable(f"could not start a throw-away cluster ({exc})")
        raise
    try:
        if url is None:
            _unavailable(
                "SLIPSTREAM_TEST_PG_URL is not set and no PostgreSQL server binaries "
                "(initdb, pg_ctl) were found in SLIPSTREAM_PG_BIN (when set), on PATH or under "
                "/usr/lib/postgresql"
            )
        assert url is not None
        yield url
    finally:
        server.__exit__(None, None, None)


def with_journal(url: str, name: str) -> str:
    """Return ``url`` naming the journal (schema) ``name``."""
    return f"{url}{'&' if '?' in url else '?'}journal={name}"


@pytest.fixture
def pg_location(pg_url: str) -> Iterator[str]:
    """A PostgreSQL journal location of this test's own (a fresh schema, dropped after)."""
    name = f"t_{secrets.token_hex(6)}"
    yield with_journal(pg_url, name)
    drop_schema(pg_url, name)


@pytest.fixture
def pg_journal(pg_url: str) -> Iterator[Callable[[str | None], str]]:
    """Return a maker of journal URLs on the test server (``None``: the default schema);
    every journal made is dropped after the test."""
    made: list[str | None] = []

    def make(name: str | None = None) -> str:
        made.append(name)
        return pg_url if name is None else with_journal(pg_url, name)

    yield make
    for name in made:
        if name is None:
            import psycopg

            with psycopg.connect(pg_url, autocommit=True) as db:
                db.execute("DROP TABLE IF EXISTS public.journal, public.journal_head")
        else:
            drop_schema(pg_url, name)


def drop_schema(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=BACKENDS)
def backend_location(request: pytest.FixtureRequest, tmp_path: Path) -> JournalLocation:
    """A location where no journal exists yet: an SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "journal.db"
    location: str = request.getfixturevalue("pg_location")
    return location


# Direct access to a journal's tables, as an attacker (or a careless DBA) would have it --------


Tamper = Callable[..., None]


@pytest.fixture
def tamper() -> Tamper:
    """Return :func:`tamper_store`: SQL straight on a journal's tables, bypassing Slipstream."""
    return tamper_store


def tamper_store(location: JournalLocation, statement: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``statement`` on the journal's store, bypassing Slipstream.

    ``{journal}`` and ``{head}`` name the two tables; parameters are written ``?``.
    """
    if is_postgres(location):
        import psycopg

        from slipstream.store.postgres import parse_url

        conninfo, schema = parse_url(str(location))
        text = statement.format(
            journal=f'"{schema}".journal', head=f'"{schema}".journal_head', schema=f'"{schema}"'
        ).replace("?", "%s")
        with psycopg.connect(conninfo, autocommit=True) as db:
            db.execute(text.encode(), params)
        return
    lite = sqlite3.connect(str(location), isolation_level=None)
    try:
        lite.execute(
            statement.format(journal="journal", head="journal_head", schema="main"), params
        )
    finally:
        lite.close()
