"""収納率 arithmetic on a ledger small enough to check on paper (domain.md §5)."""

from datetime import date

from nhi_collect.domain.collection_rate import (AdjustmentRow, AssessmentRow, ReceiptRow, WriteOffRow,
                                                accounting_year, arrears_rate, current_year_rate, rate_percent)

N = 2023
ASSESSMENTS = [
    AssessmentRow("A", 2023, 1, 100_000),
    AssessmentRow("B", 2023, 1, 50_000),
    AssessmentRow("U", 2023, 1, 30_000),   # whereabouts unknown
    AssessmentRow("A", 2022, 1, 40_000),
    AssessmentRow("B", 2021, 1, 20_000),
]
ADJUSTMENTS = [AdjustmentRow("B", 2023, 1, date(2023, 8, 1), -10_000)]  # 減免
RECEIPTS = [
    ReceiptRow("A", 2023, 1, date(2023, 7, 1), 100_000),
    ReceiptRow("A", 2023, 1, date(2023, 7, 2), -5_000),   # refund
    ReceiptRow("B", 2023, 1, date(2024, 5, 20), 20_000),  # closing period: still FY 2023
    ReceiptRow("B", 2023, 1, date(2024, 6, 1), 20_000),   # after the closing period: not counted
    ReceiptRow("A", 2022, 1, date(2023, 5, 10), 10_000),  # FY 2022's closing period: lowers carry-over
    ReceiptRow("A", 2022, 1, date(2023, 9, 1), 9_000),
]
WRITE_OFFS = [WriteOffRow("B", 2021, 1, date(2023, 11, 1), 20_000)]


def test_current_year_on_paper():
    # assessed 100,000 + 50,000 − 10,000 + 30,000 = 170,000; excluded U 30,000 → denominator 140,000
    # collected 100,000 − 5,000 + 20,000 = 115,000 → 82.142857… → 82.14
    r = current_year_rate(N, date(2024, 5, 31), ASSESSMENTS, ADJUSTMENTS, RECEIPTS, {"U"})
    assert (r.assessed, r.whereabouts_unknown, r.collected, r.rate) == (170_000, 30_000, 115_000, "82.14")


def test_current_year_as_of_a_month_end():
    r = current_year_rate(N, date(2023, 7, 31), ASSESSMENTS, ADJUSTMENTS, RECEIPTS, {"U"})
    # the reduction of 8/1 is not yet made: 180,000 − 30,000 = 150,000; collected 95,000 → 63.33
    assert (r.assessed, r.collected, r.rate) == (180_000, 95_000, "63.33")


def test_arrears_on_paper():
    # carried at 2023-05-31: 40,000 − 10,000 + 20,000 = 50,000; collected 9,000 → 18.00
    # the 20,000 write-off in November stays in the denominator
    r = arrears_rate(N, date(2024, 5, 31), ASSESSMENTS, ADJUSTMENTS, RECEIPTS, WRITE_OFFS)
    assert (r.carried_over, r.collected, r.written_off, r.rate) == (50_000, 9_000, 20_000, "18.00")


def test_accounting_year_closing_period():
    assert accounting_year(date(2024, 5, 31), 2023) == 2023
    assert accounting_year(date(2024, 5, 31), 2024) == 2024
    assert accounting_year(date(2024, 6, 1), 2023) == 2024


def test_rate_rounds_half_up_and_none_without_denominator():
    assert rate_percent(1, 8) == "12.50"
    assert rate_percent(2_213, 100_000) == "2.21"
    assert rate_percent(9_213_5, 100_000_0) == "9.21"
    assert rate_percent(1_234_5, 100_000) == "12.35"  # 12.345 → 12.35 (half-up, not banker's)
    assert rate_percent(5, 0) is None
