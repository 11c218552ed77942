"""What the letter types' templates read beyond the ledger (their `details`): the inquiry's target, the
seizure and who executed it, the suspension, the plan's schedule, the posting, the appropriation and the
refund notice a letter records (services/letters.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from .tables import (allocations, appropriations, assessments, demand_notices, inquiries, installment_plans,
                     plan_schedule, refund_notices, seizure_letters, seizures, stage_transitions, suspensions)


def inquiry_target(conn: Connection, letter_id: int) -> str | None:
    """The third party the inquiry letter is sent to, or None."""
    return conn.execute(select(inquiries.c.target).where(inquiries.c.letter_id == letter_id)).scalar()


def seizure_of(conn: Connection, letter_id: int):
    """The seizure row the letter (a seizure or release notice) records."""
    return conn.execute(select(seizures).join(seizure_letters).where(seizure_letters.c.letter_id == letter_id)).one()


def seizing_actor(conn: Connection, household_id: int, by: date) -> str | None:
    """The actor of the household's latest `seize` move on or before `by`, or None."""
    return conn.execute(select(stage_transitions.c.actor).where(
        stage_transitions.c.household_id == household_id, stage_transitions.c.trigger == "seize",
        stage_transitions.c.on_date <= by).order_by(stage_transitions.c.on_date.desc(),
                                                    stage_transitions.c.id.desc())).scalar()


def suspension_ground_by(conn: Connection, household_id: int, by: date) -> str | None:
    """The ground of the household's suspension last begun on or before `by` (rows are never deleted)."""
    return conn.execute(select(suspensions.c.ground)
                        .where(suspensions.c.household_id == household_id, suspensions.c.started_on <= by)
                        .order_by(suspensions.c.started_on.desc(), suspensions.c.id.desc())).scalars().first()


def suspension_begun_on(conn: Connection, household_id: int, on: date):
    """The ground and immediate extinction of the household's suspension begun on `on`, or None."""
    return conn.execute(select(suspensions.c.ground, suspensions.c.immediate_extinction)
                        .where(suspensions.c.household_id == household_id,
                               suspensions.c.started_on == on)).first()


def plan_agreed_on(conn: Connection, household_id: int, on: date) -> int | None:
    """The id of the household's installment plan last agreed on `on`, or None."""
    return conn.execute(select(installment_plans.c.id).where(installment_plans.c.household_id == household_id,
                                                             installment_plans.c.agreed_on == on)
                        .order_by(installment_plans.c.id.desc())).scalar()


def plan_schedule_of(conn: Connection, plan_id: int | None) -> list:
    """The plan's (due day, cumulative amount) rows, by due day."""
    return conn.execute(select(plan_schedule.c.due_on, plan_schedule.c.cumulative)
                        .where(plan_schedule.c.plan_id == plan_id).order_by(plan_schedule.c.due_on)).all()


def posting_served_on(conn: Connection, letter_id: int) -> date | None:
    """The latest day the demand notices the posting records are served on, or None."""
    return conn.execute(select(func.max(demand_notices.c.served_on))
                        .where(demand_notices.c.letter_id == letter_id)).scalar()


def appropriation_of(conn: Connection, letter_id: int):
    """The appropriation row the letter notifies."""
    return conn.execute(select(appropriations).where(appropriations.c.letter_id == letter_id)).one()


def appropriated_installments(conn: Connection, appropriation_id: int) -> list:
    """What the appropriation gave each installment, with its year, number and due date, by due date."""
    return conn.execute(select(allocations.c.assessment_id, allocations.c.amount, assessments.c.fiscal_year,
                               assessments.c.installment, assessments.c.due_date)
                        .join(assessments, assessments.c.id == allocations.c.assessment_id)
                        .where(allocations.c.appropriation_id == appropriation_id)
                        .order_by(assessments.c.due_date, assessments.c.fiscal_year, assessments.c.installment)).all()


def refund_notice_of(conn: Connection, letter_id: int):
    """The refund notice row the letter is."""
    return conn.execute(select(refund_notices).where(refund_notices.c.letter_id == letter_id)).one()
