"""A person's saved filters of the work queue, by name (services/saved_filters.py)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from .db import dialect_insert
from .tables import saved_filters


def upsert_filter(conn: Connection, user: str, name: str, values: dict) -> None:
    """Saved under the name, or replacing what was saved under it, in one statement."""
    conn.execute(dialect_insert(conn, saved_filters).values(user_name=user, name=name, **values)
                 .on_conflict_do_update(index_elements=["user_name", "name"], set_=values))


def filters_of(conn: Connection, user: str) -> list:
    return conn.execute(select(saved_filters).where(saved_filters.c.user_name == user)
                        .order_by(saved_filters.c.name)).all()


def delete_filter(conn: Connection, user: str, filter_id: int) -> int:
    """How many were deleted: 1, or 0 when the person has no such filter."""
    return conn.execute(delete(saved_filters).where(saved_filters.c.id == filter_id,
                                                    saved_filters.c.user_name == user)).rowcount
