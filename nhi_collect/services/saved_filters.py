"""A person's saved filters of the work queue (私の仕事): save under a name (again: replaced), list, delete.
Each is its owner's alone: nobody lists or deletes another person's."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import Connection

from ..adapters import saved_filters as stored
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
    stored.upsert_filter(conn, user, name, values)


def listing(conn: Connection, workflow: Workflow, user: str) -> list[dict]:
    """The person's saved filters by name, each with its conditions as strings (QueueFilter.params)."""
    authorize(conn, workflow, user, "read_queue")
    return [{"id": r.id, "name": r.name, "params": json.loads(r.conditions)} for r in stored.filters_of(conn, user)]


def remove(conn: Connection, workflow: Workflow, user: str, filter_id: int) -> None:
    authorize(conn, workflow, user, "read_queue")
    if stored.delete_filter(conn, user, filter_id) != 1:
        raise UserError(f"{user} has no saved filter {filter_id}")
