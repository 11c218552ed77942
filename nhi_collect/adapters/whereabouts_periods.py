"""居所不明 (whereabouts unknown) as dated periods (domain.md §9 "Dated facts for reports").

The household import records each change of the flag with its day: the file's `whereabouts_changed_on`,
else the import's own day. The current-year rate excludes the households unknown on the year's reference
day (domain.md §5), so a flag recorded after a year has closed never changes that year's figures.
Read and written here: by the household import (services/imports.py), the rates and their series, the case file.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Table, and_, func, insert, literal, or_, select, update

from .tables import assessments, households, whereabouts_periods as periods_table

P = periods_table.c


def covers(day: date):
    """A period in force on `day`: begun by then (or before the first record) and not yet ended."""
    return and_(or_(P.started_on.is_(None), P.started_on <= day), or_(P.ended_on.is_(None), P.ended_on > day))


def unknown_on(day: date):
    """An installment of a household whose whereabouts were unknown on `day`."""
    return assessments.c.household_id.in_(select(P.household_id).where(covers(day)))


def periods(conn: Connection, household_no: str) -> list[tuple[date | None, date | None]]:
    """The household's periods, oldest first: (from, until the day before `ended_on`)."""
    return [tuple(r) for r in conn.execute(
        select(P.started_on, P.ended_on).join(households, households.c.id == P.household_id)
        .where(households.c.household_no == household_no).order_by(P.id))]


def changed_on(stage: Table, today: date):
    return func.coalesce(stage.c.whereabouts_changed_on, literal(today))


def problems(conn: Connection, stage: Table, today: date):
    """Lines that would end an open period on or before the day it began (the flag cleared on a day
    not after the day it was set)."""
    return conn.execute(
        select(stage.c.line, P.started_on)
        .join(households, households.c.household_no == stage.c.household_no)
        .join(periods_table, and_(P.household_id == households.c.id, P.ended_on.is_(None)))
        .where(households.c.whereabouts_unknown.is_(True), stage.c.whereabouts_unknown.is_(False),
               P.started_on.is_not(None), changed_on(stage, today) <= P.started_on)).all()


def overlaps(conn: Connection, stage: Table, today: date):
    """Lines that would flag a household again on a day before its last period ended (two periods would then
    cover one day, and the day's status would depend on which is read)."""
    last_end = (select(func.max(P.ended_on)).where(P.household_id == households.c.id).scalar_subquery())
    return conn.execute(
        select(stage.c.line, last_end.label("ended_on"))
        .join(households, households.c.household_no == stage.c.household_no)
        .where(households.c.whereabouts_unknown.is_(False), stage.c.whereabouts_unknown.is_(True),
               changed_on(stage, today) < last_end)).all()


def record_changes(conn: Connection, stage: Table, today: date) -> None:
    """Before the households are updated: open a period for each household newly flagged, close the open one
    of each household whose flag is cleared (both on the change's day)."""
    stored = households.c.household_no == stage.c.household_no
    conn.execute(insert(periods_table).from_select(
        ["household_id", "started_on"],
        select(households.c.id, changed_on(stage, today)).join(stage, stored)
        .where(households.c.whereabouts_unknown.is_(False), stage.c.whereabouts_unknown.is_(True))))
    clearing = and_(households.c.whereabouts_unknown.is_(True), stage.c.whereabouts_unknown.is_(False))
    cleared_on = (select(changed_on(stage, today)).join(households, stored)
                  .where(households.c.id == P.household_id, clearing).scalar_subquery())
    conn.execute(update(periods_table).values(ended_on=cleared_on).where(
        P.ended_on.is_(None), P.household_id.in_(select(households.c.id).join(stage, stored).where(clearing))))


def record_new(conn: Connection, stage: Table, after_id: int) -> None:
    """After new households are inserted: a flagged one's period starts on the file's day when given, else
    before its first record (the status as the ward first knows it)."""
    conn.execute(insert(periods_table).from_select(
        ["household_id", "started_on"],
        select(households.c.id, stage.c.whereabouts_changed_on)
        .join(stage, households.c.household_no == stage.c.household_no)
        .where(households.c.id > after_id, stage.c.whereabouts_unknown.is_(True))))
