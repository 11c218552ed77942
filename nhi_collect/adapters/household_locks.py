"""Households' row locks taken before a staff action changes their work (services/work.py, team.py)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from .tables import households


def lock_household(conn: Connection, household_id: int) -> None:
    conn.execute(select(households.c.id).where(households.c.id == household_id).with_for_update())


def lock_households(conn: Connection, household_ids: list[int]) -> None:
    """In id order, as every staff action locks households: two bulk moves never deadlock."""
    conn.execute(select(households.c.id).where(households.c.id.in_(household_ids)).order_by(households.c.id)
                 .with_for_update())
