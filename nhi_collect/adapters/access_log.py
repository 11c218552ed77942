"""The access log (who read which household, when, why, through what) and its monthly sign-offs
(services/staff.py, work.py, access_review.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, String, literal, select

from .db import dialect_insert
from .tables import access_log, access_reviews, households


def insert_access(conn: Connection, at: datetime, user: str, household_id: int, purpose: str,
                  command: str | None) -> None:
    conn.execute(access_log.insert().values(at=at, user_name=user, household_id=household_id, purpose=purpose,
                                            command=command))


def insert_reads(conn: Connection, at: datetime, user: str, household_ids, purpose: str, command: str) -> None:
    """One row per household a SELECT of household ids finds, by one INSERT ... SELECT."""
    ids = household_ids.distinct().subquery()
    conn.execute(access_log.insert().from_select(
        ["at", "user_name", "household_id", "purpose", "command"],
        select(literal(at, access_log.c.at.type), literal(user, String),
               ids.c[0], literal(purpose, String), literal(command, String))))


def insert_shown(conn: Connection, at: datetime, user: str, household_ids: list[int], purpose: str,
                 command: str) -> None:
    """One row per household id given, in one executemany."""
    rows = [{"at": at, "user_name": user, "household_id": hid, "purpose": purpose, "command": command}
            for hid in household_ids]
    if rows:
        conn.execute(access_log.insert(), rows)


def views_between(conn: Connection, since: datetime, until: datetime) -> list:
    """The log's rows in [since, until), each with its household's number, in time order."""
    return conn.execute(select(access_log, households.c.household_no).join(households)
                        .where(access_log.c.at >= since, access_log.c.at < until).order_by(access_log.c.at)).all()


def opened_since(conn: Connection, user: str, household_id: int, command: str, since: datetime) -> bool:
    return conn.execute(select(access_log.c.id).where(
        access_log.c.user_name == user, access_log.c.household_id == household_id, access_log.c.command == command,
        access_log.c.at >= since).limit(1)).first() is not None


def month_review(conn: Connection, month: str):
    return conn.execute(select(access_reviews).where(access_reviews.c.month == month)).first()


def insert_month_review(conn: Connection, values: dict) -> bool:
    """The sign-off in one statement (ON CONFLICT DO NOTHING): False when the month is signed already."""
    return conn.execute(dialect_insert(conn, access_reviews).values(**values).on_conflict_do_nothing()
                        .returning(access_reviews.c.month)).first() is not None


def month_signed_by(conn: Connection, month: str) -> str | None:
    return conn.execute(select(access_reviews.c.signed_by).where(access_reviews.c.month == month)).scalar()
