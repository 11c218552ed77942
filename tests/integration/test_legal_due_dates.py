"""Due dates on closed days (issue 13, defect 8; domain.md §6, §9).

A nominal due date imported on a Saturday, Sunday, national holiday or 12/29–1/3 is not the legal one: the
period ends on the next office day (地方自治法4条の2④ with the city's holiday ordinance, 大阪市の休日を定める条例;
地方税法20条の5② is the same rule for taxes, not for premiums). Late fee (domain.md §3), demand timing (§9, the
20-day rule), the demand's deadline, limitation (国保法110条) and "overdue" all run from the legal date.
"""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import select, text

from nhi_collect.adapters.db import alembic_config, make_engine, transaction
from nhi_collect.adapters.tables import assessments, demand_notices, households
from nhi_collect.services.business_date import run_date
from nhi_collect.services.households import show_household
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.facts import load_facts
from nhi_collect.workflow.guards import Context, guard
from tests.support.ledger import HOUSEHOLDS, run, write

WORKFLOW = load()
ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H1,2022,11,2023-04-30,1000000
H1,2023,2,2023-07-17,10000
H2,2023,7,2023-12-31,50000
"""
SUNDAY, HOLIDAY_MONDAY, YEAR_END = (2022, 11), (2023, 2), (2023, 7)


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    return engine


def installment(engine, household_no: str, key: tuple[int, int], as_of: date) -> dict:
    with transaction(engine) as conn:
        shown = show_household(conn, household_no, as_of)
    return next(i for i in shown["installments"] if (i["fiscal_year"], i["installment"]) == key), shown


def test_the_import_keeps_the_nominal_date_and_stores_the_legal_one(ledger, tmp_path):
    # 2023-04-30 is a Sunday → Monday 2023-05-01; 2023-07-17 is 海の日 (a Monday) → Tuesday 2023-07-18;
    # 2023-12-31 (a Sunday, and 12/29–1/3 the office is closed; 1/1 元日) → Thursday 2024-01-04.
    sunday, _ = installment(ledger, "H1", SUNDAY, date(2023, 5, 1))
    holiday, _ = installment(ledger, "H1", HOLIDAY_MONDAY, date(2023, 7, 18))
    year_end, _ = installment(ledger, "H2", YEAR_END, date(2024, 1, 4))
    assert (sunday["due_date"], sunday["legal_due_date"]) == ("2023-04-30", "2023-05-01")
    assert (holiday["due_date"], holiday["legal_due_date"]) == ("2023-07-17", "2023-07-18")
    assert (year_end["due_date"], year_end["legal_due_date"]) == ("2023-12-31", "2024-01-04")
    # the same file again is the same assessments, compared by the nominal date imported
    assert run(ledger, "assessments", write(tmp_path, "a.csv", ASSESSMENTS)).unchanged == 3


def test_the_late_fee_runs_from_the_moved_date(ledger):
    # 1,000,000 yen, nominal 2023-04-30 (Sunday), legal 2023-05-01; the rest paid on 2023-06-01 (domain.md §3).
    # Days 5/2–6/1 = 31, all in the lower band (民法143条: due 5/1 → band 5/2–6/1), 2023 rate 2.4 %:
    # 1,000,000 × 2.4 % × 31 / 365 = 2,038.35 → 2,038 → truncated to 100 yen → 2,000.
    # (From the Sunday it would be 5/1–5/31 at 2.4 % = 2,038 plus 6/1 at 8.7 % = 238 → 2,276 → 2,200.)
    _, shown = installment(ledger, "H1", SUNDAY, date(2023, 6, 1))
    fees = dict(zip([(i["fiscal_year"], i["installment"]) for i in shown["installments"]],
                    shown["late_fee_estimate"]["installments"]))
    assert fees[SUNDAY] == 2_000
    # paid on the legal due date itself: not late at all
    _, on_time = installment(ledger, "H1", SUNDAY, date(2023, 5, 1))
    assert on_time["late_fee_estimate"]["installments"][0] == 0


def test_limitation_runs_from_the_legal_due_date(ledger):
    # 国保法110条: two years from the day after the legal due date (民法140条), 民法143条 for the end.
    # Holiday Monday: legal 2023-07-18 → 2023-07-19 + 2 years → 2025-07-18 (not 2025-07-17).
    # Year end: legal 2024-01-04 → 2024-01-05 + 2 years → 2026-01-04 (not 2025-12-31).
    holiday, _ = installment(ledger, "H1", HOLIDAY_MONDAY, date(2023, 7, 18))
    year_end, _ = installment(ledger, "H2", YEAR_END, date(2024, 1, 4))
    assert holiday["limitation_date"] == "2025-07-18"
    assert year_end["limitation_date"] == "2026-01-04"


def test_overdue_only_after_the_legal_due_date_in_python_and_sql(ledger):
    # H2 owes only the 12/31 installment: on 2024-01-04, its legal due date, nothing is overdue yet; on 1/5 it is.
    with ledger.connect() as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == "H2")).scalar_one()
        for on, clear in ((date(2024, 1, 4), True), (date(2024, 1, 5), False)):
            ctx = Context(on, WORKFLOW.policy)
            nothing_overdue = guard("nothing_overdue")
            in_sql = hid in set(conn.execute(select(households.c.id).where(nothing_overdue.sql(ctx))).scalars())
            in_python = nothing_overdue.python(load_facts(conn, [hid], on)[hid], ctx)
            assert (in_python, in_sql) == (clear, clear), on


def test_the_demand_waits_for_the_legal_due_date_and_its_20_days(ledger):
    # H1's holiday-Monday installment: legal 2023-07-18, "within 20 days" → day 20 = 2023-08-07 (a Monday, an
    # office day), so its demand notice goes out on 2023-08-07, not on 2023-08-04 (the Friday before day 20
    # of 7/17, 8/06 being a Sunday). Deadline 8/07 + 10 = 2023-08-17 (a Thursday).
    with transaction(ledger) as conn:
        conn.execute(households.update().where(households.c.household_no == "H2").values(whereabouts_unknown=False))
    run_date(ledger, WORKFLOW, date(2023, 8, 4))
    assert demanded(ledger, HOLIDAY_MONDAY) is None
    run_date(ledger, WORKFLOW, date(2023, 8, 7))
    assert demanded(ledger, HOLIDAY_MONDAY) == (date(2023, 8, 7), date(2023, 8, 17))
    # The 12/31 installment (legal 2024-01-04): day 20 is 2024-01-24 (a Wednesday). From 12/31 it would be
    # 2024-01-20, a Saturday, so 1/19. Deadline 1/24 + 10 = 2/3, a Saturday → Monday 2024-02-05.
    run_date(ledger, WORKFLOW, date(2024, 1, 19))
    assert demanded(ledger, YEAR_END) is None
    run_date(ledger, WORKFLOW, date(2024, 1, 24))
    assert demanded(ledger, YEAR_END) == (date(2024, 1, 24), date(2024, 2, 5))


def demanded(engine, key: tuple[int, int]):
    with engine.connect() as conn:
        row = conn.execute(select(demand_notices.c.issued_on, demand_notices.c.deadline)
                           .join(assessments, assessments.c.id == demand_notices.c.assessment_id)
                           .where(assessments.c.fiscal_year == key[0], assessments.c.installment == key[1])).first()
    return tuple(row) if row else None


def test_the_migration_moves_the_due_dates_already_stored(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0009")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO households (household_no, head_name, head_name_kana, head_birth_date, "
                          "postal_code, address, district) VALUES ('H1', 'A', 'A', '1970-01-01', '551-0031', 'x', 'y')"))
        conn.execute(text("INSERT INTO assessments (household_id, fiscal_year, installment, due_date, amount) "
                          "VALUES (1, 2023, 2, '2023-07-17', 10000), (1, 2023, 3, '2023-08-31', 10000)"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(select(assessments.c.nominal_due_date, assessments.c.due_date)
                            .order_by(assessments.c.installment)).all()
    assert rows == [(date(2023, 7, 17), date(2023, 7, 18)), (date(2023, 8, 31), date(2023, 8, 31))]
    engine.dispose()

