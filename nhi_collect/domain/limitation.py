"""時効 (limitation) of one installment.

国保法110条1項: the right to collect a premium expires two years after it could first be exercised,
i.e. a period that starts on the day after the due date (民法140条: the first day is not counted).
What moves the date (domain.md §2):
- the first demand notice renews the clock (国保法110条2項 / 地方自治法236条4項): a new two-year
  period starts on the day after its designated deadline (or after its issue, a parameter);
- a reminder postpones completion until six months have passed (民法150条1項), and a further reminder
  during that postponement does nothing (民法150条2項);
- a written installment promise followed by a payment is an acknowledgement (民法152条1項): renewal
  from the day after that payment;
- a seizure postpones completion while it runs (民法148条1項) and, once it ends other than by
  withdrawal, renews the clock from the day after it ended (民法148条2項);
- a suspension of enforcement does not stop the clock (地方税法15条の7第5項 leaves limitation running).
`limitation_date` is the last day of the period: the claim is extinguished the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Iterable

from .calendar import ONE_DAY, period_end

LIMITATION_MONTHS = 24  # 国保法110条1項: two years
REMINDER_POSTPONEMENT_MONTHS = 6  # 民法150条1項
SUSPENSION_EXTINCTION_MONTHS = 36  # 地方税法15条の7第4項: three years of suspension


class DemandAnchor(str, Enum):
    """Where the renewed period starts after a demand notice (a practice parameter, domain.md §2)."""

    DEADLINE = "deadline"  # the day after the designated deadline (social-insurance practice)
    ISSUE = "issue"  # the day after issue


@dataclass(frozen=True)
class Demand:
    on: date  # issue date
    deadline: date  # 指定期限


@dataclass(frozen=True)
class Reminder:
    on: date


@dataclass(frozen=True)
class InstallmentPromise:
    on: date


@dataclass(frozen=True)
class Payment:
    on: date


@dataclass(frozen=True)
class Seizure:
    on: date
    ended_on: date | None = None  # None: still running
    withdrawn: bool = False  # 民法148条2項ただし書: a withdrawn seizure does not renew


Event = Demand | Reminder | InstallmentPromise | Payment | Seizure


def limitation_date(due: date, events: Iterable[Event] = (),
                    anchor: DemandAnchor = DemandAnchor.DEADLINE) -> date | None:
    """Last day on which the installment can still be collected (国保法110条, 民法147–152条).

    Returns None while a seizure is running (completion is postponed without an end yet).
    Events after the limitation has completed have no effect: an extinguished right is not revived.
    """
    end = period_end(due + ONE_DAY, LIMITATION_MONTHS)
    postponed_until: date | None = None
    demanded = False
    promised = False
    for event in sorted(events, key=lambda e: e.on):
        on = event.on
        if on > max(end, postponed_until or end):
            break  # already extinguished
        if isinstance(event, Demand) and not demanded:
            demanded = True
            start = (event.deadline if anchor is DemandAnchor.DEADLINE else on) + ONE_DAY
            end, postponed_until = period_end(start, LIMITATION_MONTHS), None
        elif isinstance(event, Reminder) and postponed_until is None:
            postponed_until = max(end, period_end(on + ONE_DAY, REMINDER_POSTPONEMENT_MONTHS))
        elif isinstance(event, InstallmentPromise):
            promised = True
        elif isinstance(event, Payment) and promised:
            end, postponed_until = period_end(on + ONE_DAY, LIMITATION_MONTHS), None
        elif isinstance(event, Seizure):
            if event.ended_on is None:
                return None
            if event.withdrawn:
                postponed_until = max(end, postponed_until or end, event.ended_on)
            else:
                end, postponed_until = period_end(event.ended_on + ONE_DAY, LIMITATION_MONTHS), None
    return max(end, postponed_until or end)


def suspension_extinction_date(suspended_on: date) -> date:
    """Day on which three years of continuous suspension extinguish the debt (地方税法15条の7第4項).

    The three years run from the day after the suspension decision (民法140条); the debt is
    extinguished on the day after the period's last day.
    """
    return period_end(suspended_on + ONE_DAY, SUSPENSION_EXTINCTION_MONTHS) + ONE_DAY
