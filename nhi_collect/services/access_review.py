"""The monthly access-log review on screen (seed 窓3): a Tokyo month's views per person, views outside one's
own work, views outside office hours (staff.access_review, the `audit access` CLI's service), the rows of one
person, and the supervisor's sign-off of the month once it has ended. Auditors read it all and change nothing
(the sign-off is the supervisor's duty in the workflow file)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Connection

from ..adapters.access_log import insert_month_review, month_review, month_signed_by
from ..domain.calendar import in_tokyo
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from .identity import audit, authorize
from .staff import access_review


def month_days(month: str) -> tuple[date, date]:
    """A YYYY-MM month's first and last day."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise UserError(f"月 {month[:20]!r} は YYYY-MM の形で指定してください") from None
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def this_month(now: datetime | None = None) -> str:
    """The Tokyo month of the clock (the access log's times are the clock's, not the business date)."""
    return in_tokyo(now or datetime.now(timezone.utc)).strftime("%Y-%m")


def review_month(conn: Connection, workflow: Workflow, month: str, user: str, person: str | None = None) -> dict:
    authorize(conn, workflow, user, "audit_access")
    start, end = month_days(month)
    data = access_review(conn, start, end)
    outside, after = (Counter(v["user"] for v in data[k]) for k in ("outside_own_queue", "outside_office_hours"))
    data["people"] = [{"user": u, "views": n, "outside_own": outside[u], "after_hours": after[u]}
                      for u, n in data["views_per_person"].items()]
    data["person"] = person
    if person:  # the drill-down: that person's rows of the two lists
        for key in ("outside_own_queue", "outside_office_hours"):
            data[key] = [v for v in data[key] if v["user"] == person]
    row = month_review(conn, month)
    data["month"], data["ended"] = month, month < this_month()
    data["sign_off"] = None if row is None else {
        "signed_by": row.signed_by, "signed_at": in_tokyo(row.signed_at).strftime("%Y-%m-%d %H:%M"),
        "views": row.views, "outside_own": row.outside_own, "after_hours": row.after_hours, "note": row.note}
    return data


def sign_off(conn: Connection, workflow: Workflow, month: str, user: str, note: str) -> None:
    """The supervisor's record that the month was reviewed, with the counts they saw. Only an ended month
    (its views are all in), and once: a second sign-off would overwrite what the first one saw."""
    authorize(conn, workflow, user, "sign_access_review")
    start, end = month_days(month)
    if month >= this_month():
        raise Refused(f"{month} has not ended: a month's access review is signed once all its views are in "
                      "(seed 窓3: the monthly review covers the whole month)")
    data = access_review(conn, start, end)
    values = {"month": month, "signed_by": user, "signed_at": datetime.now(timezone.utc),
              "views": sum(data["views_per_person"].values()), "outside_own": len(data["outside_own_queue"]),
              "after_hours": len(data["outside_office_hours"]), "note": note.strip()[:1000]}
    # one statement: two supervisors signing at once, the second finds the month's row and is refused
    if not insert_month_review(conn, values):
        by = month_signed_by(conn, month)
        raise Refused(f"the access review of {month} is already signed off by {by}: one sign-off a month, so that "
                      "the record keeps what was seen (seed 窓3)")
    audit(conn, user, "sign_access_review", "access_review", month, {k: v for k, v in values.items()
                                                                      if k not in ("month", "signed_at")})
