"""The section head's breakdowns of a fiscal year (services/series.py): overdue households and money per stage,
district and arrears age in one pass, and letters, seizures, plans and write-offs in a window of days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, case, func, select

from .tables import UNPAID, assessments, households, installment_plans, letters, seizures, write_offs


def overdue_cells(conn: Connection, n: int, as_of: date) -> list:
    """(stage, district, arrears age in years, households, overdue): overdue is what is unpaid on installments
    due before as_of; the age counts from fiscal year N back to the household's oldest overdue year."""
    overdue = and_(assessments.c.due_date < as_of, UNPAID > 0)
    per_household = (select(assessments.c.household_id, func.sum(UNPAID).label("overdue"),
                            func.min(assessments.c.fiscal_year).label("oldest"))
                     .where(overdue).group_by(assessments.c.household_id).subquery())
    age = case((per_household.c.oldest >= n, 0), else_=n - per_household.c.oldest)
    return conn.execute(select(households.c.stage, households.c.district, age, func.count(),
                               func.sum(per_household.c.overdue))
                        .select_from(households.join(per_household, per_household.c.household_id == households.c.id))
                        .group_by(households.c.stage, households.c.district, age)).all()


def letters_per_type(conn: Connection, first: date, last: date) -> list:
    return conn.execute(select(letters.c.letter_type, func.count()).where(letters.c.issued_on.between(first, last))
                        .group_by(letters.c.letter_type).order_by(letters.c.letter_type)).all()


def seizures_per_kind(conn: Connection, first: date, last: date) -> list:
    """(property kind, seizures, amount, collected)."""
    return conn.execute(select(seizures.c.property_kind, func.count(), func.sum(seizures.c.amount),
                               func.sum(seizures.c.collected))
                        .where(seizures.c.executed_on.between(first, last))
                        .group_by(seizures.c.property_kind).order_by(seizures.c.property_kind)).all()


def plans_per_status(conn: Connection, first: date, last: date) -> list:
    return conn.execute(select(installment_plans.c.status, func.count())
                        .where(installment_plans.c.agreed_on.between(first, last))
                        .group_by(installment_plans.c.status).order_by(installment_plans.c.status)).all()


def write_offs_per_ground(conn: Connection, first: date, last: date) -> list:
    """(ground, installments, amount)."""
    return conn.execute(select(write_offs.c.ground, func.count(), func.sum(write_offs.c.amount))
                        .where(write_offs.c.written_off_on.between(first, last))
                        .group_by(write_offs.c.ground).order_by(write_offs.c.ground)).all()
