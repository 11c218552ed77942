"""Who is acting: staff and their roles in the database, and the log of every opening of a household's
record, with the periodic review the ward runs over it (seed 窓3)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Connection

from ..adapters import access_log
from ..adapters.workload import households_in_queue_of
from ..adapters.staff_rows import (active_in_role, all_staff, insert_staff, role_and_active, staff_row, towns_of,
                                   update_staff)
from ..domain.calendar import TOKYO, in_tokyo, is_office_day
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from .identity import ALLOW_AS, acting_as_allowed, audit, authorize

ROLES = ("clerk", "supervisor", "auditor", "operator", "administrator")
ADMINISTRATOR = "administrator"
OFFICE_HOURS = (time(8, 45), time(17, 30))  # 大阪市 区役所 開庁時間


def add(conn: Connection, workflow: Workflow, by: str, user: str, full_name: str, role: str,
        districts: list[str] = ()) -> None:
    """Register a person or change their role, districts or name: an administrator's duty, audited.

    An empty database has no administrator: then, and only then, the person running the command may
    register themself as the first administrator (recorded like every change), who registers the rest.
    The last active administrator cannot be demoted, so that first-administrator door never reopens."""
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    admins = active_in_role(conn, ADMINISTRATOR)
    if admins:
        authorize(conn, workflow, by, "manage_staff")
    elif not (role == ADMINISTRATOR and user == by):
        raise Refused(f"no administrator is registered yet: the first one registers themself "
                      f"(`nhi-collect staff add {by} --name ... --role administrator`, as the operating-system "
                      "user), then registers the staff")
    before = staff_row(conn, user)
    if before is not None and admins == [user] and role != ADMINISTRATOR:
        raise Refused(f"{user} is the last administrator: register another administrator before changing this role")
    values = {"full_name": full_name, "role": role, "districts": ",".join(districts), "active": True}
    if before is not None:
        update_staff(conn, user, **values)
    else:
        insert_staff(conn, user, **values)
    audit(conn, by, "staff_change" if before is not None else "staff_add", "staff", user,
          {"role": role, "districts": list(districts), "name": full_name,
           "was": {"role": before.role, "districts": before.districts, "active": before.active} if before else None,
           "first_administrator": not admins})


def register_simulated(conn: Connection, users: dict[str, str], by: str) -> None:
    """Simulated staff (the demo, scenario tests) on a training database: only where acting as others is
    explicitly allowed (NHI_COLLECT_ALLOW_AS=1), and recorded."""
    if not acting_as_allowed():
        raise Refused(f"simulated staff act only on training databases ({ALLOW_AS}=1): {', '.join(users)}")
    for user, role in users.items():
        row = role_and_active(conn, user)
        if row is None or (row.role, row.active) != (role, True):
            (insert_staff(conn, user, full_name=f"simulated {role}", role=role) if row is None
             else update_staff(conn, user, role=role, active=True))
            audit(conn, by, "simulated_staff", "staff", user, {"role": role, ALLOW_AS: "1"})


def listing(conn: Connection) -> list[dict]:
    return [{"user": r.user_name, "name": r.full_name, "role": r.role,
             "districts": towns_of(r.districts), "active": r.active}
            for r in all_staff(conn)]


def log_access(conn: Connection, user: str, household_id: int, purpose: str, command: str | None = None) -> None:
    """Who opened which household, when, why (`purpose`) and through what (`command`)."""
    access_log.insert_access(conn, datetime.now(timezone.utc), user, household_id, purpose, command)


def log_reads(conn: Connection, user: str, household_ids, purpose: str, command: str) -> None:
    """One access-log row per household a command shows or prints at once (a date's letters, a queue
    list): the names and amounts of thousands of households were read without a trace. `household_ids`
    is a SELECT of household ids, written by one INSERT ... SELECT."""
    access_log.insert_reads(conn, datetime.now(timezone.utc), user, household_ids, purpose, command)


def log_shown(conn: Connection, user: str, household_ids, purpose: str, command: str) -> None:
    """One access-log row per household of a page a person was shown (a queue page, search results): the
    ids as listed, not the page's query run again, which could find others once the queue has moved."""
    access_log.insert_shown(conn, datetime.now(timezone.utc), user, sorted(set(household_ids)), purpose, command)


def outside_office_hours(at: datetime) -> bool:
    local = in_tokyo(at)
    return not is_office_day(local.date()) or not OFFICE_HOURS[0] <= local.time() <= OFFICE_HOURS[1]


def access_review(conn: Connection, start: date, end: date) -> dict:
    """Views per person, views of households outside the person's own queue, views outside office hours."""
    since = datetime.combine(start, time(0), TOKYO).astimezone(timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time(0), TOKYO).astimezone(timezone.utc)
    rows = access_log.views_between(conn, since, until)
    own = {user: households_in_queue_of(conn, user) for user in {r.user_name for r in rows}}

    def view(r) -> dict:
        return {"at": in_tokyo(r.at).isoformat(timespec="seconds"), "user": r.user_name, "household_no": r.household_no,
                "purpose": r.purpose}
    return {"from": start.isoformat(), "to": end.isoformat(),
            "views_per_person": dict(sorted(Counter(r.user_name for r in rows).items())),
            "outside_own_queue": [view(r) for r in rows if r.household_id not in own[r.user_name]],
            "outside_office_hours": [view(r) for r in rows if outside_office_hours(r.at)]}
