"""Holding a queue item (services/queue.py): the item under its row lock, the compare-and-set claim, letting go,
giving it to someone, closing it. The household's lock, taken first, is household_locks'."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, select, update

from .tables import queue_items


def locked_item(conn: Connection, item_id: int):
    """The item's row, read under its lock (SELECT ... FOR UPDATE), or None."""
    return conn.execute(select(queue_items).where(queue_items.c.id == item_id).with_for_update()).first()


def claim_if_free(conn: Connection, item_id: int, user: str, at: datetime) -> int:
    """How many rows the UPDATE claimed for `user`: 1 if the item was open and unclaimed, else 0."""
    return conn.execute(update(queue_items).where(queue_items.c.id == item_id, queue_items.c.status == "open",
                                                  queue_items.c.claimed_by.is_(None))
                        .values(claimed_by=user, claimed_at=at)).rowcount


def holder(conn: Connection, item_id: int):
    """The item's claimed_by and status, or None."""
    return conn.execute(select(queue_items.c.claimed_by, queue_items.c.status)
                        .where(queue_items.c.id == item_id)).first()


def unclaim(conn: Connection, item_id: int) -> None:
    """Leaves the item held by nobody."""
    conn.execute(update(queue_items).where(queue_items.c.id == item_id).values(claimed_by=None, claimed_at=None))


def unclaim_if_held_by(conn: Connection, item_id: int, user: str) -> None:
    """Leaves the item held by nobody if `user` held it; otherwise changes nothing."""
    conn.execute(update(queue_items).where(queue_items.c.id == item_id, queue_items.c.claimed_by == user)
                 .values(claimed_by=None, claimed_at=None))


def assign_item(conn: Connection, item_id: int, to_user: str) -> None:
    """Assigns the item to `to_user`, held by nobody."""
    conn.execute(update(queue_items).where(queue_items.c.id == item_id)
                 .values(assigned_to=to_user, claimed_by=None, claimed_at=None))


def close_item(conn: Connection, item_id: int, note: str, on: date) -> None:
    """Closes the item on `on` with the note."""
    conn.execute(update(queue_items).where(queue_items.c.id == item_id)
                 .values(status="closed", note=note, closed_on=on))
