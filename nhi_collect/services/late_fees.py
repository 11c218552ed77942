"""The late-fee ledger (domain.md §9, 延滞金): what the calculator is fed, and the final late fee booked.

An installment's final late fee (確定延滞金) is computed from its whole payment history (each partial payment
lowers the base from the next day, 地方税法20条の4の2②) less the days of a suspension of enforcement
(地方税法15条の9①), and booked as its receivable when its principal becomes fully paid after the due date
(地方自治法231条の3②). Everything here reads a set of installments at once: the import's chunk, a day's
letters, one household.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import BigInteger, Column, Connection, Date, MetaData, Table, select, update

from ..adapters.bulk import bulk_insert
from ..adapters.tables import UNPAID, allocations, assessments, suspensions
from ..domain.allocation import PRINCIPAL, OpenInstallment
from ..domain.late_fee import late_fee, late_fee_estimate, suspension_exempt

Period = tuple[date, date | None]


def principal_history(conn: Connection, assessment_ids) -> dict[int, list[tuple[date, int]]]:
    """Money applied to each installment's principal, by day (a reduction's surplus returned counts
    negative from its day). `assessment_ids`: a list or a subquery of ids."""
    history: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for assessment_id, on, amount in conn.execute(
            select(allocations.c.assessment_id, allocations.c.received_on, allocations.c.amount)
            .where(allocations.c.assessment_id.in_(assessment_ids), allocations.c.part == PRINCIPAL)):
        history[assessment_id][on] += amount
    return {a: sorted(days.items()) for a, days in history.items()}


def suspension_periods(conn: Connection, household_ids) -> dict[int, list[Period]]:
    """Each household's suspensions of enforcement as (first day, last day or None while running)."""
    found: dict[int, list[Period]] = defaultdict(list)
    for hid, started, lifted in conn.execute(
            select(suspensions.c.household_id, suspensions.c.started_on, suspensions.c.lifted_on)
            .where(suspensions.c.household_id.in_(household_ids))):
        found[hid].append((started, lifted - timedelta(days=1) if lifted else None))
    return found


@dataclass
class Terms:
    """What the calculator needs of a set of installments beside their amounts."""

    band_months: int = 1
    history: dict[int, list[tuple[date, int]]] = field(default_factory=dict)
    suspended: dict[int, list[Period]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, household_ids, assessment_ids, band_months: int = 1) -> "Terms":
        return cls(band_months, principal_history(conn, assessment_ids), suspension_periods(conn, household_ids))

    def estimate(self, assessment_id: int, household_id: int, principal: int, due: date, as_of: date) -> int:
        """延滞金見込 of a still unpaid installment were the rest paid on `as_of`."""
        return late_fee_estimate(principal, due, as_of, band_months=self.band_months,
                                 payments=[(d, a) for d, a in self.history.get(assessment_id, ()) if d <= as_of],
                                 exempt=suspension_exempt(self.suspended.get(household_id, []), due))

    def final(self, assessment_id: int, household_id: int, principal: int, due: date, settled_on: date) -> int:
        """確定延滞金 of an installment whose principal was fully paid on `settled_on`."""
        return late_fee(principal, due, settled_on, band_months=self.band_months,
                        payments=[(d, a) for d, a in self.history.get(assessment_id, ()) if d < settled_on],
                        exempt=suspension_exempt(self.suspended.get(household_id, []), due)).late_fee


@dataclass
class Booking:
    """The booker handed to domain.allocation.allocate for one chunk: it knows each open installment's
    principal, due date and current booking, follows the chunk's own principal payments, and collects the
    bookings to write (assessment_id → (fee, day))."""

    terms: Terms
    installments: dict[int, tuple[int, int, date, int]]  # assessment_id → household, principal, due, booked
    booked: dict[int, tuple[int, date]] = field(default_factory=dict)

    def paid(self, assessment_id: int, on: date, amount: int) -> None:
        """A principal application of the chunk, in the history of later payments."""
        self.terms.history.setdefault(assessment_id, []).append((on, amount))

    def __call__(self, inst: OpenInstallment, on: date) -> int:
        known = self.installments.get(inst.assessment_id)  # the chunk's overdue installments
        if known is None or on is None or on <= known[2]:
            return 0  # paid by the due date: no late fee
        household_id, principal, due, booked = known
        fee = self.terms.final(inst.assessment_id, household_id, principal, due, on)
        before = self.booked.get(inst.assessment_id, (booked, None))[0]
        self.booked[inst.assessment_id] = (fee, on)
        return max(fee - before, 0)


def write_bookings(conn: Connection, booked: dict[int, tuple[int, date]]) -> None:
    """Store bookings with one set-based UPDATE through a temporary table."""
    if not booked:
        return
    stage = Table("stage_booked", MetaData(), Column("assessment_id", BigInteger), Column("fee", BigInteger),
                  Column("booked_on", Date), prefixes=["TEMPORARY"])
    stage.create(conn)
    bulk_insert(conn, stage, ("assessment_id", "fee", "booked_on"),
                ((a, fee, on.isoformat()) for a, (fee, on) in booked.items()))
    conn.execute(update(assessments).values(late_fee_booked=stage.c.fee, late_fee_booked_on=stage.c.booked_on)
                 .where(assessments.c.id == stage.c.assessment_id))
    stage.drop(conn)


def book_settled(conn: Connection, assessment_ids, band_months: int = 1) -> int:
    """Book the final late fee of those of `assessment_ids` (a subquery) whose principal is now paid but not
    yet booked: a reduction (減免・更正) that brings the principal down to what was paid settles it on the day
    of the payment that then covered it. Idempotent: a booked installment is left as it is."""
    settled = conn.execute(
        select(assessments.c.id, assessments.c.household_id, (assessments.c.amount + assessments.c.adjusted),
               assessments.c.due_date)
        .where(assessments.c.id.in_(assessment_ids), UNPAID <= 0, assessments.c.late_fee_booked_on.is_(None),
               assessments.c.paid > 0)).all()
    if not settled:
        return 0
    ids = [r[0] for r in settled]
    terms = Terms.load(conn, list({r[1] for r in settled}), ids, band_months)
    booked = {}
    for assessment_id, household_id, principal, due in settled:
        running, settled_on = 0, None
        for on, amount in terms.history.get(assessment_id, ()):
            running += amount
            if running >= principal:
                settled_on = on
                break
        if settled_on is not None and settled_on > due:
            booked[assessment_id] = (terms.final(assessment_id, household_id, principal, due, settled_on), settled_on)
    write_bookings(conn, booked)
    return len(booked)

