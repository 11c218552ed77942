"""Business calendar: fiscal years, due dates, office days and bank days, legal periods.

Periods follow 民法140条 (the first day is not counted) and 民法143条 (a period of months or years
ends on the day before the corresponding day of the last month, or on that month's last day when the
corresponding day does not exist).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ONE_DAY = timedelta(days=1)
TOKYO = ZoneInfo("Asia/Tokyo")  # the ward's office days and hours are Tokyo time


def in_tokyo(at: datetime) -> datetime:
    """A stored instant in Tokyo time; SQLite hands instants back naive, in UTC."""
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(TOKYO)

# 地方自治法4条の2: the office is closed on Saturdays, Sundays, national holidays and 12/29–1/3.
OFFICE_YEAR_END = {(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}
# Banks close on 12/31–1/3 only (銀行法施行令5条); 12/29 and 12/30 are bank business days.
BANK_YEAR_END = {(12, 31), (1, 1), (1, 2), (1, 3)}


@lru_cache(maxsize=None)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Japan(years=year).keys())


def is_national_holiday(day: date) -> bool:
    return day in _national_holidays(day.year)


def is_office_day(day: date) -> bool:
    """A day the ward office is open (地方自治法4条の2)."""
    return day.weekday() < 5 and not is_national_holiday(day) and (day.month, day.day) not in OFFICE_YEAR_END


def is_bank_day(day: date) -> bool:
    """A day banks settle transfers (銀行法15条, 銀行法施行令5条): differs from office days on 12/29 and 12/30."""
    return day.weekday() < 5 and not is_national_holiday(day) and (day.month, day.day) not in BANK_YEAR_END


def next_office_day(day: date) -> date:
    """`day` itself if the office is open, else the next day it is (地方自治法4条の2④)."""
    while not is_office_day(day):
        day += ONE_DAY
    return day


def next_bank_day(day: date) -> date:
    """`day` or the next bank business day: a transfer due on a bank holiday settles then."""
    while not is_bank_day(day):
        day += ONE_DAY
    return day


def last_office_day(day: date) -> date:
    """`day` itself if the office is open, else the office day before it."""
    while not is_office_day(day):
        day -= ONE_DAY
    return day


def latest_demand_date(due: date, within_days: int) -> date:
    """The last day a demand notice for an installment due on `due` may be issued: "within N days after the due
    date" (地方自治法231条の3①, the ordinance's N; domain.md §9) is day N at the latest, or the office day
    before it when the office is closed that day."""
    return last_office_day(due + timedelta(days=within_days))


def demand_due_cutoff(on: date, within_days: int) -> date:
    """The latest due date whose demand notice must go out on business date `on` (the office day that is the
    last lawful one for it): every installment due on or before it is demanded today, none later.
    The inverse of latest_demand_date, which never decreases as the due date moves on."""
    due = on - timedelta(days=within_days)
    while latest_demand_date(due + ONE_DAY, within_days) <= on:
        due += ONE_DAY
    return due


def demand_deadline(issued_on: date, deadline_days: int) -> date:
    """指定期限 of a demand notice: issue + N days, moved to the next office day when it falls on a closed day
    (地方自治法4条の2④: a period ending on an office holiday ends on the next office day)."""
    return next_office_day(issued_on + timedelta(days=deadline_days))


# 地方税法20条の2③ (applied to premiums by 地方自治法231条の3④): a public notice is deemed served when 7 days
# have passed counting from the day its posting began (that day counted: "起算して"), i.e. on posting + 7.
PUBLIC_NOTICE_DAYS = 7


def public_notice_served_on(posted_on: date) -> date:
    """The day a document posted on the office notice board on `posted_on` is deemed served (公示送達)."""
    return posted_on + timedelta(days=PUBLIC_NOTICE_DAYS)


def fiscal_year(day: date) -> int:
    """The fiscal year (April–March, 地方自治法208条) a date belongs to."""
    return day.year if day.month >= 4 else day.year - 1


def month_end(year: int, month: int) -> date:
    """Last day of a month: Osaka's installments fall due at month end (大阪市国民健康保険条例)."""
    return date(year, month, _calendar.monthrange(year, month)[1])


def period_end(first_day: date, months: int) -> date:
    """Last day of a period of `months` that starts on (and counts) `first_day`, per 民法143条.

    The period ends on the day before the day corresponding to `first_day` in the last month; when
    that month has no corresponding day it ends on the month's last day (143条2項ただし書).
    """
    index = first_day.year * 12 + first_day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if first_day.day > _calendar.monthrange(year, month)[1]:
        return month_end(year, month)
    return date(year, month, first_day.day) - ONE_DAY


INSTALLMENTS_PER_YEAR = 10  # Osaka City: June to March, domain.md §6
FIRST_INSTALLMENT_MONTH = 6


def installment_month(fiscal_year_: int, installment: int) -> tuple[int, int]:
    """(year, month) in which an installment falls: 1 → June of the fiscal year, 10 → March after
    (Osaka's ordinance: 10 installments from June; domain.md §6)."""
    if not 1 <= installment <= 12:
        raise ValueError(f"installment must be 1–12, not {installment}")
    index = fiscal_year_ * 12 + (FIRST_INSTALLMENT_MONTH - 1) + (installment - 1)
    year, month0 = divmod(index, 12)
    return year, month0 + 1


def due_date(fiscal_year_: int, installment: int) -> date:
    """納期限 of an installment: its month's end, moved to the next office day.

    The December installment's month end (12/31) is an office holiday, so it falls due on the first
    office day of January, as Osaka's ordinance sets (domain.md §6).
    """
    year, month = installment_month(fiscal_year_, installment)
    return next_office_day(month_end(year, month))


# 国税徴収法47条1項 with 基本通達47条関係10: seizure may proceed once ten days have passed from
# the day the demand notice was issued (issued 2025-07-20 → 2025-07-31).
SEIZURE_WAIT_DAYS = 10


def earliest_seizure_date(demand_issued_on: date) -> date:
    """First calendar day on which seizure is lawful after a demand notice (国税徴収法47条1項)."""
    return demand_issued_on + timedelta(days=SEIZURE_WAIT_DAYS + 1)
