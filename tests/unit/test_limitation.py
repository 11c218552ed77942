"""時効 (国保法110条, 民法147–152条): each event's effect and its edge."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from nhi_collect.domain.limitation import (Acknowledgement, Demand, DemandAnchor, Effect, Reminder, Seizure,
                                           limitation, limitation_date, suspension_extinction_date)
from nhi_collect.services.queue import MIN_LIMITATION_DAYS

DUE = date(2023, 7, 31)


def test_two_years_from_the_day_after_the_due_date():
    assert limitation_date(DUE) == date(2025, 7, 31)


def test_due_on_28_february_before_a_leap_year_end():
    # counting starts 2024-02-29; 2026 has no 29 February → the period ends on 2026-02-28
    assert limitation_date(date(2024, 2, 28)) == date(2026, 2, 28)


def test_demand_notice_renews_from_the_day_after_its_deadline():
    assert limitation_date(DUE, [Demand(date(2023, 8, 20), date(2023, 8, 30))]) == date(2025, 8, 30)


def test_a_payment_before_the_demands_deadline_does_not_shorten_its_renewal():
    """Demanded 8/20 with the deadline 8/30: the period runs anew from 8/31. A payment on 8/25 (民法152条1項) is an
    acknowledgement before it; counted from 8/26 it would end five days sooner than the demand lets it. A payment
    the day after the deadline renews from the next day, later still."""
    demand = Demand(date(2023, 8, 20), date(2023, 8, 30))
    assert limitation_date(DUE, [demand, Acknowledgement(date(2023, 8, 25))]) == date(2025, 8, 30)
    assert limitation_date(DUE, [demand, Acknowledgement(date(2023, 8, 30))]) == date(2025, 8, 30)
    assert limitation_date(DUE, [demand, Acknowledgement(date(2023, 8, 31))]) == date(2025, 8, 31)


def test_demand_anchor_on_issue():
    got = limitation_date(DUE, [Demand(date(2023, 8, 20), date(2023, 8, 30))], anchor=DemandAnchor.ISSUE)
    assert got == date(2025, 8, 20)


def test_only_the_first_demand_renews():
    events = [Demand(date(2023, 8, 20), date(2023, 8, 30)), Demand(date(2024, 8, 20), date(2024, 8, 30))]
    assert limitation_date(DUE, events) == date(2025, 8, 30)


def test_reminder_postpones_six_months_and_a_reminder_during_them_does_nothing():
    # limitation 2025-07-31; a reminder on 2025-05-10 holds completion until 2025-11-10 (民法150条1項):
    # the six months run 2025-05-11 – 2025-11-10; a second reminder on 2025-10-01 falls inside them (150条2項)
    assert limitation_date(DUE, [Reminder(date(2025, 5, 10))]) == date(2025, 11, 10)
    twice = [Reminder(date(2025, 5, 10)), Reminder(date(2025, 10, 1))]
    assert limitation_date(DUE, twice) == date(2025, 11, 10)


def test_a_reminder_after_the_first_ones_six_months_postpones_again():
    # the first reminder (2024-12-01) holds completion until 2025-06-01, before the period ends (2025-07-31):
    # it postpones nothing. A reminder on 2025-06-10 is outside its six months, so 150条2項 does not void it:
    # completion is held until 2025-12-10. (Today's code ignored every reminder after the first.)
    events = [Reminder(date(2024, 12, 1)), Reminder(date(2025, 6, 10))]
    assert limitation_date(DUE, events) == date(2025, 12, 10)
    # the day before that six months end (2025-06-01) is still inside them: void
    assert limitation_date(DUE, [Reminder(date(2024, 12, 1)), Reminder(date(2025, 6, 1))]) == date(2025, 7, 31)


def test_early_reminder_does_not_shorten_or_extend():
    assert limitation_date(DUE, [Reminder(date(2023, 9, 1))]) == date(2025, 7, 31)


def test_any_payment_on_the_installment_is_an_acknowledgement():
    # 民法152条1項 (一部弁済は承認): a partial payment on 2024-03-15 renews from 2024-03-16 → 2026-03-15
    assert limitation_date(DUE, [Acknowledgement(date(2024, 3, 15))]) == date(2026, 3, 15)
    # a signed plan on 2024-03-01 renews from 2024-03-02; the payment after it renews again
    assert limitation_date(DUE, [Acknowledgement(date(2024, 3, 1), "plan")]) == date(2026, 3, 1)
    both = [Acknowledgement(date(2024, 3, 1), "plan"), Acknowledgement(date(2024, 3, 15))]
    assert limitation_date(DUE, both) == date(2026, 3, 15)


def test_acknowledgement_on_the_last_day_renews_and_the_day_after_is_too_late():
    assert limitation_date(DUE, [Acknowledgement(date(2025, 7, 31))]) == date(2027, 7, 31)
    assert limitation_date(DUE, [Acknowledgement(date(2025, 8, 1))]) == date(2025, 7, 31)


def test_acknowledgement_on_28_february_of_a_leap_year():
    # the new period starts 2024-02-29; 2026 has no 29 February → it ends 2026-02-28 (民法143条2項ただし書)
    assert limitation_date(DUE, [Acknowledgement(date(2024, 2, 28))]) == date(2026, 2, 28)


def test_running_seizure_holds_completion_and_one_ended_by_collection_renews():
    assert limitation_date(DUE, [Seizure(date(2025, 1, 10))]) is None
    # ended 2025-02-10 → a new period from 2025-02-11 (民法148条2項) → 2027-02-10
    assert limitation_date(DUE, [Seizure(date(2025, 1, 10), date(2025, 2, 10))]) == date(2027, 2, 10)


def test_withdrawn_seizure_postpones_six_months_from_its_end():
    # running across the period's end (2025-07-31) and withdrawn 2025-09-01: completion is held until six months
    # after its end, 2026-03-01 (民法148条1項かっこ書; 2項ただし書: no renewal). Today's code gave 2025-09-01.
    withdrawn = Seizure(date(2025, 7, 1), date(2025, 9, 1), withdrawn=True)
    assert limitation_date(DUE, [withdrawn]) == date(2026, 3, 1)
    # withdrawn on 2025-08-31: the six months from 2025-09-01 end on 2026-02-28
    assert limitation_date(DUE, [Seizure(date(2025, 7, 1), date(2025, 8, 31), withdrawn=True)]) == date(2026, 2, 28)


def test_a_seizure_after_completion_does_not_hold_it():
    assert limitation_date(DUE, [Seizure(date(2025, 8, 1))]) == date(2025, 7, 31)


def test_events_during_a_seizure_are_never_too_late():
    # the seizure holds completion past 2025-07-31, so a payment on 2025-08-15 still acknowledges the debt;
    # the seizure's end by collection on 2025-09-30 then renews from 2025-10-01
    events = [Seizure(date(2025, 7, 1), date(2025, 9, 30)), Acknowledgement(date(2025, 8, 15))]
    assert limitation_date(DUE, events) == date(2027, 9, 30)


def test_public_notice_renews_like_a_mailed_demand():
    # 公示送達 (地方税法20条の2): posted 2023-08-21, served 7 days later on 2023-08-28; deadline 2023-09-07
    date_, effects = limitation(DUE, [Demand(date(2023, 8, 28), date(2023, 9, 7), public_notice=True)])
    assert date_ == date(2025, 9, 7)
    assert effects == [Effect(date(2023, 8, 28), "public_notice", "renewal")]


def test_effects_list_what_moved_the_date():
    events = [Demand(date(2023, 8, 20), date(2023, 8, 30)), Reminder(date(2023, 9, 1)),
              Acknowledgement(date(2024, 5, 1)), Reminder(date(2026, 2, 1))]
    date_, effects = limitation(DUE, events)
    # the demand renews to 2025-08-30; the early reminder moves nothing; the payment renews to 2026-05-01;
    # the reminder of 2026-02-01 holds completion until 2026-08-01
    assert date_ == date(2026, 8, 1)
    assert [(e.kind, e.effect) for e in effects] == [("demand", "renewal"), ("acknowledgement", "renewal"),
                                                      ("reminder", "postponement")]


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


def test_due_on_a_leap_day():
    # due 2024-02-29: the two years of 国保法110条 run from the day after, 2024-03-01 (民法140条); they end on the day
    # before the corresponding day of 2026, 2026-03-01 (民法143条②), so 2026-02-28 is the last collectable day.
    # Reckoned from the due date itself the corresponding day, 2026-02-29, is missing and the period ends at the
    # month's end (143条②ただし書), 2026-02-28 too.
    assert limitation_date(date(2024, 2, 29)) == date(2026, 2, 28)
