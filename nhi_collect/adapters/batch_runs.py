"""What the calendar's runs recorded: batch_runs rows of a year or a date, a date's moves per edge
(services/runs.py); a job's row per date, written and read back (services/printing.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, select

from .tables import batch_runs, stage_transitions


def runs_between(conn: Connection, first: date, last: date) -> list:
    return conn.execute(select(batch_runs).where(batch_runs.c.business_date.between(first, last))
                        .order_by(batch_runs.c.business_date, batch_runs.c.id)).all()


def runs_of(conn: Connection, on: date) -> list:
    return conn.execute(select(batch_runs).where(batch_runs.c.business_date == on).order_by(batch_runs.c.id)).all()


def moves_of(conn: Connection, on: date) -> list[tuple]:
    """(batch run id or None, from stage, to stage, trigger, households) of a date, per run most first."""
    return [tuple(r) for r in conn.execute(
        select(stage_transitions.c.batch_run_id, stage_transitions.c.from_stage, stage_transitions.c.to_stage,
               stage_transitions.c.trigger, func.count())
        .where(stage_transitions.c.on_date == on)
        .group_by(stage_transitions.c.batch_run_id, stage_transitions.c.from_stage,
                  stage_transitions.c.to_stage, stage_transitions.c.trigger)
        .order_by(stage_transitions.c.batch_run_id, func.count().desc()))]


def record_run(conn: Connection, job: str, on: date, started_at: datetime, **values) -> None:
    """Updates the job's row of the date with `values`, or inserts it (started at `started_at`) when there is none."""
    done = conn.execute(batch_runs.update().where(batch_runs.c.job == job,
                                                  batch_runs.c.business_date == on).values(**values))
    if not done.rowcount:
        conn.execute(batch_runs.insert().values(job=job, business_date=on, started_at=started_at, **values))


def details_per_date(conn: Connection, job: str) -> dict[date, str]:
    """The detail (JSON text) of the job's row per business date."""
    return {r.business_date: r.detail for r in conn.execute(
        select(batch_runs.c.business_date, batch_runs.c.detail).where(batch_runs.c.job == job))}
