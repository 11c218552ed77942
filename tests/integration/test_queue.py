"""The daily work queue, staff roles and the access log: each kind of item from the scenario that calls for
it and not from its near miss; compare-and-set claims across processes; refusals; the access review."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import make_engine, transaction
from nhi_collect.adapters.tables import access_log, installment_plans, queue_items, seizures
from nhi_collect.domain.calendar import TOKYO, in_tokyo
from nhi_collect.services import actions, queue, staff
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.machine import Refused
from tests.support.ledger import put, run, write

WORKFLOW = load()
HOUSEHOLDS = """household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district
H1,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾
H2,山﨑　花子,ヤマサキ　ハナコ,1980-03-04,551-0002,大阪市大正区三軒家東2丁目2-2,三軒家東
"""
ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H1,2023,1,2023-06-30,10000
H1,2023,2,2023-07-31,10000
H2,2023,1,2023-06-30,30000
"""
ON = date(2023, 9, 20)


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    with transaction(engine) as conn:
        staff.add(conn, WORKFLOW, "admin", "admin", "管理者", "administrator")  # the first administrator
        staff.add(conn, WORKFLOW, "admin", "tanaka", "田中 一郎", "clerk", ["泉尾"])
        staff.add(conn, WORKFLOW, "admin", "sato", "佐藤 花子", "clerk", ["三軒家東"])
        staff.add(conn, WORKFLOW, "admin", "boss", "鈴木 課長", "supervisor")
    return engine


def kinds(engine, on, hno="H1") -> set[str]:
    with transaction(engine) as conn:
        queue.refresh(conn, WORKFLOW, on)
        return {i["kind"] for i in queue.items(conn, on) if i["household_no"] == hno}


def hid(engine, hno="H1") -> int:
    with engine.connect() as conn:
        return actions.household_id(conn, hno)


def test_inquiry_awaiting_reply_only_after_the_reply_period(ledger):
    with transaction(ledger) as conn:
        actions.open_investigation(conn, WORKFLOW, "H1", ON, "tanaka", [("bank", "大正銀行")])
    reply_days = WORKFLOW.policy.reply_days
    assert "inquiry_reply" not in kinds(ledger, ON + timedelta(days=reply_days - 1))
    assert "inquiry_reply" in kinds(ledger, ON + timedelta(days=reply_days))


def test_investigation_decision_when_property_was_found_and_not_when_none(ledger):
    put(ledger, "H1", "property_investigation", ON)
    put(ledger, "H2", "property_investigation", ON)
    with transaction(ledger) as conn:
        actions.close_investigation(conn, WORKFLOW, "H1", ON, True, "tanaka")
        actions.close_investigation(conn, WORKFLOW, "H2", ON, False, "sato")
    assert "investigation_decision" in kinds(ledger, ON)
    assert "investigation_decision" not in kinds(ledger, ON, "H2")


def test_seizure_approval_after_the_notice_period_unless_approved(ledger):
    put(ledger, "H1", "seizure_notice", ON - timedelta(days=WORKFLOW.policy.reply_days))
    put(ledger, "H2", "seizure_notice", ON - timedelta(days=WORKFLOW.policy.reply_days))
    with transaction(ledger) as conn:  # recorded as approved (this ledger has no demand: the action would refuse, 48条)
        conn.execute(seizures.insert().values(household_id=actions.household_id(conn, "H2"), property_kind="deposit",
                                              third_party="大正銀行", amount=10_000, approved_by="boss", approved_on=ON))
    assert "seizure_approval" in kinds(ledger, ON)
    assert "seizure_approval" not in kinds(ledger, ON, "H2")


def test_executed_seizure_awaiting_collection(ledger):
    with transaction(ledger) as conn:
        for hno, collected in (("H1", 0), ("H2", 30_000)):
            conn.execute(seizures.insert().values(household_id=actions.household_id(conn, hno), property_kind="deposit",
                                                  third_party="大正銀行", amount=30_000, approved_by="boss",
                                                  approved_on=ON, executed_on=ON, collected=collected))
    assert "seizure_collection" in kinds(ledger, ON)
    assert "seizure_collection" not in kinds(ledger, ON, "H2")


def test_broken_plan_is_queued_kept_plan_is_not(ledger):
    with transaction(ledger) as conn:
        for hno, status in (("H1", "broken"), ("H2", "kept")):
            conn.execute(installment_plans.insert().values(household_id=actions.household_id(conn, hno), agreed_on=ON,
                                                           agreed_by="tanaka", status=status,
                                                           ended_on=ON if status == "broken" else None))
    assert "broken_plan" in kinds(ledger, ON)
    assert "broken_plan" not in kinds(ledger, ON, "H2")


def test_limitation_within_90_days_and_special_review_after_a_year(ledger, tmp_path):
    run(ledger, "assessments", write(tmp_path, "old.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                                           "H1,2021,10,2022-03-31,5000\n"))
    # no demand notice: limitation completes two years after the day after the due date (domain.md §2)
    assert {"limitation_due", "special_review"} <= kinds(ledger, date(2024, 1, 15))
    assert "limitation_due" not in kinds(ledger, date(2023, 12, 1))  # over 90 days before 2024-04-01
    assert not {"limitation_due", "special_review"} & kinds(ledger, date(2024, 1, 15), "H2")  # arrears under a year


def test_priority_assignment_and_compare_and_set_claims(ledger):
    with transaction(ledger) as conn:
        for hno in ("H1", "H2"):
            conn.execute(installment_plans.insert().values(household_id=actions.household_id(conn, hno), agreed_on=ON,
                                                           agreed_by="tanaka", status="broken", ended_on=ON))
        queue.refresh(conn, WORKFLOW, ON)
        rows = queue.items(conn, ON, queue.QueueFilter(kind="broken_plan"))
    assert [r["household_no"] for r in rows] == ["H2", "H1"]  # no limitation date yet: the larger amount first
    assert {r["household_no"]: r["assigned_to"] for r in rows} == {"H1": "tanaka", "H2": "sato"}
    item = rows[1]["id"]
    with transaction(ledger) as conn:
        queue.claim(conn, WORKFLOW, item, "tanaka")
    with pytest.raises(Refused, match="held by tanaka"):
        with transaction(ledger) as conn:
            queue.claim(conn, WORKFLOW, item, "sato")
    with pytest.raises(Refused, match="only its holder or one who reassigns work"):
        with transaction(ledger) as conn:
            queue.close(conn, WORKFLOW, item, "sato", "called", ON)
    with pytest.raises(Refused, match="supervisor"):
        with transaction(ledger) as conn:
            queue.reassign(conn, WORKFLOW, item, "sato", "tanaka")
    with transaction(ledger) as conn:
        queue.reassign(conn, WORKFLOW, item, "sato", "boss")
        queue.claim(conn, WORKFLOW, item, "sato")
        queue.close(conn, WORKFLOW, item, "sato", "電話で分納を再約束", ON)
        sato = queue.QueueFilter(staff_user="sato", kind="broken_plan")
        assert queue.items(conn, ON, sato) == [rows[0] | {"claimed_by": None}]


def _claim_in_process(url: str, item: int, user: str, start, results) -> None:
    engine = make_engine(url)
    start.wait()
    try:
        with transaction(engine) as conn:
            queue.claim(conn, WORKFLOW, item, user)
        results.put((user, "held"))
    except Refused:
        results.put((user, "refused"))
    engine.dispose()


def test_two_processes_claiming_one_item_give_it_to_exactly_one(ledger):
    with transaction(ledger) as conn:
        conn.execute(installment_plans.insert().values(household_id=actions.household_id(conn, "H1"), agreed_on=ON,
                                                       agreed_by="tanaka", status="broken", ended_on=ON))
        queue.refresh(conn, WORKFLOW, ON)
        item = queue.items(conn, ON)[0]["id"]
    url = ledger.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_claim_in_process, args=(url, item, user, start, results))
               for user in ("tanaka", "sato")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    outcomes = sorted(results.get(timeout=5)[1] for _ in workers)
    assert outcomes == ["held", "refused"]
    with ledger.connect() as conn:
        holder = conn.execute(select(queue_items.c.claimed_by).where(queue_items.c.id == item)).scalar_one()
    assert holder in ("tanaka", "sato")


def test_views_are_logged_and_reviewed(ledger):
    url = ledger.url.render_as_string(hide_password=False)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, *args], capture_output=True, text=True)
    shown = cli("--as", "tanaka", "household", "show", "H2", "--as-of", "2023-09-20", "--reason", "窓口相談", "--json")
    assert shown.returncode == 0, shown.stderr
    h1, h2 = hid(ledger, "H1"), hid(ledger, "H2")
    with transaction(ledger) as conn:
        rows = conn.execute(select(access_log)).all()
        assert [(r.user_name, r.household_id, r.purpose) for r in rows] == [("tanaka", h2, "窓口相談")]
        # a view at 22:00 Tokyo on an office day, of a household in tanaka's own district queue
        conn.execute(installment_plans.insert().values(household_id=h1, agreed_on=ON, agreed_by="tanaka",
                                                       status="broken", ended_on=ON))
        queue.refresh(conn, WORKFLOW, ON)
        conn.execute(access_log.insert().values(at=datetime(2023, 9, 20, 13, 0, tzinfo=timezone.utc),
                                                user_name="tanaka", household_id=h1, purpose="残業"))
    # the audit reads its dates as Tokyo office days: the view's own day is its Tokyo date, not its UTC date
    shown_on = in_tokyo(rows[0].at).date()
    with ledger.connect() as conn:
        review = staff.access_review(conn, date(2023, 9, 1), shown_on)
    assert review["views_per_person"] == {"tanaka": 2}
    assert [v["household_no"] for v in review["outside_own_queue"]] == ["H2"]  # H2 is sato's district
    assert "H1" in [v["household_no"] for v in review["outside_office_hours"]]
    audit = cli("--as", "boss", "audit", "access", "--from", "2023-09-01", "--to", str(shown_on), "--json")
    assert audit.returncode == 0 and '"tanaka": 2' in audit.stdout
    refused = cli("--as", "tanaka", "audit", "access", "--from", "2023-09-01", "--to", str(shown_on), "--json")
    assert refused.returncode == 2 and "audit_access is the auditor's duty" in refused.stderr and not refused.stdout


def test_the_audit_day_is_the_tokyo_day(ledger):
    """A view at 23:59 Tokyo time belongs to that day; one at 00:00 to the next (14:59 and 15:00 UTC)."""
    h1 = hid(ledger, "H1")
    late, midnight = datetime(2023, 9, 20, 23, 59, tzinfo=TOKYO), datetime(2023, 9, 21, 0, 0, tzinfo=TOKYO)
    with transaction(ledger) as conn:
        for at, purpose in ((late, "23:59"), (midnight, "00:00")):
            conn.execute(access_log.insert().values(at=at.astimezone(timezone.utc), user_name="tanaka",
                                                    household_id=h1, purpose=purpose))
    with ledger.connect() as conn:
        days = {on: [v["purpose"] for v in staff.access_review(conn, on, on)["outside_office_hours"]]
                for on in (date(2023, 9, 20), date(2023, 9, 21))}
    assert days == {date(2023, 9, 20): ["23:59"], date(2023, 9, 21): ["00:00"]}


def test_unregistered_people_cannot_act(ledger):
    url = ledger.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--as", "mallory", "queue", "claim", "1"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "not active staff" in done.stderr
    with ledger.connect() as conn:
        assert conn.execute(select(access_log)).all() == []


@pytest.mark.parametrize("local, outside", [
    (datetime(2023, 9, 20, 8, 44), True), (datetime(2023, 9, 20, 8, 45), False),
    (datetime(2023, 9, 20, 17, 30), False), (datetime(2023, 9, 20, 17, 31), True),
    (datetime(2023, 9, 18, 10, 0), True),  # 敬老の日, a holiday
    (datetime(2023, 12, 29, 10, 0), True),  # the year-end closure
])
def test_office_hours_edges(local, outside):
    from zoneinfo import ZoneInfo
    at = local.replace(tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(timezone.utc)
    assert staff.outside_office_hours(at) is outside
    assert staff.outside_office_hours(at.replace(tzinfo=None)) is outside  # SQLite's naive UTC


def test_the_nights_run_computes_the_queue_and_reading_it_computes_nothing(ledger):
    """staff-app.md: the morning's queue is the night's work. A broken plan written after the run shows only
    once a run (or an operator's refresh) has computed the queue again; the reader's list never does."""
    from nhi_collect.services.business_date import QUEUE_JOB, run_date
    from nhi_collect.services.work import todays_queue
    household = hid(ledger)
    with transaction(ledger) as conn:
        conn.execute(installment_plans.insert().values(household_id=household, agreed_on=ON, agreed_by="tanaka",
                                                       status="broken", ended_on=ON))
    with transaction(ledger) as conn:
        assert todays_queue(conn, WORKFLOW, ON, "tanaka") == []
    reports = run_date(ledger, WORKFLOW, ON)
    queue_step = next(r for r in reports if r.name == QUEUE_JOB)
    assert queue_step.status == "done" and queue_step.queued >= 1
    with transaction(ledger) as conn:
        assert "broken_plan" in {i["kind"] for i in todays_queue(conn, WORKFLOW, ON, "tanaka")}
    again = run_date(ledger, WORKFLOW, ON)
    assert [r.status for r in again] == ["skipped"] * len(again)
