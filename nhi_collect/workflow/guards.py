"""Guards: each written once in Python (one household's facts) and once in SQL (every household at
once, correlated on households.id), under one name. tests/integration/test_guards.py checks that the
two agree on a generated ward. A refusal names the guard's rule of law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from ..adapters.tables import (LATE_FEE_UNPAID, UNPAID, assessments, demand_notices, households, installment_plans, investigations,
                               payments, plan_schedule, seizures)
from ..domain.calendar import SEIZURE_WAIT_DAYS, demand_due_cutoff, earliest_seizure_date, fiscal_year
from ..domain.late_fee import late_fee_estimate, suspension_exempt
from ..domain.limitation import (Acknowledgement, Demand, Effect, Event, Reminder, Seizure, limitation,
                                 suspension_extinction_date)

if TYPE_CHECKING:  # definition loads the workflow file and checks its guard names against GUARDS
    from .definition import Policy, Workflow


@dataclass(frozen=True)
class Context:
    on: date
    policy: Policy
    scope: object = None  # the reminder round's installments (calendar `scope`), None outside a round


@dataclass
class Installment:
    fiscal_year: int
    installment: int
    due_date: date
    unpaid: int
    demand_issued_on: date | None = None
    demand_deadline: date | None = None
    reminders: tuple[date, ...] = ()
    payments: tuple[date, ...] = ()  # days the debtor paid on it (民法152条: 一部弁済は承認)
    plans: tuple[date, ...] = ()  # installment plans signed while it was due
    # (executed, ended, withdrawn) of the executed seizures that cover it (seizure_items)
    seizures: tuple[tuple[date, date | None, bool], ...] = ()
    public_notice: bool = False  # demanded by public notice (公示送達, 地方税法20条の2)
    demand_served_on: date | None = None  # a public notice's service date, once it has come (posting + 7 days)
    late_fee_unpaid: int = 0  # booked late fee (確定延滞金) still owed, once the principal is paid
    paid_history: tuple[tuple[date, int], ...] = ()  # money applied to its principal by day (the late fee's base)

    def limitation_events(self) -> list[Event]:
        events: list[Event] = [Reminder(on) for on in self.reminders]
        if self.public_notice:  # renews only once served (地方税法20条の2③), from its service
            if self.demand_served_on:
                events.append(Demand(self.demand_served_on, self.demand_deadline, public_notice=True))
        elif self.demand_issued_on:
            events.append(Demand(self.demand_issued_on, self.demand_deadline))
        events += [Acknowledgement(on) for on in self.payments]
        events += [Acknowledgement(on, "plan") for on in self.plans]
        events += [Seizure(on, ended_on, withdrawn) for on, ended_on, withdrawn in self.seizures]
        return events

    def limitation(self) -> tuple[date | None, list[Effect]]:
        return limitation(self.due_date, self.limitation_events())

    def limitation_date(self) -> date | None:
        return self.limitation()[0]


@dataclass
class Facts:
    """What the guards know about one household on a business date."""

    household_id: int
    stage: str
    stage_since: date | None
    resume_stage: str | None
    whereabouts_unknown: bool
    installments: list[Installment] = field(default_factory=list)
    property_found_on: date | None = None  # latest investigation closed with property found
    seizure_approved_on: date | None = None  # an approved seizure not yet executed or released
    plan_agreed_on: date | None = None  # the kept plan
    plan_schedule: list[tuple[date, int]] = field(default_factory=list)
    paid_since_plan: int = 0
    suspended_on: date | None = None  # the running suspension
    immediate_extinction: bool = False  # 地方税法15条の7第5項 decided
    suspensions: list[tuple[date, date | None]] = field(default_factory=list)  # (first, last day) all of them

    def overdue(self, on: date) -> list[Installment]:
        return [i for i in self.installments if i.unpaid > 0 and i.due_date < on]

    def late_fee_owed(self) -> int:
        return sum(i.late_fee_unpaid for i in self.installments if i.late_fee_unpaid > 0)

    def accrued(self, i: Installment, on: date, band_months: int) -> int:
        """延滞金見込 of an unpaid installment were it paid on `on`: from its principal and payment history
        (地方税法20条の4の2②), the days of a suspension exempted (15条の9①)."""
        if i.unpaid <= 0:
            return 0
        history = [(d, a) for d, a in i.paid_history if d <= on]
        return late_fee_estimate(i.unpaid + sum(a for _, a in history), i.due_date, on, band_months=band_months,
                                 payments=history, exempt=suspension_exempt(self.suspensions, i.due_date))


@dataclass(frozen=True)
class Guard:
    name: str
    rule: str  # the rule of law or policy, quoted in refusals
    python: Callable[[Facts, Context], bool]
    sql: Callable[[Context], object] | None  # None: a staff-only guard, never evaluated set-based


A = assessments
h = households


def _open(*conditions):
    """EXISTS an unpaid installment of the household matching the conditions."""
    return exists().where(A.c.household_id == h.c.id, UNPAID > 0, *conditions)


def _not_demanded():
    return ~exists().where(demand_notices.c.assessment_id == A.c.id)


def _demand_cutoff(c: Context) -> date:
    """Installments due on or before this date are demanded today: today is the last lawful day for them."""
    return demand_due_cutoff(c.on, c.policy.demand_within_days)


def _overdue_balance_sql(c: Context):
    return (select(func.coalesce(func.sum(UNPAID), 0)).where(A.c.household_id == h.c.id, UNPAID > 0,
                                                             A.c.due_date < c.on).scalar_subquery())


def _scope_python(f: Facts, c: Context) -> bool:
    year = fiscal_year(c.on)
    overdue = f.overdue(c.on)
    if c.scope is None:
        return True
    if c.scope == "closed_year_only":
        return any(i.fiscal_year == year - 1 for i in overdue) and not any(i.fiscal_year < year - 1 for i in overdue)
    if c.scope == "current_year":
        return any(i.fiscal_year == year for i in overdue)
    return any(i.fiscal_year == year and i.installment in c.scope for i in overdue)


def _scope_sql(c: Context):
    year = fiscal_year(c.on)
    if c.scope is None:
        return True
    if c.scope == "closed_year_only":
        return and_(_open(A.c.fiscal_year == year - 1, A.c.due_date < c.on), ~_open(A.c.fiscal_year < year - 1))
    if c.scope == "current_year":
        return _open(A.c.fiscal_year == year, A.c.due_date < c.on)
    return _open(A.c.fiscal_year == year, A.c.installment.in_(list(c.scope)), A.c.due_date < c.on)


def is_ripe(i: Installment, on: date) -> bool:
    """An installment that may be seized for (domain.md §9): unpaid, demanded more than ten days ago
    (国税徴収法47条1項) and past the notice's designated deadline (地方自治法231条の3第3項)."""
    return (i.unpaid > 0 and i.demand_issued_on is not None and earliest_seizure_date(i.demand_issued_on) <= on
            and i.demand_deadline < on)


def ripe_sql(on: date):
    """is_ripe of one installment (a row of assessments) in SQL: the installments a seizure of `on` covers."""
    latest_issue = on - timedelta(days=SEIZURE_WAIT_DAYS + 1)  # the SQL form of earliest_seizure_date
    return and_(UNPAID > 0, exists().where(demand_notices.c.assessment_id == A.c.id,
                                           demand_notices.c.issued_on <= latest_issue, demand_notices.c.deadline < on))


def _ripe_sql(c: Context):
    return _open(ripe_sql(c.on))


def _public_notice_served(i: Installment, on: date) -> bool:
    return i.public_notice and i.demand_served_on is not None and i.demand_deadline < on


def _public_notice_served_sql(c: Context):
    return _open(A.c.due_date < c.on, exists().where(
        demand_notices.c.assessment_id == A.c.id, demand_notices.c.public_notice.is_(True),
        demand_notices.c.served_on <= c.on, demand_notices.c.deadline < c.on))


def _plan_broken_sql(c: Context):
    plan = aliased(installment_plans)
    paid = (select(func.coalesce(func.sum(payments.c.amount), 0))
            .where(payments.c.household_id == plan.c.household_id, payments.c.paid_on >= plan.c.agreed_on,
                   payments.c.paid_on <= c.on).correlate_except(payments).scalar_subquery())
    late = c.on - timedelta(days=c.policy.plan_grace_days)
    return exists(select(plan.c.id).join(plan_schedule, plan_schedule.c.plan_id == plan.c.id)
                  .where(plan.c.household_id == h.c.id, plan.c.status == "kept", plan_schedule.c.due_on <= late,
                         plan_schedule.c.cumulative > paid))


def _plan_broken_python(f: Facts, c: Context) -> bool:
    late = c.on - timedelta(days=c.policy.plan_grace_days)
    return f.plan_agreed_on is not None and any(due <= late and cumulative > f.paid_since_plan
                                                for due, cumulative in f.plan_schedule)


def extinction(i: Installment, f: Facts, on: date) -> tuple[date, str] | None:
    """(day extinguished, ground) of an unpaid installment whose claim is extinguished by `on`, the ground
    that extinguished it first; None while it is still owed (domain.md §9, write-off per installment).
    - limitation (国保法110条): the day after its limitation date;
    - immediate extinction (地方税法15条の7第5項): the suspension's decision day, and
    - three years of continuous suspension (同条第4項): suspension_extinction_date, both only for what the
      suspension covers: installments already in arrears (past their due date) on the day it began. One
      that fell due later was never suspended (a new decision would be needed), nor is one not yet due.
    A booked late fee still owed is part of the claim (国保法110条: 保険料その他の徴収金; its limitation runs with
    the installment's events, the payment that settled the principal renewing it, 民法152条): an installment
    whose principal is paid but whose late fee is not is extinguished the same way."""
    if i.unpaid <= 0 and i.late_fee_unpaid <= 0:
        return None
    found = []
    if (last_day := i.limitation_date()) is not None:
        found.append((last_day + timedelta(days=1), "limitation"))
    if f.suspended_on is not None and i.due_date < f.suspended_on:
        if f.immediate_extinction:
            found.append((f.suspended_on, "immediate_extinction"))
        found.append((suspension_extinction_date(f.suspended_on), "suspension_3y"))
    extinguished = [(d, ground) for d, ground in found if d <= on]
    return min(extinguished) if extinguished else None


def _extinguished(f: Facts, c: Context) -> bool:
    """Nothing unpaid is left open: every installment owing principal (due or not) or booked late fee is
    extinguished on the day."""
    unpaid = [i for i in f.installments if i.unpaid > 0 or i.late_fee_unpaid > 0]
    return bool(unpaid) and all(extinction(i, f, c.on) for i in unpaid)


GUARDS: dict[str, Guard] = {g.name: g for g in [
    Guard("has_undemanded_overdue",
          "地方自治法231条の3第1項: an unpaid installment must be demanded with a designated deadline",
          lambda f, c: any(i.unpaid > 0 and i.due_date <= _demand_cutoff(c) and i.demand_issued_on is None
                           for i in f.installments),
          lambda c: _open(A.c.due_date <= _demand_cutoff(c), _not_demanded())),
    Guard("has_address",
          "地方自治法231条の3第4項, 地方税法20条・20条の2: a letter is served at the address or residence; a household "
          "whose whereabouts are unknown (居所不明) is served by public notice (公示送達), not by mail: it goes to the queue",
          lambda f, c: not f.whereabouts_unknown,
          lambda c: h.c.whereabouts_unknown.is_(False)),
    Guard("whereabouts_unknown", "居所不明: demanded by public notice (公示送達, 地方自治法231条の3④, 地方税法20条の2), "
          "never by mail",
          lambda f, c: f.whereabouts_unknown,
          lambda c: h.c.whereabouts_unknown.is_(True)),
    Guard("public_notice_served",
          "地方税法20条の2③: a public notice is served 7 days after posting; the next rung waits for the service "
          "and the notice's designated deadline (地方自治法231条の3①)",
          lambda f, c: any(_public_notice_served(i, c.on) for i in f.overdue(c.on)), _public_notice_served_sql),
    Guard("demand_deadline_passed",
          "区の方針 (the workflow file's [policy] reminder_after_deadline_days): a reminder follows only after the demand "
          "notice's designated deadline (地方自治法231条の3第1項)",
          lambda f, c: any(i.demand_deadline is not None and i.demand_deadline <= c.on - timedelta(
              days=c.policy.reminder_after_deadline_days) for i in f.overdue(c.on)),
          lambda c: _open(A.c.due_date < c.on, exists().where(
              demand_notices.c.assessment_id == A.c.id,
              demand_notices.c.deadline <= c.on - timedelta(days=c.policy.reminder_after_deadline_days)))),
    Guard("balance_over_tolerance",
          "区の方針 (the workflow file's [policy] min_balance): balances below the tolerance are not escalated",
          lambda f, c: sum(i.unpaid for i in f.overdue(c.on)) >= c.policy.min_balance,
          lambda c: _overdue_balance_sql(c) >= c.policy.min_balance),
    Guard("in_reminder_scope",
          "区の方針 (事業計画 窓4, the workflow file's [[calendar]] scope): the round's installments",
          _scope_python, _scope_sql),
    Guard("has_past_year_arrears", "区の方針 (事業計画 窓4, July): special reminders go to households with past-year arrears",
          lambda f, c: any(i.fiscal_year < fiscal_year(c.on) for i in f.overdue(c.on)),
          lambda c: _open(A.c.fiscal_year < fiscal_year(c.on), A.c.due_date < c.on)),
    Guard("reply_period_passed",
          "区の方針 (the workflow file's [policy] reply_days): the reply period written on the last letter must have "
          "passed",
          lambda f, c: f.stage_since is not None and f.stage_since <= c.on - timedelta(days=c.policy.reply_days),
          lambda c: h.c.stage_since <= c.on - timedelta(days=c.policy.reply_days)),
    Guard("property_found",
          "区の方針: a seizure notice (差押予告, not statutory) only after a property investigation (国税徴収法141条) "
          "found property",
          lambda f, c: f.property_found_on is not None and f.property_found_on <= c.on,
          lambda c: exists().where(investigations.c.household_id == h.c.id,
                                   investigations.c.result == "property_found",
                                   investigations.c.closed_on <= c.on,
                                   investigations.c.closed_on >= h.c.stage_since)),
    Guard("seizure_approved",
          "区の方針 (決裁, the workflow file's [roles] supervisor): a seizure needs a supervisor's approval",
          lambda f, c: f.seizure_approved_on is not None and f.seizure_approved_on <= c.on,
          lambda c: exists().where(seizures.c.household_id == h.c.id, seizures.c.executed_on.is_(None),
                                   seizures.c.released_on.is_(None), seizures.c.approved_on <= c.on)),
    Guard("has_ripe_installment",
          "国税徴収法47条1項 / 地方自治法231条の3第3項: a seizure needs an installment demanded more than 10 days ago "
          "and past the demand notice's designated deadline; installments that fell due later neither block nor join it",
          lambda f, c: any(is_ripe(i, c.on) for i in f.installments), _ripe_sql),
    Guard("plan_broken",
          "区の方針 (the workflow file's [policy] plan_grace_days): a promised installment-plan payment is late beyond the "
          "grace days",
          _plan_broken_python, _plan_broken_sql),
    Guard("extinguished", "不納欠損 closes the household only when every unpaid installment (principal or booked "
          "late fee) is extinguished: by "
          "limitation (国保法110条), three years of suspension or immediate extinction (地方税法15条の7第4項・第5項)",
          _extinguished, None),
    Guard("nothing_overdue",
          "区の方針: full payment returns a household to clear (nothing is left to demand, 地方自治法231条の3第1項): "
          "principal and booked late fee (確定延滞金, 地方自治法231条の3第2項) both paid",
          lambda f, c: not f.overdue(c.on) and not f.late_fee_owed(),
          lambda c: and_(~_open(A.c.due_date < c.on),
                         ~exists().where(A.c.household_id == h.c.id, LATE_FEE_UNPAID > 0))),
]}
RESUMES_TO = "resumes_to_"  # + a rung: the machine's condition on each edge of a `resume` destination


@lru_cache(maxsize=None)
def _resumes_to(rung: str) -> Guard:
    return Guard(f"{RESUMES_TO}{rung}", "区の方針: an installment plan or suspension returns to the rung it left",
                 lambda f, c: f.resume_stage == rung, lambda c: h.c.resume_stage == rung)


def guard(name: str) -> Guard:
    """A guard by name: one of GUARDS, or `resumes_to_<rung>` for a rung of the workflow's ladder."""
    if name.startswith(RESUMES_TO):
        return _resumes_to(name[len(RESUMES_TO):])
    return GUARDS[name]


def guards_of(workflow: Workflow) -> dict[str, Guard]:
    """Every guard the workflow's machine may ask: GUARDS and one `resumes_to_<rung>` per rung."""
    return {**GUARDS, **{g.name: g for g in (_resumes_to(rung) for rung in workflow.ladder)}}
