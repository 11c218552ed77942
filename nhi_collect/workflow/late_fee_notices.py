"""延滞金納付通知書: the stand-alone demand of a booked late fee (確定延滞金, domain.md §9), set-based.

A household whose premium is all paid but whose booked late fee is not is no longer reached by the ladder's
letters (they follow overdue premium), so the late fee is demanded on its own (地方自治法231条の3②, the
ordinance's late fee): one notice for each booking, never a second for the same one (a booking newer than the
last notice listing the installment is a new one), never by mail to a household whose whereabouts are unknown.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, exists, select
from sqlalchemy.orm import aliased

from ..adapters.tables import LATE_FEE_UNPAID, UNPAID, assessments, households, letter_items, letters
from . import batch
from .definition import Workflow
from .guards import Context, guard

A, h = assessments, households


def _notified(letter_type: str):
    """A notice of `letter_type` already listed the installment's late fee since it was booked."""
    sent = aliased(letters)
    return (exists().where(letter_items.c.assessment_id == A.c.id, letter_items.c.late_fee > 0)
            .where(sent.c.id == letter_items.c.letter_id, sent.c.letter_type == letter_type,
                   sent.c.issued_on >= A.c.late_fee_booked_on))


def candidates(workflow: Workflow, letter_type: str, on: date):
    ctx = Context(on, workflow.policy)
    principal_owed = exists().where(A.c.household_id == h.c.id, UNPAID > 0, A.c.due_date < on)
    unnotified = exists().where(A.c.household_id == h.c.id, LATE_FEE_UNPAID > 0, ~_notified(letter_type))
    return select(h.c.id).where(h.c.stage.not_in(workflow.closed_stages), guard("has_address").sql(ctx),
                                ~principal_owed, unnotified)


def issue(conn: Connection, workflow: Workflow, letter_type: str, on: date, run_id: int | None) -> int:
    """Notices of `letter_type` to every household that is due one on `on`; returns how many."""
    batch.prepare(conn)
    if not batch.select_locked(conn, candidates(workflow, letter_type, on)):
        return 0
    written = batch.write_letters(conn, workflow.letter_types[letter_type], on, run_id)
    batch.write_letter_items(conn, letter_type, on, LATE_FEE_UNPAID > 0)
    return written
