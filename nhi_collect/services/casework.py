"""Use cases of the case file's forms that add a check of their own around services/actions and services/work:
a plan whose schedule covers the arrears, and a returned letter of this household."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from ..adapters.tables import UNPAID, assessments
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from .actions import agree_plan, household_id, locked_household
from .identity import authorize
from .letters import find_letter
from .work import return_letter


def arrears(conn: Connection, hid: int, on: date) -> int:
    """What the household owes on installments past their due date on `on` (written-off ones owe nothing)."""
    return int(conn.execute(select(func.coalesce(func.sum(UNPAID), 0))
                            .where(assessments.c.household_id == hid, assessments.c.due_date < on)).scalar_one())


def agree_covering_plan(conn: Connection, workflow: Workflow, household_no: str, on: date,
                        schedule: list[tuple[date, int]], actor: str) -> str:
    """分納誓約 whose promised payments add up to at least the arrears on the day it is agreed: a plan that
    leaves part of the arrears unscheduled would pause escalation for money nobody promised. Then the
    plan is agreed as services/actions.agree_plan does (its own rules: positive amounts, none before today)."""
    authorize(conn, workflow, actor, "agree_plan")
    owed = arrears(conn, locked_household(conn, household_no), on)  # read under the lock the plan is agreed in
    total = sum(amount for _, amount in schedule)
    if total < owed:
        raise Refused(f"分納誓約: the schedule promises {total:,} yen but the arrears on {on} are {owed:,} yen; "
                      f"{owed - total:,} yen more must be scheduled (区の方針)")
    return agree_plan(conn, workflow, household_no, on, schedule, actor)


def return_household_letter(conn: Connection, workflow: Workflow, household_no: str, serial: str, reason: str,
                            on: date, user: str) -> None:
    """A returned letter marked from a household's case file must be one of that household's letters."""
    authorize(conn, workflow, user, "mark_returned")
    if find_letter(conn, serial).household_id != household_id(conn, household_no):
        raise UserError(f"letter {serial} was not sent to household {household_no}")
    return_letter(conn, workflow, serial, reason, on, user)
