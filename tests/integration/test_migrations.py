"""The alembic migrations build exactly the tables the code uses, on SQLite and PostgreSQL."""

from datetime import date, datetime, timezone

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from nhi_collect.adapters.db import alembic_config, make_engine
from nhi_collect.adapters.tables import household_changes, metadata, whereabouts_periods


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


def test_the_whereabouts_migration_starts_a_period_on_the_tokyo_day_of_its_flag(tmp_path):
    """Migration 0015c: a flag set at 2024-05-01 20:30 UTC was set on 5/2 in Tokyo (UTC+9), the day the import
    now records; the UTC date would start the period a day early (on the reference day 5/1 it would count)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0014e")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO households (household_no, head_name, head_name_kana, head_birth_date, "
                          "postal_code, address, district, whereabouts_unknown) "
                          "VALUES ('H1', 'A', 'A', '1970-01-01', '551-0031', 'x', 'y', 1)"))
        conn.execute(household_changes.insert().values(
            household_id=1, changed_at=datetime(2024, 5, 1, 20, 30, tzinfo=timezone.utc), field="whereabouts_unknown",
            old_value="0", new_value="1", actor="import"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(select(whereabouts_periods.c.started_on)).scalar_one() == date(2024, 5, 2)
    engine.dispose()
