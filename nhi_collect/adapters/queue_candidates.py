"""The households the ledger's state puts in the work queue, one query of household ids per kind of item (for
queue_items.open_items), and those whose limitation dates the queue's refresh computes (services/queue.py).
The service gives the dates its periods and the law make; these hold only the queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, exists, select

from .tables import (UNPAID, assessments, households, installment_plans, inquiries, investigations, promises,
                     queue_items, seizures)


def _ids():
    return select(households.c.id)


def unanswered_inquiries(sent_by: date):
    """A query of the households whose open investigation has an inquiry sent by `sent_by` and not replied to."""
    return (_ids().join(investigations, investigations.c.household_id == households.c.id)
            .join(inquiries, inquiries.c.investigation_id == investigations.c.id)
            .where(investigations.c.closed_on.is_(None), inquiries.c.replied_on.is_(None),
                   inquiries.c.sent_on <= sent_by))


def property_found():
    """A query of the households in property investigation whose investigation found property in that stage."""
    return _ids().where(households.c.stage == "property_investigation",
                        exists().where(investigations.c.household_id == households.c.id,
                                       investigations.c.result == "property_found",
                                       investigations.c.closed_on >= households.c.stage_since))


def seizure_notices_since(since_by: date):
    """A query of the households in seizure notice since `since_by` at the latest, with no seizure pending."""
    return _ids().where(households.c.stage == "seizure_notice", households.c.stage_since <= since_by,
                        ~exists().where(seizures.c.household_id == households.c.id, seizures.c.executed_on.is_(None),
                                        seizures.c.released_on.is_(None)))


def uncollected_seizures():
    """A query of the households with an executed seizure, not released, that has collected nothing."""
    return _ids().join(seizures, seizures.c.household_id == households.c.id).where(
        seizures.c.executed_on.is_not(None), seizures.c.collected == 0, seizures.c.released_on.is_(None))


def plans_broken_since(ended_from: date):
    """A query of the households with an installment plan broken on `ended_from` or later."""
    return _ids().join(installment_plans, installment_plans.c.household_id == households.c.id).where(
        installment_plans.c.status == "broken", installment_plans.c.ended_on >= ended_from)


def promises_broken_on(settled_on: date):
    """A query of the households with a promise to pay found broken on `settled_on`."""
    return (_ids().join(promises, promises.c.household_id == households.c.id)
            .where(promises.c.status == "broken", promises.c.settled_on == settled_on))


def overdue_since(due_before: date, closed_stages):
    """A query of the households outside `closed_stages` with an unpaid installment due before `due_before`."""
    overdue = select(assessments.c.household_id).where(UNPAID > 0, assessments.c.due_date < due_before)
    return _ids().where(households.c.id.in_(overdue), households.c.stage.not_in(closed_stages))


def among(household_ids: list[int]):
    """A query of the households of the ids."""
    return _ids().where(households.c.id.in_(household_ids))


def limitation_candidates(conn: Connection, due_by: date) -> list[int]:
    """The ids, sorted, of households with an unpaid installment due by `due_by` or with an open item."""
    candidates = select(assessments.c.household_id).where(UNPAID > 0, assessments.c.due_date <= due_by)
    with_items = select(queue_items.c.household_id).where(queue_items.c.status == "open")
    return sorted(set(conn.execute(candidates.union(with_items)).scalars()))
