"""The rows a letter's contents are rebuilt from, by letter id: the letter with its household, the printed
fields' later changes, its items with their installments, its demand's deadline; a letter by serial
(services/letters.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, select

from .tables import assessments, demand_notices, household_changes, households, letter_items, letters


def letters_with_households(conn: Connection, letter_ids: list[int], fields: tuple[str, ...]) -> dict[int, object]:
    """Each letter's row with its household's `fields` (as they are now), by letter id."""
    return {r.id: r for r in conn.execute(
        select(letters, *(households.c[k] for k in fields))
        .join(households, households.c.id == letters.c.household_id).where(letters.c.id.in_(letter_ids))).all()}


def changes_since(conn: Connection, household_ids: set[int], fields: tuple[str, ...], since: datetime
                  ) -> dict[int, list]:
    """Changes of `fields` made at or after `since`, newest first, per household."""
    changes: dict[int, list] = {}
    for r in conn.execute(select(household_changes.c.household_id, household_changes.c.field,
                                 household_changes.c.old_value, household_changes.c.changed_at)
                          .where(household_changes.c.household_id.in_(household_ids),
                                 household_changes.c.field.in_(fields),
                                 household_changes.c.changed_at >= since)
                          .order_by(household_changes.c.id.desc())):
        changes.setdefault(r.household_id, []).append(r)
    return changes


def items_of(conn: Connection, letter_ids: list[int]) -> dict[int, list]:
    """Each letter's items with their installments (year, installment, due date, late fees), in year order."""
    items: dict[int, list] = {}
    for r in conn.execute(select(letter_items.c.letter_id, letter_items.c.unpaid, letter_items.c.late_fee,
                                 letter_items.c.assessment_id, assessments.c.household_id,
                                 assessments.c.fiscal_year, assessments.c.installment, assessments.c.due_date,
                                 assessments.c.late_fee_booked, assessments.c.late_fee_reduced)
                          .join(assessments, letter_items.c.assessment_id == assessments.c.id)
                          .where(letter_items.c.letter_id.in_(letter_ids))
                          .order_by(letter_items.c.letter_id, assessments.c.fiscal_year, assessments.c.installment)):
        items.setdefault(r.letter_id, []).append(r)
    return items


def deadlines_of(conn: Connection, letter_ids: list[int]) -> dict[int, date]:
    """The latest deadline of the demand notices each letter records, by letter id."""
    return dict(conn.execute(select(demand_notices.c.letter_id, func.max(demand_notices.c.deadline))
                             .where(demand_notices.c.letter_id.in_(letter_ids))
                             .group_by(demand_notices.c.letter_id)).all())


def households_of(letter_ids: list[int]):
    """A SELECT of the households of the letters (for the late-fee terms' suspensions)."""
    return select(letters.c.household_id).where(letters.c.id.in_(letter_ids))


def unpaid_installments_of(letter_ids: list[int]):
    """A SELECT of the installments the letters print as still unpaid (for their payment history)."""
    return select(letter_items.c.assessment_id).where(letter_items.c.letter_id.in_(letter_ids),
                                                      letter_items.c.unpaid > 0)


def unpaid_per_installment(conn: Connection, letter_id: int) -> dict[int, int]:
    """What the letter printed as unpaid, by installment."""
    return {r.assessment_id: r.unpaid for r in conn.execute(
        select(letter_items.c.assessment_id, letter_items.c.unpaid).where(letter_items.c.letter_id == letter_id))}


def letter_by_serial(conn: Connection, serial: str):
    """The letter's row, or None."""
    return conn.execute(select(letters).where(letters.c.serial == serial)).first()
