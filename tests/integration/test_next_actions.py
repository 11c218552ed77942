"""次にできること (services/next_actions.py): each action allowed or refused with its rule, and the day a rule of
time stops blocking; the promise to pay checked by the nightly queue computation (services/promises.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import access_log, contacts, promises, queue_items
from nhi_collect.errors import UserError
from nhi_collect.services import actions, next_actions, proposals, queue
from nhi_collect.services.business_date import run_date
from nhi_collect.services.payments import record_payment
from nhi_collect.services.work import ReasonNeeded, open_household
from nhi_collect.web.render import kind_label
from nhi_collect.workflow.facts import load_facts
from nhi_collect.workflow.guards import Context, guard
from nhi_collect.workflow.machine import Refused
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, WORKFLOW, put, run, write
from tests.support.seizures import approve_drafted


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    register_staff(engine, {"clerk": "clerk", "boss": "supervisor", "boss2": "supervisor"})
    return engine


def offered(engine, on, user="clerk", hno="H1"):
    with transaction(engine) as conn:  # the case file opened first with its reason: H1 is in nobody's queue
        open_household(conn, WORKFLOW, hno, on, user, "窓口への来庁")
        data = next_actions.next_actions(conn, WORKFLOW, hno, on, user)
    return data, {a.action: a for a in data["actions"]}


def test_next_actions_are_access_logged_and_outside_ones_work_need_the_case_file_opened_with_a_reason(ledger):
    with pytest.raises(ReasonNeeded, match="not in clerk's work"), transaction(ledger) as conn:
        next_actions.next_actions(conn, WORKFLOW, "H1", date(2023, 9, 20), "clerk")
    offered(ledger, date(2023, 9, 20))
    with ledger.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(access_log.c.user_name, access_log.c.command)
                                               .order_by(access_log.c.id))] == [("clerk", "household show"),
                                                                                ("clerk", "next actions")]


def at_seizure_notice(engine, since):
    """H1's installments 1–3 demanded on 2023-09-20 (the run of that date), then at a seizure notice."""
    run_date(engine, WORKFLOW, date(2023, 9, 20))
    put(engine, "H1", "seizure_notice", since)


def test_a_seizure_is_refused_until_the_day_the_law_allows_it(ledger):
    at_seizure_notice(ledger, date(2023, 9, 1))
    with transaction(ledger) as conn:
        approve_drafted(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 20_000, "boss",
                        balance=100_000)
    _, seen = offered(ledger, date(2023, 9, 25))
    seize = seen["seize"]
    assert not seize.allowed and [b.rule for b in seize.blocks] == [guard("has_ripe_installment").rule]
    assert "国税徴収法47条1項" in seize.blocks[0].rule
    # demanded 09-20: ten days pass, 国税徴収法47条1項, on 10-01 (the 11th day); the demand's deadline 09-30 is a
    # Saturday and moves to Monday 10-02 (地方自治法4条の2④), past it on 10-03 (231条の3③): the later day
    assert seize.possible_from == date(2023, 10, 3)
    facts = load_facts_of(ledger, "H1", date(2023, 10, 2))
    ripe = guard("has_ripe_installment").python
    assert not ripe(facts, Context(date(2023, 10, 2), WORKFLOW.policy))
    assert ripe(facts, Context(date(2023, 10, 3), WORKFLOW.policy))
    assert offered(ledger, date(2023, 10, 3))[1]["seize"].allowed


def load_facts_of(engine, hno, on):
    with engine.connect() as conn:
        hid = actions.household_id(conn, hno)
        return load_facts(conn, [hid], on)[hid]


def test_every_rule_of_time_is_listed_and_the_action_waits_for_the_last(ledger):
    at_seizure_notice(ledger, date(2023, 9, 25))
    with transaction(ledger) as conn:
        approve_drafted(conn, WORKFLOW, "H1", date(2023, 9, 26), "deposit", "大正銀行", 20_000, "boss",
                        balance=100_000)
    seize = offered(ledger, date(2023, 9, 30))[1]["seize"]
    # the notice of 09-25 gives 14 days to reply (policy reply_days): blocking until 10-09; ripe from 10-03
    assert [(b.rule, b.clears_on) for b in seize.blocks] == [
        (guard("reply_period_passed").rule, date(2023, 10, 9)), (guard("has_ripe_installment").rule, date(2023, 10, 3))]
    assert seize.possible_from == date(2023, 10, 9)


def test_refusals_name_the_stage_the_duty_and_a_missing_record(ledger):
    data, seen = offered(ledger, date(2023, 9, 20))  # nothing demanded yet: stage clear
    assert data["stage"] == "clear"
    assert seen["record_contact"].allowed and seen["open_investigation"].allowed
    assert "no rung of the ladder may be skipped" in seen["agree_plan"].blocks[0].rule
    assert seen["agree_plan"].possible_from is None
    assert "supervisor's duty" in seen["approve_seizure"].blocks[0].rule and "決裁" in seen["approve_seizure"].blocks[0].rule
    assert "no inquiry awaits its reply" in seen["record_inquiry_result"].blocks[0].rule
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    seen = offered(ledger, date(2023, 9, 20))[1]
    assert seen["agree_plan"].allowed and seen["mark_returned"].allowed  # demanded, and its 督促状 on record
    boss = offered(ledger, date(2023, 9, 20), "boss")[1]
    assert seen["propose_suspension"].allowed and not boss["lift_suspension"].allowed
    # the supervisor decides a suspension on another person's proposal only (区の方針: 決裁規程)
    assert [b.rule for b in boss["suspend"].blocks if "決裁規程" in b.rule] and boss["propose_suspension"].allowed
    assert "不納欠損" in boss["write_off"].blocks[0].rule
    # limitation: two years from the day after the latest event, the demand (deadline 10-02): extinguished later
    # (the clerk's proposal of it waits for that day; the supervisor's own write-off never comes: 決裁規程)
    assert seen["propose_write_off"].possible_from > date(2025, 10, 1) and boss["write_off"].possible_from is None


def test_the_supervisor_who_drafted_a_proposal_may_not_approve_it(ledger):
    at_seizure_notice(ledger, date(2023, 9, 1))
    with transaction(ledger) as conn:
        mine = proposals.propose_seizure(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 20_000,
                                         "残高照会済", "boss")
    data, _ = offered(ledger, date(2023, 9, 21), "boss")
    assert data["proposals"][0]["refusal"] == proposals.SEPARATION
    with pytest.raises(Refused, match="起案者と決裁者の分離"):
        with transaction(ledger) as conn:
            proposals.approve_proposal(conn, WORKFLOW, "H1", mine, date(2023, 9, 21), "boss", balance=100_000)
    with transaction(ledger) as conn:
        proposals.approve_proposal(conn, WORKFLOW, "H1", mine, date(2023, 9, 21), "boss2", balance=100_000)
    data, seen = offered(ledger, date(2023, 9, 21), "boss2")
    assert data["proposals"] == [] and "no seizure proposal awaits" in seen["approve_seizure"].blocks[0].rule


# A promise made on 2023-09-22 to pay 20,000 yen by 2023-10-10; the grace is 3 days (policy promise_grace_days).
MADE, PROMISED = date(2023, 9, 22), date(2023, 10, 10)


def promise(engine):
    with transaction(engine) as conn:
        actions.record_contact(conn, WORKFLOW, "H1", MADE, "phone", "10月10日までに2万円", None, "clerk",
                               with_whom="本人", promise_to_pay=(PROMISED, 20_000))


def pay(engine, on, amount, channel="bank"):
    with transaction(engine) as conn:
        record_payment(conn, actions.household_id(conn, "H1"), f"P{on:%m%d}{amount}", on, amount, channel)


def night(engine, on):
    """The queue computation that ends each business date's run."""
    with transaction(engine) as conn:
        queue.refresh(conn, WORKFLOW, on)
    with engine.connect() as conn:
        status = conn.execute(select(promises.c.status, promises.c.settled_on)).one()
        items = conn.execute(select(func.count()).where(queue_items.c.kind == "broken_promise")).scalar_one()
    return tuple(status), items


def test_a_promise_is_kept_when_the_payments_through_its_date_reach_its_amount(ledger):
    promise(ledger)
    pay(ledger, date(2023, 9, 21), 10_000)  # the day before the contact: not toward the promise
    pay(ledger, date(2023, 9, 30), 10_000)
    assert night(ledger, date(2023, 10, 2)) == (("open", None), 0)
    pay(ledger, PROMISED, 10_000)  # on its last day, arriving in the file of 10-12 (within the grace)
    assert night(ledger, date(2023, 10, 12)) == (("kept", date(2023, 10, 12)), 0)
    assert night(ledger, date(2023, 10, 20)) == (("kept", date(2023, 10, 12)), 0)


def test_a_promise_is_broken_the_day_after_its_grace_days(ledger):
    promise(ledger)
    pay(ledger, date(2023, 9, 30), 10_000)
    pay(ledger, PROMISED + timedelta(days=1), 10_000)  # a day late: not toward the promise
    pay(ledger, date(2023, 10, 1), 10_000, "seizure")  # taken by seizure: not the household's payment
    # 10-10 + 3 grace days: still open on 10-13, broken on 10-14, with one queue item, once
    assert night(ledger, date(2023, 10, 13)) == (("open", None), 0)
    assert night(ledger, date(2023, 10, 14)) == (("broken", date(2023, 10, 14)), 1)
    with ledger.connect() as conn:
        reason = conn.execute(select(queue_items.c.reason).where(queue_items.c.kind == "broken_promise")).scalar_one()
        assert reason == queue.REASONS["broken_promise"] and kind_label(reason) == "納付約束不履行"  # 私の仕事's kind
    with transaction(ledger) as conn:
        conn.execute(queue_items.update().values(status="closed"))
    assert night(ledger, date(2023, 10, 15)) == (("broken", date(2023, 10, 14)), 1)  # closed stays closed


def test_a_promise_needs_an_amount_and_a_date_not_before_the_contact(ledger):
    for bad in ((MADE - timedelta(days=1), 1_000), (PROMISED, 0)):
        with pytest.raises(UserError, match="promise to pay"):
            with transaction(ledger) as conn:
                actions.record_contact(conn, WORKFLOW, "H1", MADE, "phone", "x", None, "clerk", promise_to_pay=bad)
    with ledger.connect() as conn:
        assert conn.execute(select(func.count()).select_from(promises)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(contacts)).scalar_one() == 0  # one transaction


def test_the_command_line_records_a_promise_to_pay(ledger):
    url = ledger.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--as", "clerk", "action", "contact", "H1",
                           "--on", "2023-09-22", "--channel", "counter", "--summary", "来庁", "--with-whom", "配偶者",
                           "--promise-to-pay", "2023-10-10:20000"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "with a promise to pay" in done.stdout
    with ledger.connect() as conn:
        assert conn.execute(select(contacts.c.with_whom)).scalar_one() == "配偶者"
        assert tuple(conn.execute(select(promises.c.promised_on, promises.c.amount, promises.c.made_by)).one()) == (
            PROMISED, 20_000, "clerk")
