"""Loading guard facts for a set of households (staff actions and the one-at-a-time parity path)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, select

from ..adapters.tables import (LATE_FEE_UNPAID, UNPAID, allocations, assessments, demand_notices, households, installment_plans,
                               investigations, letter_items, letters, payments, plan_schedule, seizure_items, seizures,
                               suspensions)
from .guards import Facts, Installment
from .release import WITHDRAWN

REMINDER_TYPES = ("reminder", "special_reminder")
# Money the debtor paid acknowledges the debt (民法152条); money taken by seizure or given back does not.
NOT_ACKNOWLEDGEMENTS = ("seizure", "refund")


def load_installments(conn: Connection, household_ids: list[int], on: date,
                      unpaid_only: bool = False) -> dict[int, list[Installment]]:
    """Each household's installments, oldest first, with the events recorded by `on` that limitation is
    computed from (domain.md §9): the demand notice, the reminders that listed them, the debtor's payments on
    them, the plans signed while they were due and the executed seizures that cover them."""
    reminders, paid, history = defaultdict(list), defaultdict(set), defaultdict(lambda: defaultdict(int))
    for assessment_id, issued_on in conn.execute(
            select(letter_items.c.assessment_id, letters.c.issued_on).join(letters)
            .where(letters.c.household_id.in_(household_ids), letters.c.letter_type.in_(REMINDER_TYPES),
                   letters.c.issued_on <= on)):
        reminders[assessment_id].append(issued_on)
    for assessment_id, received_on in conn.execute(
            select(allocations.c.assessment_id, allocations.c.received_on).join(payments)
            .where(payments.c.household_id.in_(household_ids), allocations.c.amount > 0,
                   payments.c.channel.not_in(NOT_ACKNOWLEDGEMENTS), allocations.c.received_on <= on)):
        paid[assessment_id].add(received_on)
    # what paid the principal, any channel, by day: the late fee's base falls the day after (地方税法20条の4の2②)
    for assessment_id, received_on, amount in conn.execute(
            select(allocations.c.assessment_id, allocations.c.received_on, allocations.c.amount).join(assessments)
            .where(assessments.c.household_id.in_(household_ids), allocations.c.part == "principal",
                   allocations.c.received_on <= on)):
        history[assessment_id][received_on] += amount
    plans, seized = defaultdict(list), defaultdict(list)
    for hid, agreed_on in conn.execute(
            select(installment_plans.c.household_id, installment_plans.c.agreed_on)
            .where(installment_plans.c.household_id.in_(household_ids), installment_plans.c.agreed_on <= on)):
        plans[hid].append(agreed_on)
    # a seizure covers the installments recorded with it, the ripe ones of its day (国税徴収法47条, 地方自治法
    # 231条の3③); a withdrawn one only postpones completion when it ends (民法148条1項かっこ書, 2項ただし書)
    for assessment_id, executed_on, released_on, reason in conn.execute(
            select(seizure_items.c.assessment_id, seizures.c.executed_on, seizures.c.released_on,
                   seizures.c.release_reason).join(seizures)
            .where(seizures.c.household_id.in_(household_ids), seizures.c.executed_on <= on)):
        ended = released_on is not None and released_on <= on
        seized[assessment_id].append((executed_on, released_on if ended else None, ended and reason == WITHDRAWN))
    found: dict[int, list[Installment]] = defaultdict(list)
    for r in conn.execute(
            select(assessments.c.id, assessments.c.household_id, assessments.c.fiscal_year, assessments.c.installment,
                   assessments.c.due_date, UNPAID.label("unpaid"), LATE_FEE_UNPAID.label("late_fee_unpaid"),
                   demand_notices.c.issued_on, demand_notices.c.deadline,
                   demand_notices.c.public_notice, demand_notices.c.served_on)
            .outerjoin(demand_notices, and_(demand_notices.c.assessment_id == assessments.c.id,
                                            demand_notices.c.issued_on <= on))
            .where(assessments.c.household_id.in_(household_ids), *((UNPAID > 0,) if unpaid_only else ()))
            .order_by(assessments.c.due_date, assessments.c.fiscal_year, assessments.c.installment)):
        found[r.household_id].append(Installment(
            r.fiscal_year, r.installment, r.due_date, r.unpaid, r.issued_on, r.deadline, tuple(reminders[r.id]),
            tuple(sorted(paid[r.id])), tuple(d for d in plans[r.household_id] if d > r.due_date),
            tuple(sorted(seized[r.id])), bool(r.public_notice),
            r.served_on if r.served_on is not None and r.served_on <= on else None,
            late_fee_unpaid=r.late_fee_unpaid, paid_history=tuple(sorted(history[r.id].items()))))
    return found


def load_facts(conn: Connection, household_ids: list[int], on: date) -> dict[int, Facts]:
    facts = {r.id: Facts(r.id, r.stage, r.stage_since, r.resume_stage, bool(r.whereabouts_unknown))
             for r in conn.execute(select(households).where(households.c.id.in_(household_ids)))}
    for hid, installments in load_installments(conn, household_ids, on).items():
        facts[hid].installments = installments
    for hid, closed_on in conn.execute(
            select(investigations.c.household_id, func.max(investigations.c.closed_on))
            .where(investigations.c.household_id.in_(household_ids), investigations.c.result == "property_found")
            .group_by(investigations.c.household_id)):
        if facts[hid].stage_since is None or closed_on >= facts[hid].stage_since:
            facts[hid].property_found_on = closed_on
    for hid, approved_on in conn.execute(
            select(seizures.c.household_id, func.min(seizures.c.approved_on))
            .where(seizures.c.household_id.in_(household_ids), seizures.c.executed_on.is_(None),
                   seizures.c.released_on.is_(None)).group_by(seizures.c.household_id)):
        facts[hid].seizure_approved_on = approved_on
    for plan in conn.execute(select(installment_plans).where(installment_plans.c.household_id.in_(household_ids),
                                                             installment_plans.c.status == "kept")):
        f = facts[plan.household_id]
        f.plan_agreed_on = plan.agreed_on
        f.plan_schedule = [(d, c) for d, c in conn.execute(
            select(plan_schedule.c.due_on, plan_schedule.c.cumulative).where(plan_schedule.c.plan_id == plan.id))]
        f.paid_since_plan = conn.execute(
            select(func.coalesce(func.sum(payments.c.amount), 0))
            .where(payments.c.household_id == plan.household_id,
                   and_(payments.c.paid_on >= plan.agreed_on, payments.c.paid_on <= on))).scalar_one()
    for s in conn.execute(select(suspensions).where(suspensions.c.household_id.in_(household_ids))
                          .order_by(suspensions.c.started_on)):
        if s.started_on <= on:  # its days exempt the late fee (地方税法15条の9①)
            facts[s.household_id].suspensions.append((s.started_on, s.lifted_on - timedelta(days=1) if s.lifted_on
                                                      else None))
        if s.lifted_on is None:
            facts[s.household_id].suspended_on = s.started_on
            facts[s.household_id].immediate_extinction = bool(s.immediate_extinction)
    return facts
