"""The nightly batch and the payments import against a staff action on the same household, on PostgreSQL
(issue 15): a person's action is never overwritten by a set-based move. Each race is played in one fixed
order: the clerk's transaction holds the household, the batch (or import) is started in a thread and seen
waiting on a lock in pg_locks, then the clerk commits. SQLite needs no such test: BEGIN IMMEDIATE
serialises every writer (adapters/db.py)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select, text

from nhi_collect.adapters.db import make_engine, transaction, upgrade
from nhi_collect.adapters.tables import (allocations, assessments, households, letters, payments, seizures,
                                         stage_transitions)
from nhi_collect.services import actions
from nhi_collect.services.business_date import run_date
from tests.conftest import database_url, register_staff
from tests.support.crowd import ASSESSMENTS, HOUSEHOLDS
from tests.support.ledger import WORKFLOW, run, write

pytestmark = pytest.mark.postgres
REMINDERS = date(2024, 1, 5)  # the fixture's first date moving every demanded household to `reminder`


@pytest.fixture
def demanded(tmp_path):
    engine = make_engine(database_url("postgresql", tmp_path))
    upgrade(engine)
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    run_date(engine, WORKFLOW, date(2023, 9, 20))  # every household demanded
    register_staff(engine, {"clerk": "clerk", "boss": "supervisor"})
    yield engine
    engine.dispose()


def while_held(engine, staff_action, other) -> None:
    """Run `staff_action` in an open transaction, start `other` in a thread, wait until it waits on a lock
    (else fail: the interleaving was not the one meant), then commit the action and let `other` end."""
    failure = []

    def run_other():
        try:
            other()
        except Exception as exc:  # reported to the test rather than lost in the thread
            failure.append(exc)

    with engine.connect() as conn, conn.begin():
        staff_action(conn)
        worker = threading.Thread(target=run_other)
        worker.start()
        deadline = time.monotonic() + 30
        with engine.connect() as watcher:
            while not watcher.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                assert worker.is_alive() and time.monotonic() < deadline, "it never waited for the clerk"
                time.sleep(0.05)
    worker.join(60)
    assert not worker.is_alive() and not failure, failure


def stage(engine, household_no: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(households.c.stage).where(households.c.household_no == household_no)).scalar_one()


def test_the_nightly_move_skips_a_household_a_clerk_changed_meanwhile(demanded):
    """On the old code the batch read H1 as `demanded`, waited for the clerk's lock, then moved it to
    `reminder` over the plan just agreed, with a reminder letter."""
    def agree(conn):
        actions.agree_plan(conn, WORKFLOW, "H1", REMINDERS, [(date(2024, 1, 31), 10_000)], "clerk")

    while_held(demanded, agree, lambda: run_date(demanded, WORKFLOW, REMINDERS))
    assert stage(demanded, "H1") == "installment_plan"
    with demanded.connect() as conn:
        h1 = conn.execute(select(households.c.id).where(households.c.household_no == "H1")).scalar_one()
        moves = conn.execute(select(stage_transitions.c.trigger).where(stage_transitions.c.household_id == h1)
                             .order_by(stage_transitions.c.id)).scalars().all()
        reminders = conn.execute(select(letters.c.household_id).where(letters.c.letter_type == "reminder")).scalars()
        assert moves == ["issue_demand", "agree_plan"] and h1 not in set(reminders)
    assert [stage(demanded, f"H{n}") for n in range(2, 9)] == ["reminder"] * 7  # the others moved as before


def test_a_payments_import_waits_for_a_seizure_collected_on_the_same_household(demanded, tmp_path):
    """The seizure's money and the imported payment both reach H1's one installment of 10,000: whichever
    is allocated second must see the first, so the installment is never paid more than it owes."""
    with transaction(demanded) as conn:  # an executed deposit seizure, its money about to arrive
        h1 = conn.execute(select(households.c.id).where(households.c.household_no == "H1")).scalar_one()
        conn.execute(seizures.insert().values(household_id=h1, property_kind="deposit", third_party="大正銀行 泉尾支店",
                                              amount=6_000, approved_by="boss", approved_on=REMINDERS,
                                              executed_on=REMINDERS))
    paid = write(tmp_path, "p.csv", "payment_id,household_no,paid_on,amount,channel\nP1,H1,2024-01-05,6000,counter\n")

    def collect(conn):
        actions.collect_from_seizure(conn, WORKFLOW, "H1", REMINDERS, 6_000, "clerk")

    while_held(demanded, collect, lambda: run(demanded, "payments", paid, today=REMINDERS))
    with demanded.connect() as conn:
        owed = conn.execute(select(assessments.c.amount, assessments.c.paid).where(assessments.c.household_id == h1)
                            ).one()
        allocated = conn.execute(select(func.sum(allocations.c.amount))
                                 .join(assessments, assessments.c.id == allocations.c.assessment_id)
                                 .where(assessments.c.household_id == h1)).scalar_one()
        received = conn.execute(select(func.sum(payments.c.amount)).where(payments.c.household_id == h1)).scalar_one()
    assert received == 12_000 and owed.paid == allocated == owed.amount == 10_000  # 2,000 left as credit
