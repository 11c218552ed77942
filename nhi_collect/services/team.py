"""The supervisor's team view: per person who works the queue, their districts, open queue items and open
applications, how many of each are overdue; the overdue items themselves; and reassignment of one person's work
to another, first as a dry run (which households and items it would move), then done in one transaction that
moves exactly what the dry run showed. Auditors read the view and act on nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, or_, select, true, update

from ..adapters.tables import applications, households, queue_items
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from . import queue
from .applications import overdue_list
from .identity import audit, authorize, carries, duty, role_of
from .staff import log_shown

OVERDUE_SHOWN = 200  # the team view's list of overdue queue items, most overdue first


def _per_person(conn: Connection, query) -> dict[str, int]:
    return {user: n for user, n in conn.execute(query) if user}


def team_view(conn: Connection, workflow: Workflow, on: date, user: str) -> dict:
    authorize(conn, workflow, user, "watch_applications")
    open_item = (queue_items.c.status == "open") & (queue_items.c.created_on <= on)
    whose = func.coalesce(queue_items.c.claimed_by, queue_items.c.assigned_to)
    items = _per_person(conn, select(whose, func.count()).where(open_item).group_by(whose))
    items_late = _per_person(conn, select(whose, func.count()).where(open_item, queue_items.c.due_on < on)
                             .group_by(whose))
    open_app = applications.c.status == "open"
    apps = _per_person(conn, select(applications.c.owner, func.count()).where(open_app)
                       .group_by(applications.c.owner))
    apps_late = _per_person(conn, select(applications.c.owner, func.count())
                            .where(open_app, applications.c.due_on < on).group_by(applications.c.owner))
    people = [{**w, "items": items.get(w["user"], 0), "items_overdue": items_late.get(w["user"], 0),
               "applications": apps.get(w["user"], 0), "applications_overdue": apps_late.get(w["user"], 0)}
              for w in queue.workers(conn, workflow)]
    unassigned = conn.execute(select(func.count()).where(open_item, whose.is_(None))).scalar_one()
    late = conn.execute(select(queue_items, households.c.household_no, households.c.head_name,
                               households.c.district).join(households)
                        .where(open_item, queue_items.c.due_on < on)
                        .order_by(queue_items.c.due_on, queue_items.c.id).limit(OVERDUE_SHOWN)).all()
    log_shown(conn, user, [r.household_id for r in late], "チームの期限超過", "team view")
    overdue_items = [{"id": r.id, "kind": r.kind, "reason": r.reason, "household_no": r.household_no,
                      "head_name": r.head_name, "district": r.district, "due_on": r.due_on.isoformat(),
                      "days_over": (on - r.due_on).days, "assigned_to": r.assigned_to, "claimed_by": r.claimed_by}
                     for r in late]
    return {"on": on.isoformat(), "people": people, "unassigned": unassigned, "overdue_items": overdue_items,
            "overdue_applications": overdue_list(conn, workflow, on, user)["items"],
            "may_reassign": carries(workflow, role_of(conn, user), "reassign_work")}


def _selection(conn: Connection, on: date, from_user: str, district: str | None):
    """What a reassignment of `from_user`'s work moves: their open queue items (assigned or held) and open
    applications, in one district or all."""
    in_district = (households.c.district == district) if district else true()
    items = conn.execute(select(queue_items.c.id, queue_items.c.kind, queue_items.c.reason, queue_items.c.due_on,
                                queue_items.c.household_id, households.c.household_no, households.c.head_name,
                                households.c.district).join(households)
                         .where(queue_items.c.status == "open", queue_items.c.created_on <= on, in_district,
                                or_(queue_items.c.assigned_to == from_user, queue_items.c.claimed_by == from_user))
                         .order_by(queue_items.c.id)).all()
    apps = conn.execute(select(applications.c.id, applications.c.kind, applications.c.due_on,
                               applications.c.household_id, households.c.household_no, households.c.head_name,
                               households.c.district).join(households)
                        .where(applications.c.status == "open", applications.c.owner == from_user, in_district)
                        .order_by(applications.c.id)).all()
    return items, apps


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
    items, apps = _selection(conn, on, from_user, district)
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
    items, apps = _selection(conn, on, from_user, district)
    hids = sorted({r.household_id for r in (*items, *apps)})
    if hids:  # in id order, as every staff action locks households: two bulk moves never deadlock
        conn.execute(select(households.c.id).where(households.c.id.in_(hids)).order_by(households.c.id)
                     .with_for_update())
        items, apps = _selection(conn, on, from_user, district)
    if sorted(r.id for r in items) != sorted(item_ids) or sorted(r.id for r in apps) != sorted(application_ids):
        raise Refused(f"{from_user}'s work has changed since the dry run ({len(items)} items and {len(apps)} "
                      f"applications now, {len(item_ids)} and {len(application_ids)} shown): nothing was moved; "
                      "look at the dry run again (区の方針: a bulk action does what it showed)")
    if item_ids:
        conn.execute(update(queue_items).where(queue_items.c.id.in_(item_ids), queue_items.c.status == "open")
                     .values(assigned_to=to_user, claimed_by=None, claimed_at=None))
    if application_ids:
        conn.execute(update(applications).where(applications.c.id.in_(application_ids),
                                                applications.c.status == "open").values(owner=to_user))
    done = {"from": from_user, "to": to_user, "district": district, "households": len(hids),
            "items": len(item_ids), "applications": len(application_ids)}
    audit(conn, user, "bulk_reassign", "staff", from_user,
          {**done, "on": on, "item_ids": sorted(item_ids), "application_ids": sorted(application_ids)})
    return done
