"""The supervisor's team view: per person who works the queue, their districts, open queue items and open
applications, how many of each are overdue; the overdue items themselves; and reassignment of one person's work
to another, first as a dry run (which households and items it would move), then done in one transaction that
moves exactly what the dry run showed. Auditors read the view and act on nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from ..adapters import workload
from ..adapters.household_locks import lock_households
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from . import queue
from .applications import overdue_list
from .identity import audit, authorize, carries, duty, role_of
from .staff import log_shown

OVERDUE_SHOWN = 200  # the team view's list of overdue queue items, most overdue first


def team_view(conn: Connection, workflow: Workflow, on: date, user: str) -> dict:
    authorize(conn, workflow, user, "watch_applications")
    items, items_late, apps, apps_late = workload.open_work_per_person(conn, on)
    people = [{**w, "items": items.get(w["user"], 0), "items_overdue": items_late.get(w["user"], 0),
               "applications": apps.get(w["user"], 0), "applications_overdue": apps_late.get(w["user"], 0)}
              for w in queue.workers(conn, workflow)]
    unassigned = workload.unassigned_items(conn, on)
    late = workload.overdue_items(conn, on, OVERDUE_SHOWN)
    log_shown(conn, user, [r.household_id for r in late], "チームの期限超過", "team view")
    overdue_items = [{"id": r.id, "kind": r.kind, "reason": r.reason, "household_no": r.household_no,
                      "head_name": r.head_name, "district": r.district, "due_on": r.due_on.isoformat(),
                      "days_over": (on - r.due_on).days, "assigned_to": r.assigned_to, "claimed_by": r.claimed_by}
                     for r in late]
    return {"on": on.isoformat(), "people": people, "unassigned": unassigned, "overdue_items": overdue_items,
            "overdue_applications": overdue_list(conn, workflow, on, user)["items"],
            "may_reassign": carries(workflow, role_of(conn, user), "reassign_work")}


def _check(conn: Connection, workflow: Workflow, from_user: str, to_user: str, user: str) -> None:
    authorize(conn, workflow, user, "reassign_work")
    if from_user == to_user:
        raise UserError(f"{from_user}'s work would go to {from_user}: choose another person")
    role_of(conn, from_user)
    if not carries(workflow, role_of(conn, to_user), "work_queue"):
        raise Refused(f"{to_user} does not work the queue ({role_of(conn, to_user)}): work goes only to "
                      f"{', '.join(workflow.roles[duty(workflow, 'work_queue')])} (区の方針: the workflow file's [roles])")


def reassignment_plan(conn: Connection, workflow: Workflow, on: date, from_user: str, to_user: str,
                      district: str | None, user: str) -> dict:
    """The dry run: the households and items a bulk reassignment would move; nothing changes but the log."""
    _check(conn, workflow, from_user, to_user, user)
    items, apps = workload.work_of(conn, on, from_user, district)  # what a reassignment moves
    log_shown(conn, user, [r.household_id for r in (*items, *apps)], "一括再割当の確認", "team reassign")
    kinds = workflow.applications
    return {"from": from_user, "to": to_user, "district": district,
            "households": len({r.household_id for r in (*items, *apps)}),
            "items": [{"id": r.id, "kind": r.kind, "reason": r.reason, "household_no": r.household_no,
                       "head_name": r.head_name, "district": r.district, "due_on": r.due_on.isoformat()}
                      for r in items],
            "applications": [{"id": r.id, "kind": r.kind, "label": kinds[r.kind].label if r.kind in kinds else r.kind,
                              "household_no": r.household_no, "head_name": r.head_name, "district": r.district,
                              "due_on": r.due_on.isoformat()} for r in apps]}


def reassign_all(conn: Connection, workflow: Workflow, on: date, from_user: str, to_user: str,
                 district: str | None, item_ids: list[int], application_ids: list[int], user: str) -> dict:
    """Moves exactly what the dry run showed (`item_ids`, `application_ids`), in one transaction under the
    households' row locks; if the selection has changed since (an item closed, one added), nothing moves and
    the supervisor looks again (区の方針: what is done is what was shown)."""
    _check(conn, workflow, from_user, to_user, user)
    items, apps = workload.work_of(conn, on, from_user, district)
    hids = sorted({r.household_id for r in (*items, *apps)})
    if hids:
        lock_households(conn, hids)
        items, apps = workload.work_of(conn, on, from_user, district)
    if sorted(r.id for r in items) != sorted(item_ids) or sorted(r.id for r in apps) != sorted(application_ids):
        raise Refused(f"{from_user}'s work has changed since the dry run ({len(items)} items and {len(apps)} "
                      f"applications now, {len(item_ids)} and {len(application_ids)} shown): nothing was moved; "
                      "look at the dry run again (区の方針: a bulk action does what it showed)")
    if item_ids:
        workload.reassign_items(conn, item_ids, to_user)
    if application_ids:
        workload.reassign_applications(conn, application_ids, to_user)
    done = {"from": from_user, "to": to_user, "district": district, "households": len(hids),
            "items": len(item_ids), "applications": len(application_ids)}
    audit(conn, user, "bulk_reassign", "staff", from_user,
          {**done, "on": on, "item_ids": sorted(item_ids), "application_ids": sorted(application_ids)})
    return done
