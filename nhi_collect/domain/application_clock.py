"""The clock of an application (申請): its due date from the day it was received, and whether it is overdue.

A period of days does not count the day of receipt (民法140条), so a 30-day period received on 9/8 ends on
10/8. When that last day is one the office is closed (a Saturday, Sunday, holiday or 12/29–1/3) and the kind's
rule says so, it moves to the next office day, as 地方自治法4条の2④ moves the periods of acts toward the office.
An application is overdue on the day after its due date, never on the due date itself."""

from __future__ import annotations

from datetime import date, timedelta

from .calendar import next_office_day


def due_date(received_on: date, days: int, next_office: bool) -> date:
    last = received_on + timedelta(days=days)  # 民法140条: the day of receipt is not counted
    return next_office_day(last) if next_office else last


def overdue(due_on: date, on: date, closed_on: date | None = None) -> bool:
    """Open on `on` after its due date, or closed after it (answered late)."""
    return (closed_on if closed_on is not None and closed_on <= on else on) > due_on
