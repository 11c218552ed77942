"""The applications register (申請 with clocks, services/applications.py): recording one, the row under its lock,
the compare-and-set close, its owner, the lists with their households in due-date order, the monthly report's
counts; and the suspensions in force whose yearly reviews the nightly run opens."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, func, or_, select, update

from .db import dialect_insert
from .tables import applications, households, suspensions


def insert_application(conn: Connection, **values) -> int:
    """The new application's id."""
    return conn.execute(applications.insert().values(**values).returning(applications.c.id)).scalar_one()


def application_household(conn: Connection, application_id: int) -> int | None:
    """The application's household id, or None if there is no such application."""
    return conn.execute(select(applications.c.household_id).where(applications.c.id == application_id)).scalar()


def locked_application(conn: Connection, application_id: int):
    """The application with its household's number, read under the application row's lock (FOR UPDATE OF)."""
    return conn.execute(select(applications, households.c.household_no).join(households)
                        .where(applications.c.id == application_id).with_for_update(of=applications)).first()


def close_if_open(conn: Connection, application_id: int, **outcome) -> int:
    """How many rows the UPDATE closed with the outcome: 1 if the application was open, else 0."""
    return conn.execute(update(applications).where(applications.c.id == application_id,
                                                   applications.c.status == "open")
                        .values(status="closed", **outcome)).rowcount


def set_owner(conn: Connection, application_id: int, owner: str) -> None:
    """Gives the application to `owner`."""
    conn.execute(update(applications).where(applications.c.id == application_id).values(owner=owner))


def _listed(conn: Connection, *conditions) -> list:
    return conn.execute(select(applications, households.c.household_no, households.c.head_name,
                               households.c.district)
                        .join(households, households.c.id == applications.c.household_id)
                        .where(*conditions).order_by(applications.c.due_on, applications.c.id)).all()


def owned_by(conn: Connection, owner: str, received_by: date, closed_from: date) -> list:
    """The owner's applications received by `received_by`, open or closed from `closed_from`, with households."""
    return _listed(conn, applications.c.owner == owner, applications.c.received_on <= received_by,
                   or_(applications.c.status == "open", applications.c.closed_on >= closed_from))


def open_due_before(conn: Connection, before: date, owner: str | None) -> list:
    """The open applications due before `before` (of `owner`, if given), with households."""
    conditions = [applications.c.status == "open", applications.c.due_on < before]
    if owner:
        conditions.append(applications.c.owner == owner)
    return _listed(conn, *conditions)


def of_household(conn: Connection, household_id: int, received_by: date) -> list:
    """The household's applications received by `received_by`, with the household's number, name, district."""
    return _listed(conn, applications.c.household_id == household_id, applications.c.received_on <= received_by)


def open_counts(conn: Connection, as_of: date) -> tuple[int, int]:
    """(open, of those due before `as_of`) of the applications received by `as_of`, as they stood that day."""
    still_open = or_(applications.c.closed_on.is_(None), applications.c.closed_on > as_of)
    return tuple(conn.execute(select(func.count().filter(still_open),
                                     func.count().filter(and_(still_open, applications.c.due_on < as_of)))
                              .where(applications.c.received_on <= as_of)).one())


def closed_counts(conn: Connection, since: date, as_of: date) -> tuple[int, int]:
    """(closed, of those closed after their due date) of the applications closed from `since` to `as_of`."""
    closed = and_(applications.c.closed_on >= since, applications.c.closed_on <= as_of)
    return tuple(conn.execute(select(func.count(),
                                     func.count().filter(applications.c.closed_on > applications.c.due_on))
                              .where(closed)).one())


def suspensions_in_force(conn: Connection, on: date) -> list:
    """(id, household_id, started_on, decided_by, district) of the suspensions begun by `on` and not lifted."""
    return conn.execute(select(suspensions.c.id, suspensions.c.household_id, suspensions.c.started_on,
                               suspensions.c.decided_by, households.c.district).join(households)
                        .where(suspensions.c.lifted_on.is_(None), suspensions.c.started_on <= on)).all()


def insert_new_reviews(conn: Connection, reviews: list[dict]) -> int:
    """How many of the reviews were inserted: one per suspension and received date, those already there skipped."""
    return len(conn.execute(dialect_insert(conn, applications).values(reviews)
                            .on_conflict_do_nothing(index_elements=["suspension_id", "received_on"])
                            .returning(applications.c.id)).all())
