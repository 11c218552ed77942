"""What returned mail writes: the letter's status, and the household's non-residence check of the day, one per
household and day (the queue's key) (services/letters.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, literal, select, update

from .tables import letters, queue_items

KIND = "returned_mail"


def mark_letter_returned(conn: Connection, letter_id: int) -> None:
    """Sets the letter's status to returned."""
    conn.execute(update(letters).where(letters.c.id == letter_id).values(status="returned"))


def check_of_day(conn: Connection, household_id: int, on: date) -> int | None:
    """The id of the household's returned-mail item opened on `on`, or None."""
    return conn.execute(select(queue_items.c.id).where(queue_items.c.kind == KIND,
                                                       queue_items.c.household_id == household_id,
                                                       queue_items.c.created_on == on)).scalar()


def prepend_reason(conn: Connection, item_id: int, text: str) -> None:
    """Puts `text` before the item's reason."""
    conn.execute(update(queue_items).where(queue_items.c.id == item_id)
                 .values(reason=literal(text) + queue_items.c.reason))


def open_check(conn: Connection, household_id: int, reason: str, on: date, due_on: date) -> None:
    """Opens the household's returned-mail item on `on`, due `due_on`."""
    conn.execute(queue_items.insert().values(kind=KIND, household_id=household_id, reason=reason,
                                             created_on=on, due_on=due_on))
