"""What a household's credit (過納) arose from and was used for up to a day: payments and the part of each
no installment took, reductions' returned surpluses, appropriations, refunds (services/letters.py's notices)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from .tables import allocations, appropriations, assessments, payments


def payments_with_part_taken(conn: Connection, household_id: int, on: date) -> list:
    """The household's payments received by `on` (number, day, amount) with what installments took of each."""
    took = (select(allocations.c.payment_id, func.sum(allocations.c.amount).label("took"))
            .where(allocations.c.payment_id.isnot(None)).group_by(allocations.c.payment_id).subquery())
    return conn.execute(select(payments.c.payment_no, payments.c.paid_on, payments.c.amount, took.c.took)
                        .join(took, took.c.payment_id == payments.c.id, isouter=True)
                        .where(payments.c.household_id == household_id, payments.c.amount > 0,
                               payments.c.paid_on <= on)).all()


def returned_surpluses(conn: Connection, household_id: int, on: date) -> list:
    """The reductions' surpluses returned by `on` (day, negative amount, the installment's year and number)."""
    return conn.execute(
        select(allocations.c.received_on, allocations.c.amount, assessments.c.fiscal_year, assessments.c.installment)
        .join(assessments, assessments.c.id == allocations.c.assessment_id)
        .where(assessments.c.household_id == household_id, allocations.c.adjustment_id.isnot(None),
               allocations.c.amount < 0, allocations.c.received_on <= on)).all()


def appropriations_before(conn: Connection, household_id: int, on: date, appropriation_id: int | None
                          ) -> list[tuple[date, int]]:
    """(day, amount) of the household's appropriations before `appropriation_id` when given, else made by `on`."""
    earlier = appropriations.c.appropriated_on <= on
    if appropriation_id is not None:
        earlier = appropriations.c.id < appropriation_id
    return [tuple(r) for r in conn.execute(select(appropriations.c.appropriated_on, appropriations.c.amount)
                                           .where(appropriations.c.household_id == household_id, earlier))]


def refunds_paid(conn: Connection, household_id: int, on: date) -> list:
    """(day, negative amount) of the refund rows paid out by `on`."""
    return conn.execute(select(payments.c.paid_on, payments.c.amount).where(
        payments.c.household_id == household_id, payments.c.amount < 0, payments.c.paid_on <= on)).all()
