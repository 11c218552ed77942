"""The calendar's jobs as set-based SQL: which jobs a date schedules and what one job does.

Claiming a job, its transaction and the month-end snapshot belong to running a business date
(services/business_date.py); here is only the work of one job inside the transaction it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, select

from ..adapters.db import analyze_after_bulk
from ..adapters.queue_items import open_items
from ..adapters.tables import households
from ..domain.calendar import is_office_day, next_office_day
from . import batch, late_fee_notices, release
from .definition import RESUME, CalendarJob, Transition, Workflow
from .facts import load_facts
from .guards import Context, guard
from .machine import fire_all

SYSTEM = "system"
BATCH_TABLES = ("households", "stage_transitions", "letters", "letter_items", "demand_notices")


@dataclass
class JobReport:
    name: str
    status: str  # done | skipped (already run)
    transitions: dict[str, int] = field(default_factory=dict)
    letters: int = 0
    queued: int = 0
    released: int = 0  # seizures released (差押解除)
    appropriated: int = 0  # households whose credit was appropriated (充当)
    refunds_noticed: int = 0  # refund notices (還付通知書)
    sample: dict[str, list[str]] = field(default_factory=dict)  # a few household numbers per move

    def as_json(self) -> dict:
        return {"name": self.name, "status": self.status, "transitions": self.transitions, "letters": self.letters,
                "queued": self.queued, "released": self.released, "appropriated": self.appropriated,
                "refunds_noticed": self.refunds_noticed, "sample": self.sample}


def scheduled_on(job: CalendarJob, on: date) -> bool:
    """Whether the calendar puts `job` on office day `on` (round dates move to the next office day)."""
    if not is_office_day(on):
        return False
    if job.every == "business_day":
        return True
    if job.every == "month_end":
        return next_office_day(on + timedelta(days=1)).month != on.month
    return any(next_office_day(date(on.year, m, job.day)) == on for m in job.months)


def round_scope(job: CalendarJob, on: date):
    for month, scope in job.scope.items():
        if next_office_day(date(on.year, month, job.day)) == on:
            return scope
    return None


def scheduled(workflow: Workflow, on: date) -> list[CalendarJob]:
    return [job for job in workflow.calendar if scheduled_on(job, on)]


def run_job(conn: Connection, workflow: Workflow, job: CalendarJob, on: date, run_id: int,
            one_at_a_time: bool = False) -> JobReport:
    """One job's moves, letters and queue items, in the caller's transaction. `one_at_a_time` decides
    each household through the transitions Machine instead of the set-based SQL (the parity check)."""
    batch.prepare(conn)
    report = JobReport(job.job, "done")
    ctx = Context(on, workflow.policy, round_scope(job, on))
    for trigger in job.triggers:
        _fire(conn, workflow, trigger, ctx, run_id, report, one_at_a_time)
    if job.release_seizures:  # 国税徴収法79条1項, 地方税法15条の7第3項: the releases the law requires today
        report.released, letters = release.release_due(conn, workflow, on, run_id)
        report.letters += letters
    if job.late_fee_notice:
        report.letters += late_fee_notices.issue(conn, workflow, job.late_fee_notice, on, run_id)
    if job.queue:
        report.queued += _queue_checks(conn, workflow, job, on)
    analyze_after_bulk(conn, BATCH_TABLES, report.letters + sum(report.transitions.values()))
    return report


def candidates(workflow: Workflow, trigger: str, ctx: Context):
    """(dest, SQL selecting the household ids) per edge of a trigger; `resume` edges, one per rung."""
    t = workflow.transition(trigger)
    rungs = [(rung, [*t.guards, f"resumes_to_{rung}"]) for rung in workflow.ladder] if t.dest == RESUME \
        else [(t.dest, list(t.guards))]
    for dest, guards in rungs:
        yield dest, select(households.c.id).where(households.c.stage.in_(t.source),
                                                  *(guard(g).sql(ctx) for g in guards))


def _decided_one_at_a_time(conn, workflow, trigger, ctx, sources) -> dict[str, list[int]]:
    # locked before their facts are read (PostgreSQL, in id order): see batch.select_locked
    ids = conn.execute(select(households.c.id).where(households.c.stage.in_(sources))
                       .order_by(households.c.id).with_for_update()).scalars().all()
    return fire_all(workflow, trigger, load_facts(conn, ids, ctx.on), ctx)


def _fire(conn, workflow, trigger, ctx, run_id, report, one_at_a_time) -> None:
    t = workflow.transition(trigger)
    if one_at_a_time:
        groups = _decided_one_at_a_time(conn, workflow, trigger, ctx, t.source)
        edges = [(dest, lambda ids=ids: batch.fill_batch(conn, ids)) for dest, ids in sorted(groups.items())]
    else:
        edges = [(dest, lambda q=q: batch.select_locked(conn, q)) for dest, q in candidates(workflow, trigger, ctx)]
    for dest, fill in edges:
        moved = fill()
        if not moved:
            continue
        report.sample.setdefault(f"{trigger}->{dest}", batch.sample(conn))
        for letter_type in () if t.fan_out else t.letters:
            report.letters += batch.issue_letters(conn, workflow, letter_type, ctx.on, run_id)
        batch.end_records(conn, t.ends, ctx.on)
        if "seizure" in t.ends:
            report.letters += release.end_for_batch(conn, workflow, t.ends["seizure"], ctx.on, run_id)
        for (source, target), n in batch.move(conn, trigger, RESUME if t.dest == RESUME else dest, ctx.on, SYSTEM,
                                              run_id, workflow.side_stages).items():
            key = f"{source}->{target}"
            report.transitions[key] = report.transitions.get(key, 0) + n
    if t.fan_out:  # the moves first, while the guards still see the installments as undemanded
        _fan_out(conn, workflow, t, ctx, run_id, report, one_at_a_time)


def _fan_out(conn, workflow: Workflow, t: Transition, ctx: Context, run_id, report, one_at_a_time) -> None:
    """A fan-out transition's letters (the demand notice, statutory per installment, 地方自治法231条の3①)
    go to every household its guards select in any open stage, not only to those its edge moved;
    households selected but for has_address get its queue item instead of a letter."""
    if one_at_a_time:
        ids = conn.execute(select(households.c.id).where(households.c.stage.in_(workflow.open_stages))
                           .order_by(households.c.id).with_for_update()).scalars().all()
        facts = load_facts(conn, ids, ctx.on)
        batch.fill_batch(conn, [i for i, f in facts.items() if all(guard(g).python(f, ctx) for g in t.guards)])
    else:
        batch.select_locked(conn, select(households.c.id).where(
            households.c.stage.in_(workflow.open_stages), *(guard(g).sql(ctx) for g in t.guards)))
    for letter_type in t.letters:
        report.letters += batch.issue_letters(conn, workflow, letter_type, ctx.on, run_id)
    if t.no_address_queue:
        others = [guard(g).sql(ctx) for g in t.guards if g != "has_address"]
        report.queued += open_items(conn, t.no_address_queue["kind"], ctx.on, t.no_address_queue["reason"],
                                    select(households.c.id).where(~guard("has_address").sql(ctx), *others))


def _queue_checks(conn: Connection, workflow: Workflow, job: CalendarJob, on: date) -> int:
    """Seed 窓4: eligibility clean-up of suspected employee-insurance households (May, Oct, Feb) and
    non-residence checks with the resident-records team (Nov, Dec), for households in arrears."""
    in_arrears = select(households.c.id).where(households.c.stage.not_in([workflow.initial, *workflow.closed_stages]),
                                               ~guard("nothing_overdue").sql(Context(on, None)))
    return open_items(conn, job.queue, on, job.reason, in_arrears, due_days=30)
