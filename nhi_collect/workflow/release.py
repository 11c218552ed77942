"""差押解除 (国税徴収法79条・80条): a seizure ends, set-based, with its reason and its release notices.

A running (executed) seizure must be released (79条1項, 地方税法15条の7第3項) when the installments it covers
(seizure_items) are no longer owed, paid or written off, or when enforcement is suspended; staff may release
it on request (79条2項), which for limitation is a withdrawal (取下げ). A seized claim is released by notice to
the third-party debtor (80条1項ただし書) and the household is told (80条2項2号); real estate is released by
notice to the household (80条1項本文; its registration is then cancelled, 3項) and no third party is written
to: the letter types whose `details` is "release", one letter per seizure and recipient.

Why it ended matters for limitation (民法148条): a seizure ended by collection, payment, extinction or the
suspension's release renews the period from its end (2項); one withdrawn postpones completion for six months
only (1項かっこ書, 2項ただし書).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, case, exists, insert, select, update

from ..adapters.tables import UNPAID, assessments, seizure_items, seizures, suspensions, write_offs
from . import batch
from .definition import Workflow
from .guards import ripe_sql

COLLECTED = "collected"  # the seized property itself was collected (取立て, 国税徴収法67条)
PAID = "paid"  # the covered installments are paid (79条1項1号)
EXTINGUISHED = "extinguished"  # ... or written off, their claim extinguished (79条1項1号: 消滅)
SUSPENDED = "suspended"  # enforcement suspended (地方税法15条の7第3項)
WITHDRAWN = "withdrawn"  # released on request or given up (79条2項): 取下げ for 民法148条
RELEASE_REASONS = (COLLECTED, PAID, EXTINGUISHED, SUSPENDED, WITHDRAWN)

S = seizures


def _covers(*conditions):
    return exists().where(seizure_items.c.seizure_id == S.c.id, seizure_items.c.assessment_id == assessments.c.id,
                          *conditions)


def _suspended(on: date):
    return exists().where(suspensions.c.household_id == S.c.household_id, suspensions.c.started_on <= on,
                          suspensions.c.lifted_on.is_(None))


def running(on: date):
    return and_(S.c.executed_on.isnot(None), S.c.executed_on <= on, S.c.released_on.is_(None))


def due_reason(on: date):
    """Why a running seizure must be released on `on` (79条1項, 15条の7第3項), NULL while it must run on."""
    written_off = exists().where(write_offs.c.assessment_id == assessments.c.id)
    return case((_suspended(on), SUSPENDED), (~_covers(UNPAID > 0), case((_covers(written_off), EXTINGUISHED),
                                                                         else_=PAID)))


def release_due(conn: Connection, workflow: Workflow, on: date, run_id: int | None,
                household_ids: list[int] | None = None) -> tuple[int, int]:
    """Release every running seizure the law requires released on `on` (of `household_ids`, or all);
    returns (seizures released, letters written)."""
    reason = due_reason(on)
    query = select(S.c.id).where(running(on), reason.isnot(None))
    if household_ids is not None:
        query = query.where(S.c.household_id.in_(household_ids))
    return end(conn, workflow, query, reason, on, run_id)


def end(conn: Connection, workflow: Workflow, query, reason, on: date, run_id: int | None) -> tuple[int, int]:
    """End the seizures `query` selects (approved or running) for `reason`; the executed ones get their release
    notices. Returns (seizures ended, letters written). A compare-and-set: only the seizures this UPDATE finds
    still in force (released_on IS NULL, re-checked by PostgreSQL on the row once a concurrent release of it
    commits) are released here and get notices, so two releases at once (the night's job and a supervisor's,
    two people) cannot both send them."""
    ids = sorted(conn.execute(update(S).where(S.c.id.in_(query), S.c.released_on.is_(None))
                              .values(released_on=on, release_reason=reason).returning(S.c.id)).scalars())
    if not ids:
        return 0, 0
    return len(ids), release_letters(conn, workflow, on, run_id, ids)


def end_for_batch(conn: Connection, workflow: Workflow, reason: str, on: date, run_id: int | None) -> int:
    """A transition's `ends = { seizure = REASON }` for every household in the batch; returns the letters."""
    return end(conn, workflow, select(S.c.id).where(S.c.household_id.in_(select(batch.batch_ids.c.household_id))),
               reason, on, run_id)[1]


def release_letters(conn: Connection, workflow: Workflow, on: date, run_id: int | None, ids: list[int]) -> int:
    """The release notices of the executed seizures among `ids` (an approval never executed seized nothing),
    one per seizure and release letter type, each listing the installments its seizure covered. A seized
    claim is released by notice to its third-party debtor (80条1項ただし書); real estate has none, so its
    release goes to the household alone (1項本文) and no letter to a third party is written for it."""
    seized = conn.execute(select(S.c.id, S.c.household_id, S.c.property_kind)
                          .where(S.c.id.in_(ids), S.c.executed_on.isnot(None))
                          .order_by(S.c.household_id, S.c.id)).all()
    written = 0
    for letter in (t for t in workflow.letter_types.values() if t.details == "release"):
        # the household's notice (80条2項) is a document to be served: by public notice where its whereabouts
        # are unknown (地方税法20条の2), one posting per seizure as the mailed notice would be
        for kind, households_ in batch.addressed(conn, workflow, letter, sorted({s.household_id for s in seized})):
            reached = set(households_)
            written += batch.letters_per_seizure(conn, kind, on, run_id, [s for s in seized if s.household_id in reached])
    return written


def cover(conn: Connection, on: date, seizure_ids: list[int]) -> None:
    """Record what the seizures `seizure_ids`, executed on `on`, are for: their household's installments ripe
    that day (国税徴収法47条, 地方自治法231条の3③); later ones neither block nor join them."""
    conn.execute(insert(seizure_items).from_select(
        ["seizure_id", "assessment_id"],
        select(S.c.id, assessments.c.id).join(assessments, assessments.c.household_id == S.c.household_id)
        .where(S.c.id.in_(seizure_ids), ripe_sql(on))))
