"""A reduction's surplus: 戻出 from the revenue that received it, else 過年度還付 (domain/refunds.py)."""

from datetime import date

from nhi_collect.domain.collection_rate import ReceiptRow, arrears_rate, AssessmentRow
from nhi_collect.domain.refunds import surplus_returns


def test_a_surplus_inside_the_years_accounts_is_negative_collection():
    # FY2023 installment, surplus 3,000 on 2024-05-10 (FY2023's closing period): all of it 戻出
    paid = [(7, date(2023, 6, 30), 10_000, False)]
    assert surplus_returns([(1, 7, date(2024, 5, 10), 2023, 7_000, 3_000)], paid) == [
        (1, 7, -3_000, 2023, "2024-05-10", False)]


def test_after_the_close_only_what_this_years_accounts_received_is_repaid_from_them():
    # FY2022 installment: 6,000 received on 2023-03-31 (FY2022's accounts), 4,000 on 2023-09-01 (FY2023's).
    # A surplus of 5,000 on 2023-10-01: 4,000 repays FY2023's receipt (戻出), 1,000 FY2022's (過年度還付).
    # A second surplus of 1,000 on 2023-11-01 finds FY2023's receipt already repaid: all 過年度還付.
    steps = [(1, 7, date(2023, 10, 1), 2022, 5_000, 5_000), (2, 7, date(2023, 11, 1), 2022, 4_000, 1_000)]
    paid = [(7, date(2023, 3, 31), 6_000, False), (7, date(2023, 9, 1), 4_000, False)]
    assert surplus_returns(steps, paid) == [(1, 7, -4_000, 2022, "2023-10-01", False),
                                            (1, 7, -1_000, 2022, "2023-10-01", True),
                                            (2, 7, -1_000, 2022, "2023-11-01", True)]


def test_a_surplus_is_returned_when_its_money_arrives():
    # FY2023 installment reduced on 2024-05-10 to 7,000, its 10,000 received on 2024-07-01 (recorded first): the
    # 3,000 surplus exists from 7/1 (nothing was paid by 5/10), in FY2024's accounts with the money it repays (戻出)
    paid = [(7, date(2024, 7, 1), 10_000, False)]
    assert surplus_returns([(1, 7, date(2024, 5, 10), 2023, 7_000, 3_000)], paid) == [
        (1, 7, -3_000, 2023, "2024-07-01", False)]
    # 8,000 paid on 2024-05-01 and 2,000 on 2024-07-01: 1,000 returns on 5/10 (FY2023's closing period), 2,000 on 7/1
    assert surplus_returns([(1, 7, date(2024, 5, 10), 2023, 7_000, 3_000)],
                           [(7, date(2024, 5, 1), 8_000, False), (7, date(2024, 7, 1), 2_000, False)]) == [
        (1, 7, -1_000, 2023, "2024-05-10", False), (1, 7, -2_000, 2023, "2024-07-01", False)]


def test_a_prior_year_refund_is_no_arrears_collection():
    # carried into FY2023: 10,000 (H) + 0 (P, paid in FY2022); collected 4,000; P's 1,000 is a 過年度還付
    rows = [AssessmentRow("H", 2022, 1, 10_000), AssessmentRow("P", 2022, 1, 10_000)]
    receipts = [ReceiptRow("P", 2022, 1, date(2023, 3, 31), 10_000), ReceiptRow("H", 2022, 1, date(2023, 9, 1), 4_000),
                ReceiptRow("P", 2022, 1, date(2023, 7, 10), -1_000, prior_year_refund=True)]
    a = arrears_rate(2023, date(2024, 5, 31), rows, [], receipts, [])
    assert (a.carried_over, a.collected, a.prior_year_refunds, a.rate) == (10_000, 4_000, 1_000, "40.00")


def test_a_surplus_on_the_closing_day_is_returned_from_the_years_revenue_and_the_day_after_from_expenditure():
    # FY2023 installment, 10,000 paid on 2023-06-30 (FY2023's accounts). FY2023 closes on 2024-05-31 (出納整理期間,
    # 地方自治法235条の5): a surplus of 3,000 returned that day is 戻出 (negative FY2023 collection); on 2024-06-01
    # FY2023's accounts are closed and FY2024's received nothing on it, so it is a 過年度還付 (施行令165条の7).
    paid = [(7, date(2023, 6, 30), 10_000, False)]
    assert surplus_returns([(1, 7, date(2024, 5, 31), 2023, 7_000, 3_000)], paid) == [
        (1, 7, -3_000, 2023, "2024-05-31", False)]
    assert surplus_returns([(1, 7, date(2024, 6, 1), 2023, 7_000, 3_000)], paid) == [
        (1, 7, -3_000, 2023, "2024-06-01", True)]
