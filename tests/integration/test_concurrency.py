"""Staff actions racing in real processes (issue 15, defect 1): eight people acting on one household at
once give one action, one letter and one transition; the first serial of a fiscal year is not raced."""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest
from sqlalchemy import func, select

from nhi_collect.adapters.db import make_engine, transaction
from nhi_collect.adapters.tables import installment_plans, letter_counters, letters, stage_transitions
from nhi_collect.services import actions
from nhi_collect.workflow.definition import load
from nhi_collect.services.business_date import run_date
from nhi_collect.workflow.machine import Refused
from tests.conftest import register_staff
from tests.support.ledger import run, write
from tests.support.crowd import PROCESSES, HOUSEHOLDS, ASSESSMENTS

WORKFLOW = load()
AGREED = date(2023, 9, 22)


@pytest.fixture
def demanded(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    run_date(engine, WORKFLOW, date(2023, 9, 20))  # every household demanded
    register_staff(engine, {"clerk": "clerk"})
    return engine


def plan(conn, household_no: str) -> None:
    actions.agree_plan(conn, WORKFLOW, household_no, AGREED, [(date(2023, 10, 31), 10_000)], "clerk")


def refresh_queue(conn, _arg) -> None:
    from nhi_collect.services.queue import refresh
    refresh(conn, WORKFLOW, date(2024, 9, 20))  # over a year in arrears: every household gets an item


def _in_process(url: str, action, arg, start, results) -> None:
    engine = make_engine(url)
    start.wait()
    try:
        with transaction(engine) as conn:
            action(conn, arg)
        results.put("done")
    except Refused:
        results.put("refused")
    except Exception as exc:  # an internal error is a finding, reported to the test rather than lost
        results.put(f"error {exc.__class__.__name__}: {exc}")
    engine.dispose()


def race(engine, args: list, action=plan) -> list[str]:
    url = engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(len(args)), ctx.Queue()
    workers = [ctx.Process(target=_in_process, args=(url, action, arg, start, results)) for arg in args]
    for w in workers:
        w.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(30)
    return outcomes


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_eight_processes_agreeing_one_plan_give_one_plan_one_letter_one_transition(demanded):
    outcomes = race(demanded, ["H1"] * PROCESSES)
    assert outcomes == ["done"] + ["refused"] * (PROCESSES - 1)
    assert count(demanded, installment_plans) == 1
    assert count(demanded, letters, letters.c.letter_type == "installment_plan") == 1
    assert count(demanded, stage_transitions, stage_transitions.c.trigger == "agree_plan") == 1


def test_the_first_serials_of_a_fiscal_year_taken_at_once_are_distinct(demanded):
    """No installment_plan serial exists yet for FY2023: eight processes create the counter at once."""
    outcomes = race(demanded, [f"H{n}" for n in range(1, PROCESSES + 1)])
    assert outcomes == ["done"] * PROCESSES
    with demanded.connect() as conn:
        serials = conn.execute(select(letters.c.seq).where(letters.c.letter_type == "installment_plan")).scalars().all()
        last = conn.execute(select(letter_counters.c.last_seq)
                            .where(letter_counters.c.letter_type == "installment_plan")).scalar_one()
    assert sorted(serials) == list(range(1, PROCESSES + 1)) and last == PROCESSES


def test_the_database_refuses_a_second_batch_letter_of_a_type_on_a_date(demanded):
    """One demand notice per household and date (the batch's letters), whatever code path tries a second."""
    from nhi_collect.workflow import batch
    with demanded.connect() as conn:
        first = conn.execute(select(letters).where(letters.c.letter_type == "demand_notice")).first()
    # PostgreSQL's letters arrive by COPY, whose error psycopg raises unwrapped
    with pytest.raises(Exception, match="uq_letters_batch_letter_once|UNIQUE constraint failed: letters.household_id"):
        with transaction(demanded) as conn:
            batch.prepare(conn)
            batch.fill_batch(conn, [first.household_id])
            batch.write_letters(conn, WORKFLOW.letter_types["demand_notice"], first.issued_on, None)
    with transaction(demanded) as conn:  # a bank inquiry per bank: two on one day stay possible
        batch.prepare(conn)
        for _ in range(2):
            batch.fill_batch(conn, [first.household_id])
            batch.write_letters(conn, WORKFLOW.letter_types["bank_inquiry"], first.issued_on, None)
    assert count(demanded, letters, letters.c.letter_type == "bank_inquiry") == 2


def test_people_opening_their_queue_at_once_open_each_item_once(demanded):
    from nhi_collect.adapters.tables import queue_items
    assert race(demanded, [None] * 4, refresh_queue) == ["done"] * 4
    assert count(demanded, queue_items, queue_items.c.kind == "special_review") == PROCESSES
