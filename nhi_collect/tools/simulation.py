"""A ward's year driven day by day: daily files arrive, the calendar runs, simulated staff act.

Used by the demo and by the scenario tests. The simulated staff decide deterministically from the
household number, and go through the same services (and so the same legal guards) as people do.
"""

from __future__ import annotations

import csv
import tempfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, case, exists, func, select

from ..adapters.db import transaction
from ..adapters.tables import (LATE_FEE_UNPAID, UNPAID, applications, assessments, households, investigations,
                               letter_items, letters, seizures)
from ..domain.calendar import month_end, next_office_day
from ..services import actions, decision_proposals, proposals
from ..services import applications as casework_applications
from ..services.business_date import BusinessDates, DateRun, Started
from ..services.identity import login_name
from ..services.imports import import_file
from ..services.staff import register_simulated
from ..workflow.definition import Workflow
from ..workflow.jobs import JobReport
from ..workflow.machine import Refused
from .feed import import_day

CLERK, SUPERVISOR = "sim-clerk", "sim-supervisor"
SIMULATED_STAFF = {CLERK: "clerk", SUPERVISOR: "supervisor"}  # registered only where NHI_COLLECT_ALLOW_AS=1


def _draw(household_no: str, salt: str) -> int:
    """A stable number 0–99 per household and decision (no randomness between runs)."""
    return zlib.crc32(f"{salt}:{household_no}".encode()) % 100


@dataclass
class StaffPolicy:
    property_found_percent: int = 25
    plan_percent: int = 12
    suspend_percent: int = 15
    investigation_days: int = 21
    application_percent: int = 12  # households demanded or reminded who apply (減免, 分納, 還付, ...), per letter
    late_percent: int = 30  # applications the simulated clerk answers after their due date


def simulated_staff(engine: Engine, workflow: Workflow, on: date, policy: StaffPolicy = StaffPolicy()) -> int:
    """Close investigations, agree plans, approve and execute seizures, suspend; returns actions taken."""
    with engine.connect() as conn:
        rows = conn.execute(select(households.c.household_no, households.c.stage, households.c.stage_since)
                            .where(households.c.stage.in_(["reminder", "special_reminder", "property_investigation",
                                                           "seizure_notice"]))
                            .order_by(households.c.id)).all()
        approved = set(conn.execute(select(households.c.household_no).join(seizures)
                                    .where(seizures.c.executed_on.is_(None), seizures.c.released_on.is_(None)))
                       .scalars())
        closed = set(conn.execute(select(households.c.household_no).join(investigations)
                                  .where(investigations.c.closed_on >= households.c.stage_since)).scalars())
    taken = 0
    for hno, stage, since in rows:
        try:
            with transaction(engine) as conn:
                taken += _act(conn, workflow, on, policy, hno, stage, since, hno in approved, hno in closed)
        except Refused:
            continue  # the law said no (e.g. a seizure date not yet reached): a person would wait too
    return taken + simulated_applications(engine, workflow, on, policy)


def simulated_applications(engine: Engine, workflow: Workflow, on: date, policy: StaffPolicy) -> int:
    """Households two days or more after a demand or a reminder send an application now and then (one per letter;
    whether and which kind drawn per household and letter), received that day and owned by their town's clerk
    (the demo's accounts), else the simulated clerk; the owners answer, most within the period and some late
    (drawn per application), so the screens and the report have applications on time and late. The yearly
    suspension reviews the run opens are answered the same way."""
    kinds = [k for k in workflow.applications if k != casework_applications.REVIEW]
    reminded = date.fromordinal(on.toordinal() - 2)
    with engine.connect() as conn:
        owners = casework_applications.district_clerks(conn, workflow)
        senders = conn.execute(select(households.c.household_no, households.c.district, households.c.stage_since)
                               .where(households.c.stage.in_(["demanded", "reminder", "special_reminder"]),
                                      households.c.stage_since <= reminded,
                                      ~exists().where(applications.c.household_id == households.c.id,
                                                      applications.c.received_on >= households.c.stage_since))
                               .order_by(households.c.id)).all()
    taken = 0
    for hno, district, since in senders:  # at most one application per household and letter
        if kinds and _draw(f"{hno}:{since}", "apply") < policy.application_percent:
            kind = kinds[_draw(f"{hno}:{since}", "kind") % len(kinds)]
            with transaction(engine) as conn:
                casework_applications.record(conn, workflow, hno, kind, on, owners.get(district, CLERK), CLERK,
                                             "申請書を窓口で受付", on)
            taken += 1
    with engine.connect() as conn:
        waiting = conn.execute(select(applications.c.id, applications.c.kind, applications.c.received_on,
                                      applications.c.owner)
                               .where(applications.c.status == "open", applications.c.received_on <= on)).all()
    for app_id, kind, received, owner in waiting:
        days = workflow.applications[kind].days
        late = _draw(str(app_id), "late") < policy.late_percent
        answer_after = days + 3 + _draw(str(app_id), "how-late") % 20 if late else days * 2 // 3
        if (on - received).days >= answer_after:
            outcome = ("granted", "refused", "withdrawn")[_draw(str(app_id), "outcome") % 3]
            with transaction(engine) as conn:
                casework_applications.close(conn, workflow, app_id, outcome, "審査のうえ決定（シミュレーション）",
                                            on, owner)
            taken += 1
    return taken


def _act(conn, workflow, on, policy, hno, stage, since, approved, closed) -> int:
    days_in_stage = (on - since).days
    if stage in ("reminder", "special_reminder") and _draw(hno, "plan") < policy.plan_percent and days_in_stage >= 3:
        balance = _overdue(conn, hno, on)
        if balance >= workflow.policy.min_balance:
            part = max(balance // 6 // 100 * 100, 1000)
            # the last payment takes the rest: the six together cover the arrears (actions.agree_plan, 区の方針)
            schedule = [(month_end(*_month(on, k)), part if k < 6 else max(balance - 5 * part, part))
                        for k in range(1, 7)]
            actions.agree_plan(conn, workflow, hno, on, schedule, CLERK)
            return 1
    if stage == "property_investigation" and days_in_stage == 1 and not closed:
        actions.open_investigation(conn, workflow, hno, on, CLERK, [("bank", _bank(workflow))])
        return 1
    if stage == "property_investigation" and not closed and days_in_stage >= policy.investigation_days:
        found = _draw(hno, "property") < policy.property_found_percent
        actions.close_investigation(conn, workflow, hno, on, found, CLERK)
        if not found and _draw(hno, "suspend") < policy.suspend_percent:
            # 起案 by the clerk, 決裁 by the supervisor (区の方針: 決裁規程), as the ward decides a suspension
            proposal = decision_proposals.propose_suspension(
                conn, workflow, hno, on, "no_property", "財産調査の結果、滞納処分をすることができる財産がない", CLERK)
            decision_proposals.approve(conn, workflow, hno, proposal, on, SUPERVISOR, on)
        return 1
    if stage == "seizure_notice" and days_in_stage >= workflow.policy.reply_days:
        if not approved:
            # no more than the debt it is for (国税徴収法48条), no more than the bank holds
            # the bank's reply: a deposit seldom covers the whole debt, its balance drawn per household
            amount = min(actions.ripe_debt(conn, workflow, actions.household_id(conn, hno), on), _deposit(hno))
            if amount <= 0:
                return 0
            # drafted by the clerk, approved by the supervisor (決裁規程: 起案者と決裁者の分離)
            proposal = proposals.propose_seizure(conn, workflow, hno, on, "deposit", _bank(workflow), amount,
                                                 "simulated: the bank's reply", CLERK)
            proposals.approve_proposal(conn, workflow, hno, proposal, on, SUPERVISOR, balance=_deposit(hno))
        actions.execute_seizure(conn, workflow, hno, on, CLERK)
        # A deposit seizure is collected at once ("immediately on demand" for ordinary deposits).
        amount = conn.execute(select(seizures.c.amount).join(households)
                              .where(households.c.household_no == hno, seizures.c.released_on.is_(None))
                              .order_by(seizures.c.id.desc())).scalars().first()
        if amount:
            actions.collect_from_seizure(conn, workflow, hno, on, amount, CLERK)
        return 1
    return 0


def _deposit(hno: str) -> int:
    return 5_000 + 1_000 * _draw(hno, "deposit")


def _bank(workflow: Workflow) -> str:
    """The bank the simulated staff ask and seize at: the first third party of the ward's workflow file."""
    return next(iter(workflow.third_parties))


def _month(on: date, ahead: int) -> tuple[int, int]:
    index = on.year * 12 + on.month - 1 + ahead
    return index // 12, index % 12 + 1


def _overdue(conn, hno: str, on: date) -> int:
    return int(conn.execute(select(func.coalesce(func.sum(UNPAID), 0)).join(households)
                            .where(households.c.household_no == hno, UNPAID > 0, assessments.c.due_date < on))
               .scalar_one())


# Households paying the booked late fee a letter demands: most pay a 延滞金納付通知書; on a ladder's letter
# (still owing premium) fewer pay its late-fee lines. The others stay owed and demanded.
LATE_FEE_PAYERS_PERCENT = {"notice": 80, "ladder": 40}
PAY_WITHIN = 25  # days after the letter a simulated household pays at the latest


def _pays_on(household_no: str, issued_on: date, percent: int) -> date | None:
    """The day a household pays a letter's late fee (5–19 days after it, an office day), None if it does not."""
    if _draw(household_no, "late_fee") >= percent:
        return None
    return next_office_day(issued_on + timedelta(days=5 + _draw(household_no, "late_fee_day") % 15))


def late_fee_payments(engine: Engine, workflow: Workflow, on: date) -> int:
    """Simulated households paying the booked late fees their letters demand: the money arrives on `on` as a
    day's payment file (designated per installment, the letter's amounts), imported like the bank's. Nothing is
    stored beforehand: each day's payers follow from the letters already issued, so a re-run pays nothing twice
    (payment ids)."""
    notices = {job.late_fee_notice for job in workflow.calendar if job.late_fee_notice}
    kinds = {name for name, kind in workflow.letter_types.items() if kind.slip and kind.recipient == "household"}
    with engine.connect() as conn:
        rows = conn.execute(select(letters.c.serial, letters.c.letter_type, letters.c.issued_on,
                                   households.c.household_no, assessments.c.id.label("assessment_id"),
                                   assessments.c.fiscal_year, assessments.c.installment,
                                   case((letter_items.c.late_fee < LATE_FEE_UNPAID, letter_items.c.late_fee),
                                        else_=LATE_FEE_UNPAID).label("owed"))
                            .join(households, households.c.id == letters.c.household_id)
                            .join(letter_items, letter_items.c.letter_id == letters.c.id)
                            .join(assessments, assessments.c.id == letter_items.c.assessment_id)
                            .where(letters.c.letter_type.in_(kinds), letter_items.c.late_fee > 0,
                                   letters.c.issued_on < on, letters.c.issued_on >= on - timedelta(days=PAY_WITHIN))
                            .order_by(letters.c.id, assessments.c.fiscal_year, assessments.c.installment)).all()
    due, seen = [], set()
    for r in rows:  # what a letter demanded and is still owed, once however many letters listed it
        if r.owed > 0 and r.assessment_id not in seen and _pays_on(r.household_no, r.issued_on, LATE_FEE_PAYERS_PERCENT[
                "notice" if r.letter_type in notices else "ladder"]) == on:
            seen.add(r.assessment_id)
            due.append(r)
    if not due:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"late-fees-{on.isoformat()}.csv"
        with open(path, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["payment_id", "household_no", "fiscal_year", "installment", "paid_on", "amount", "channel"])
            w.writerows([f"LF-{r.serial}-{r.fiscal_year}-{r.installment}", r.household_no, r.fiscal_year,
                         r.installment, on.isoformat(), r.owed, "convenience_store"] for r in due)
        with transaction(engine) as conn:
            return import_file(conn, "payments", str(path), actor="feed", today=on).inserted


def simulate(engine: Engine, workflow: Workflow, start: date, end: date, feed: Path | None = None,
             staff: bool = True, one_at_a_time: bool = False,
             after_day: Callable[[date, list[JobReport]], object] | None = None,
             print_date: Callable[[date], object] | None = None, started: Started | None = None) -> list[DateRun]:
    """The day loop of `run` (services/business_date.py) with each day's files arriving first and
    simulated staff acting after the jobs of every office day; its runs are recorded as started by the
    operating-system user (`started`, else the login through "simulation")."""
    if staff:
        with transaction(engine) as conn:
            register_simulated(conn, SIMULATED_STAFF, "simulation")
    dates = BusinessDates(engine, workflow, print_date=print_date,
                          before=(lambda on: (import_day(engine, feed, on), late_fee_payments(engine, workflow, on)))
                          if feed is not None else None,
                          after_jobs=(lambda on: simulated_staff(engine, workflow, on)) if staff else None,
                          after_day=after_day, one_at_a_time=one_at_a_time,
                          started=started or (login_name(), "simulation"))
    return list(dates.run_range(start, end))
