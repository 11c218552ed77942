"""The staff table: who is registered, their role, districts and sign-in state, a person's full name
(services/staff.py, signin.py, letters.py; who works the queue: queue.py, applications.py)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from .tables import staff


def active_in_role(conn: Connection, role: str) -> list[str]:
    return conn.execute(select(staff.c.user_name).where(staff.c.role == role, staff.c.active.is_(True))
                        ).scalars().all()


def staff_row(conn: Connection, user: str):
    return conn.execute(select(staff).where(staff.c.user_name == user)).first()


def locked_staff_row(conn: Connection, user: str):
    """The row under its lock: two sign-ins of one person count their failures one after the other."""
    return conn.execute(select(staff).where(staff.c.user_name == user).with_for_update()).first()


def role_and_active(conn: Connection, user: str):
    return conn.execute(select(staff.c.role, staff.c.active).where(staff.c.user_name == user)).first()


def is_active(conn: Connection, user: str) -> bool:
    row = conn.execute(select(staff.c.active).where(staff.c.user_name == user)).first()
    return row is not None and row.active


def all_staff(conn: Connection) -> list:
    return conn.execute(select(staff).order_by(staff.c.user_name)).all()


def insert_staff(conn: Connection, user: str, **values) -> None:
    conn.execute(staff.insert().values(user_name=user, **values))


def update_staff(conn: Connection, user: str, **values) -> None:
    conn.execute(staff.update().where(staff.c.user_name == user).values(**values))


def full_name(conn: Connection, user: str) -> str | None:
    """The person's full name, or None."""
    return conn.execute(select(staff.c.full_name).where(staff.c.user_name == user)).scalar()


def user_names(conn: Connection) -> set[str]:
    """Every registered person's user name, active or not."""
    return set(conn.execute(select(staff.c.user_name)).scalars())


def towns_of(districts: str) -> list[str]:
    """The towns of a person's `districts` column (comma-separated, as staff add sets it)."""
    return [d.strip() for d in districts.split(",") if d.strip()]


def active_with_districts(conn: Connection, roles) -> list:
    """(user_name, full_name, districts) of the active staff in `roles`, by user name."""
    return conn.execute(select(staff.c.user_name, staff.c.full_name, staff.c.districts).where(
        staff.c.active.is_(True), staff.c.role.in_(roles)).order_by(staff.c.user_name)).all()
