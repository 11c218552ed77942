"""The report's inputs are dated facts (domain.md §5, §9 "Dated facts for reports"; issue 14, defect 3): each
adjustment on its own day, a reduction after the closing period of a paid prior-year installment a prior-year
refund (過年度還付), whereabouts-unknown a dated period, and a closed year's figures the same whatever is
recorded later. Every figure is computed on paper in the comments."""

from __future__ import annotations

from datetime import date

import pytest

from nhi_collect.services.households import show_household
from nhi_collect.services.rates import collection_rates
from tests.support.ledger import run, write
from tests.support.dated import HEAD, person


def load(engine, tmp_path, name: str, kind: str, body: str, **kw):
    return run(engine, kind, write(tmp_path, f"{name}.csv", body), **kw)


def rates(engine, n: int, as_of: date):
    with engine.connect() as conn:
        return collection_rates(conn, n, as_of)


# --- two adjustments to one installment in one file --------------------------------------------------
# H1 FY2023 installment 1: 10,000, paid in full on 2023-06-30. H2 FY2023 installment 1: 10,000, 5,000 paid on
# 2023-07-31. H3 FY2022 installment 10: 22,000 unpaid. One adjustments file reduces H1's installment twice:
# A1 −3,000 on 2024-05-10 (inside FY2023's closing period, 出納整理期間, 地方自治法235条の5) and A2 −2,000 on
# 2024-06-10 (after it). Each surplus goes back to credit on its own adjustment's day: 3,000 on 5/10, 2,000 on
# 6/10. The 3,000 credit is refunded (R1, 2024-05-20).
TWO_IN_ONE_FILE = {
    "households": HEAD + person("H1") + person("H2") + person("H3"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n"
                   "H1,2023,1,2023-06-30,10000\nH2,2023,1,2023-06-30,10000\nH3,2022,10,2023-03-31,22000\n",
    "payments": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                "P1,H1,2023,1,2023-06-30,10000,bank_transfer\nP2,H2,2023,1,2023-07-31,5000,counter\n",
    "adjustments": "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
                   "A1,H1,2023,1,2024-05-10,-3000,減額\nA2,H1,2023,1,2024-06-10,-2000,減額\n",
    "refunds": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
               "R1,H1,,,2024-05-20,-3000,refund\n",
}


@pytest.fixture
def two_in_one_file(engine, tmp_path):
    for name, body in TWO_IN_ONE_FILE.items():
        load(engine, tmp_path, name, "payments" if name == "refunds" else name, body)
    return engine


def test_each_adjustment_is_dated_on_its_own_day_in_the_current_year_rate(two_in_one_file):
    # FY2023 as of 2024-05-31 (domain.md §5): assessed 10,000 + 10,000 − 3,000 (A1; A2 is after the closing day)
    # = 17,000. Collected: P1 10,000 + P2 5,000 − A1's surplus 3,000 returned to credit on 5/10 = 12,000.
    # 12,000 / 17,000 = 70.588… → 70.59. (Dated at A2's 6/10, the 5,000 returned fell outside the year: 88.24.)
    r = rates(two_in_one_file, 2023, date(2024, 5, 31)).current_year
    assert (r.assessed, r.whereabouts_unknown, r.collected, r.rate) == (17_000, 0, 12_000, "70.59")


def test_each_adjustment_is_dated_on_its_own_day_in_the_arrears_rate(two_in_one_file):
    # FY2024 as of 2024-06-30: carried = balance of years < 2024 on 2024-05-31: H1 (10,000 − 3,000) − (10,000 −
    # 3,000) = 0, H2 5,000, H3 22,000 → 27,000. In June, A2 returns 2,000 of a fully paid FY2023 installment
    # after its closing period: a prior-year refund (過年度還付, domain.md §9), not arrears collection → 0.00.
    # (With both surpluses on 6/10: carried 24,000, collected −5,000 → "−20.83".)
    a = rates(two_in_one_file, 2024, date(2024, 6, 30)).arrears
    assert (a.carried_over, a.collected, a.prior_year_refunds, a.rate) == (27_000, 0, 2_000, "0.00")


def test_the_credit_is_never_negative_on_any_day(two_in_one_file):
    # H1's credit: on 2024-05-31 payments 10,000 − R1 3,000 = 7,000, applied 10,000 − 3,000 (A1) = 7,000 → 0
    # (with A1's surplus dated 6/10: 7,000 − 10,000 = −3,000). On 2024-06-30: applied 10,000 − 5,000 → 2,000.
    with two_in_one_file.connect() as conn:
        assert show_household(conn, "H1", date(2024, 5, 31))["balance"]["credit"] == 0
        assert show_household(conn, "H1", date(2024, 5, 15))["balance"]["credit"] == 3_000
        assert show_household(conn, "H1", date(2024, 6, 30))["balance"]["credit"] == 2_000


def test_the_report_shows_the_prior_year_refund_on_its_own_line(two_in_one_file, tmp_path):
    from nhi_collect.services.report import monthly_text, monthly_with_files
    with two_in_one_file.connect() as conn:
        data, paths = monthly_with_files(conn, 2024, date(2024, 6, 30), None, tmp_path / "reports")
    assert data["arrears"]["prior_year_refunds"] == 2_000 and data["arrears"]["rate"] == "0.00"
    assert "過年度還付 2,000 yen" in monthly_text(data)
    summary = next(p for p in paths if p.name.endswith("-summary.csv")).read_text("utf-8-sig").splitlines()
    assert summary[3].startswith("過年度還付（歳出）,,,2000,") and summary[4].startswith("還付金（過年度分）,,,0,")


def test_a_reduction_dated_before_the_money_it_returns_arrived(engine, tmp_path):
    # H10 FY2023 installment 1: 10,000, paid on 2024-07-01 (after FY2023's close), and that payments file is
    # imported before an adjustments file reducing it by 3,000 on 2024-05-10. The 3,000 surplus exists from
    # 7/1 only: FY2023 as of 2024-05-31 has assessed 7,000, collected 0 → 0.00 (dated 5/10: −3,000, "−42.86");
    # FY2024 as of 2024-07-31: carried 7,000, collected 10,000 − 3,000 (戻出 of FY2024's own receipt) → 100.00;
    # H10's credit on 2024-06-15 is 0 (dated 5/10: a credit of 3,000 before any money arrived).
    for kind, body in (("households", HEAD + person("H10")),
                       ("assessments", "household_no,fiscal_year,installment,due_date,amount\n"
                                       "H10,2023,1,2023-06-30,10000\n"),
                       ("payments", "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                                    "P10,H10,2023,1,2024-07-01,10000,counter\n"),
                       ("adjustments", "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
                                       "A10,H10,2023,1,2024-05-10,-3000,減額\n")):
        load(engine, tmp_path, kind, kind, body)
    r = rates(engine, 2023, date(2024, 5, 31)).current_year
    assert (r.assessed, r.collected, r.rate) == (7_000, 0, "0.00")
    a = rates(engine, 2024, date(2024, 7, 31)).arrears
    assert (a.carried_over, a.collected, a.prior_year_refunds, a.rate) == (7_000, 7_000, 0, "100.00")
    with engine.connect() as conn:
        assert show_household(conn, "H10", date(2024, 6, 15))["balance"]["credit"] == 0
        assert show_household(conn, "H10", date(2024, 7, 31))["balance"]["credit"] == 3_000


# --- a reduction after the closing period of a prior-year installment ---------------------------------
# H4 FY2022 installment 10: 10,000, paid in full on 2023-03-31; reduced by 1,000 on 2023-07-10 (after FY2022's
# closing period): the 1,000 returned was revenue of FY2022's closed accounts, so it is repaid from this year's
# expenditure (過年度還付, domain.md §9 citing 地方自治法施行令165条の7), not negative FY2023 arrears collection.
# H5 FY2022 installment 10: 10,000 unpaid at 2023-05-31; pays 4,000 on 2023-09-01, then is reduced by 7,000 on
# 2023-10-01: due 3,000, paid 4,000 → 1,000 returned, which was received in FY2023's own accounts: repaid
# from that revenue (戻出, 地方自治法施行令159条) and so it does lower FY2023's collection.
PRIOR_YEAR = {
    "households": HEAD + person("H4") + person("H5"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n"
                   "H4,2022,10,2023-03-31,10000\nH5,2022,10,2023-03-31,10000\n",
    "payments": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                "P4,H4,2022,10,2023-03-31,10000,bank_transfer\nP5,H5,2022,10,2023-09-01,4000,counter\n",
    "adjustments": "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
                   "A4,H4,2022,10,2023-07-10,-1000,更正\nA5,H5,2022,10,2023-10-01,-7000,減免\n",
}


def test_a_reduction_after_the_closing_period_is_not_negative_arrears_collection(engine, tmp_path):
    for name, body in PRIOR_YEAR.items():
        load(engine, tmp_path, name, name, body)
    # FY2023 as of 2024-05-31: carried = H4 0 + H5 10,000 = 10,000. Collected: H5 4,000 − its same-year 1,000
    # = 3,000; H4's 1,000 is a prior-year refund, shown apart. 3,000 / 10,000 = 30.00 (old code: 2,000 → 20.00).
    a = rates(engine, 2023, date(2024, 5, 31)).arrears
    assert (a.carried_over, a.collected, a.prior_year_refunds, a.rate) == (10_000, 3_000, 1_000, "30.00")
    with engine.connect() as conn:  # the ledger itself is unchanged: both surpluses are credit
        assert show_household(conn, "H4", date(2024, 5, 31))["balance"]["credit"] == 1_000
        assert show_household(conn, "H5", date(2024, 5, 31))["balance"]["credit"] == 1_000


# --- whereabouts unknown as dated periods ---------------------------------------------------------------
# H6 FY2023: 12,000 paid in full on 2023-06-30. H7 FY2023: 5,000 unpaid. FY2023 closes on 2024-05-31 with
# 12,000 / 17,000 = 70.588… → 70.59. H7 is flagged whereabouts unknown (居所不明) on 2024-07-01, after the close.
WHEREABOUTS = {
    "households": HEAD + person("H6") + person("H7"),
    "assessments": "household_no,fiscal_year,installment,due_date,amount\n"
                   "H6,2023,1,2023-06-30,12000\nH7,2023,1,2023-06-30,5000\n"
                   "H6,2024,1,2024-07-01,12000\nH7,2024,1,2024-07-01,5000\n",
    "payments": "payment_id,household_no,fiscal_year,installment,paid_on,amount,channel\n"
                "P6,H6,2023,1,2023-06-30,12000,bank_transfer\nP7,H6,2024,1,2024-07-01,12000,bank_transfer\n",
}


@pytest.fixture
def flagged_later(engine, tmp_path):
    for name, body in WHEREABOUTS.items():
        load(engine, tmp_path, name, name, body)
    load(engine, tmp_path, "flag", "households", HEAD + person("H6") + person("H7", 1), today=date(2024, 7, 1))
    return engine


def test_a_flag_recorded_after_the_close_leaves_the_closed_year(flagged_later):
    # FY2023's reference day is 2024-05-31, when H7 was not flagged: still 12,000 / 17,000 = 70.59 (old: 100.00,
    # H7's 5,000 taken out of the denominator by a flag set after the year closed).
    r = rates(flagged_later, 2023, date(2024, 5, 31)).current_year
    assert (r.assessed, r.whereabouts_unknown, r.rate) == (17_000, 0, "70.59")
    # FY2024 as of 2024-07-31: H7 is flagged on that day: 12,000 / (17,000 − 5,000) = 100.00
    r = rates(flagged_later, 2024, date(2024, 7, 31)).current_year
    assert (r.assessed, r.whereabouts_unknown, r.rate) == (17_000, 5_000, "100.00")
    # …and as of 2024-06-30, before the flag, H7 counts: 0 / 17,000 (P7 is of 7/1) = 0.00
    assert rates(flagged_later, 2024, date(2024, 6, 30)).current_year.whereabouts_unknown == 0


def test_the_flag_history_has_its_periods(flagged_later, tmp_path):
    # found again on 2024-09-01 (a change date given in the file): flagged 2024-07-01 to 2024-08-31
    load(flagged_later, tmp_path, "found", "households",
         HEAD.rstrip("\n") + ",whereabouts_changed_on\n" + person("H6").rstrip("\n") + ",\n"
         + person("H7").rstrip("\n") + ",2024-09-01\n", today=date(2024, 9, 3))
    from nhi_collect.adapters.whereabouts_periods import periods
    with flagged_later.connect() as conn:
        assert periods(conn, "H7") == [(date(2024, 7, 1), date(2024, 9, 1))]
        assert periods(conn, "H6") == []
        # the case file shows the flag as it stood on its day
        from nhi_collect.services.actions import household_id
        from nhi_collect.services.casefile import flags
        shown = {day: [f for f in flags(conn, household_id(conn, "H7"), day) if f["flag"] == "whereabouts_unknown"]
                 for day in (date(2024, 6, 30), date(2024, 8, 31), date(2024, 9, 1))}
        assert shown[date(2024, 6, 30)] == shown[date(2024, 9, 1)] == []
        assert (shown[date(2024, 8, 31)][0]["since"], shown[date(2024, 8, 31)][0]["until"]) == ("2024-07-01",
                                                                                                "2024-08-31")
    assert rates(flagged_later, 2024, date(2024, 8, 31)).current_year.whereabouts_unknown == 5_000
    # FY2024 as of 2024-09-30: H7 known again on its reference day → counted: 12,000 / 17,000 = 70.59
    assert rates(flagged_later, 2024, date(2024, 9, 30)).current_year.rate == "70.59"


# --- a closed year reproduced after later records -------------------------------------------------------
def test_a_closed_year_is_the_same_as_of_any_later_date_and_after_later_records(two_in_one_file, tmp_path):
    engine = two_in_one_file
    for name, body in PRIOR_YEAR.items():
        load(engine, tmp_path, "p" + name, name, body)

    def closed():
        return [(r.current_year, r.arrears) for r in (rates(engine, 2023, day) for day in
                                                      (date(2024, 5, 31), date(2024, 6, 30), date(2026, 12, 31)))]

    before = closed()
    # FY2023 on paper (both scenarios above together): current year 12,000 / 17,000 = 70.59; arrears: carried
    # H3 22,000 + H4 0 + H5 10,000 = 32,000, collected 3,000 → 9.38.
    assert (before[0][0].rate, before[0][1].carried_over, before[0][1].rate) == ("70.59", 32_000, "9.38")
    assert before[1:] == [before[0], before[0]]
    # Later records: H2 flagged on 2025-01-10; on that day two corrections of H2's and H1's FY2023 installments in
    # one file, a reduction of H4's paid FY2022 installment, and payments on the old installments.
    load(engine, tmp_path, "flag", "households", HEAD + person("H1") + person("H2", 1) + person("H3"),
         today=date(2025, 1, 10))
    load(engine, tmp_path, "late_adj", "adjustments",
         "adjustment_id,household_no,fiscal_year,installment,adjusted_on,delta,reason\n"
         "B1,H2,2023,1,2025-01-10,-5000,減額\nB2,H1,2023,1,2025-01-11,-1000,減額\n"
         "B3,H1,2023,1,2025-01-12,-1000,減額\nB4,H4,2022,10,2025-01-10,-2000,更正\n")
    load(engine, tmp_path, "late_pay", "payments", "payment_id,household_no,fiscal_year,installment,paid_on,amount,"
         "channel\nQ1,H3,2022,10,2025-01-10,1000,counter\nQ2,H5,2022,10,2025-01-10,500,counter\n")
    assert closed() == before


def test_a_flag_cleared_before_it_was_set_is_refused_with_its_line(flagged_later, tmp_path):
    # H7 unknown since 2024-07-01: found again "on 2024-07-01" would make an empty period; the file is refused
    # whole, the line named, nothing stored
    from nhi_collect.errors import ImportRejected
    from nhi_collect.adapters.whereabouts_periods import periods
    with pytest.raises(ImportRejected) as refused:
        load(flagged_later, tmp_path, "bad", "households",
             HEAD.rstrip("\n") + ",whereabouts_changed_on\n" + person("H6").rstrip("\n") + ",\n"
             + person("H7").rstrip("\n") + ",2024-07-01\n", today=date(2024, 9, 3))
    assert [e.line for e in refused.value.errors] == [3] and "since 2024-07-01" in refused.value.errors[0].error
    with flagged_later.connect() as conn:
        assert periods(conn, "H7") == [(date(2024, 7, 1), None)]


def test_a_flag_set_again_before_the_last_period_ended_is_refused_with_its_line(flagged_later, tmp_path):
    # H7 unknown 2024-07-01 to 2024-08-31 (found 9/1). Lost again "on 2024-08-31" would give two periods covering
    # 8/31; "on 2024-09-01", the day it was found, is the first day another period may begin.
    from nhi_collect.errors import ImportRejected
    from nhi_collect.adapters.whereabouts_periods import periods
    with_day = HEAD.rstrip("\n") + ",whereabouts_changed_on\n" + person("H6").rstrip("\n") + ",\n"
    load(flagged_later, tmp_path, "found", "households", with_day + person("H7").rstrip("\n") + ",2024-09-01\n",
         today=date(2024, 9, 3))
    with pytest.raises(ImportRejected) as refused:
        load(flagged_later, tmp_path, "lost", "households", with_day + person("H7", 1).rstrip("\n") + ",2024-08-31\n",
             today=date(2024, 9, 5))
    assert [e.line for e in refused.value.errors] == [3] and "found again on 2024-09-01" in refused.value.errors[0].error
    load(flagged_later, tmp_path, "lost2", "households", with_day + person("H7", 1).rstrip("\n") + ",2024-09-01\n",
         today=date(2024, 9, 5))
    with flagged_later.connect() as conn:
        assert periods(conn, "H7") == [(date(2024, 7, 1), date(2024, 9, 1)), (date(2024, 9, 1), None)]
