"""Booked late fees keep the household on the ladder, are demanded on the ladder's letters and by their own
notice (延滞金納付通知書), and letters estimate late fees from the payment history (domain.md §9).

Installment 1 is 100,000 yen due 2023-06-30 (2023 rates 2.4 % / 8.7 %, 1-month band 7/1–7/31, 民法143条).
"""

from datetime import date

from nhi_collect.services.business_date import run_date
from tests.support.late_fees import installment, letters_of, owing, pay, stage_of
from tests.support.ledger import WORKFLOW


def test_a_household_owing_only_its_booked_late_fee_stays_on_the_ladder_and_gets_one_notice(engine, tmp_path):
    """40,000 on 7/31 and 60,000 on 10/31 book 1,500 yen (7/1–7/31 100,000 × 2.4 % × 31/365 = 203; 8/1–10/31
    60,000 × 8.7 % × 92/365 = 1,315; 1,518 → 1,500, 地方税法20条の4の2). The premium is paid, the late fee is not:
    the household is not clear (地方自治法231条の3②: the late fee is owed) and gets one 延滞金納付通知書."""
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p0.csv", ("P0", 2023, 2, "2023-07-31", 10000))  # installment 2 on time
    run_date(engine, WORKFLOW, date(2023, 7, 20))  # the demand notice of installment 1
    assert stage_of(engine) == "demanded"
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-10-31", 60000))
    run_date(engine, WORKFLOW, date(2023, 11, 1))
    assert stage_of(engine) == "demanded"  # today's code: clear, the late fee never demanded
    notices = letters_of(engine, "late_fee_notice")
    assert [(n["letter"]["issued_on"], n["total_booked_late_fee"], n["slip"]["amount"]) for n in notices] == [
        ("2023-11-01", 1500, 1500)]
    assert [(b["installment"], b["amount"]) for b in notices[0]["booked_late_fees"]] == [(1, 1500)]
    run_date(engine, WORKFLOW, date(2023, 11, 2))
    assert len(letters_of(engine, "late_fee_notice")) == 1  # never twice for the same booking
    pay(engine, tmp_path, "p3.csv", ("P3", 2023, 1, "2023-11-06", 1500))
    run_date(engine, WORKFLOW, date(2023, 11, 6))
    assert stage_of(engine) == "clear" and installment(engine, 1).late_fee_paid == 1500


def test_the_ladders_letter_lists_a_booked_late_fee_on_its_own_line(engine, tmp_path):
    """Installment 1 paid late in full (1,500 booked, above) while installment 2 (10,000 due 7/31) is still owed:
    the January reminder lists installment 2's premium and, on its own line, installment 1's booked late fee; no
    stand-alone notice goes while premium is owed (the reminder demands both)."""
    owing(engine, tmp_path)
    run_date(engine, WORKFLOW, date(2023, 7, 20))
    run_date(engine, WORKFLOW, date(2023, 8, 18))  # day 20 of installment 2 is Sunday 8/20: its demand on Friday
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-10-31", 60000))
    run_date(engine, WORKFLOW, date(2024, 1, 5))
    [reminder] = letters_of(engine, "reminder")
    assert [(i["installment"], i["unpaid"]) for i in reminder["items"]] == [(2, 10000)]
    assert [(b["installment"], b["amount"]) for b in reminder["booked_late_fees"]] == [(1, 1500)]
    assert reminder["total_unpaid"] == 10000 and reminder["slip"]["amount"] == 11500
    assert letters_of(engine, "late_fee_notice") == []


def test_a_letters_estimate_follows_the_partial_payments(engine, tmp_path):
    """98,500 paid on installment 1 on 2023-10-07 leaves 1,500 unpaid. The reminder of 2024-01-05 estimates the
    late fee from the history (地方税法20条の4の2②): 7/1–7/31 base 100,000 × 2.4 % × 31/365 = 203; 8/1–10/7 (68
    days, the payment day still on the old base) 100,000 × 8.7 % × 68/365 = 1,620; from 10/8 the base 1,500 is
    under 2,000, nothing (①); 1,823 → 1,800. Estimated on the 1,500 left alone, as today's code does: 0 yen."""
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p0.csv", ("P0", 2023, 2, "2023-07-31", 10000))
    run_date(engine, WORKFLOW, date(2023, 7, 20))
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-10-07", 98500))
    run_date(engine, WORKFLOW, date(2024, 1, 5))
    [reminder] = letters_of(engine, "reminder")
    assert [(i["installment"], i["unpaid"], i["late_fee"]) for i in reminder["items"]] == [(1, 1500, 1800)]


def test_the_late_fee_notice_shows_booked_reduced_paid_and_owed_and_a_pay_by_office_day(engine, tmp_path):
    """40,000 on 7/31, then 60,600 on 11/8: 60,000 clears the principal, booking 7/1–7/31 100,000 × 2.4 % × 31/365
    = 203 and 8/1–11/8 (100 days) 60,000 × 8.7 % × 100/365 = 1,430; 1,633 → 1,600 (地方税法20条の4の2); the 600 left
    pays late fee. A supervisor reduces 300 on 11/9 (延滞金減免), so the notice of 11/9 lists 1,600 booked, 300
    reduced, 600 paid and 700 owed, the slip for 700 yen of late fee. Issue + 14 days is 11/23, 勤労感謝の日: the
    pay-by date is the next office day, Friday 11/24 (地方自治法4条の2④). The notice is no disposition: the late fee
    arises by the ordinance itself (地方自治法231条の3②), as 延滞税 does by law (国税通則法15条3項6号), so no
    appeal notice (教示) is printed."""
    from nhi_collect.adapters.db import transaction
    from nhi_collect.adapters.letters import render_letter
    from nhi_collect.services.late_fee_reductions import reduce_late_fee
    owing(engine, tmp_path)
    pay(engine, tmp_path, "p0.csv", ("P0", 2023, 2, "2023-07-31", 10000))
    pay(engine, tmp_path, "p1.csv", ("P1", 2023, 1, "2023-07-31", 40000), ("P2", 2023, 1, "2023-11-08", 60600))
    with transaction(engine) as conn:
        reduce_late_fee(conn, WORKFLOW, "L1", 2023, 1, 300, "災害による減免", date(2023, 11, 9), "boss")
    run_date(engine, WORKFLOW, date(2023, 11, 9))
    [notice] = letters_of(engine, "late_fee_notice")
    assert [(b["installment"], b["booked"], b["reduced"], b["paid"], b["amount"])
            for b in notice["booked_late_fees"]] == [(1, 1600, 300, 600, 700)]
    assert (notice["pay_by"], notice["slip"]["amount"], notice["slip"]["subject"]) == (
        "2023-11-24", 700, "国民健康保険料延滞金")
    page = render_letter(notice)
    assert all(s in page for s in ("減免額", "1,600円", "300円", "600円", "700円", "令和5年11月24日"))
    assert "教示" not in page
