"""Shared fixtures: a migrated database on SQLite and, when reachable, PostgreSQL.

PostgreSQL tests use NHI_COLLECT_TEST_PG (a URL to a database they may wipe). Without it, or when
the server cannot be reached, they skip with the reason, unless NHI_COLLECT_REQUIRE_PG=1 (CI), where
an unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import make_url, text

from nhi_collect.adapters.db import make_engine, transaction, upgrade

# The tests act as simulated staff (--as, services called with an actor): a training database's setting,
# which the CLI honours only when it is set explicitly (contract.md, who acts). Subprocesses inherit it.
os.environ["NHI_COLLECT_ALLOW_AS"] = "1"

PG_URL = os.environ.get("NHI_COLLECT_TEST_PG")
REQUIRE_PG = os.environ.get("NHI_COLLECT_REQUIRE_PG") == "1"


def _pg_problem() -> str | None:
    if not PG_URL:
        return "NHI_COLLECT_TEST_PG is not set"
    try:
        _create_database_if_missing(PG_URL)
        engine = make_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect is a reason to skip
        return f"PostgreSQL at {PG_URL} is unreachable: {exc.__class__.__name__}: {str(exc).strip()[:200]}"
    return None


def _create_database_if_missing(url: str) -> None:
    target = make_url(url)
    server = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


_PG_PROBLEM = _pg_problem()


def pytest_unconfigure(config):
    """The letters' PDF workers are stopped before the test process ends (adapters/letters.close_pools): one
    forked beside the web app's and the browser's threads could otherwise hold the end of the run forever."""
    from nhi_collect.adapters.letters import close_pools
    close_pools()


def pytest_collection_modifyitems(config, items):
    if _PG_PROBLEM and REQUIRE_PG:
        raise pytest.UsageError(f"PostgreSQL tests are required (NHI_COLLECT_REQUIRE_PG=1) but {_PG_PROBLEM}")


def wipe_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_url(backend: str, folder, name: str = "test") -> str:
    """An empty database: a SQLite file in `folder`, or the PostgreSQL test database (suffixed by `name`
    so that module-wide fixtures do not share a database with per-test ones)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / (name + '.db')}"
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    url = PG_URL if name == "test" else make_url(PG_URL).set(
        database=f"{make_url(PG_URL).database}_{name}").render_as_string(hide_password=False)
    _create_database_if_missing(url)
    wipe_postgres(url)
    return url


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """An empty database URL on each backend."""
    return database_url(request.param, tmp_path)


_templates: dict[str, str] = {}  # backend → a database migrated once per test session, copied for each test


def _server_run(url: str, *statements: str) -> None:
    server = make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False))
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.execute(text(statement))
    server.dispose()


def _template(backend: str, folder) -> str:
    """Migrating costs about 0.4 s on SQLite and 1.2 s on PostgreSQL; copying a migrated database 0.1 s."""
    if backend not in _templates:
        url = database_url(backend, folder, "template")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        _templates[backend] = url
    return _templates[backend]


@pytest.fixture
def engine(request, db_url, tmp_path_factory):
    """A database at the latest migration: a copy of the session's migrated template (a file copy on
    SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL)."""
    backend = make_url(db_url).get_backend_name()
    template = _template(backend, tmp_path_factory.getbasetemp())
    if backend == "sqlite":
        shutil.copyfile(make_url(template).database, make_url(db_url).database)
    else:
        target, source = make_url(db_url).database, make_url(template).database
        _server_run(db_url, f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)',
                    f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


ADMIN = "admin"


def register_staff(engine, users: dict[str, str]) -> None:
    """Staff as a ward registers them: a first administrator (on an empty staff table) who adds the rest."""
    from nhi_collect.services import staff
    from nhi_collect.workflow.definition import load
    with transaction(engine) as conn:
        if not any(r["role"] == "administrator" for r in staff.listing(conn)):
            staff.add(conn, load(), ADMIN, ADMIN, "管理者", "administrator")
        for user, role in users.items():
            staff.add(conn, load(), ADMIN, user, user, role)


def staffed(url: str, users: dict[str, str]) -> str:
    """A migrated database at `url` with these staff registered (for tests that run the command line on it
    as `--as USER`: the command line refuses unregistered people)."""
    engine = make_engine(url)
    upgrade(engine)
    register_staff(engine, users)
    engine.dispose()
    return url
