"""The late-fee ledger (domain.md §3, §9): the final late fee (確定延滞金) booked from the whole payment history
when the principal is paid, and money applied principal first, then late fee (地方自治法231条の3②,
地方税法20条の4の2).

Hand computation used below (2023 rates: lower 2.4 %, higher 8.7 %; 1-month band, 民法143条): installment 1 is
100,000 yen due 2023-06-30, so the lower band runs 7/1–7/31 and the higher from 8/1. Paid 40,000 on 7/31 and the
remaining 60,000 on 10/31:
  7/1–7/31   base 100,000 × 2.4 % × 31 / 365 = 203.83 →   203
  8/1–10/31  base  60,000 × 8.7 % × 92 / 365 = 1,315.72 → 1,315   (the base falls the day after 7/31, 20条の4の2②)
  total 1,518 → 1,500 (truncated to 100 yen, 20条の4の2⑤).
Ignoring the partial payment (base 100,000 throughout) would give 203 + 2,192 = 2,395 → 2,300.
"""

from datetime import date

from sqlalchemy import select

from nhi_collect.domain.allocation import LATE_FEE, PRINCIPAL
from tests.support.late_fees import applied, installment, owing, pay


def test_the_final_late_fee_is_booked_from_the_payment_history_when_the_principal_is_paid(engine, tmp_path):
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000))
    assert installment(engine, 1).late_fee_booked_on is None  # principal still owed: nothing booked yet
    pay(engine, tmp_path, "p2.csv", ("P2", 2023, 1, "2023-10-31", 60000))
    row = installment(engine, 1)
    assert (row.late_fee_booked, row.late_fee_booked_on, row.late_fee_paid) == (1500, date(2023, 10, 31), 0)


def test_partial_payments_in_the_same_file_count_too_and_a_rerun_books_nothing_twice(engine, tmp_path):
    owing(engine, tmp_path)
    rows = (("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-10-31", 60000))
    pay(engine, tmp_path, "p.csv", *rows)
    pay(engine, tmp_path, "p.csv", *rows)  # the same file again: stored once, booked once
    assert installment(engine, 1).late_fee_booked == 1500
    assert applied(engine) == [(1, 40000, PRINCIPAL), (1, 60000, PRINCIPAL)]


def test_a_payment_on_or_before_the_due_date_books_no_late_fee(engine, tmp_path):
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p.csv", ("P1", 2023, 1, "2023-06-30", 100000))
    row = installment(engine, 1)
    assert (row.late_fee_booked, row.late_fee_booked_on) == (0, None)


def test_a_designated_payment_pays_principal_then_the_late_fee_it_has_just_booked(engine, tmp_path):
    """61,600 on 10/31 after 40,000 on 7/31: 60,000 clears the principal, which books 1,500 (above); 1,500 of the
    remaining 1,600 pays it and 100 yen stays credit (domain.md §9: principal first, then late fee)."""
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000))
    pay(engine, tmp_path, "p2.csv", ("P2", 2023, 1, "2023-10-31", 61600))
    assert applied(engine) == [(1, 40000, PRINCIPAL), (1, 60000, PRINCIPAL), (1, 1500, LATE_FEE)]
    row = installment(engine, 1)
    assert (row.paid, row.late_fee_booked, row.late_fee_paid) == (100000, 1500, 1500)


def test_an_undesignated_payment_pays_every_principal_oldest_first_then_the_late_fees(engine, tmp_path):
    """On 10/31, 71,600 undesignated after 40,000 on installment 1 on 7/31: installment 1's 60,000 (booking 1,500),
    then installment 2's 10,000 (due 7/31: base 10,000, 8/1–8/31 at 2.4 % = 20, 9/1–10/31 61 days at 8.7 % =
    145; 165 < 1,000 → no late fee, 20条の4の2③), then 1,500 of late fee; 100 yen left is credit."""
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000))
    pay(engine, tmp_path, "p2.csv", ("P2", "", "", "2023-10-31", 71600))
    assert applied(engine) == [(1, 40000, PRINCIPAL), (1, 60000, PRINCIPAL), (2, 10000, PRINCIPAL),
                               (1, 1500, LATE_FEE)]
    assert installment(engine, 2).late_fee_booked == 0


def test_a_reduction_that_brings_the_principal_down_to_what_was_paid_books_the_late_fee(engine, tmp_path):
    """40,000 on 7/31 and 59,000 on 10/31, then a reduction of 1,000 on 11/15: the principal is now 99,000, covered
    on 10/31, and its late fee runs on the reduced amount: 7/1–7/31 base 99,000 × 2.4 % × 31 / 365 = 201.78 → 201;
    8/1–10/31 base 59,000 × 8.7 % × 92 / 365 = 1,293.78 → 1,293; 1,494 → 1,400 (地方税法20条の4の2)."""
    from tests.support.ledger import run, write
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p.csv", ("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-10-31", 59000))
    assert installment(engine, 1).late_fee_booked_on is None
    body = ("adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
            "A1,L1,2023,1,2023-11-15,-1000,減免\n")
    run(engine, "adjustments", write(tmp_path, "adj.csv", body))
    row = installment(engine, 1)
    assert (row.late_fee_booked, row.late_fee_booked_on) == (1400, date(2023, 10, 31))
    run(engine, "adjustments", write(tmp_path, "adj.csv", body))  # again: nothing new, nothing booked twice
    assert installment(engine, 1).late_fee_booked == 1400


def test_household_show_gives_each_installments_accrued_booked_and_paid_late_fee(engine, tmp_path):
    """As of 10/31 after 40,000 on 7/31, the rest paid that day would bear 1,500 (above): accrued. Once paid in full
    and 1,500 more paid on 11/6, it is booked and paid (contract.md: late_fee {accrued, booked, paid})."""
    from nhi_collect.services.households import show_household
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000))
    with engine.connect() as conn:
        shown = show_household(conn, "L1", date(2023, 10, 31))
    assert shown["installments"][0]["late_fee"] == {"accrued": 1500, "booked": 0, "paid": 0}
    pay(engine, tmp_path, "p2.csv", ("P2", 2023, 1, "2023-10-31", 60000), ("P3", 2023, 1, "2023-11-06", 1500))
    with engine.connect() as conn:
        before, after = show_household(conn, "L1", date(2023, 11, 5)), show_household(conn, "L1", date(2023, 11, 30))
    assert before["installments"][0]["late_fee"] == {"accrued": 0, "booked": 1500, "paid": 0}
    assert before["late_fee_owed"] == 1500
    assert after["installments"][0]["late_fee"] == {"accrued": 0, "booked": 1500, "paid": 1500}
    assert after["late_fee_owed"] == 0 and after["balance"]["credit"] == 0


def test_a_booking_exempts_the_days_of_a_suspension(engine, tmp_path):
    """Suspended 9/1–9/30 (lifted 10/1), 100,000 paid on 10/31: 203 + 738 + 738 = 1,679 → 1,600 (地方税法15条の9①;
    the same computation as tests/unit/test_late_fee.py), where today's code books 2,300."""
    from nhi_collect.adapters.db import transaction
    from nhi_collect.adapters.tables import suspensions
    owing(engine, tmp_path)
    hid = installment(engine, 1).household_id
    with transaction(engine) as conn:
        conn.execute(suspensions.insert().values(household_id=hid, ground="hardship",
                                                 decided_by="boss", started_on=date(2023, 9, 1),
                                                 lifted_on=date(2023, 10, 1)))
    pay(engine, tmp_path, "p.csv", ("P1", 2023, 1, "2023-10-31", 100000))
    assert installment(engine, 1).late_fee_booked == 1600


def test_a_reduction_of_late_fee_is_a_supervisors_recorded_decision(engine, tmp_path):
    import pytest
    from nhi_collect.adapters.db import transaction
    from nhi_collect.adapters.tables import late_fee_reductions
    from nhi_collect.services.late_fee_reductions import reduce_late_fee
    from nhi_collect.workflow.machine import Refused
    from tests.support.ledger import WORKFLOW
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p.csv", ("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-10-31", 60000))
    with pytest.raises(Refused, match="supervisor"):
        with transaction(engine) as conn:
            reduce_late_fee(conn, WORKFLOW, "L1", 2023, 1, 500, "災害", date(2023, 11, 10), "clerk")
    with pytest.raises(Refused, match="231条の3"):  # more than is owed
        with transaction(engine) as conn:
            reduce_late_fee(conn, WORKFLOW, "L1", 2023, 1, 1600, "災害", date(2023, 11, 10), "boss")
    with transaction(engine) as conn:
        assert reduce_late_fee(conn, WORKFLOW, "L1", 2023, 1, 500, "災害による減免", date(2023, 11, 10), "boss") == 1000
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select_reductions(late_fee_reductions))] == [
            (500, "災害による減免", "boss", date(2023, 11, 10))]
    # the 1,000 left is what a payment of 1,000 pays; the household is then clear of late fee
    pay(engine, tmp_path, "p3.csv", ("P3", 2023, 1, "2023-11-15", 1000))
    row = installment(engine, 1)
    assert (row.late_fee_booked, row.late_fee_reduced, row.late_fee_paid) == (1500, 500, 1000)


def select_reductions(table):
    from sqlalchemy import select
    return select(table.c.amount, table.c.reason, table.c.decided_by, table.c.decided_on)


def test_late_fee_money_leaves_the_rates_unchanged_and_is_reported_beside_them(engine, tmp_path):
    """The same premium paid with and without 1,500 yen of late fee on top: the current-year rate is
    110,000 collected of 110,000 assessed either way (domain.md §5: the rates are premium only); the late fee
    shows on its own line of the report."""
    from nhi_collect.services.report import monthly
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p.csv", ("P0", 2023, 2, "2023-07-31", 10000), ("P1", 2023, 1, "2023-07-31", 40000),
        ("P2", 2023, 1, "2023-10-31", 60000))
    with engine.connect() as conn:
        without = monthly(conn, 2023, date(2023, 11, 30), full=False)
    pay(engine, tmp_path, "p3.csv", ("P3", 2023, 1, "2023-11-06", 1500))
    with engine.connect() as conn:
        with_fee = monthly(conn, 2023, date(2023, 11, 30), full=False)
    assert with_fee["current_year"] == without["current_year"] and with_fee["current_year"]["collected"] == 110000
    assert with_fee["arrears"] == without["arrears"]
    assert without["late_fees"] == {"collected_in_month": 0, "collected_in_year": 0, "booked_in_year": 1500}
    assert with_fee["late_fees"] == {"collected_in_month": 1500, "collected_in_year": 1500, "booked_in_year": 1500}


def test_a_write_off_of_an_installment_owing_only_its_booked_late_fee_writes_the_late_fee_off(engine, tmp_path):
    """40,000 on 7/31 and 60,000 on 10/31 book 1,500 (above), never paid. The late fee is part of the claim
    (国保法110条: 保険料その他の徴収金); the payment of 10/31 acknowledged it (民法152条) and renewed limitation
    from 11/1: two years 2023-11-01–2025-10-31, extinguished from 2025-11-01. On 10/31 the write-off is refused;
    on 11/1 it writes off 0 yen of premium and 1,500 of late fee, and the household, owing nothing else, is closed.
    Today's code never writes off a late fee whose principal is paid (it looks at the principal only)."""
    import pytest
    from nhi_collect.adapters.db import transaction
    from nhi_collect.adapters.tables import write_offs
    from nhi_collect.services import actions
    from nhi_collect.services.households import show_household
    from nhi_collect.workflow.machine import Refused
    from tests.support.ledger import WORKFLOW
    from nhi_collect.services.business_date import run_date
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p0.csv", ("P0", 2023, 2, "2023-07-31", 10000))
    run_date(engine, WORKFLOW, date(2023, 7, 20))  # demanded (its renewal from 8/1 is overtaken by the payments)
    pay(engine, tmp_path, "p.csv", ("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-10-31", 60000))
    with pytest.raises(Refused, match="国保法110条"):
        with transaction(engine) as conn:
            actions.write_off(conn, WORKFLOW, "L1", date(2025, 10, 31), "boss", date(2025, 10, 31))
    with transaction(engine) as conn:
        assert actions.write_off(conn, WORKFLOW, "L1", date(2025, 11, 1), "boss", date(2025, 11, 1)) == "written_off"
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(write_offs.c.amount, write_offs.c.late_fee, write_offs.c.ground,
                                                      write_offs.c.written_off_on))] == [
            (0, 1500, "limitation", date(2025, 11, 1))]
        shown = show_household(conn, "L1", date(2025, 11, 1))
    assert shown["late_fee_owed"] == 0
    assert shown["installments"][0]["late_fee"] == {"accrued": 0, "booked": 1500, "paid": 0}


def test_money_collected_by_a_seizure_books_the_final_late_fee_and_pays_it_from_what_is_left(engine, tmp_path):
    """40,000 paid on 7/31, the rest demanded (7/20) and a deposit of 61,000 seized on 10/2 and collected on 10/31
    (国税徴収法67条): 60,000 clears the principal on 10/31, which books 7/1–7/31 100,000 × 2.4 % × 31/365 = 203 and
    8/1–10/31 60,000 × 8.7 % × 92/365 = 1,315; 1,518 → 1,500 (地方税法20条の4の2); the 1,000 left pays late fee
    (principal first, then late fee, domain.md §9), 500 stays owed. 61,000 is within the ripe debt on 10/2
    (60,000 and its late fee estimate 203 + 60,000 × 8.7 % × 63/365 = 900, 1,103 → 1,100; 国税徴収法48条)."""
    from nhi_collect.adapters.db import transaction
    from nhi_collect.services import actions
    from nhi_collect.services.business_date import run_date
    from tests.support.ledger import WORKFLOW, put
    from tests.support.seizures import approve_drafted
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p0.csv", ("P0", 2023, 2, "2023-07-31", 10000))
    run_date(engine, WORKFLOW, date(2023, 7, 20))  # the demand notice of installment 1 (deadline 7/31)
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000))
    put(engine, "L1", "seizure_notice", date(2023, 9, 1))
    with transaction(engine) as conn:
        approve_drafted(conn, WORKFLOW, "L1", date(2023, 10, 2), "deposit", "大正銀行", 61_000, balance=61_000)
        actions.execute_seizure(conn, WORKFLOW, "L1", date(2023, 10, 2), "clerk")
    with transaction(engine) as conn:
        actions.collect_from_seizure(conn, WORKFLOW, "L1", date(2023, 10, 31), 61_000, "clerk")
    assert applied(engine) == [(2, 10000, PRINCIPAL), (1, 40000, PRINCIPAL), (1, 60000, PRINCIPAL),
                               (1, 1000, LATE_FEE)]
    row = installment(engine, 1)
    assert (row.paid, row.late_fee_booked, row.late_fee_booked_on, row.late_fee_paid) == (
        100000, 1500, date(2023, 10, 31), 1000)
