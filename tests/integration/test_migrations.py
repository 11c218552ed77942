"""The alembic migrations build exactly the tables the code uses, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from nhi_collect.adapters.tables import metadata


def test_upgrade_from_empty_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(engine):
    from nhi_collect.adapters.db import upgrade
    upgrade(engine)
