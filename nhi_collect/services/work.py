"""A person opening work: today's queue, claiming an item, opening a household. Each opening of a
household's data is logged (who, which household, why) in the same transaction (seed 窓3)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from ..adapters.tables import queue_items
from ..errors import UserError
from ..workflow.definition import Workflow
from . import queue
from .actions import household_id
from .households import show_household
from .staff import log_access, role_of


def todays_queue(conn: Connection, workflow: Workflow, on: date, staff_user: str | None = None,
                 kind: str | None = None) -> list[dict]:
    """The queue refreshed from the ledger as of `on`, then listed in priority order."""
    queue.refresh(conn, workflow, on)
    return queue.items(conn, on, staff_user, kind)


def claim_item(conn: Connection, item_id: int, user: str) -> None:
    """Only registered staff claim; the claim opens the item's household, so it is logged."""
    role_of(conn, user)
    queue.claim(conn, item_id, user)
    hid = conn.execute(select(queue_items.c.household_id).where(queue_items.c.id == item_id)).scalar()
    if hid is None:
        raise UserError(f"no queue item {item_id}")
    log_access(conn, user, hid, f"queue item {item_id}")


def open_household(conn: Connection, household_no: str, as_of: date, user: str, reason: str) -> dict:
    data = show_household(conn, household_no, as_of)
    log_access(conn, user, household_id(conn, household_no), reason)
    return data
