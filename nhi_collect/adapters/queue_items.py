"""Writing queue items in bulk: used by the calendar's jobs (workflow/) and the queue's refresh (services/)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, select

from .tables import households, queue_items


def open_items(conn: Connection, kind: str, on: date, reason: str, ids_query, due_days: int = 14) -> int:
    """Open one item per household `ids_query` selects, unless one of the same kind is already open."""
    already = select(queue_items.c.household_id).where(queue_items.c.kind == kind, queue_items.c.status == "open")
    ids = conn.execute(ids_query.where(households.c.id.not_in(already)).distinct()
                       .order_by(households.c.id)).scalars().all()
    if ids:
        conn.execute(queue_items.insert(), [{"kind": kind, "household_id": hid, "reason": reason, "created_on": on,
                                             "due_on": on + timedelta(days=due_days)} for hid in ids])
    return len(ids)
