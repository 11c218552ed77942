"""A person's saved filters of the work queue (私の仕事): save under a name (again: replaced), list, delete.
Each is its owner's alone: nobody lists or deletes another person's."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import Connection, delete, select

from ..adapters.db import dialect_insert
from ..adapters.tables import saved_filters
from ..errors import UserError
from ..workflow.definition import Workflow
from .identity import authorize
from .queue import QueueFilter


def save(conn: Connection, workflow: Workflow, user: str, name: str, where: QueueFilter) -> None:
    authorize(conn, workflow, user, "read_queue")
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise UserError("a saved filter needs a name of 1 to 60 characters")
    values = {"saved_at": datetime.now(timezone.utc), "conditions": json.dumps(where.params(), ensure_ascii=False)}
    conn.execute(dialect_insert(conn, saved_filters).values(user_name=user, name=name, **values)
                 .on_conflict_do_update(index_elements=["user_name", "name"], set_=values))


def listing(conn: Connection, workflow: Workflow, user: str) -> list[dict]:
    """The person's saved filters by name, each with its conditions as strings (QueueFilter.params)."""
    authorize(conn, workflow, user, "read_queue")
    return [{"id": r.id, "name": r.name, "params": json.loads(r.conditions)} for r in conn.execute(
        select(saved_filters).where(saved_filters.c.user_name == user).order_by(saved_filters.c.name))]


def remove(conn: Connection, workflow: Workflow, user: str, filter_id: int) -> None:
    authorize(conn, workflow, user, "read_queue")
    gone = conn.execute(delete(saved_filters).where(saved_filters.c.id == filter_id,
                                                    saved_filters.c.user_name == user)).rowcount
    if gone != 1:
        raise UserError(f"{user} has no saved filter {filter_id}")
