"""Whose work is what: open queue items and applications per person, those overdue, a person's work and its
reassignment, a person's own item on a household, the households in their queue (services/team.py, work.py,
queue.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, or_, select, true, update

from .tables import applications, households, queue_items

_WHOSE = func.coalesce(queue_items.c.claimed_by, queue_items.c.assigned_to)


def _open_item(on: date):
    return (queue_items.c.status == "open") & (queue_items.c.created_on <= on)


def _per_person(conn: Connection, query) -> dict[str, int]:
    return {user: n for user, n in conn.execute(query) if user}


def open_work_per_person(conn: Connection, on: date) -> tuple[dict[str, int], ...]:
    """Per person: open items (held, else assigned), of those overdue, open applications, of those overdue."""
    open_item, open_app = _open_item(on), applications.c.status == "open"
    return (_per_person(conn, select(_WHOSE, func.count()).where(open_item).group_by(_WHOSE)),
            _per_person(conn, select(_WHOSE, func.count()).where(open_item, queue_items.c.due_on < on)
                        .group_by(_WHOSE)),
            _per_person(conn, select(applications.c.owner, func.count()).where(open_app)
                        .group_by(applications.c.owner)),
            _per_person(conn, select(applications.c.owner, func.count())
                        .where(open_app, applications.c.due_on < on).group_by(applications.c.owner)))


def unassigned_items(conn: Connection, on: date) -> int:
    return conn.execute(select(func.count()).where(_open_item(on), _WHOSE.is_(None))).scalar_one()


def overdue_items(conn: Connection, on: date, limit: int) -> list:
    """Open items past their due day with their households, most overdue first."""
    return conn.execute(select(queue_items, households.c.household_no, households.c.head_name,
                               households.c.district).join(households)
                        .where(_open_item(on), queue_items.c.due_on < on)
                        .order_by(queue_items.c.due_on, queue_items.c.id).limit(limit)).all()


def work_of(conn: Connection, on: date, user: str, district: str | None) -> tuple[list, list]:
    """The person's open queue items (assigned or held) and open applications, in one district or all."""
    in_district = (households.c.district == district) if district else true()
    items = conn.execute(select(queue_items.c.id, queue_items.c.kind, queue_items.c.reason, queue_items.c.due_on,
                                queue_items.c.household_id, households.c.household_no, households.c.head_name,
                                households.c.district).join(households)
                         .where(queue_items.c.status == "open", queue_items.c.created_on <= on, in_district,
                                or_(queue_items.c.assigned_to == user, queue_items.c.claimed_by == user))
                         .order_by(queue_items.c.id)).all()
    apps = conn.execute(select(applications.c.id, applications.c.kind, applications.c.due_on,
                               applications.c.household_id, households.c.household_no, households.c.head_name,
                               households.c.district).join(households)
                        .where(applications.c.status == "open", applications.c.owner == user, in_district)
                        .order_by(applications.c.id)).all()
    return items, apps


def reassign_items(conn: Connection, item_ids: list[int], to_user: str) -> None:
    """The open ones of the items to `to_user`, unclaimed."""
    conn.execute(update(queue_items).where(queue_items.c.id.in_(item_ids), queue_items.c.status == "open")
                 .values(assigned_to=to_user, claimed_by=None, claimed_at=None))


def reassign_applications(conn: Connection, application_ids: list[int], to_user: str) -> None:
    conn.execute(update(applications).where(applications.c.id.in_(application_ids),
                                            applications.c.status == "open").values(owner=to_user))


def item_household(conn: Connection, item_id: int) -> int | None:
    return conn.execute(select(queue_items.c.household_id).where(queue_items.c.id == item_id)).scalar()


def own_item(conn: Connection, user: str, hid: int) -> int | None:
    """The person's queue item on the household, if any: assigned to them or held by them (the rule of
    households_in_queue_of below, by which the access review finds openings outside one's work)."""
    return conn.execute(select(queue_items.c.id).where(
        queue_items.c.household_id == hid, or_(queue_items.c.assigned_to == user, queue_items.c.claimed_by == user))
        .order_by((queue_items.c.status == "open").desc(), queue_items.c.id.desc()).limit(1)).scalar()


def households_in_queue_of(conn: Connection, user: str) -> set[int]:
    """The households of the person's queue items, open or closed: assigned to them or held by them."""
    return set(conn.execute(select(queue_items.c.household_id).where(
        (queue_items.c.assigned_to == user) | (queue_items.c.claimed_by == user))).scalars())
