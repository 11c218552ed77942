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
