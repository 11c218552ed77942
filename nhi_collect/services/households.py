"""`household show`: one household's ledger as of a date (contract.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, exists, func, select

from ..adapters.tables import (adjustments, allocations, appropriations, assessments, demand_notices, households,
                               late_fee_reductions, letters, payments, refund_notices, seizure_items, seizures,
                               stage_transitions, write_offs)
from ..domain.calendar import fiscal_year
from ..domain.allocation import PRINCIPAL
from ..domain.late_fee import late_fee_estimate, suspension_exempt
from ..errors import UserError
from ..workflow.facts import load_facts


def current_accounting_year(as_of: date) -> int:
    """In April–May the closing period (出納整理期間) still belongs to the previous fiscal year."""
    year = fiscal_year(as_of)
    return year - 1 if as_of.month in (4, 5) else year


def show_household(conn: Connection, household_no: str, as_of: date, band_months: int = 1) -> dict:
    """`band_months`: the lower late-fee band of the workflow's policy (1 or 3 months, domain/late_fee.py)."""
    head = conn.execute(select(households).where(households.c.household_no == household_no)).first()
    if head is None:
        raise UserError(f"unknown household {household_no}")
    rows = conn.execute(
        select(assessments, demand_notices.c.issued_on, demand_notices.c.deadline, write_offs.c.written_off_on,
               write_offs.c.ground)
        .join(demand_notices, demand_notices.c.assessment_id == assessments.c.id, isouter=True)
        .join(write_offs, and_(write_offs.c.assessment_id == assessments.c.id, write_offs.c.written_off_on <= as_of),
              isouter=True)
        .where(assessments.c.household_id == head.id)
        .order_by(assessments.c.fiscal_year, assessments.c.installment)).all()
    receipts, fees_paid = _receipts_as_of(conn, head.id, as_of)
    paid_as_of = {k: sum(amount for _, amount in v) for k, v in receipts.items()}
    adjusted_as_of = _adjusted_as_of(conn, head.id, as_of)
    # limitation from the recorded events (domain.md §9) as the workflow's guards see them
    household_facts = load_facts(conn, [head.id], as_of)[head.id]
    facts = {(i.fiscal_year, i.installment): i for i in household_facts.installments}
    current = current_accounting_year(as_of)
    installments, balance, fees = [], {"current_year": 0, "arrears": 0}, []
    for r in rows:
        amount = r.amount + adjusted_as_of.get(r.id, 0)
        paid = paid_as_of.get(r.id, 0)
        unpaid = max(amount - paid, 0)
        if r.due_date <= as_of:
            balance["current_year" if r.fiscal_year >= current else "arrears"] += unpaid
        limitation_date, events = facts[(r.fiscal_year, r.installment)].limitation()
        # 延滞金見込: what the late fee would be were the rest paid on `as_of`, the base lowered from the day
        # after each partial payment (地方税法20条の4の2②), a suspension's days exempted (15条の9①); nothing on an
        # extinguished claim
        fee = 0 if not unpaid or r.written_off_on else late_fee_estimate(
            amount, r.due_date, as_of, band_months=band_months,
            payments=[(on, paid) for on, paid in receipts.get(r.id, ()) if paid > 0],
            exempt=suspension_exempt(household_facts.suspensions, r.due_date))
        fees.append(fee)
        booked = r.late_fee_booked if r.late_fee_booked_on and r.late_fee_booked_on <= as_of else 0
        installments.append({
            "fiscal_year": r.fiscal_year, "installment": r.installment, "due_date": r.nominal_due_date.isoformat(),
            # 納期限 as the law reads it (地方自治法4条の2④): every figure of the row runs from it
            "legal_due_date": r.due_date.isoformat(),
            "amount": amount, "paid": paid, "unpaid": unpaid,
            "demand_issued_on": r.issued_on.isoformat() if r.issued_on else None,
            "limitation_date": _iso(limitation_date) if unpaid else None,
            "limitation_events": [{"on": e.on.isoformat(), "kind": e.kind, "effect": e.effect} for e in events],
            # 確定延滞金 booked when the principal was paid (domain.md §9), and what paid it by the date
            "late_fee": {"accrued": fee, "booked": booked, "paid": fees_paid.get(r.id, 0)},
            "written_off_on": _iso(r.written_off_on), "write_off_ground": r.ground})
    # credit (過誤納金) as of the date: payments received by then less what was applied by then
    received = conn.execute(select(func.coalesce(func.sum(payments.c.amount), 0))
                            .where(payments.c.household_id == head.id, payments.c.paid_on <= as_of)).scalar_one()
    balance["credit"] = int(received) - sum(paid_as_of.values()) - sum(fees_paid.values())
    late_fee_owed = sum(i["late_fee"]["booked"] - i["late_fee"]["paid"] for i in installments
                              if not i["written_off_on"]) - _reduced_as_of(conn, head.id, as_of)
    sent = conn.execute(select(letters.c.letter_type, letters.c.issued_on, letters.c.serial)
                        .where(letters.c.household_id == head.id, letters.c.issued_on <= as_of)
                        .order_by(letters.c.issued_on, letters.c.serial)).all()
    history = conn.execute(select(stage_transitions).where(stage_transitions.c.household_id == head.id,
                                                           stage_transitions.c.on_date <= as_of)
                           .order_by(stage_transitions.c.on_date, stage_transitions.c.id)).all()
    return {
        "household_no": head.household_no, "head_name": head.head_name, "head_name_kana": head.head_name_kana,
        "address": head.address, "postal_code": head.postal_code, "district": head.district, "phone": head.phone,
        "language": head.language, "whereabouts_unknown": bool(head.whereabouts_unknown), "stage": head.stage,
        "balance": balance, "installments": installments,
        "late_fee_owed": late_fee_owed,  # booked late fee still owed (確定延滞金), beside the premium's balance
        "seizures": _seizures(conn, head.id, as_of),
        # 充当・還付 (services/credit.py): the credit's appropriations and refund notices by the date
        "appropriations": _appropriations(conn, head.id, as_of),
        "refund_notices": [{"on": r.noticed_on.isoformat(), "amount": r.amount, "refundable": r.refundable}
                           for r in conn.execute(select(refund_notices).where(
                               refund_notices.c.household_id == head.id, refund_notices.c.noticed_on <= as_of)
                               .order_by(refund_notices.c.noticed_on))],
        # the per-installment `late_fee.accrued` estimates, with their total (kept beside the contract's `late_fee`)
        "late_fee_estimate": {"total": sum(fees), "installments": fees},
        "letters": [{"type": t, "issued_on": d.isoformat(), "serial": s} for t, d, s in sent],
        "history": [{"on": h.on_date.isoformat(), "from": h.from_stage, "to": h.to_stage, "trigger": h.trigger,
                     "actor": h.actor} for h in history],
    }


def _appropriations(conn: Connection, household_id: int, as_of: date) -> list[dict]:
    """Each appropriation by `as_of`: its day, amount and the installments it paid, [fiscal year, number, yen]."""
    found = {}
    for a_id, on, amount, year, n, yen in conn.execute(
            select(appropriations.c.id, appropriations.c.appropriated_on, appropriations.c.amount,
                   assessments.c.fiscal_year, assessments.c.installment, allocations.c.amount)
            .join(allocations, allocations.c.appropriation_id == appropriations.c.id)
            .join(assessments, assessments.c.id == allocations.c.assessment_id)
            .where(appropriations.c.household_id == household_id, appropriations.c.appropriated_on <= as_of)
            .order_by(appropriations.c.appropriated_on, assessments.c.due_date, assessments.c.fiscal_year,
                      assessments.c.installment)):
        found.setdefault(a_id, {"on": on.isoformat(), "amount": amount, "installments": []})["installments"].append(
            [year, n, yen])
    return list(found.values())


def _seizures(conn: Connection, household_id: int, as_of: date) -> list[dict]:
    """The seizures approved by `as_of`, each with the installments it covers and how it ended by then."""
    covered: dict[int, list] = {}
    for sid, year, n in conn.execute(select(seizure_items.c.seizure_id, assessments.c.fiscal_year,
                                            assessments.c.installment).join(assessments).join(seizures)
                                     .where(seizures.c.household_id == household_id)
                                     .order_by(assessments.c.fiscal_year, assessments.c.installment)):
        covered.setdefault(sid, []).append([year, n])
    found = []
    for s in conn.execute(select(seizures).where(seizures.c.household_id == household_id,
                                                 seizures.c.approved_on <= as_of).order_by(seizures.c.id)):
        executed = s.executed_on if s.executed_on and s.executed_on <= as_of else None
        released = s.released_on if s.released_on and s.released_on <= as_of else None
        found.append({"approved_on": s.approved_on.isoformat(), "executed_on": _iso(executed), "kind": s.property_kind,
                      "third_party": s.third_party, "amount": s.amount,
                      "installments": covered.get(s.id, []) if executed else [],
                      "released_on": _iso(released), "release_reason": s.release_reason if released else None})
    return found


def _receipts_as_of(conn: Connection, household_id: int, as_of: date) -> tuple[dict, dict[int, int]]:
    """Allocations of money received by `as_of`: to principal per installment with their dates (a reduction's
    surplus counts, negative, from its adjustment's date), and to booked late fee per installment."""
    receipts: dict[int, list[tuple[date, int]]] = {}
    fees: dict[int, int] = {}
    for assessment_id, on, amount, part in conn.execute(
            select(allocations.c.assessment_id, allocations.c.received_on, allocations.c.amount, allocations.c.part)
            .join(assessments, assessments.c.id == allocations.c.assessment_id)
            .where(assessments.c.household_id == household_id, allocations.c.received_on <= as_of)
            .order_by(allocations.c.received_on, allocations.c.id)):
        if part == PRINCIPAL:
            receipts.setdefault(assessment_id, []).append((on, amount))
        else:
            fees[assessment_id] = fees.get(assessment_id, 0) + amount
    return receipts, fees


def _reduced_as_of(conn: Connection, household_id: int, as_of: date) -> int:
    """延滞金減免 decided by `as_of` on installments not written off."""
    return int(conn.execute(select(func.coalesce(func.sum(late_fee_reductions.c.amount), 0))
                            .join(assessments, assessments.c.id == late_fee_reductions.c.assessment_id)
                            .where(assessments.c.household_id == household_id, late_fee_reductions.c.decided_on <= as_of,
                                   ~exists().where(write_offs.c.assessment_id == assessments.c.id,
                                                   write_offs.c.written_off_on <= as_of))).scalar_one())


def _adjusted_as_of(conn: Connection, household_id: int, as_of: date) -> dict[int, int]:
    """Changes of amount (更正・減免) made by `as_of`."""
    return _totals(conn, select(adjustments.c.assessment_id, adjustments.c.delta)
                   .join(assessments, assessments.c.id == adjustments.c.assessment_id)
                   .where(assessments.c.household_id == household_id, adjustments.c.adjusted_on <= as_of))


def _totals(conn: Connection, query) -> dict[int, int]:
    totals: dict[int, int] = {}
    for assessment_id, amount in conn.execute(query):
        totals[assessment_id] = totals.get(assessment_id, 0) + amount
    return totals


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
