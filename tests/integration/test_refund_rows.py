"""A refund row returns the credit it names, never the money of a paid installment (domain.md §9 充当・還付;
issue 14, defect 2). Figures on paper in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from nhi_collect.adapters.tables import demand_notices
from nhi_collect.errors import ImportRejected
from nhi_collect.services.business_date import run_date
from nhi_collect.services.households import show_household
from nhi_collect.services.rates import collection_rates
from nhi_collect.workflow.definition import load as load_workflow
from tests.support.ledger import run, write
from tests.support.dated import HEAD, person

# H8 FY2023 installment 1: 10,000 due 2023-06-30, paid twice: P1 by transfer on the due date, P2 at the counter
# on 2023-07-03 naming the same installment, whose 10,000 is then credit (過誤納金). R8 refunds it on 2023-07-10,
# naming the installment the overpayment arose on.
LEDGER = {
    "households": HEAD + person("H8"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\nH8,2023,1,2023-06-30,10000\n",
    "payments": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                "P1,H8,2023,1,2023-06-30,10000,bank_transfer\nP2,H8,2023,1,2023-07-03,10000,counter\n",
    "refunds": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
               "R8,H8,2023,1,2023-07-10,-10000,refund\n",
}


@pytest.fixture
def refunded(engine, tmp_path):
    for name, body in LEDGER.items():
        run(engine, "payments" if name == "refunds" else name, write(tmp_path, f"{name}.csv", body))
    return engine


def test_a_refund_naming_an_installment_returns_the_credit(refunded):
    # After R8: the installment stays paid (10,000 of 10,000, unpaid 0) and the credit is 20,000 − 10,000 − 10,000
    # = 0. (Old code: R8 took 10,000 back from the installment, reopening it: unpaid 10,000, credit 10,000.)
    with refunded.connect() as conn:
        h = show_household(conn, "H8", date(2023, 7, 31))
        rate = collection_rates(conn, 2023, date(2023, 7, 31)).current_year
    assert [(i["paid"], i["unpaid"]) for i in h["installments"]] == [(10_000, 0)]
    assert h["balance"]["credit"] == 0
    # FY2023 on 2023-07-31: collected 10,000 (P1; P2 went to credit and its refund takes nothing from the year)
    # of 10,000 assessed → 100.00 (old: 0.00)
    assert (rate.collected, rate.rate) == (10_000, "100.00")


def test_the_paid_installment_is_not_demanded_after_the_refund(refunded):
    workflow = load_workflow()
    for day in range(11, 32):
        run_date(refunded, workflow, date(2023, 7, day))
    with refunded.connect() as conn:
        assert conn.execute(select(func.count()).select_from(demand_notices)).scalar_one() == 0
        assert show_household(conn, "H8", date(2023, 7, 31))["stage"] == "clear"


def test_a_refund_beyond_the_credit_is_refused_even_naming_an_installment(refunded, tmp_path):
    # the credit is 0 after R8: a further refund naming the paid installment would take its money back
    with pytest.raises(ImportRejected) as refused:
        run(refunded, "payments", write(tmp_path, "more.csv", "payment_id,household_no,fiscal_year,installment,paid_on,"
                                                              "amount,channel\nR9,H8,2023,1,2023-07-20,-1000,refund\n"))
    assert "exceeds the household's credit of 0 yen" in str(refused.value)


def test_a_prior_year_refund_is_kept_out_of_the_arrears_collection_and_shown_apart(engine, tmp_path):
    # H9 FY2022 installment 10: 10,000 paid on 2023-03-31, paid again on 2023-07-01 naming it (credit 10,000),
    # refunded on 2023-08-01 naming it, after FY2022's closing period. FY2023 as of 2024-05-31: carried 0,
    # collected 0 (old code: −10,000, the refund taken back from the paid installment); the 10,000 paid out
    # shows on its own line.
    from nhi_collect.services.report import monthly, monthly_text
    for kind, body in (("households", HEAD + person("H9")),
                       ("assessments", "household_no,fiscal_year,installment,due_date,amount\n"
                                       "H9,2022,10,2023-03-31,10000\n"),
                       ("payments", "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                                    "P1,H9,2022,10,2023-03-31,10000,bank_transfer\nP2,H9,2022,10,2023-07-01,10000,"
                                    "counter\nR9,H9,2022,10,2023-08-01,-10000,refund\n")):
        run(engine, kind, write(tmp_path, f"{kind}.csv", body))
    with engine.connect() as conn:
        data = monthly(conn, 2023, date(2024, 5, 31), full=False)
    assert data["arrears"] == {"carried_over": 0, "collected": 0, "written_off": 0, "rate": None,
                               "prior_year_refunds": 0, "prior_year_refunds_paid": 10_000}
    assert "還付金 (refunds naming prior-year installments) 10,000 yen" in monthly_text(data)
