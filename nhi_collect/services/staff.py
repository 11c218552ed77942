"""Who is acting: staff and their roles in the database, and the log of every opening of a household's
record, with the periodic review the ward runs over it (seed 窓3)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Connection, select

from ..adapters.tables import access_log, households, staff
from ..domain.calendar import TOKYO, in_tokyo, is_office_day
from ..errors import UserError
from ..workflow.machine import Refused
from .queue import household_ids_in_queue_of

ROLES = ("clerk", "supervisor", "auditor")
OFFICE_HOURS = (time(8, 45), time(17, 30))  # 大阪市 区役所 開庁時間


def add(conn: Connection, user: str, full_name: str, role: str, districts: list[str] = ()) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    values = {"full_name": full_name, "role": role, "districts": ",".join(districts), "active": True}
    if conn.execute(select(staff.c.user_name).where(staff.c.user_name == user)).first():
        conn.execute(staff.update().where(staff.c.user_name == user).values(**values))
    else:
        conn.execute(staff.insert().values(user_name=user, **values))


def listing(conn: Connection) -> list[dict]:
    return [{"user": r.user_name, "name": r.full_name, "role": r.role,
             "districts": [d for d in r.districts.split(",") if d], "active": r.active}
            for r in conn.execute(select(staff).order_by(staff.c.user_name))]


def role_of(conn: Connection, user: str) -> str:
    row = conn.execute(select(staff.c.role, staff.c.active).where(staff.c.user_name == user)).first()
    if row is None or not row.active:
        raise Refused(f"{user} is not active staff: only registered staff may act or open households "
                      "(個人情報保護: add them with `nhi-collect staff add`)")
    return row.role


def log_access(conn: Connection, user: str, household_id: int, purpose: str) -> None:
    """Logged for anyone, registered or not: an unregistered person's view is itself a finding of the review."""
    conn.execute(access_log.insert().values(at=datetime.now(timezone.utc), user_name=user,
                                            household_id=household_id, purpose=purpose))


def outside_office_hours(at: datetime) -> bool:
    local = in_tokyo(at)
    return not is_office_day(local.date()) or not OFFICE_HOURS[0] <= local.time() <= OFFICE_HOURS[1]


def access_review(conn: Connection, start: date, end: date) -> dict:
    """Views per person, views of households outside the person's own queue, views outside office hours."""
    since = datetime.combine(start, time(0), TOKYO).astimezone(timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time(0), TOKYO).astimezone(timezone.utc)
    rows = conn.execute(select(access_log, households.c.household_no).join(households)
                        .where(access_log.c.at >= since, access_log.c.at < until).order_by(access_log.c.at)).all()
    own = {user: household_ids_in_queue_of(conn, user) for user in {r.user_name for r in rows}}

    def view(r) -> dict:
        return {"at": in_tokyo(r.at).isoformat(timespec="seconds"), "user": r.user_name, "household_no": r.household_no,
                "purpose": r.purpose}
    return {"from": start.isoformat(), "to": end.isoformat(),
            "views_per_person": dict(sorted(Counter(r.user_name for r in rows).items())),
            "outside_own_queue": [view(r) for r in rows if r.household_id not in own[r.user_name]],
            "outside_office_hours": [view(r) for r in rows if outside_office_hours(r.at)]}
