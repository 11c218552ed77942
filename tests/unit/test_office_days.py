"""Office days for the demand's timing and deadline (地方自治法231条の3①, 4条の2④; domain.md §9)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nhi_collect.domain.calendar import (demand_deadline, demand_due_cutoff, is_office_day, last_office_day,
                                         latest_demand_date, next_office_day)

WITHIN = 20  # the ordinance's "within 20 days after the due date"


@pytest.mark.parametrize("due, latest", [
    (date(2023, 8, 31), date(2023, 9, 20)),  # day 20 is a Wednesday: that day
    (date(2023, 7, 31), date(2023, 8, 18)),  # day 20 is Sunday 8/20: the Friday before, never Monday 8/21
    (date(2024, 12, 2), date(2024, 12, 20)),  # November's installment (11/30 a Saturday → 12/2): 12/22 is a Sunday
    (date(2023, 12, 11), date(2023, 12, 28)),  # day 20 is 12/31, in the year-end closure (12/29–1/3)
    (date(2023, 8, 29), date(2023, 9, 15)),  # day 20 is 敬老の日, Monday 9/18: back to Friday 9/15
])
def test_the_demand_goes_out_no_later_than_day_20(due, latest):
    assert latest_demand_date(due, WITHIN) == latest


def test_the_round_of_a_friday_takes_the_weekends_due_dates():
    # Friday 2023-08-18 is the last lawful day for installments due 7/29, 7/30 and 7/31 (their day 20 is Fri–Sun)
    assert demand_due_cutoff(date(2023, 8, 18), WITHIN) == date(2023, 7, 31)
    # Monday 8/21 is day 20 of 8/1 only
    assert demand_due_cutoff(date(2023, 8, 21), WITHIN) == date(2023, 8, 1)


@given(due=st.dates(date(2020, 1, 1), date(2030, 12, 31)), gap=st.integers(0, 40))
def test_cutoff_and_latest_date_agree(due, gap):
    on = last_office_day(due + timedelta(days=gap))
    assert (due <= demand_due_cutoff(on, WITHIN)) is (latest_demand_date(due, WITHIN) <= on)
    latest = latest_demand_date(due, WITHIN)
    assert is_office_day(latest) and due < latest <= due + timedelta(days=WITHIN)


@pytest.mark.parametrize("issued, deadline", [
    (date(2023, 9, 20), date(2023, 10, 2)),  # 9/30 is a Saturday → Monday
    (date(2023, 12, 19), date(2024, 1, 4)),  # 12/29 is in the year-end closure → the first office day of January
    (date(2024, 2, 19), date(2024, 2, 29)),  # a leap day that is an office day stands
    (date(2023, 9, 8), date(2023, 9, 19)),  # 9/18 is 敬老の日 (a Monday holiday) → Tuesday
])
def test_the_designated_deadline_moves_to_the_next_office_day(issued, deadline):
    assert demand_deadline(issued, 10) == deadline


def test_a_nominal_due_date_chains_across_the_year_end_closure_and_the_weekend():
    # 2024-12-28 is a Saturday; 12/29–1/3 the office is closed (大阪市の休日を定める条例), 2025-01-04 and 01-05 are a
    # Saturday and a Sunday: the legal due date is Monday 2025-01-06 (地方自治法4条の2④, domain.md §9)
    assert next_office_day(date(2024, 12, 28)) == date(2025, 1, 6)


def test_a_nominal_due_date_chains_across_golden_week():
    # 2025-05-03 Saturday (憲法記念日), 05-04 Sunday (みどりの日), 05-05 Monday (こどもの日), 05-06 Tuesday (振替休日 for
    # the Sunday holiday, 国民の祝日に関する法律3条②): the legal due date is Wednesday 2025-05-07
    assert [is_office_day(date(2025, 5, d)) for d in range(3, 8)] == [False, False, False, False, True]
    assert next_office_day(date(2025, 5, 3)) == date(2025, 5, 7)
