"""Running a business date: the use case behind `run`, `simulate`, the scheduler and the demo.

A date runs the jobs its calendar schedules, in order, each in its own transaction, which first
inserts the job's (job, date) row in batch_runs: a second or concurrent run of the same date finds
the row and does nothing; a run killed midway rolled back as a whole, so running the date again does
all of it, once. A month end's last job also snapshots the collection rates. The date's letters are
then printed through one hook. The date ends with the work queue the staff find in the morning
(QUEUE_JOB): computed by the night's run, so that no clerk's first request of the day waits for it; and
the last office date of a run (one date, or a range's last) with the monthly report as of that date
(REPORT_JOB, nightly_reports), which the report page shows: recomputing the whole ledger takes seconds a
request at city scale.

Like a credit-control run (architecture.md), a date never runs backwards by accident: a date before
the last date run, with jobs not yet done, is refused unless the operator asks for it explicitly
(a missed date run late issues letters as of a day the ledger has already passed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, func, select

from ..adapters.db import dialect_insert
from ..adapters.tables import batch_runs, nightly_reports, rate_snapshots
from ..domain.calendar import month_end
from ..errors import UserError
from ..workflow.definition import CalendarJob, Workflow
from ..workflow.jobs import JobReport, run_job, scheduled
from . import credit, queue
from .applications import open_suspension_reviews
from .households import current_accounting_year
from .printing import PRINT_JOB
from .rates import collection_rates
from .report import monthly

ALLOW_BACKWARD = "--allow-backward"  # the option that names the operator's explicit request
QUEUE_JOB = "work_queue"  # batch_runs' name of a date's step after its jobs: the work queue refreshed for the morning
REPORT_JOB = "nightly_report"  # and of the monthly report as of the date, on a run's last office date

DateHook = Callable[[date], object]
Started = tuple[str, str]  # who started a run (the proven person) and through what (run, simulate, scheduler)


@dataclass
class DateRun:
    on: date
    jobs: list[JobReport] = field(default_factory=list)
    dry_run: bool = False
    printing: list = field(default_factory=list)  # what the print hook reports (services/printing.PrintReport)

    def as_json(self) -> dict:
        data = {"date": self.on.isoformat(), "jobs": [r.as_json() for r in self.jobs]}
        if self.dry_run:
            data["dry_run"] = True
        if self.printing:
            data["printing"] = [p.as_json() for p in self.printing]
        return data


class BackwardDate(UserError):
    pass


def last_run_date(conn: Connection) -> date | None:
    return conn.execute(select(func.max(batch_runs.c.business_date)).where(batch_runs.c.job != PRINT_JOB)).scalar()


def refuse_backward(engine: Engine, workflow: Workflow, on: date) -> None:
    """Refuse `on` when a later date has run and `on` still has jobs to do (a date all of whose jobs
    are done is a no-op, so running it again stays safe)."""
    with engine.connect() as conn:
        last = last_run_date(conn)
        if last is None or on >= last:
            return
        done = set(conn.execute(select(batch_runs.c.job).where(batch_runs.c.business_date == on)).scalars())
    todo = [job.job for job in scheduled(workflow, on) if job.job not in done]
    if todo:
        raise BackwardDate(
            f"business date {on} is before {last}, the last date run, and its jobs {', '.join(todo)} have not "
            f"run: run now they would issue letters and move households as of a day the ledger has already "
            f"passed. Run {last} or a later date, or, for a date that was missed, pass {ALLOW_BACKWARD} "
            f"to run it anyway.")


def run_date(engine: Engine, workflow: Workflow, on: date, *, one_at_a_time: bool = False, dry_run: bool = False,
             allow_backward: bool = False, started: Started | None = None, report: bool = True,
             before_rollback: Callable[[Connection], object] | None = None) -> list[JobReport]:
    """Every job the calendar schedules on `on`, then the queue and (`report`) the night's report; `dry_run`
    runs them in one transaction and rolls back, so later jobs see what earlier ones would have done and
    nothing is kept (`before_rollback` reads the date as it would be, e.g. its letters, on that transaction
    first)."""
    if not allow_backward:
        refuse_backward(engine, workflow, on)
    jobs = scheduled(workflow, on)
    if dry_run:
        with engine.connect() as conn, conn.begin() as tx:
            reports = [_run_claimed(conn, workflow, job, on, one_at_a_time, started) for job in jobs]
            if jobs:
                reports.append(_refresh_queue(conn, workflow, on, started))
            if before_rollback:
                before_rollback(conn)
            tx.rollback()
        return reports
    reports = []
    for job in jobs:
        with engine.connect() as conn, conn.begin():
            reports.append(_run_claimed(conn, workflow, job, on, one_at_a_time, started))
    if jobs:  # an office day: the queue after the day's moves and letters
        with engine.connect() as conn, conn.begin():
            reports.append(_refresh_queue(conn, workflow, on, started))
        if report and not any(r.status == "done" for r in reports):  # a date run again stays a no-op
            reports.append(JobReport(REPORT_JOB, "skipped"))
        elif report:
            with engine.connect() as conn, conn.begin():
                reports.append(report_night(conn, workflow, on, started))
    return reports


def _claim(conn: Connection, job: str, on: date, started: Started | None) -> int | None:
    by, via = started or (None, None)
    row = conn.execute(dialect_insert(conn, batch_runs).values(job=job, business_date=on, status="running",
                                     started_at=datetime.now(timezone.utc), started_by=by, started_via=via)
                       .on_conflict_do_nothing(index_elements=["job", "business_date"])
                       .returning(batch_runs.c.id)).first()
    return row.id if row else None


def _run_claimed(conn: Connection, workflow: Workflow, job: CalendarJob, on: date, one_at_a_time: bool,
                 started: Started | None = None) -> JobReport:
    run_id = _claim(conn, job.job, on, started)
    if run_id is None:
        return JobReport(job.job, "skipped")
    report = run_job(conn, workflow, job, on, run_id, one_at_a_time)
    if job.appropriate_credit:  # 地方税法17条・17条の2 (地方自治法231条の3④): before any letter of the date is chosen
        report.appropriated, letters = credit.appropriate_credit(conn, workflow, on, run_id)
        report.refunds_noticed = credit.notice_refunds(conn, workflow, on, run_id)
        report.letters += letters + report.refunds_noticed
    if job.every == "month_end":
        _snapshot_rates(conn, on)
    conn.execute(batch_runs.update().where(batch_runs.c.id == run_id).values(
        status="done", finished_at=datetime.now(timezone.utc), detail=json.dumps(report.as_json())))
    return report


def _refresh_queue(conn: Connection, workflow: Workflow, on: date, started: Started | None = None) -> JobReport:
    run_id = _claim(conn, QUEUE_JOB, on, started)
    if run_id is None:
        return JobReport(QUEUE_JOB, "skipped")
    # the morning's work: the queue's items and the yearly reviews of the suspensions in force
    report = JobReport(QUEUE_JOB, "done", queued=queue.refresh(conn, workflow, on)
                       + open_suspension_reviews(conn, workflow, on))
    conn.execute(batch_runs.update().where(batch_runs.c.id == run_id).values(
        status="done", finished_at=datetime.now(timezone.utc), detail=json.dumps(report.as_json())))
    return report


def report_night(conn: Connection, workflow: Workflow, on: date, started: Started | None = None) -> JobReport:
    """The monthly report of the date's accounting year as of the date, as the morning's staff will read it."""
    run_id = _claim(conn, REPORT_JOB, on, started)
    if run_id is None:
        return JobReport(REPORT_JOB, "skipped")
    year = current_accounting_year(on)
    figures = monthly(conn, year, on, workflow.targets)
    now = datetime.now(timezone.utc)
    conn.execute(dialect_insert(conn, nightly_reports).values(fiscal_year=year, as_of=on, computed_at=now,
                                                                 figures=json.dumps(figures, ensure_ascii=False))
                 .on_conflict_do_nothing(index_elements=["fiscal_year", "as_of"]))
    report = JobReport(REPORT_JOB, "done")
    conn.execute(batch_runs.update().where(batch_runs.c.id == run_id).values(
        status="done", finished_at=now, detail=json.dumps(report.as_json())))
    return report


def _snapshot_rates(conn: Connection, on: date) -> None:
    year = current_accounting_year(on)
    r = collection_rates(conn, year, month_end(on.year, on.month))
    figures = {"current_year": r.current_year.__dict__, "arrears": r.arrears.__dict__}
    conn.execute(rate_snapshots.insert().values(fiscal_year=year, as_of=r.as_of, figures=json.dumps(figures)))


@dataclass
class BusinessDates:
    """The one day loop. Per date: `before` (a simulation's daily files arrive), the jobs, `after_jobs`
    (simulated staff act on a day the office is open), `print_date` (the day's letters, and any earlier
    date's whose printing is incomplete; it returns what it printed, a list), `after_day`."""
    engine: Engine
    workflow: Workflow
    print_date: DateHook | None = None
    before: DateHook | None = None
    after_jobs: DateHook | None = None
    after_day: Callable[[date, list[JobReport]], object] | None = None
    one_at_a_time: bool = False
    started: Started | None = None  # recorded on each job's batch_runs row

    def run(self, on: date, *, dry_run: bool = False, allow_backward: bool = False, report: bool = True) -> DateRun:
        if dry_run:
            return DateRun(on, run_date(self.engine, self.workflow, on, one_at_a_time=self.one_at_a_time,
                                        dry_run=True, allow_backward=allow_backward, started=self.started),
                           dry_run=True)
        if not allow_backward:
            refuse_backward(self.engine, self.workflow, on)  # before a day's files are imported
        if self.before:
            self.before(on)
        reports = run_date(self.engine, self.workflow, on, one_at_a_time=self.one_at_a_time, allow_backward=True,
                           started=self.started, report=report)
        if reports and self.after_jobs:
            self.after_jobs(on)
        printed = self.print_date(on) if self.print_date else None
        if self.after_day:
            self.after_day(on, reports)
        return DateRun(on, reports, printing=printed or [])

    def run_range(self, start: date, end: date, *, allow_backward: bool = False) -> Iterator[DateRun]:
        if end < start:
            raise UserError(f"--to {end} is before --from {start}")
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        # the morning after a range reads one report: its last office date's (a year's simulation is not
        # slowed by 245 reports nobody opens; any date's report is computed when it is asked for)
        last_office = max((on for on in days if scheduled(self.workflow, on)), default=None)
        for on in days:
            yield self.run(on, allow_backward=allow_backward, report=on == last_office)

    def catch_up(self, today: Callable[[], date]) -> list[DateRun]:
        """The scheduler's morning: every date after the last one run, through today, in order (a date
        run before is skipped job by job, so overlapping with a manual `run` is harmless)."""
        with self.engine.connect() as conn:
            last = last_run_date(conn)
        end = today()
        if last and self.print_date:
            self.print_date(last)  # first a date whose printing died (a crash after its jobs committed)
        start = last + timedelta(days=1) if last else end
        return list(self.run_range(start, end)) if start <= end else []
