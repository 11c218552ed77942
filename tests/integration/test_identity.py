"""Who acts (issue 15, defect 3): the operating-system user, registered as staff; --as only where
explicitly allowed, and recorded; staff changes by an administrator, audited; every role read from the
workflow file; auditors read and never act, claim or hold work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import audit_log, installment_plans, queue_items, staff as staff_table
from nhi_collect.services import actions, queue, staff
from nhi_collect.workflow.definition import default_path, load
from nhi_collect.services.business_date import run_date
from nhi_collect.workflow.machine import Refused
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write

WORKFLOW = load()
ON = date(2023, 9, 22)
PLAN = [(date(2023, 10, 31), 30_000)]  # H1's arrears on ON: installments 1–3, 10,000 each


@pytest.fixture
def demanded(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    run_date(engine, WORKFLOW, date(2023, 9, 20))
    register_staff(engine, {"tanaka": "clerk", "boss": "supervisor", "kansa": "auditor"})
    return engine


def cli(engine, *args, login="tanaka", allow_as=False):
    """The command as `login` runs it (getpass reads LOGNAME first), with or without NHI_COLLECT_ALLOW_AS."""
    env = {k: v for k, v in os.environ.items() if k != "NHI_COLLECT_ALLOW_AS"} | {"LOGNAME": login, "USER": login}
    if allow_as:
        env["NHI_COLLECT_ALLOW_AS"] = "1"
    return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", engine.url.render_as_string(hide_password=False),
                           *args], capture_output=True, text=True, env=env)


def plans(engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(installment_plans.c.id)).all())


def test_the_command_line_acts_as_the_login_and_refuses_as_without_the_setting(demanded):
    plan = ("action", "plan", "H1", "--on", "2023-09-22", "--schedule", "2023-10-31:30000")
    refused = cli(demanded, "--as", "boss", *plan)
    assert refused.returncode == 2 and "NHI_COLLECT_ALLOW_AS=1" in refused.stderr and "Traceback" not in refused.stderr
    stranger = cli(demanded, *plan, login="mallory")
    assert stranger.returncode == 2 and "mallory is not active staff" in stranger.stderr
    assert plans(demanded) == 0
    done = cli(demanded, *plan)  # tanaka, a clerk, logged in as himself
    assert done.returncode == 0, done.stderr
    with demanded.connect() as conn:
        assert conn.execute(select(installment_plans.c.agreed_by)).scalar_one() == "tanaka"
        assert conn.execute(select(audit_log).where(audit_log.c.action == "act_as")).all() == []


def test_as_is_honoured_where_allowed_and_each_use_recorded(demanded):
    done = cli(demanded, "--as", "boss", "action", "propose-suspension", "H1", "--on", "2023-09-22", "--ground",
               "hardship", "--facts", "失職", allow_as=True)  # (a suspension itself is decided on a proposal)
    assert done.returncode == 0, done.stderr
    with demanded.connect() as conn:
        used = conn.execute(select(audit_log).where(audit_log.c.action == "act_as")).one()
    assert used.actor == "boss" and json.loads(used.detail)["login"] == "tanaka"
    assert json.loads(used.detail)["command"].endswith("action propose-suspension")


def test_unregistered_people_and_auditors_cannot_act_read_only_commands_need_staff(demanded, tmp_path):
    payments = write(tmp_path, "p.csv", "payment_id,household_no,paid_on,amount,channel\nP1,H1,2023-09-21,100,counter\n")
    for login in ("mallory", "kansa"):
        assert cli(demanded, "import", "payments", payments, login=login).returncode == 2
        assert cli(demanded, "run", "--date", "2023-09-21", login=login).returncode == 2
        with pytest.raises(Refused):
            with transaction(demanded) as conn:
                actions.agree_plan(conn, WORKFLOW, "H1", ON, PLAN, login)
        with pytest.raises(Refused):
            with transaction(demanded) as conn:
                actions.open_investigation(conn, WORKFLOW, "H1", ON, login, [("bank", "大正銀行")])
    shown = cli(demanded, "household", "show", "H1", login="mallory")
    assert shown.returncode == 2 and "not active staff" in shown.stderr and "H1" not in shown.stdout
    assert cli(demanded, "household", "show", "H1", login="kansa").returncode == 0  # auditors read
    assert plans(demanded) == 0


def test_staff_changes_are_an_administrators_and_audited(engine):
    with pytest.raises(Refused, match="no administrator is registered yet"):
        with transaction(engine) as conn:  # on an empty database nobody may register a clerk ...
            staff.add(conn, WORKFLOW, "tanaka", "tanaka", "田中", "clerk")
    with pytest.raises(Refused, match="no administrator"):
        with transaction(engine) as conn:  # ... nor someone else as the first administrator
            staff.add(conn, WORKFLOW, "tanaka", "suzuki", "鈴木", "administrator")
    done = cli(engine, "staff", "add", "kanri", "--name", "管理者", "--role", "administrator", login="kanri")
    assert done.returncode == 0, done.stderr  # the first administrator registers themself, as the login
    assert cli(engine, "staff", "add", "tanaka", "--name", "田中", "--role", "clerk", login="kanri").returncode == 0
    promoted = cli(engine, "staff", "add", "tanaka", "--name", "田中", "--role", "supervisor", login="tanaka")
    assert promoted.returncode == 2 and "manage_staff is the administrator's duty" in promoted.stderr
    demoted = cli(engine, "staff", "add", "kanri", "--name", "管理者", "--role", "clerk", login="kanri")
    assert demoted.returncode == 2 and "last administrator" in demoted.stderr
    with engine.connect() as conn:
        assert conn.execute(select(staff_table.c.role).where(staff_table.c.user_name == "tanaka")).scalar() == "clerk"
        trail = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.entity_key)
                             .where(audit_log.c.entity == "staff").order_by(audit_log.c.id)).all()
    assert [tuple(t) for t in trail] == [("kanri", "staff_add", "kanri"), ("kanri", "staff_add", "tanaka")]


def test_auditors_never_claim_nor_hold_work(demanded):
    with transaction(demanded) as conn:
        hid = actions.household_id(conn, "H1")
        conn.execute(installment_plans.insert().values(household_id=hid, agreed_on=ON, agreed_by="tanaka",
                                                       status="broken", ended_on=ON))
        staff.add(conn, WORKFLOW, "admin", "kansa", "監査", "auditor", ["泉尾"])  # an auditor with a district
        queue.refresh(conn, WORKFLOW, ON)
        item = conn.execute(select(queue_items).where(queue_items.c.kind == "broken_plan")).one()
    assert item.assigned_to is None  # not handed to the auditor although the district is theirs
    with pytest.raises(Refused, match="work_queue is the clerk's duty"):
        with transaction(demanded) as conn:
            queue.claim(conn, WORKFLOW, item.id, "kansa")
    with pytest.raises(Refused, match="kansa does not work the queue"):
        with transaction(demanded) as conn:
            queue.reassign(conn, WORKFLOW, item.id, "kansa", "boss")
    with pytest.raises(Exception, match="no queue item 999"):
        with transaction(demanded) as conn:  # it used to report success
            queue.reassign(conn, WORKFLOW, 999, "tanaka", "boss")


def test_who_may_fire_a_transition_is_read_from_the_workflow_file(demanded, tmp_path):
    text = default_path().read_text("utf-8")
    stricter = text.replace('letters = ["installment_plan"]\nactor = "clerk"', 'letters = ["installment_plan"]\nactor = "supervisor"')
    assert stricter != text
    path = tmp_path / "stricter.toml"
    path.write_text(stricter, "utf-8")
    with pytest.raises(Refused, match="agree_plan is the supervisor's duty"):
        with transaction(demanded) as conn:
            actions.agree_plan(conn, load(str(path)), "H1", ON, PLAN, "tanaka")
    with transaction(demanded) as conn:
        assert actions.agree_plan(conn, load(str(path)), "H1", ON, PLAN, "boss") == "installment_plan"
