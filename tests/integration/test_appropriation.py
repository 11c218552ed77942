"""充当・還付 (domain.md §9; issue 14, defect 2): credit is appropriated to the installments due before any letter of
the date is chosen, with an appropriation notice; credit nothing owed can take is noticed for refund, once.

The law (services/credit.py): 地方自治法231条の3④ → 地方税法17条 (refund), 17条の2 (appropriation in its place, ⑤ its
notice), 施行令6条の14 (it takes effect at the later of the credit arising and the installment's 納期限). Figures on
paper in the comments; each ledger's households pay installment 1 twice, naming it (the second payment is credit).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import assessments, demand_notices, households, letter_items, letters
from nhi_collect.domain.collection_rate import AssessmentRow, ReceiptRow, arrears_rate, current_year_rate
from nhi_collect.services.business_date import run_date
from nhi_collect.services.households import show_household
from nhi_collect.services.rates import collection_rates
from nhi_collect.workflow.definition import load as load_workflow
from tests.support.dated import HEAD, person
from tests.support.ledger import run, write

WORKFLOW = load_workflow()
PAYMENTS = "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"

# FY2023 installments of 10,000 due 6/30 (Fri), 7/31 (Mon), 8/31 (Thu), all office days (legal = nominal due date).
# H1 pays installment 1 on 6/30 and again, naming it, 10,000 at the counter on 7/3: credit 10,000.
# H2 likewise, but its second payment is 5,000: credit 5,000.
LEDGER = {
    "households": HEAD + person("H1") + person("H2"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n" + "".join(
        f"{h},2023,{n},{due},10000\n" for h in ("H1", "H2")
        for n, due in ((1, "2023-06-30"), (2, "2023-07-31"), (3, "2023-08-31"))),
    "payments": PAYMENTS + "P1,H1,2023,1,2023-06-30,10000,bank_transfer\nP2,H1,2023,1,2023-07-03,10000,counter\n"
                           "P3,H2,2023,1,2023-06-30,10000,bank_transfer\nP4,H2,2023,1,2023-07-03,5000,counter\n",
}


def load(engine, tmp_path, ledger: dict) -> None:
    for kind, body in ledger.items():
        run(engine, kind.rstrip("0123456789"), write(tmp_path, f"{kind}.csv", body))


def run_dates(engine, start: date, end: date) -> None:
    on = start
    while on <= end:
        run_date(engine, WORKFLOW, on)
        on += timedelta(days=1)


def letters_of(engine, hno: str, letter_type: str) -> list:
    with engine.connect() as conn:
        return conn.execute(select(letters.c.id, letters.c.issued_on).join(households)
                            .where(households.c.household_no == hno, letters.c.letter_type == letter_type)
                            .order_by(letters.c.issued_on)).all()


def demanded(engine, hno: str) -> dict[int, int]:
    """Installment number → the unpaid amount its demand notice printed."""
    with engine.connect() as conn:
        return dict(conn.execute(
            select(assessments.c.installment, letter_items.c.unpaid)
            .join(demand_notices, demand_notices.c.assessment_id == assessments.c.id)
            .join(letter_items, (letter_items.c.letter_id == demand_notices.c.letter_id)
                  & (letter_items.c.assessment_id == assessments.c.id))
            .join(households, households.c.id == assessments.c.household_id)
            .where(households.c.household_no == hno)).all())


@pytest.fixture
def paid_twice(engine, tmp_path):
    load(engine, tmp_path, LEDGER)
    run_dates(engine, date(2023, 7, 3), date(2023, 8, 31))
    return engine


def test_credit_covering_the_installment_stops_its_demand(paid_twice):
    # H1: 7/3–7/28 the credit of 10,000 waits (installments 2 and 3 are not yet due: 施行令6条の14 makes 7/31 the
    # earliest moment it can take effect on installment 2); on 7/31, the due date, before the demand notices, it
    # pays installment 2 in full: unpaid 0, so no demand notice for it (the old code demanded 10,000 on 8/18
    # or so). One appropriation notice, dated 7/31. Installment 3 (due 8/31) has had no demand yet either.
    assert demanded(paid_twice, "H1") == {}
    assert [on for _id, on in letters_of(paid_twice, "H1", "appropriation_notice")] == [date(2023, 7, 31)]
    assert letters_of(paid_twice, "H1", "demand_notice") == []
    with paid_twice.connect() as conn:
        shown = show_household(conn, "H1", date(2023, 8, 31))
    assert shown["balance"]["credit"] == 0
    assert shown["appropriations"] == [{"on": "2023-07-31", "amount": 10_000, "installments": [[2023, 2, 10_000]]}]
    assert [(i["installment"], i["paid"], i["unpaid"]) for i in shown["installments"]] == [(1, 10_000, 0),
                                                                                              (2, 10_000, 0),
                                                                                              (3, 0, 10_000)]
    assert shown["stage"] == "clear"


def test_credit_covering_half_leaves_the_rest_demanded(paid_twice):
    # H2: credit 5,000 pays half of installment 2 on 7/31; its demand notice prints 10,000 − 5,000 = 5,000
    # (the old code: 10,000, and the 5,000 sat as credit).
    assert demanded(paid_twice, "H2") == {2: 5_000}
    assert len(letters_of(paid_twice, "H2", "appropriation_notice")) == 1
    with paid_twice.connect() as conn:
        assert show_household(conn, "H2", date(2023, 8, 31))["balance"]["credit"] == 0


def test_no_refund_notice_while_an_assessed_installment_can_take_the_credit(paid_twice):
    # 17条の2①: credit is kept for the premium owed (installments 2 and 3: 20,000 ≥ 10,000), never refunded.
    assert letters_of(paid_twice, "H1", "refund_notice") == []


def test_rerunning_the_date_or_the_job_appropriates_nothing_more(paid_twice):
    from nhi_collect.services import credit  # not on the old code: imported here so the other tests fail there plainly
    run_date(paid_twice, WORKFLOW, date(2023, 7, 31), allow_backward=True)
    with transaction(paid_twice) as conn:
        assert credit.appropriate_credit(conn, WORKFLOW, date(2023, 7, 31), None) == (0, 0)
        assert credit.notice_refunds(conn, WORKFLOW, date(2023, 7, 31), None) == 0
    assert len(letters_of(paid_twice, "H1", "appropriation_notice")) == 1


# H3: a single installment (FY2023 1, 10,000 due 6/30) paid twice: 10,000 of credit with nothing owed to take it.
# H4: FY2022 installment 10 (8,000, due 2023-03-31) unpaid, then FY2023 installment 1 paid twice: on 7/3 the credit
#   of 10,000 pays the oldest debt first, 8,000 (17条の2①, the oldest first as an undesignated payment), and the
#   2,000 left, which nothing owes, is noticed for refund the same day.
REFUND = {
    "households": HEAD + person("H3") + person("H4"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n"
                   "H3,2023,1,2023-06-30,10000\nH4,2022,10,2023-03-31,8000\nH4,2023,1,2023-06-30,10000\n",
    "payments": PAYMENTS + "P1,H3,2023,1,2023-06-30,10000,bank_transfer\nP2,H3,2023,1,2023-07-03,10000,counter\n"
                           "P3,H4,2023,1,2023-06-30,10000,bank_transfer\nP4,H4,2023,1,2023-07-03,10000,counter\n",
}


@pytest.fixture
def overpaid(engine, tmp_path):
    load(engine, tmp_path, REFUND)
    run_dates(engine, date(2023, 7, 3), date(2023, 7, 7))
    return engine


def test_credit_nothing_owes_is_noticed_for_refund_once(overpaid):
    # H3: 10,000 refundable on 7/3 (nothing assessed is unpaid): one refund notice of 10,000, not one a day.
    assert [on for _id, on in letters_of(overpaid, "H3", "refund_notice")] == [date(2023, 7, 3)]
    with overpaid.connect() as conn:
        shown = show_household(conn, "H3", date(2023, 7, 7))
    assert shown["refund_notices"] == [{"on": "2023-07-03", "amount": 10_000, "refundable": 10_000}]
    assert shown["appropriations"] == [] and shown["balance"]["credit"] == 10_000


def test_a_new_overpayment_after_the_refund_gets_its_own_notice(overpaid, tmp_path):
    # R1 refunds the 10,000 (7/10); P5 overpays again 3,000 on 7/12 (naming installment 1, already paid). The first
    # notice then covers 10,000 − 10,000 refunded = 0, so 7/12's run notices the 3,000: a second notice of 3,000.
    run(overpaid, "payments", write(tmp_path, "r.csv", PAYMENTS + "R1,H3,2023,1,2023-07-10,-10000,refund\n"))
    run_dates(overpaid, date(2023, 7, 10), date(2023, 7, 11))
    run(overpaid, "payments", write(tmp_path, "p5.csv", PAYMENTS + "P5,H3,2023,1,2023-07-12,3000,counter\n"))
    run_dates(overpaid, date(2023, 7, 12), date(2023, 7, 14))
    with overpaid.connect() as conn:
        shown = show_household(conn, "H3", date(2023, 7, 14))
    assert [(n["on"], n["amount"]) for n in shown["refund_notices"]] == [("2023-07-03", 10_000), ("2023-07-12", 3_000)]


def test_the_oldest_debt_first_and_the_rest_noticed_for_refund(overpaid):
    with overpaid.connect() as conn:
        shown = show_household(conn, "H4", date(2023, 7, 7))
    assert shown["appropriations"] == [{"on": "2023-07-03", "amount": 8_000, "installments": [[2022, 10, 8_000]]}]
    assert shown["refund_notices"] == [{"on": "2023-07-03", "amount": 2_000, "refundable": 2_000}]
    assert shown["balance"] == {"current_year": 0, "arrears": 0, "credit": 2_000}


def test_appropriated_credit_counts_as_collected_on_its_day(overpaid):
    # 収納率 (domain.md §5): credit is no collection until it is applied; appropriated, it is collected on that
    # installment on the appropriation's day, once (the overpayment itself never counted: it paid nothing).
    # FY2023 (as of 2023-07-31): carried in from FY2022 = H4's 8,000 unpaid on 2023-05-31; collected from June 1:
    #   the 8,000 appropriated on 7/3 → 8,000 / 8,000 = 100.00 (old code: 0 / 8,000 = 0.00, the debt demanded).
    # Current year: assessed 20,000 (H3, H4 installment 1), collected P1 + P3 = 20,000 → 100.00 (the credit's
    #   second payments are not collected again).
    with overpaid.connect() as conn:
        rates = collection_rates(conn, 2023, date(2023, 7, 31))
        before = collection_rates(conn, 2022, date(2023, 5, 31))
    assert (rates.arrears.carried_over, rates.arrears.collected, rates.arrears.rate) == (8_000, 8_000, "100.00")
    assert (rates.current_year.collected, rates.current_year.rate) == (20_000, "100.00")
    # FY2022's closing period ended 5/31: its 8,000 stayed unpaid there (current-year 0 / 8,000).
    assert (before.current_year.collected, before.current_year.rate) == (0, "0.00")
    # the pure definitions (domain/collection_rate.py) over the same ledger written by hand agree: the appropriation
    # is a receipt of FY2022 installment 10 on 7/3; the second payments are receipts of nothing
    assessed = [AssessmentRow("H3", 2023, 1, 10_000), AssessmentRow("H4", 2022, 10, 8_000),
                AssessmentRow("H4", 2023, 1, 10_000)]
    receipts = [ReceiptRow("H3", 2023, 1, date(2023, 6, 30), 10_000), ReceiptRow("H4", 2023, 1, date(2023, 6, 30), 10_000),
                ReceiptRow("H4", 2022, 10, date(2023, 7, 3), 8_000)]
    assert rates.arrears == arrears_rate(2023, date(2023, 7, 31), assessed, [], receipts, [])
    assert rates.current_year == current_year_rate(2023, date(2023, 7, 31), assessed, [], receipts, set())


# H5: FY2023 installment 1 of 200,000 due 6/30, unpaid; installment 2 of 10,000 due 7/31. On 8/31 a payment of
# 212,000 names installment 2: 10,000 pays it (its late fee, 10,000 × 2.4 % × 31/365 = 20 yen, is under 1,000: none)
# and 202,000 is credit from 8/31. The 8/31 run appropriates 200,000 to installment 1 (17条の2①, effective 8/31 by
# 施行令6条の14: the later of the credit arising and the due date) and books its final late fee to that day
# (地方税法17条の2④ stops it there): 7/01–7/31, the lower band (民法143条), 200,000 × 2.4 % × 31/365 = 407;
# 8/01–8/31, 200,000 × 8.7 % × 31/365 = 1,477; 1,884 → 1,800 (20条の4の2⑤). The 2,000 left is kept for that
# 1,800 (17条の2③: the premium, then its late fee) and the 200 beyond it is noticed for refund; the 9/01 run
# appropriates 1,800 to the late fee. The household is then clear, holding 200 of credit.
LATE = {
    "households": HEAD + person("H5"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n"
                   "H5,2023,1,2023-06-30,200000\nH5,2023,2,2023-07-31,10000\n",
}


def test_credit_pays_a_late_premium_then_the_late_fee_it_books(engine, tmp_path):
    load(engine, tmp_path, LATE)
    run_dates(engine, date(2023, 7, 3), date(2023, 8, 30))
    run(engine, "payments", write(tmp_path, "late.csv", PAYMENTS + "P1,H5,2023,2,2023-08-31,212000,counter\n"))
    run_dates(engine, date(2023, 8, 31), date(2023, 9, 1))
    with engine.connect() as conn:
        shown = show_household(conn, "H5", date(2023, 9, 1))
    first = shown["installments"][0]
    assert (first["paid"], first["unpaid"]) == (200_000, 0)
    assert first["late_fee"]["booked"] == 1_800 and first["late_fee"]["paid"] == 1_800
    assert [(a["on"], a["amount"]) for a in shown["appropriations"]] == [("2023-08-31", 200_000), ("2023-09-01", 1_800)]
    assert [(n["on"], n["amount"]) for n in shown["refund_notices"]] == [("2023-08-31", 200)]
    assert shown["balance"]["credit"] == 200 and shown["late_fee_owed"] == 0
    assert shown["stage"] == "clear"
