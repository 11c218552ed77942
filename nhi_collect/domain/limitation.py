"""時効 (limitation) of one installment, from its recorded events (domain.md §9).

国保法110条1項: the right to collect a premium expires two years after it could first be exercised,
i.e. a period that starts on the day after the (legal) due date (民法140条: the first day is not counted).
What moves the date:
- the first demand notice renews the clock (国保法110条2項, 地方自治法236条4項), whether mailed or served by
  public notice (公示送達, 地方税法20条の2): a new two-year period starts on the day after its designated
  deadline (or after its service, a parameter); practice counts only the first demand of an installment;
- an acknowledgement renews the clock from the day after (民法152条1項): any payment on the installment
  (一部弁済は承認) or a signed installment plan covering it;
- a seizure covering the installment holds completion back while it runs (民法148条1項) and renews the clock
  from the day after it ends (148条2項), unless it ends by withdrawal or cancellation (取下げ・取消し): then
  completion is only postponed until six months after its end (148条1項かっこ書);
- a reminder postpones completion until six months after it (民法150条1項); a further reminder sent while a
  reminder's six months are running has no effect (150条2項), a later one postpones again;
- a suspension of enforcement does not stop the clock (地方税法15条の7 leaves limitation running).
An extinguished claim is never revived: a public-law claim needs no invocation of limitation and its benefit
cannot be waived (地方自治法236条2項), so events after completion have no effect.
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
WITHDRAWN_SEIZURE_POSTPONEMENT_MONTHS = 6  # 民法148条1項かっこ書
SUSPENSION_EXTINCTION_MONTHS = 36  # 地方税法15条の7第4項: three years of suspension


class DemandAnchor(str, Enum):
    """Where the renewed period starts after a demand notice (a practice parameter, domain.md §2)."""

    DEADLINE = "deadline"  # the day after the designated deadline (social-insurance practice)
    ISSUE = "issue"  # the day after issue (or service)


@dataclass(frozen=True)
class Demand:
    on: date  # issue date; for a public notice the day it is deemed served (posting + 7 days)
    deadline: date  # 指定期限
    public_notice: bool = False  # 公示送達 (地方税法20条の2)


@dataclass(frozen=True)
class Reminder:
    on: date


@dataclass(frozen=True)
class Acknowledgement:
    """承認 (民法152条): a payment on the installment, or a signed installment plan covering it."""

    on: date
    by: str = "payment"  # payment | plan


@dataclass(frozen=True)
class Seizure:
    on: date
    ended_on: date | None = None  # None: still running
    withdrawn: bool = False  # ended by withdrawal or cancellation (民法148条1項かっこ書, 2項ただし書)


Event = Demand | Reminder | Acknowledgement | Seizure


@dataclass(frozen=True)
class Effect:
    """One recorded event that moved the limitation date (household show's `limitation_events`)."""

    on: date
    kind: str  # demand | public_notice | reminder | acknowledgement | seizure_start | seizure_end
    effect: str  # renewal | postponement | suspension


def limitation(due: date, events: Iterable[Event] = (),
               anchor: DemandAnchor = DemandAnchor.DEADLINE) -> tuple[date | None, list[Effect]]:
    """(last collectable day, the events that set it); the date is None while a covering seizure runs."""
    steps: list[tuple[date, int, Event]] = []
    for e in events:
        steps.append((e.on, 0, e))
        if isinstance(e, Seizure) and e.ended_on is not None:
            steps.append((e.ended_on, 1, e))  # the seizure's end, after anything else on that day
    steps.sort(key=lambda s: (s[0], s[1]))
    end = period_end(due + ONE_DAY, LIMITATION_MONTHS)
    postponed_until: date | None = None
    reminder_until: date | None = None  # the running reminder's six months (民法150条2項)
    seizures_running = 0
    demanded = False
    effects: list[Effect] = []

    def renew(first_day: date) -> None:
        nonlocal end, postponed_until, reminder_until
        renewed = period_end(first_day, LIMITATION_MONTHS)
        if renewed < end:  # an acknowledgement before a demand's deadline: the period still runs anew after the
            return  # deadline (the demand's renewal, 地方自治法236条4項), never from the earlier day
        end, postponed_until, reminder_until = renewed, None, None

    def postpone(until: date) -> None:
        nonlocal postponed_until
        postponed_until = max(until, postponed_until or until)

    for on, is_end, event in steps:
        if seizures_running == 0 and on > max(end, postponed_until or end):
            break  # already extinguished (地方自治法236条2項)
        if isinstance(event, Seizure):
            if not is_end:
                seizures_running += 1
                effects.append(Effect(on, "seizure_start", "suspension"))
                continue
            seizures_running -= 1
            if event.withdrawn:
                postpone(period_end(on + ONE_DAY, WITHDRAWN_SEIZURE_POSTPONEMENT_MONTHS))
                effects.append(Effect(on, "seizure_end", "postponement"))
            else:
                renew(on + ONE_DAY)
                effects.append(Effect(on, "seizure_end", "renewal"))
        elif isinstance(event, Demand):
            if demanded:
                continue
            demanded = True
            renew((event.deadline if anchor is DemandAnchor.DEADLINE else on) + ONE_DAY)
            effects.append(Effect(on, "public_notice" if event.public_notice else "demand", "renewal"))
        elif isinstance(event, Acknowledgement):
            renew(on + ONE_DAY)
            effects.append(Effect(on, "acknowledgement", "renewal"))
        elif isinstance(event, Reminder):
            if reminder_until is not None and on <= reminder_until:
                continue  # 民法150条2項: sent during a reminder's postponement
            reminder_until = period_end(on + ONE_DAY, REMINDER_POSTPONEMENT_MONTHS)
            if reminder_until > end:
                postpone(reminder_until)
                effects.append(Effect(on, "reminder", "postponement"))
    if seizures_running:
        return None, effects
    return max(end, postponed_until or end), effects


def limitation_date(due: date, events: Iterable[Event] = (),
                    anchor: DemandAnchor = DemandAnchor.DEADLINE) -> date | None:
    """Last day on which the installment can still be collected (国保法110条, 民法147–152条)."""
    return limitation(due, events, anchor)[0]


def suspension_extinction_date(suspended_on: date) -> date:
    """Day on which three years of continuous suspension extinguish the debt (地方税法15条の7第4項).

    The three years run from the day after the suspension decision (民法140条); the debt is
    extinguished on the day after the period's last day.
    """
    return period_end(suspended_on + ONE_DAY, SUSPENSION_EXTINCTION_MONTHS) + ONE_DAY
