"""Writing queue items in bulk: used by the calendar's jobs (workflow/) and the queue's refresh (services/queue.py):
opening items, their priority keys, their assignment by district, the refresh's turn."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, case, func, select, text, update

from .tables import UNPAID, assessments, households, queue_items


def open_items(conn: Connection, kind: str, on: date, reason: str, ids_query, due_days: int = 14) -> int:
    """Open one item per household `ids_query` selects, unless one of the same kind is already open."""
    already = select(queue_items.c.household_id).where(queue_items.c.kind == kind, queue_items.c.status == "open")
    ids = conn.execute(ids_query.where(households.c.id.not_in(already)).distinct()
                       .order_by(households.c.id)).scalars().all()
    if ids:
        conn.execute(queue_items.insert(), [{"kind": kind, "household_id": hid, "reason": reason, "created_on": on,
                                             "due_on": on + timedelta(days=due_days)} for hid in ids])
    return len(ids)


def take_refresh_turn(conn: Connection, key: int) -> None:
    """Returns once the transaction holds advisory lock `key` (SQLite's BEGIN IMMEDIATE already serialises)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def open_item_households(conn: Connection) -> list:
    """(item id, household id) of every open item."""
    return conn.execute(select(queue_items.c.id, queue_items.c.household_id)
                        .where(queue_items.c.status == "open")).all()


def arrears_of_open_items(conn: Connection, on: date) -> dict[int, tuple[int, date]]:
    """Per household with an open item: (unpaid money due before `on`, the oldest unpaid installment's due date)."""
    return {hid: (int(money or 0), oldest) for hid, money, oldest in conn.execute(
        select(assessments.c.household_id, func.sum(case((assessments.c.due_date < on, UNPAID), else_=0)),
               func.min(assessments.c.due_date))
        .where(UNPAID > 0, assessments.c.household_id.in_(select(queue_items.c.household_id)
                                                          .where(queue_items.c.status == "open")))
        .group_by(assessments.c.household_id))}


def set_priorities(conn: Connection, keys: list[dict]) -> None:
    """Writes each item's priority keys (dicts of item, lim, money, oldest) in one executemany."""
    conn.execute(update(queue_items).where(queue_items.c.id == bindparam("item"))
                 .values(limitation_on=bindparam("lim"), amount=bindparam("money"), oldest_due=bindparam("oldest")),
                 keys)


def assign_unassigned(conn: Connection, user: str, towns: list[str]) -> None:
    """Gives `user` the open, unassigned items of households in `towns`."""
    conn.execute(update(queue_items).where(
        queue_items.c.status == "open", queue_items.c.assigned_to.is_(None),
        queue_items.c.household_id.in_(select(households.c.id).where(households.c.district.in_(towns))))
        .values(assigned_to=user))
