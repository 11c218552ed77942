"""Web sign-in: staff passwords (argon2), lockout, server-side sessions with an idle timeout, the sign-in log.

Who acts on the web is the person who proved their password; the session row is the proof for later
requests. Only a hash of the session token is stored (a copy of the database signs nobody in), and every
attempt is written to sign_in_log with the user name as typed and the client's address.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from ..adapters import web_sessions as sessions
from ..adapters.staff_rows import is_active, locked_staff_row, update_staff
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from .identity import audit, authorize

# 30 minutes without a request ends a session: a screen left open at a counter or on an empty desk must
# not stay signed in for the next person (the ward's information-security policy; 総務省 ガイドライン).
IDLE_TIMEOUT = timedelta(minutes=30)
# A session's last_seen is written at most once a minute: one write per page would serialise every page
# of every clerk on SQLite, and a minute is nothing against a 30-minute timeout.
TOUCH_EVERY = timedelta(minutes=1)
MAX_FAILURES = 5  # consecutive failures that lock an account: guessing a password by trying is stopped
LOCKOUT = timedelta(minutes=15)  # how long; an administrator's set-password ends a lockout at once
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# compared with when the user is unknown, so that an unknown name takes as long as a wrong password
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class WebSession:
    user: str
    full_name: str
    role: str
    csrf_token: str


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _aware(at: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns: they were written in UTC."""
    return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def set_password(conn: Connection, workflow: Workflow, by: str, user: str, password: str) -> None:
    """The person themself or an administrator sets a password; it ends a lockout and every open session
    of that person (a password changed after a leak must shut out whoever used the old one). Audited."""
    if by != user:
        authorize(conn, workflow, by, "manage_staff")
    if not is_active(conn, user):
        raise Refused(f"{user} is not active staff: passwords are set only for registered staff "
                      "(`nhi-collect staff add` first)")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    update_staff(conn, user, password_hash=_hasher.hash(password), failed_sign_ins=0, locked_until=None)
    sessions.delete_sessions_of(conn, user)
    audit(conn, by, "set_password", "staff", user, {"by_administrator": by != user})


def _log(conn: Connection, typed: str, success: bool, reason: str, client: str | None) -> None:
    sessions.insert_sign_in_attempt(conn, now_utc(), typed[:60], success, reason, client)


def sign_in(conn: Connection, typed: str, password: str, client: str | None) -> tuple[str, str] | str:
    """(session token, CSRF token) for a proven person, else the reason of the refusal (logged either way;
    the caller commits the log even when it refuses). The token goes to the browser and only its hash here."""
    row = locked_staff_row(conn, typed)
    at = now_utc()
    if row is None or not row.active or row.password_hash is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        reason = "unknown_user" if row is None else "inactive" if not row.active else "no_password"
    elif row.locked_until is not None and _aware(row.locked_until) > at:
        reason = "locked"
    else:
        try:
            _hasher.verify(row.password_hash, password)
            reason = "signed_in"
        except (VerificationError, InvalidHashError):
            failures = row.failed_sign_ins + 1
            locks = failures >= MAX_FAILURES
            update_staff(conn, typed, failed_sign_ins=0 if locks else failures,
                         locked_until=at + LOCKOUT if locks else None)
            reason = "locked_out" if locks else "bad_password"
    _log(conn, typed, reason == "signed_in", reason, client)
    if reason != "signed_in":
        return reason
    update_staff(conn, typed, failed_sign_ins=0, locked_until=None)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    sessions.insert_session(conn, token_hash(token), typed, csrf, at, client)
    return token, csrf


def session_of(conn: Connection, token: str | None) -> WebSession | None:
    """The signed-in person of a session token, or None (no such session, an inactive person, or idle for
    longer than IDLE_TIMEOUT: that session is ended and the end logged)."""
    if not token:
        return None
    key = token_hash(token)
    row = sessions.session_with_person(conn, key)
    if row is None:
        return None
    at = now_utc()
    if not row.active or at - _aware(row.last_seen) > IDLE_TIMEOUT:
        sessions.delete_session(conn, key)
        _log(conn, row.user_name, False, "idle_timeout" if row.active else "inactive", row.client)
        return None
    if at - _aware(row.last_seen) > TOUCH_EVERY:
        sessions.touch_session(conn, key, at)
    return WebSession(row.user_name, row.full_name, row.role, row.csrf_token)


def sign_out(conn: Connection, token: str | None) -> None:
    if not token:
        return
    row = sessions.session_row(conn, token_hash(token))
    if row is not None:
        sessions.delete_session(conn, row.token_hash)
        _log(conn, row.user_name, True, "signed_out", row.client)
