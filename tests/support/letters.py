"""A ledger with demand notices issued and one letter of every other type (the letters' fixture)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, literal, select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import (
    assessments,
    demand_notices,
    installment_plans,
    payments,
    plan_schedule,
    seizure_items,
    seizures,
    suspensions,
)
from nhi_collect.services import actions, credit
from nhi_collect.services.business_date import run_date
from nhi_collect.workflow import release
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, WORKFLOW, run, write

ON = date(2023, 9, 20)


@pytest.fixture
def issued(engine, tmp_path):
    """Households with demand notices issued on ON, and one letter of every other type for H1."""
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    run_date(engine, WORKFLOW, ON)
    register_staff(engine, {"c": "clerk"})
    with transaction(engine) as conn:
        hid = actions.household_id(conn, "H1")
        seizure = conn.execute(seizures.insert().values(
            household_id=hid, property_kind="deposit", third_party="大正銀行 泉尾支店", amount=20_000, approved_by="boss",
            approved_on=ON, executed_on=ON).returning(seizures.c.id)).scalar()
        # recorded as covering the installments demanded today (ripeness is the actions' test, not this one's)
        conn.execute(insert(seizure_items).from_select(["seizure_id", "assessment_id"], select(
            literal(seizure), demand_notices.c.assessment_id).join(assessments).where(assessments.c.household_id == hid)))
        plan = conn.execute(installment_plans.insert().values(household_id=hid, agreed_on=ON, agreed_by="c",
                                                              status="kept").returning(installment_plans.c.id)).scalar()
        conn.execute(plan_schedule.insert(), [{"plan_id": plan, "due_on": date(2023, 10, 31), "cumulative": 15_000},
                                              {"plan_id": plan, "due_on": date(2023, 11, 30), "cumulative": 30_000}])
        conn.execute(suspensions.insert().values(household_id=hid, ground="hardship", decided_by="boss", started_on=ON))
        for kind, letter_type in WORKFLOW.letter_types.items():
            if kind not in ("demand_notice", "bank_inquiry") and letter_type.details not in ("release", "appropriation",
                                                                                            "refund"):
                actions._letter(conn, WORKFLOW, kind, hid, ON)
        # H2 (5,000 due 6/30, demanded today) pays 8,000 with no allocation yet: the night's 充当 pays its 5,000 and
        # notices the 3,000 left for refund (services/credit.py)
        conn.execute(payments.insert().values(payment_no="C1", household_id=actions.household_id(conn, "H2"),
                                              paid_on=ON, amount=8_000, channel="counter"))
        credit.appropriate_credit(conn, WORKFLOW, ON, None)
        credit.notice_refunds(conn, WORKFLOW, ON, None)
        release.end(conn, WORKFLOW, select(seizures.c.id), release.WITHDRAWN, ON, None)  # 差押解除通知書 ×2
        actions.open_investigation(conn, WORKFLOW, "H1", ON, "c", [("bank", "大正銀行 泉尾支店")])
    return engine
