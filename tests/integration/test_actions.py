"""Staff actions through the Machine: legal refusals name their rule; roles; the scheduler's catch-up."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.scheduler import SchedulerBusy, SchedulerLock
from nhi_collect.adapters.tables import (allocations, assessments, audit_log, batch_runs, contacts, demand_notices,
                                         households, installment_plans, letters, payments, seizures, stage_transitions,
                                         suspensions, write_offs)
from nhi_collect.errors import UserError
from nhi_collect.services import actions
from nhi_collect.services.business_date import BusinessDates, run_date
from nhi_collect.workflow.machine import Refused
from tests.support.ledger import WORKFLOW, count, ledger, put, run, stage, write  # noqa: F401 (fixtures)
from tests.support.seizures import approve_drafted


def test_demand_notices_then_seizure_only_after_ten_days(ledger, tmp_path):
    run(ledger, "assessments", write(tmp_path, "a4.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                                          "H1,2023,4,2023-09-29,10000\n"))
    run_date(ledger, WORKFLOW, date(2023, 9, 20))  # installments 1–3 are 20 or more days overdue
    assert stage(ledger, "H1") == "demanded"
    with ledger.connect() as conn:
        assert set(conn.execute(select(demand_notices.c.issued_on)).scalars()) == {date(2023, 9, 20)}
    put(ledger, "H1", "seizure_notice", date(2023, 9, 1))
    with transaction(ledger) as conn:
        approve_drafted(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 20_000, "boss",
                        balance=20_000)

    def seize(on):
        with transaction(ledger) as conn:
            return actions.execute_seizure(conn, WORKFLOW, "H1", on, "clerk")

    with pytest.raises(Refused, match="国税徴収法47条1項"):
        seize(date(2023, 9, 29))  # 1–3 were demanded only 9 days ago
    # ten days have passed on 10/1, but the notice's deadline, 9/30 (a Saturday), moved to Monday 10/2
    # (地方自治法4条の2④): enforcement only once it has passed (231条の3③)
    with pytest.raises(Refused, match="designated deadline"):
        seize(date(2023, 10, 2))
    assert stage(ledger, "H1") == "seizure_notice"
    # installment 4 (due 9/29) is overdue and not yet demanded: it neither blocks the seizure nor joins it
    # (47条 applies per installment); today's code refused until 11 days after its own demand (10/30)
    assert seize(date(2023, 10, 3)) == "enforcement"


def test_a_third_party_without_an_address_gets_no_letter(ledger):
    with pytest.raises(Refused, match="国税徴収法62条・141条"):
        with transaction(ledger) as conn:
            actions.open_investigation(conn, WORKFLOW, "H1", date(2023, 9, 21), "clerk", [("bank", "どこか銀行")])
    with ledger.connect() as conn:
        assert conn.execute(select(letters.c.id)).all() == []


def test_no_rung_skipped_and_roles(ledger):
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with pytest.raises(Refused, match="no rung"):
        with transaction(ledger) as conn:
            approve_drafted(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 1, "boss")
    with pytest.raises(Refused, match="supervisor"):
        with transaction(ledger) as conn:
            actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 21), "hardship", "clerk")
    with pytest.raises(Refused, match="不納欠損"):
        with transaction(ledger) as conn:
            actions.write_off(conn, WORKFLOW, "H1", date(2023, 9, 21), "boss", date(2023, 9, 21))


def test_plan_pauses_and_a_broken_plan_resumes_where_it_left(ledger):
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with transaction(ledger) as conn:
        actions.agree_plan(conn, WORKFLOW, "H1", date(2023, 9, 22), [(date(2023, 10, 31), 30_000)], "clerk")
    assert stage(ledger, "H1") == "installment_plan"
    run_date(ledger, WORKFLOW, date(2023, 11, 9))  # 9 days late: within the 10 grace days
    assert stage(ledger, "H1") == "installment_plan"
    run_date(ledger, WORKFLOW, date(2023, 11, 10))
    assert stage(ledger, "H1") == "demanded"


def test_the_command_lines_plan_must_cover_the_arrears_as_the_case_files_must(ledger):
    """区の方針: a plan whose schedule leaves part of the arrears unscheduled pauses escalation for money nobody
    promised. The case file refused it; the command line's `action plan` agreed it. H1 owes 30,000 yen on 9/22
    (installments 1–3, 10,000 each, past their due dates)."""
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    url = ledger.url.render_as_string(hide_password=False)

    def plan(schedule):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--as", "clerk", "action", "plan", "H1",
                               "--on", "2023-09-22", "--schedule", schedule], capture_output=True, text=True)
    short = plan("2023-10-31:10000,2023-11-30:19999")
    assert short.returncode == 2 and "1 yen more must be scheduled (区の方針)" in short.stderr, short.stderr
    assert stage(ledger, "H1") == "demanded" and count(ledger, installment_plans) == 0
    assert plan("2023-10-31:10000,2023-11-30:20000").returncode == 0
    assert stage(ledger, "H1") == "installment_plan"


def ripe_for_seizure(engine):
    """H1 at a seizure notice with an approved seizure, lawful from 2023-10-03: its installments demanded on
    09-20 (ten days passed, 国税徴収法47条), the demand's deadline (09-30, a Saturday, so 10-02) passed and
    the notice's reply period over."""
    run_date(engine, WORKFLOW, date(2023, 9, 20))
    put(engine, "H1", "seizure_notice", date(2023, 9, 1))
    with transaction(engine) as conn:
        approve_drafted(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 20_000, "boss",
                        balance=20_000)


def test_suspension_blocks_seizure_and_lift_returns(ledger):
    ripe_for_seizure(ledger)
    with ledger.connect() as conn, conn.begin() as tx:  # without the suspension the seizure is lawful
        assert actions.execute_seizure(conn, WORKFLOW, "H1", date(2023, 10, 5), "clerk") == "enforcement"
        tx.rollback()
    with transaction(ledger) as conn:
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 22), "hardship", "boss")
    with pytest.raises(Refused, match="not possible from stage suspended"):
        with transaction(ledger) as conn:
            actions.execute_seizure(conn, WORKFLOW, "H1", date(2023, 10, 5), "clerk")
    assert stage(ledger, "H1") == "suspended"
    with ledger.connect() as conn:  # 地方税法15条の7第3項: the suspension released the approved seizure
        assert conn.execute(select(seizures.c.released_on)).scalar_one() == date(2023, 9, 22)
    with transaction(ledger) as conn:
        assert actions.lift_suspension(conn, WORKFLOW, "H1", date(2023, 10, 6), "boss") == \
            "seizure_notice"


def test_money_collected_from_a_seizure_is_a_payment_applied_oldest_first(ledger):
    ripe_for_seizure(ledger)
    with transaction(ledger) as conn:
        actions.execute_seizure(conn, WORKFLOW, "H1", date(2023, 10, 3), "clerk")
        actions.collect_from_seizure(conn, WORKFLOW, "H1", date(2023, 10, 10), 15_000, "clerk")
    with ledger.connect() as conn:
        payment = conn.execute(select(payments)).one()
        seizure = conn.execute(select(seizures)).one()
        paid = conn.execute(select(assessments.c.installment, assessments.c.paid)
                            .join(households).where(households.c.household_no == "H1")
                            .order_by(assessments.c.installment)).all()
        audited = conn.execute(select(audit_log.c.action, audit_log.c.entity)).all()
    assert (payment.channel, payment.amount, payment.paid_on) == ("seizure", 15_000, date(2023, 10, 10))
    assert payment.payment_no == f"SZ{seizure.id:08d}-20231010"
    assert paid == [(1, 10_000), (2, 5_000), (3, 0)]
    assert (seizure.collected, seizure.released_on) == (15_000, date(2023, 10, 10))
    assert audited.count(("collect_from_seizure", "household")) == 1
    assert ("import", "payments") not in audited  # recorded by the action itself, not by importing a file
    with pytest.raises(Refused, match="no executed seizure"):  # collected once: the seizure is released
        with transaction(ledger) as conn:
            actions.collect_from_seizure(conn, WORKFLOW, "H1", date(2023, 10, 11), 15_000, "clerk")
    assert count(ledger, payments) == 1


def test_a_collection_without_an_executed_seizure_stores_nothing(ledger):
    ripe_for_seizure(ledger)  # approved, not executed
    with pytest.raises(Refused, match="no executed seizure"):
        with transaction(ledger) as conn:
            actions.collect_from_seizure(conn, WORKFLOW, "H1", date(2023, 10, 10), 15_000, "clerk")
    assert count(ledger, payments) == 0 and count(ledger, allocations) == 0


def test_write_off_after_immediate_extinction(ledger):
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with transaction(ledger) as conn:  # 地方税法15条の7第5項: no property and collection clearly impossible
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 22), "no_property", "boss",
                        immediate_extinction=True)
    with transaction(ledger) as conn:
        assert actions.write_off(conn, WORKFLOW, "H1", date(2023, 9, 25), "boss", date(2023, 9, 25)) == \
            "written_off"
    with ledger.connect() as conn:
        rows = conn.execute(select(write_offs.c.amount, write_offs.c.ground, write_offs.c.written_off_on,
                                   write_offs.c.decided_by).order_by(write_offs.c.assessment_id)).all()
        lifted = conn.execute(select(suspensions.c.lifted_on)).scalar_one()
        last = conn.execute(select(stage_transitions.c.trigger, stage_transitions.c.from_stage,
                                   stage_transitions.c.actor).order_by(stage_transitions.c.id.desc())).first()
    assert rows == [(10_000, "immediate_extinction", date(2023, 9, 25), "boss")] * 3
    assert lifted == date(2023, 9, 25)  # the suspension ends with the debt
    assert tuple(last) == ("write_off", "suspended", "boss") and stage(ledger, "H1") == "written_off"


def test_a_recorded_contact_is_kept_and_audited(ledger):
    with transaction(ledger) as conn:
        actions.record_contact(conn, WORKFLOW, "H1", date(2023, 9, 21), "phone", "分納の相談", "10月末に1万円", "clerk")
    with ledger.connect() as conn:
        contact = conn.execute(select(contacts)).one()
        audit = conn.execute(select(audit_log).where(audit_log.c.action == "contact")).one()
        hid = actions.household_id(conn, "H1")
    assert (contact.household_id, contact.contacted_on, contact.channel, contact.summary, contact.promise,
            contact.actor) == (hid, date(2023, 9, 21), "phone", "分納の相談", "10月末に1万円", "clerk")
    assert (audit.actor, audit.action, audit.entity_key) == ("clerk", "contact", "H1")
    with pytest.raises(UserError, match="unknown household H9"):
        with transaction(ledger) as conn:
            actions.record_contact(conn, WORKFLOW, "H9", date(2023, 9, 21), "phone", "x", None, "clerk")
    assert count(ledger, contacts) == 1


def test_scheduler_catches_up_every_missed_date_in_order(ledger):
    ran = []
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    dates = BusinessDates(ledger, WORKFLOW, after_day=lambda on, _jobs: ran.append(on))
    done = [day.on for day in dates.catch_up(lambda: date(2023, 9, 27))]
    assert done == ran == [date(2023, 9, 21) + timedelta(days=i) for i in range(7)]
    with ledger.connect() as conn:
        recorded = set(conn.execute(select(batch_runs.c.business_date)).scalars())
    assert {date(2023, 9, 21), date(2023, 9, 22), date(2023, 9, 25), date(2023, 9, 27)} <= recorded
    assert dates.catch_up(lambda: date(2023, 9, 27)) == []


def test_only_one_scheduler_per_database(ledger):
    with SchedulerLock(ledger):
        with pytest.raises(SchedulerBusy):
            with SchedulerLock(ledger):
                pass
    with SchedulerLock(ledger):
        pass


def test_one_scheduler_per_sqlite_file_whatever_path_names_it(tmp_path):
    from nhi_collect.adapters.db import make_engine
    (tmp_path / "w.db").touch()
    (tmp_path / "other-name.db").symlink_to(tmp_path / "w.db")
    by_path, by_link = (make_engine(f"sqlite:///{tmp_path / name}") for name in ("w.db", "other-name.db"))
    with SchedulerLock(by_path):
        with pytest.raises(SchedulerBusy):
            with SchedulerLock(by_link):
                pass


def test_cli_refusal_names_the_rule(ledger, tmp_path):
    url = ledger.url.render_as_string(hide_password=False)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, *args], capture_output=True, text=True)
    stranger = cli("--as", "tanaka", "action", "write-off", "H1", "--on", "2023-09-21")
    assert stranger.returncode == 2 and "not active staff" in stranger.stderr
    assert cli("--as", "admin", "staff", "add", "tanaka", "--name", "田中 一郎", "--role", "clerk").returncode == 0
    done = cli("--as", "tanaka", "action", "write-off", "H1", "--on", "2023-09-21")
    assert done.returncode == 2 and "supervisor" in done.stderr and "Traceback" not in done.stderr


def test_the_cli_approves_only_a_proposal_drafted_by_another(ledger):
    """決裁規程 (区の方針): the command line's approve-seizure once let a supervisor approve a seizure nobody had
    drafted; now it approves only the household's open proposal, drafted by someone else, as drafted."""
    from nhi_collect.adapters.tables import seizure_proposals
    from tests.conftest import register_staff
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    put(ledger, "H1", "seizure_notice", date(2023, 9, 1))
    register_staff(ledger, {"boss2": "supervisor"})
    url = ledger.url.render_as_string(hide_password=False)
    seizure = ("H1", "--on", "2023-09-21", "--kind", "deposit", "--third-party", "大正銀行")

    def cli(actor, command, *args):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--as", actor, "action", command,
                               *seizure, *args], capture_output=True, text=True)
    undrafted = cli("boss", "approve-seizure", "--amount", "20000", "--balance", "20000")
    assert undrafted.returncode == 2 and "区の方針 (決裁規程)" in undrafted.stderr, undrafted.stderr
    assert count(ledger, seizures) == 0
    drafted = cli("boss", "propose-seizure", "--amount", "20000", "--note", "残高照会済")
    assert drafted.returncode == 0 and "seizure proposal 1 drafted" in drafted.stdout, drafted.stderr
    own = cli("boss", "approve-seizure", "--amount", "20000", "--balance", "20000")
    assert own.returncode == 2 and "起案者と決裁者の分離" in own.stderr and "決裁規程" in own.stderr
    changed = cli("boss2", "approve-seizure", "--amount", "19000", "--balance", "20000")
    assert changed.returncode == 2 and "差戻し" in changed.stderr and "決裁規程" in changed.stderr
    assert count(ledger, seizures) == 0
    done = cli("boss2", "approve-seizure", "--amount", "20000", "--balance", "20000")
    assert done.returncode == 0 and "seizure approved" in done.stdout, done.stderr
    with ledger.connect() as conn:
        assert conn.execute(select(seizures.c.approved_by, seizures.c.amount)).one() == ("boss2", 20_000)
        assert conn.execute(select(seizure_proposals.c.status, seizure_proposals.c.decided_by)).one() == \
            ("approved", "boss2")


def test_investigation_inquiry_results_and_limitation_in_household_show(ledger):
    from nhi_collect.adapters.tables import inquiries, letters
    from nhi_collect.services.households import show_household
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with transaction(ledger) as conn:
        actions.open_investigation(conn, WORKFLOW, "H1", date(2023, 9, 21), "clerk", [("bank", "大正銀行"), ("employer", "X社")])
        actions.record_inquiry_result(conn, WORKFLOW, "H1", "bank", "大正銀行", date(2023, 9, 28), 55_000, "clerk")
        assert conn.execute(select(letters.c.letter_type).where(letters.c.letter_type == "bank_inquiry")).all()
        assert conn.execute(select(inquiries.c.found_amount).where(inquiries.c.kind == "bank")).scalar() == 55_000
    with pytest.raises(Exception, match="no open bank inquiry"):
        with transaction(ledger) as conn:
            actions.record_inquiry_result(conn, WORKFLOW, "H1", "bank", "他行", date(2023, 9, 28), 1, "clerk")
    with ledger.connect() as conn:
        shown = show_household(conn, "H1", date(2023, 9, 30))
    first = shown["installments"][0]
    # demanded 2023-09-20; its deadline 09-30 is a Saturday, so it is Monday 10-02 (地方自治法4条の2④):
    # renewed for two years from 10-03 (国保法110条, 地方自治法236条4項)
    assert first["demand_issued_on"] == "2023-09-20" and first["limitation_date"] == "2025-10-02"
    assert shown["history"][0]["trigger"] == "issue_demand"
