"""充当・還付: every business date, before its letters are chosen, a household's credit (過誤納金) goes to its due
installments (appropriation, with its 充当通知書), and credit no installment can take is noticed for refund (還付通知書).

The law, for premiums: 地方自治法231条の3④ has the refund (還付) of this revenue follow 地方税の例, so 地方税法17条
(refund without delay) and 17条の2 (appropriation in the refund's place) apply as they do to a local tax:
- credit must be appropriated to what the household owes (17条の2①), the premium before its late fee (③), and the
  household told (⑤). An appropriation is a disposition (最判平成6年4月19日, on 国税通則法57条), so its notice
  carries the appeal notice (国保法91条①); a refund notice tells of money owed to the household and is none.
- it takes effect when it first could (17条の2④, 地方税法施行令6条の14): the later of the day the credit arose and
  the installment's 納期限 (for premiums in installments, each one's due date under the ordinance). An installment
  not yet due takes nothing yet: it is appropriated on its due date (an office day, so a date this job runs), and
  until then its unpaid amount holds that much credit back from refund. The job runs every office day, so an
  appropriation's date (the day its money counts as received) is that moment, but for credit that arose on a
  closed day or a date run late.
- credit beyond every installment due or assessed is refunded (17条): its notice goes once per credit arising.
The refund itself arrives as a negative payment row of the payments import (contract.md).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Date, case, func, insert, literal, or_, select, update

from ..adapters.bulk import bulk_insert
from ..adapters.tables import (LATE_FEE_UNPAID, UNPAID, allocations, appropriations, assessments, households, letters,
                               payments, refund_notices)
from ..domain.allocation import PRINCIPAL, appropriate
from ..workflow import batch
from ..workflow.definition import Workflow
from .late_fees import book_settled
from .payments import CHUNK, add_to_paid, open_ledgers

APPROPRIATION_NOTICE = "appropriation_notice"
REFUND_NOTICE = "refund_notice"


def _received(household_id):
    return select(func.coalesce(func.sum(payments.c.amount), 0)).where(
        payments.c.household_id == household_id).scalar_subquery()


def _applied(household_id):
    """What the household's money has paid: principal and late fee (the rest of its payments is credit)."""
    return select(func.coalesce(func.sum(assessments.c.paid + assessments.c.late_fee_paid), 0)).where(
        assessments.c.household_id == household_id).scalar_subquery()


def appropriate_credit(conn: Connection, workflow: Workflow, on: date, run_id: int | None) -> tuple[int, int]:
    """Every household holding credit with an unpaid installment due by `on`: its credit applied oldest first.
    Returns (appropriations, letters)."""
    batch.prepare(conn)
    due_unpaid = select(assessments.c.household_id).where(or_(UNPAID > 0, LATE_FEE_UNPAID > 0),
                                                          assessments.c.due_date <= on)
    h = households.c.id
    if not batch.select_locked(conn, select(h).where(h.in_(due_unpaid), _received(h) - _applied(h) > 0)):
        return 0, 0
    ids = conn.execute(select(batch.batch_ids.c.household_id).order_by(batch.batch_ids.c.household_id)).scalars().all()
    made = []
    for start in range(0, len(ids), CHUNK):
        ledger, credit = open_ledgers(conn, ids[start:start + CHUNK], due_by=on)
        for household_id in ids[start:start + CHUNK]:
            due = ledger.get(household_id, [])
            years = {i.assessment_id: i.fiscal_year for i in due}
            applied = appropriate(credit[household_id], due)
            if applied:
                made.append((household_id, [(a, yen, years[a], part) for a, yen, part in applied]))
    if not made:
        return 0, 0
    bulk_insert(conn, appropriations, ("household_id", "appropriated_on", "amount"),
                ((hid, on.isoformat(), sum(yen for _a, yen, _y, _part in rows)) for hid, rows in made))
    made_ids = dict(conn.execute(select(appropriations.c.household_id, appropriations.c.id)
                                 .where(appropriations.c.appropriated_on == on)).all())
    rows = [(None, a, yen, year, on.isoformat(), made_ids[hid], part)
            for hid, applied in made for a, yen, year, part in applied]
    bulk_insert(conn, allocations, ("payment_id", "assessment_id", "amount", "fiscal_year", "received_on",
                                    "appropriation_id", "part"), rows)
    add_to_paid(conn, [r for r in rows if r[6] == PRINCIPAL])
    add_to_paid(conn, [r for r in rows if r[6] != PRINCIPAL], assessments.c.late_fee_paid)
    # an installment whose premium the credit has now paid in full after its due date has its final late fee
    # booked as of the appropriation's day (17条の2④); the next date's appropriation takes it from what is left
    book_settled(conn, select(allocations.c.assessment_id).join(appropriations,
                                                                appropriations.c.id == allocations.c.appropriation_id)
                 .where(appropriations.c.appropriated_on == on), workflow.policy.band_months)
    _issue(conn, workflow, APPROPRIATION_NOTICE, on, run_id, [hid for hid, _rows in made], appropriations,
           appropriations.c.appropriated_on)
    # the installments it paid, each with what is still unpaid after it (the amounts printed, as a reprint shows)
    conn.execute(insert(batch.letter_items).from_select(
        ["letter_id", "assessment_id", "unpaid"],
        select(appropriations.c.letter_id, assessments.c.id, UNPAID)
        .join(allocations, allocations.c.appropriation_id == appropriations.c.id)
        .join(assessments, assessments.c.id == allocations.c.assessment_id)
        .where(appropriations.c.appropriated_on == on)))
    return len(made), len(made)


def _issue(conn: Connection, workflow: Workflow, letter_type: str, on: date, run_id: int | None, ids: list[int],
           table, day_column) -> None:
    """The notices of the day's records in `table`, one per household, each record linked to its household's: a
    disposition's notice is a document to be served, by public notice where the household's whereabouts are
    unknown (地方税法20条の2; batch.addressed)."""
    split = batch.addressed(conn, workflow, workflow.letter_types[letter_type], ids)
    for letter, households_ in split:
        batch.insert_letters(conn, letter, on, run_id, households_)
    conn.execute(update(table).where(day_column == on, table.c.letter_id.is_(None)).values(
        letter_id=select(letters.c.id).where(letters.c.household_id == table.c.household_id,
                                             letters.c.letter_type.in_([letter.name for letter, _ in split]),
                                             letters.c.issued_on == on)
        .scalar_subquery()))


def notice_refunds(conn: Connection, workflow: Workflow, on: date, run_id: int | None) -> int:
    """A 還付通知書 to every household found whose credit, after the day's appropriations, exceeds what its
    installments still owe (due or not yet due) by more than its last notice covers; returns how many."""
    batch.prepare(conn)
    h = households.c.id
    # a household whose whereabouts are unknown is told once it is found: the notice is no disposition to serve by
    # public notice (地方税法20条の2), and its credit waits for its claim, which lasts five years (18条の3)
    candidates = select(h).where(households.c.whereabouts_unknown.is_(False), _refundable(h) > _covered(h, on))
    if not batch.select_locked(conn, candidates):
        return 0
    in_batch = batch.batch_ids.c.household_id
    refundable, covered = _refundable(in_batch), _covered(in_batch, on)
    last_payment = select(func.max(payments.c.id)).where(payments.c.household_id == in_batch).scalar_subquery()
    conn.execute(insert(refund_notices).from_select(
        ["household_id", "noticed_on", "amount", "refundable", "payments_through"],
        select(in_batch, literal(on, Date), refundable - covered, refundable, func.coalesce(last_payment, 0))))
    ids = conn.execute(select(in_batch).order_by(in_batch)).scalars().all()
    _issue(conn, workflow, REFUND_NOTICE, on, run_id, ids, refund_notices, refund_notices.c.noticed_on)
    return len(ids)


def _refundable(household_id):
    """Credit less what every installment still owes (17条の2①: it is kept for them, not refunded)."""
    owed = select(func.coalesce(func.sum(case((UNPAID > 0, UNPAID), else_=0) + LATE_FEE_UNPAID), 0)).where(
        assessments.c.household_id == household_id).scalar_subquery()
    return _received(household_id) - _applied(household_id) - owed


def _covered(household_id, on: date):
    """What the household's last refund notice still covers: the credit it told of, less refunds recorded since."""
    last = select(func.max(refund_notices.c.id)).where(refund_notices.c.household_id == household_id,
                                                       refund_notices.c.noticed_on <= on
                                                       ).correlate_except(refund_notices).scalar_subquery()
    told = select(refund_notices.c.refundable).where(refund_notices.c.id == last).scalar_subquery()
    through = select(refund_notices.c.payments_through).where(refund_notices.c.id == last).scalar_subquery()
    refunded = select(func.coalesce(-func.sum(payments.c.amount), 0)).where(
        payments.c.household_id == household_id, payments.c.amount < 0, payments.c.id > through).scalar_subquery()
    return case((told > refunded, told - refunded), else_=0)
