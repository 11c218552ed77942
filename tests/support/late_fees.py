"""A household owing one 100,000-yen installment due 2023-06-30 (and a later 10,000-yen one), for the late-fee
ledger's tests: the hand computations in those tests run from these amounts and dates."""

from __future__ import annotations

from sqlalchemy import select

from nhi_collect.adapters.tables import allocations, assessments, households
from tests.conftest import register_staff
from tests.support.ledger import run, write

HOUSEHOLDS = """household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district,phone,whereabouts_unknown,language
L1,髙橋　太郎,タカハシ　タロウ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾,06-6551-0000,0,ja
"""
ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
L1,2023,1,2023-06-30,100000
L1,2023,2,2023-07-31,10000
"""
PAYMENT_HEADER = "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"


def owing(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    register_staff(engine, {"clerk": "clerk", "boss": "supervisor"})
    return engine


def pay(engine, tmp_path, name, *rows):
    """Import payments: rows of (payment_id, fiscal_year or "", installment or "", paid_on, amount)."""
    body = PAYMENT_HEADER + "".join(f"{pid},L1,{fy},{n},{on},{amount},bank_transfer\n" for pid, fy, n, on, amount in rows)
    return run(engine, "payments", write(tmp_path, name, body))


def installment(engine, n: int):
    with engine.connect() as conn:
        return conn.execute(select(assessments).join(households)
                            .where(households.c.household_no == "L1", assessments.c.installment == n)).one()


def applied(engine) -> list[tuple[int, int, str]]:
    """(installment, yen, part) of every allocation, in order."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(assessments.c.installment, allocations.c.amount, allocations.c.part)
            .join(assessments, assessments.c.id == allocations.c.assessment_id).order_by(allocations.c.id))]


def stage_of(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(households.c.stage).where(households.c.household_no == "L1")).scalar_one()


def letters_of(engine, letter_type: str) -> list[dict]:
    """The contexts of the household's letters of a type, oldest first, as they print."""
    from nhi_collect.adapters.tables import letters
    from nhi_collect.services.letters import letter_contexts
    from nhi_collect.workflow.definition import load
    with engine.connect() as conn:
        ids = conn.execute(select(letters.c.id).join(households).where(
            households.c.household_no == "L1", letters.c.letter_type == letter_type).order_by(letters.c.id)).scalars()
        return letter_contexts(conn, load(), list(ids))
