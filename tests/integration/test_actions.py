"""Staff actions through the Machine: legal refusals name their rule; roles; the scheduler's catch-up."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.scheduler import SchedulerBusy, SchedulerLock, catch_up
from nhi_collect.adapters.tables import batch_runs, demand_notices, households, letters
from nhi_collect.services import actions
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.jobs import run_date
from nhi_collect.workflow.machine import Refused
from tests.conftest import register_staff
from tests.integration.test_imports import ASSESSMENTS, HOUSEHOLDS, run, write

WORKFLOW = load()


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    register_staff(engine, {"clerk": "clerk", "boss": "supervisor"})
    return engine


def stage(engine, hno):
    with engine.connect() as conn:
        return conn.execute(select(households.c.stage).where(households.c.household_no == hno)).scalar_one()


def put(engine, hno, stage_, since):
    with transaction(engine) as conn:
        conn.execute(update(households).where(households.c.household_no == hno).values(stage=stage_,
                                                                                       stage_since=since))


def test_demand_notices_then_seizure_only_after_ten_days(ledger, tmp_path):
    run(ledger, "assessments", write(tmp_path, "a4.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                                          "H1,2023,4,2023-09-29,10000\n"))
    run_date(ledger, WORKFLOW, date(2023, 9, 20))  # installments 1–3 are 20 or more days overdue
    assert stage(ledger, "H1") == "demanded"
    with ledger.connect() as conn:
        assert set(conn.execute(select(demand_notices.c.issued_on)).scalars()) == {date(2023, 9, 20)}
    put(ledger, "H1", "seizure_notice", date(2023, 9, 1))
    with transaction(ledger) as conn:
        actions.approve_seizure(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 20_000, "boss")

    def seize(on):
        with transaction(ledger) as conn:
            return actions.execute_seizure(conn, WORKFLOW, "H1", on, "clerk")

    with pytest.raises(Refused, match="10 days"):
        seize(date(2023, 9, 29))  # installment 4 is not overdue yet; 1–3 were demanded only 9 days ago
    with pytest.raises(Refused, match="without a demand notice"):
        seize(date(2023, 10, 2))  # ten days have passed for 1–3, but installment 4 is overdue and undemanded
    assert stage(ledger, "H1") == "seizure_notice"
    run_date(ledger, WORKFLOW, date(2023, 10, 19))  # demands installment 4
    with pytest.raises(Refused, match="10 days"):
        seize(date(2023, 10, 29))
    assert seize(date(2023, 10, 30)) == "enforcement"


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
            actions.approve_seizure(conn, WORKFLOW, "H1", date(2023, 9, 21), "deposit", "大正銀行", 1, "boss")
    with pytest.raises(Refused, match="supervisor"):
        with transaction(ledger) as conn:
            actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 21), "hardship", "clerk")
    with pytest.raises(Refused, match="不納欠損"):
        with transaction(ledger) as conn:
            actions.write_off(conn, WORKFLOW, "H1", date(2023, 9, 21), "boss")


def test_plan_pauses_and_a_broken_plan_resumes_where_it_left(ledger):
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with transaction(ledger) as conn:
        actions.agree_plan(conn, WORKFLOW, "H1", date(2023, 9, 22), [(date(2023, 10, 31), 10_000)], "clerk")
    assert stage(ledger, "H1") == "installment_plan"
    run_date(ledger, WORKFLOW, date(2023, 11, 9))  # 9 days late: within the 10 grace days
    assert stage(ledger, "H1") == "installment_plan"
    run_date(ledger, WORKFLOW, date(2023, 11, 10))
    assert stage(ledger, "H1") == "demanded"


def test_suspension_blocks_seizure_and_lift_returns(ledger):
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with transaction(ledger) as conn:
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 22), "hardship", "boss")
    with pytest.raises(Refused):
        with transaction(ledger) as conn:
            actions.execute_seizure(conn, WORKFLOW, "H1", date(2023, 10, 5), "clerk")
    with transaction(ledger) as conn:
        assert actions.lift_suspension(conn, WORKFLOW, "H1", date(2023, 10, 6), "boss") == "demanded"


def test_scheduler_catches_up_every_missed_date_in_order(ledger):
    ran = []
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    done = catch_up(ledger, lambda on: (ran.append(on), run_date(ledger, WORKFLOW, on)), lambda: date(2023, 9, 27))
    assert done == ran == [date(2023, 9, 21) + timedelta(days=i) for i in range(7)]
    with ledger.connect() as conn:
        dates = set(conn.execute(select(batch_runs.c.business_date)).scalars())
    assert {date(2023, 9, 21), date(2023, 9, 22), date(2023, 9, 25), date(2023, 9, 27)} <= dates
    assert catch_up(ledger, lambda on: ran.append(on), lambda: date(2023, 9, 27)) == []


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
    # demanded 2023-09-20 with deadline 09-30: renewed for two years from 10-01 (国保法110条, 民法147条)
    assert first["demand_issued_on"] == "2023-09-20" and first["limitation_date"] == "2025-09-30"
    assert shown["history"][0]["trigger"] == "issue_demand"
