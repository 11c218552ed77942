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


def _household_before_0015c(conn, flagged: bool) -> None:
    conn.execute(text("INSERT INTO households (household_no, head_name, head_name_kana, head_birth_date, "
                      "postal_code, address, district, whereabouts_unknown) "
                      f"VALUES ('H1', 'A', 'A', '1970-01-01', '551-0031', 'x', 'y', {int(flagged)})"))


def _flag_change(conn, at: datetime, old: str, new: str) -> None:
    conn.execute(household_changes.insert().values(household_id=1, changed_at=at, field="whereabouts_unknown",
                                                   old_value=old, new_value=new, actor="import"))


def test_the_whereabouts_migration_rebuilds_the_periods_that_ended_before_it(tmp_path):
    """Migration 0015c: a household found again before the migration still had its unknown days. Flagged at its
    first record, found on 2023-06-10 (Tokyo), lost again on 2024-02-01 and found on 2024-03-01: two periods,
    (before the first record, 6/10) and (2/01, 3/01); today it is known, so none is open. Building only the open
    period (the first version of 0015c) left none, so FY2022's reference day counted it as known."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0014e")
    with engine.begin() as conn:
        _household_before_0015c(conn, flagged=False)
        _flag_change(conn, datetime(2023, 6, 10, 1, 0, tzinfo=timezone.utc), "1", "0")
        _flag_change(conn, datetime(2024, 1, 31, 16, 0, tzinfo=timezone.utc), "0", "1")  # 2/01 01:00 in Tokyo
        _flag_change(conn, datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc), "1", "0")
    command.upgrade(config, "head")
    with engine.connect() as conn:
        periods = conn.execute(select(whereabouts_periods.c.started_on, whereabouts_periods.c.ended_on)
                               .order_by(whereabouts_periods.c.id)).all()
    assert [tuple(p) for p in periods] == [(None, date(2023, 6, 10)), (date(2024, 2, 1), date(2024, 3, 1))]
    engine.dispose()


def test_the_migration_splits_a_surplus_returned_after_the_closing_day(tmp_path):
    """Migration 0015c: installment FY2022 no.1 (12,000 yen) received 12,000 on 2022-07-01 (FY2022's accounts)
    and 3,000 more on 2023-07-10 (FY2023's accounts: after FY2022 closed on 2023-05-31). A reduction of 5,000 on
    2023-08-01 returns 5,000: 3,000 of it was received in FY2023's accounts (戻出, negative collection of that
    year), the other 2,000 came from FY2022's closed accounts (過年度還付, 地方自治法施行令165条の7). Before the
    migration the row was one −5,000 marked as neither."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0014e")
    with engine.begin() as conn:
        _household_before_0015c(conn, flagged=False)
        conn.execute(text("INSERT INTO assessments (household_id, fiscal_year, installment, due_date, "
                          "nominal_due_date, amount, adjusted, paid) VALUES (1, 2022, 1, '2022-06-30', "
                          "'2022-06-30', 12000, -5000, 10000)"))
        conn.execute(text("INSERT INTO payments (payment_no, household_id, paid_on, amount, channel) VALUES "
                          "('P1', 1, '2022-07-01', 12000, 'bank'), ('P2', 1, '2023-07-10', 3000, 'bank')"))
        conn.execute(text("INSERT INTO adjustments (adjustment_no, assessment_id, adjusted_on, delta, reason) "
                          "VALUES ('A1', 1, '2023-08-01', -5000, 'income corrected')"))
        conn.execute(text("INSERT INTO allocations (payment_id, adjustment_id, assessment_id, amount, fiscal_year, "
                          "received_on) VALUES (1, NULL, 1, 12000, 2022, '2022-07-01'), "
                          "(2, NULL, 1, 3000, 2022, '2023-07-10'), (NULL, 1, 1, -5000, 2022, '2023-08-01')"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        returns = conn.execute(text("SELECT amount, prior_year_refund FROM allocations WHERE adjustment_id = 1 "
                                    "ORDER BY amount")).all()
    assert [(amount, bool(prior)) for amount, prior in returns] == [(-3000, False), (-2000, True)]
    engine.dispose()
