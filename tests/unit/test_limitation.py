"""時効 (国保法110条, 民法147–152条): each event's effect and its edge."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from nhi_collect.domain.limitation import (Demand, DemandAnchor, InstallmentPromise, Payment, Reminder, Seizure,
                                           limitation_date, suspension_extinction_date)
from nhi_collect.services.queue import MIN_LIMITATION_DAYS

DUE = date(2023, 7, 31)


def test_two_years_from_the_day_after_the_due_date():
    assert limitation_date(DUE) == date(2025, 7, 31)


def test_due_on_28_february_before_a_leap_year_end():
    # counting starts 2024-02-29; 2026 has no 29 February → the period ends on 2026-02-28
    assert limitation_date(date(2024, 2, 28)) == date(2026, 2, 28)


def test_demand_notice_renews_from_the_day_after_its_deadline():
    assert limitation_date(DUE, [Demand(date(2023, 8, 20), date(2023, 8, 30))]) == date(2025, 8, 30)


def test_demand_anchor_on_issue():
    got = limitation_date(DUE, [Demand(date(2023, 8, 20), date(2023, 8, 30))], anchor=DemandAnchor.ISSUE)
    assert got == date(2025, 8, 20)


def test_only_the_first_demand_renews():
    events = [Demand(date(2023, 8, 20), date(2023, 8, 30)), Demand(date(2024, 8, 20), date(2024, 8, 30))]
    assert limitation_date(DUE, events) == date(2025, 8, 30)


def test_reminder_postpones_six_months_once():
    # limitation 2025-07-31; a reminder on 2025-05-10 holds completion until 2025-11-10
    assert limitation_date(DUE, [Reminder(date(2025, 5, 10))]) == date(2025, 11, 10)
    twice = [Reminder(date(2025, 5, 10)), Reminder(date(2025, 10, 1))]
    assert limitation_date(DUE, twice) == date(2025, 11, 10)


def test_early_reminder_does_not_shorten_or_extend():
    assert limitation_date(DUE, [Reminder(date(2023, 9, 1))]) == date(2025, 7, 31)


def test_promise_then_payment_renews_but_payment_alone_does_not():
    assert limitation_date(DUE, [Payment(date(2024, 3, 15))]) == date(2025, 7, 31)
    events = [InstallmentPromise(date(2024, 3, 1)), Payment(date(2024, 3, 15))]
    assert limitation_date(DUE, events) == date(2026, 3, 15)


def test_running_seizure_postpones_without_end_and_a_finished_one_renews():
    assert limitation_date(DUE, [Seizure(date(2025, 1, 10))]) is None
    assert limitation_date(DUE, [Seizure(date(2025, 1, 10), date(2025, 2, 10))]) == date(2027, 2, 10)
    withdrawn = Seizure(date(2025, 7, 1), date(2025, 9, 1), withdrawn=True)
    assert limitation_date(DUE, [withdrawn]) == date(2025, 9, 1)


def test_events_after_completion_do_not_revive():
    assert limitation_date(DUE, [Demand(date(2025, 8, 20), date(2025, 8, 30))]) == date(2025, 7, 31)


def test_three_years_of_suspension():
    assert suspension_extinction_date(date(2023, 4, 10)) == date(2026, 4, 11)


@given(due=st.dates(date(2000, 1, 1), date(2060, 12, 31)))
def test_limitation_never_completes_sooner_than_730_days_after_the_due_date(due):
    """The work queue looks for limitation within 90 days only among installments due 730 days before:
    two years from the day after the due date span 730 or 731 days, whatever the leap days."""
    assert (limitation_date(due, []) - due).days >= MIN_LIMITATION_DAYS


def test_the_730_day_bound_is_reached_and_a_leap_day_adds_one():
    assert (limitation_date(date(2021, 3, 31), []) - date(2021, 3, 31)).days == MIN_LIMITATION_DAYS
    assert (limitation_date(date(2022, 3, 31), []) - date(2022, 3, 31)).days == 731  # across 2024-02-29
    assert limitation_date(date(2024, 2, 29), []) == date(2026, 2, 28)  # no 29 February in 2026
