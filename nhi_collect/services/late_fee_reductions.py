"""延滞金減免: a supervisor's recorded decision lowering an installment's booked late fee, with its reason.

The ordinance lets the mayor reduce or exempt a late fee for cause (the city's rules, applying the local-tax
late-fee articles, 地方自治法231条の3②); it is a decision (決裁) like a suspension or a write-off, so only a
supervisor, proven by sign-in or the OS account, records it, and only what is booked and still owed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select, update

from ..adapters.tables import LATE_FEE_UNPAID, assessments, late_fee_reductions
from ..errors import UserError
from ..workflow.definition import Workflow
from .actions import _audit, locked_household
from .identity import authorize
from ..workflow.machine import Refused


def reduce_late_fee(conn: Connection, workflow: Workflow, household_no: str, fiscal_year: int, installment: int,
                    amount: int, reason: str, on: date, actor: str) -> int:
    """Record a reduction of `amount` yen of the installment's booked late fee; returns what is still owed."""
    authorize(conn, workflow, actor, "reduce_late_fee")
    if amount <= 0:
        raise UserError(f"the reduction must be a positive whole number of yen, not {amount}")
    if not reason.strip():
        raise UserError("a reduction of late fee (延滞金減免) records its reason: give --reason")
    hid = locked_household(conn, household_no)
    row = conn.execute(select(assessments.c.id, LATE_FEE_UNPAID.label("owed"))
                       .where(assessments.c.household_id == hid, assessments.c.fiscal_year == fiscal_year,
                              assessments.c.installment == installment)).first()
    if row is None:
        raise UserError(f"household {household_no} has no installment {installment} of fiscal year {fiscal_year}")
    if amount > row.owed:
        raise Refused(f"延滞金減免 of {amount:,} yen exceeds the booked late fee still owed on fiscal year {fiscal_year} "
                      f"installment {installment}, {row.owed:,} yen: only a late fee booked when the premium was paid "
                      "(確定延滞金, 地方自治法231条の3第2項) and not yet paid can be reduced (区の方針)")
    conn.execute(late_fee_reductions.insert().values(assessment_id=row.id, amount=amount, reason=reason,
                                                     decided_by=actor, decided_on=on))
    conn.execute(update(assessments).where(assessments.c.id == row.id)
                 .values(late_fee_reduced=assessments.c.late_fee_reduced + amount))
    _audit(conn, actor, "reduce_late_fee", household_no, {"on": on, "fiscal_year": fiscal_year,
                                                          "installment": installment, "amount": amount,
                                                          "reason": reason})
    return row.owed - amount
