"""Limitation in the ledger: the debtor's payments renew it, money taken by seizure does not (domain.md §9)."""

from __future__ import annotations

from datetime import date

import pytest

from nhi_collect.adapters.db import transaction
from nhi_collect.services.households import show_household
from tests.support.ledger import HOUSEHOLDS, run, write

FIRST, SECOND = (line.split(",")[0] for line in HOUSEHOLDS.splitlines()[1:3])


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                     f"{FIRST},2021,1,2021-06-30,10000\n{SECOND},2021,1,2021-06-30,10000\n"))
    run(engine, "payments", write(tmp_path, "p.csv", "payment_id,household_no,fiscal_year,installment,paid_on,amount,"
                                  f"channel\nP1,{FIRST},2021,1,2022-10-14,3000,counter\n"
                                  f"P2,{SECOND},2021,1,2022-10-14,3000,seizure\n"))
    return engine


def first_installment(engine, household_no: str, as_of: date) -> dict:
    with transaction(engine) as conn:
        return show_household(conn, household_no, as_of)["installments"][0]


def test_a_partial_payment_renews_limitation(ledger):
    # due 2021-06-30: two years from 2021-07-01 end on 2023-06-30 (国保法110条). The counter payment of
    # 2022-10-14 acknowledges the debt (民法152条: 一部弁済は承認): a new period from 2022-10-15 → 2024-10-14.
    before = first_installment(ledger, FIRST, date(2022, 10, 13))
    assert before["limitation_date"] == "2023-06-30" and before["limitation_events"] == []
    after = first_installment(ledger, FIRST, date(2023, 7, 1))
    assert after["unpaid"] == 7_000 and after["limitation_date"] == "2024-10-14"
    assert after["limitation_events"] == [{"on": "2022-10-14", "kind": "acknowledgement", "effect": "renewal"}]


def test_money_taken_by_seizure_is_no_acknowledgement(ledger):
    # the same amount on the same day, but collected by seizure: the debtor acknowledged nothing
    got = first_installment(ledger, SECOND, date(2023, 7, 1))
    assert got["unpaid"] == 7_000 and got["limitation_date"] == "2023-06-30" and got["limitation_events"] == []
