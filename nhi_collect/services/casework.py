"""Use cases of the case file's forms that add a check of their own around services/actions and services/work:
a returned letter of this household. (A plan's schedule covering the arrears is actions.agree_plan's own rule,
for the command line's `action plan` and the case file alike.)"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from ..errors import UserError
from ..workflow.definition import Workflow
from .actions import household_id
from .identity import authorize
from .letters import find_letter
from .work import return_letter


def return_household_letter(conn: Connection, workflow: Workflow, household_no: str, serial: str, reason: str,
                            on: date, user: str) -> None:
    """A returned letter marked from a household's case file must be one of that household's letters."""
    authorize(conn, workflow, user, "mark_returned")
    if find_letter(conn, serial).household_id != household_id(conn, household_no):
        raise UserError(f"letter {serial} was not sent to household {household_no}")
    return_letter(conn, workflow, serial, reason, on, user)
