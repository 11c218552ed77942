"""Business calendar: fiscal year, Osaka due dates, office vs bank days, earliest seizure date."""

from datetime import date

import pytest

from nhi_collect.domain.calendar import (due_date, earliest_seizure_date,
                                         fiscal_year, is_bank_day, is_office_day, next_office_day,
                                         period_end)


def test_fiscal_year_turns_on_1_april():
    assert fiscal_year(date(2024, 3, 31)) == 2023
    assert fiscal_year(date(2024, 4, 1)) == 2024


@pytest.mark.parametrize("fy, inst, expected", [
    (2023, 1, date(2023, 6, 30)),   # Friday
    (2023, 3, date(2023, 8, 31)),
    (2023, 4, date(2023, 10, 2)),   # 9/30 is a Saturday
    (2023, 7, date(2024, 1, 4)),    # December installment: first office day of January
    (2023, 10, date(2024, 4, 1)),   # 3/31/2024 is a Sunday
    (2024, 7, date(2025, 1, 6)),    # 2025-01-04/05 weekend
    (2024, 9, date(2025, 2, 28)),
])
def test_osaka_due_dates(fy, inst, expected):
    assert due_date(fy, inst) == expected


def test_due_date_skips_national_holidays():
    # Installment 11 falls in April. 2018-04-29 (昭和の日) was a Sunday, so 04-30 was its substitute
    # holiday (振替休日, 祝日法3条2項): due on Tuesday 05-01.
    assert due_date(2017, 11) == date(2018, 5, 1)
    # 2019-04-30 and 05-02 were holidays between holidays (国民の休日, 祝日法3条3項), 05-01 the enthronement
    # day, 05-03–05-05 Golden Week and 05-06 a substitute holiday: due on Tuesday 05-07.
    assert due_date(2018, 11) == date(2019, 5, 7)


@pytest.mark.parametrize("holiday", [
    date(2024, 1, 8),    # 成人の日, a Monday
    date(2023, 3, 21),   # 春分の日, a Tuesday
    date(2024, 2, 12),   # 振替休日: 建国記念の日 (02-11) was a Sunday
    date(2024, 9, 23),   # 振替休日: 秋分の日 (09-22) was a Sunday
    date(2026, 9, 22),   # 国民の休日: between 敬老の日 (09-21) and 秋分の日 (09-23)
])
def test_weekday_holidays_and_substitute_holidays_are_not_office_or_bank_days(holiday):
    assert holiday.weekday() < 5
    assert not is_office_day(holiday) and not is_bank_day(holiday)
    assert next_office_day(holiday) > holiday


def test_office_and_bank_calendars_differ_at_year_end():
    assert not is_office_day(date(2024, 12, 30)) and is_bank_day(date(2024, 12, 30))
    assert not is_office_day(date(2025, 1, 2)) and not is_bank_day(date(2025, 1, 2))
    assert not is_office_day(date(2024, 11, 4))  # 振替休日


def test_earliest_seizure_is_ten_days_after_the_day_of_issue():
    assert earliest_seizure_date(date(2025, 7, 20)) == date(2025, 7, 31)
    # issued 12/20: lawful from 12/31 (a closed day counts: 47条 runs in calendar days)
    assert earliest_seizure_date(date(2025, 12, 20)) == date(2025, 12, 31)


def test_period_end_follows_minpo_143():
    assert period_end(date(2021, 5, 1), 3) == date(2021, 7, 31)
    assert period_end(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert period_end(date(2024, 2, 29), 24) == date(2026, 2, 28)
