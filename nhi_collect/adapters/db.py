"""Engine and migrations (the settings are bootstrap's). Nothing here runs at import time."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite

from ..resources import data_dir

def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":  # --db sqlite:///new/folder/x.db
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE below takes the
    # write lock at the start of every transaction: two writers then queue instead of failing late.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(data_dir("migrations")))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration (every data-changing command calls this first)."""
    command.upgrade(alembic_config(engine), "head")


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: everything inside commits together or not at all."""
    with engine.begin() as conn:
        yield conn


ANALYZE_AFTER_ROWS = 10_000


def analyze_after_bulk(conn: Connection, tables: tuple[str, ...], rows: int) -> None:
    """Fresh statistics for tables that just grew by `rows` in bulk (PostgreSQL). Autovacuum analyzes
    them only later; until then the planner takes them for their old size and chose, for instance,
    a scan of every installment to print the July round's letters (560 letters/s instead of 2,000+),
    and after an import a July-round selection still running after five minutes instead of 7 s."""
    if conn.dialect.name == "postgresql" and rows >= ANALYZE_AFTER_ROWS:
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table}")



def dialect_insert(conn: Connection, table: Table):
    """The INSERT of the connection's dialect, which has ON CONFLICT (both PostgreSQL and SQLite): an upsert
    creates or replaces a row atomically, where a read or delete first then insert races another writer."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
