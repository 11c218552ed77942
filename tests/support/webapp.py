"""A small ward for the web app's tests (route tests and browser tests): two households with a queue item
each, staff of every role with a password, and the steps of signing in."""

from __future__ import annotations

from datetime import date
import re

from sqlalchemy import select

from nhi_collect.adapters.db import make_engine, transaction, upgrade
from nhi_collect.adapters.queue_items import open_items
from nhi_collect.adapters.tables import households
from nhi_collect.services import queue, staff
from nhi_collect.services.signin import set_password
from nhi_collect.workflow.definition import load
from tests.support.ledger import run, write

ON = date(2023, 9, 20)
PASSWORD = "correct horse battery"
STAFF = {"tanaka": ("田中 一郎", "clerk"), "sato": ("佐藤 花子", "clerk"), "boss": ("鈴木 課長", "supervisor"),
         "kansa": ("監査 次郎", "auditor"), "unyo": ("運用 三郎", "operator")}
HOUSEHOLDS = """household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district
H1,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾
H2,山﨑　花子,ヤマサキ　ハナコ,1980-03-04,551-0002,大阪市大正区三軒家東2丁目2-2,三軒家東
"""
ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H1,2023,1,2023-06-30,10000
H1,2023,2,2023-07-31,10000
H2,2023,1,2023-06-30,30000
"""
WHEREABOUTS = "居所不明: overdue installments cannot be demanded by mail; trace the household"


def seed_ward(url: str, folder) -> str:
    """The ward at `url` (migrated): tanaka works both districts, so both items are in his queue."""
    engine = make_engine(url)
    upgrade(engine)
    run(engine, "households", write(folder, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(folder, "a.csv", ASSESSMENTS))
    workflow = load()
    with transaction(engine) as conn:
        staff.add(conn, workflow, "admin", "admin", "管理者", "administrator")
        for user, (name, role) in STAFF.items():
            staff.add(conn, workflow, "admin", user, name, role, ["泉尾", "三軒家東"] if user == "tanaka" else [])
        for user in ("admin", *STAFF):
            set_password(conn, workflow, "admin", user, PASSWORD)
        open_items(conn, "whereabouts_unknown", ON, WHEREABOUTS, select(households.c.id), 0)
        queue.refresh(conn, workflow, ON)  # what the night's run does: priorities, and items assigned by district
    engine.dispose()
    return url


def seed_casework(url: str) -> str:
    """The ward of seed_ward after the run of ON (2023-09-20): both households' installments demanded that
    day (deadline 09-30, a Saturday, so 10-02); H2 at a seizure notice since 09-01 with a seizure drafted by tanaka and approved by
    boss, lawful from 2023-10-03 (国税徴収法47条1項: ten days after the demand; past its deadline);
    a second supervisor, kacho."""
    from nhi_collect.services.business_date import run_date
    from tests.support.seizures import approve_drafted
    engine = make_engine(url)
    workflow = load()
    run_date(engine, workflow, ON)
    with transaction(engine) as conn:
        staff.add(conn, workflow, "admin", "kacho", "高橋 課長", "supervisor")
        set_password(conn, workflow, "admin", "kacho", PASSWORD)
        conn.execute(households.update().where(households.c.household_no == "H2")
                     .values(stage="seizure_notice", stage_since=date(2023, 9, 1)))
        approve_drafted(conn, workflow, "H2", ON, "deposit", "大正銀行", 30_000, "boss", drafter="tanaka",
                        balance=100_000)
    engine.dispose()
    return url


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, user: str, password: str = PASSWORD, next_: str = "/work"):
    """The sign-in form as a browser sends it (its CSRF cookie and hidden input)."""
    form = client.get("/signin")
    return client.post("/signin", data={"user": user, "password": password, "csrf_token": csrf_of(form.text),
                                        "next": next_}, follow_redirects=False)
