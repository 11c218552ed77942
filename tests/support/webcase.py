"""The web test ward of tests/webapp.py, with what the search and the case file need: phones, a household
outside tanaka's districts whose reading is in hiragana, payments, letters of a business date, a contact
with a promise, a plan and a returned letter (an action the audit log alone records)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from nhi_collect.adapters.db import make_engine, transaction
from nhi_collect.adapters.tables import letters
from nhi_collect.services import actions
from nhi_collect.services.business_date import run_date
from nhi_collect.services.work import return_letter
from nhi_collect.workflow.definition import load
from tests.support.ledger import run, write
from tests.support.webapp import seed_ward

DEMANDED = date(2023, 7, 20)  # a business date whose run issues the demand notices of June's installments
PAID, CONTACTED, PLANNED = date(2023, 8, 10), date(2023, 9, 1), date(2023, 9, 5)
HOUSEHOLDS = """household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district,phone
H1,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾,06-6551-0001
H3,齋藤　京子,さいとう　きょうこ,1965-05-06,551-0023,大阪市大正区鶴町3丁目5-7,鶴町,06-6553-1234
"""
ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H3,2022,1,2022-07-31,80000
H3,2023,1,2023-06-30,8000
"""
PAYMENTS = """payment_id,household_no,fiscal_year,installment,paid_on,amount,channel
P1,H1,2023,1,2023-08-10,4000,counter
"""


def seed_case(url: str, folder) -> str:
    seed_ward(url, folder)
    engine = make_engine(url)
    run(engine, "households", write(folder, "h2.csv", HOUSEHOLDS))  # H1 gains a phone: its keys follow
    run(engine, "assessments", write(folder, "a2.csv", ASSESSMENTS))
    run_date(engine, load(), DEMANDED)
    run(engine, "payments", write(folder, "p.csv", PAYMENTS))
    workflow = load()
    with transaction(engine) as conn:
        actions.record_contact(conn, workflow, "H1", CONTACTED, "phone", "本人と通話、分納を希望",
                               "9月末までに5,000円", "tanaka")
        actions.agree_plan(conn, workflow, "H1", PLANNED, [(date(2023, 10, 31), 8000), (date(2023, 11, 30), 8000)],
                           "tanaka")
        serial = conn.execute(select(letters.c.serial).where(letters.c.letter_type == "demand_notice")
                              .order_by(letters.c.id.desc())).scalars().first()
        return_letter(conn, workflow, serial, "宛所不明", date(2023, 8, 1), "tanaka")
    engine.dispose()
    return url
