"""Server-side web sessions (only a hash of each token) and the sign-in log (services/signin.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from .tables import sign_in_log, staff, web_sessions


def insert_sign_in_attempt(conn: Connection, at: datetime, user_name: str, success: bool, reason: str,
                           client: str | None) -> None:
    conn.execute(sign_in_log.insert().values(at=at, user_name=user_name, success=success, reason=reason,
                                             client=client))


def insert_session(conn: Connection, token_hash: str, user: str, csrf_token: str, at: datetime,
                   client: str | None) -> None:
    conn.execute(web_sessions.insert().values(token_hash=token_hash, user_name=user, csrf_token=csrf_token,
                                              created_at=at, last_seen=at, client=client))


def session_row(conn: Connection, token_hash: str):
    return conn.execute(select(web_sessions).where(web_sessions.c.token_hash == token_hash)).first()


def session_with_person(conn: Connection, token_hash: str):
    """The session with its person's name, role and whether they are active."""
    return conn.execute(select(web_sessions, staff.c.full_name, staff.c.role, staff.c.active).join(staff)
                        .where(web_sessions.c.token_hash == token_hash)).first()


def touch_session(conn: Connection, token_hash: str, at: datetime) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.token_hash == token_hash).values(last_seen=at))


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))


def delete_sessions_of(conn: Connection, user: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.user_name == user))
