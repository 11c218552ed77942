"""The two collection rates computed in SQL over the whole ledger (domain.md §5).

Same definitions as the pure domain.collection_rate (tests check both agree on one ledger):
money applied to an installment counts on the day it was received (credit appropriated to it, 充当: on the
appropriation's day, the overpayment itself having paid nothing); a reduction's surplus returned
to credit counts (negatively) on the adjustment's date, unless it is a prior-year refund (過年度還付,
domain/refunds.py), which is no collection and is shown on its own. Both are on the allocation row itself.
Whereabouts-unknown households are those unknown on the year's reference day: the report's date, or the
closing day once the year has closed (services/whereabouts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, case, func, select

from ..adapters.tables import adjustments, allocations, assessments, payments, write_offs
from ..domain.allocation import LATE_FEE, PRINCIPAL
from ..domain.collection_rate import Arrears, CurrentYear, closing_day, rate_percent
from .whereabouts import unknown_on


@dataclass(frozen=True)
class CollectionRates:
    fiscal_year: int
    as_of: date
    current_year: CurrentYear
    arrears: Arrears


def _sum(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def collection_rates(conn: Connection, n: int, as_of: date | None = None) -> CollectionRates:
    as_of = as_of or closing_day(n)
    until = min(as_of, closing_day(n))
    carried_until = closing_day(n - 1)
    year_start, arrears_start = date(n, 4, 1), date(n, 6, 1)
    fy = assessments.c.fiscal_year

    unknown = unknown_on(until)
    assessed, assessed_unknown, assessed_before = conn.execute(
        select(_sum(fy == n, assessments.c.amount), _sum(and_(fy == n, unknown), assessments.c.amount),
               _sum(fy < n, assessments.c.amount))).one()

    on = adjustments.c.adjusted_on
    adjusted, adjusted_unknown, adjusted_before = conn.execute(
        select(_sum(and_(fy == n, on <= until), adjustments.c.delta),
               _sum(and_(fy == n, on <= until, unknown), adjustments.c.delta),
               _sum(and_(fy < n, on <= carried_until), adjustments.c.delta))
        .select_from(adjustments.join(assessments, assessments.c.id == adjustments.c.assessment_id))).one()

    # the allocation row carries its installment's fiscal year and the day the money was received
    year, received, refund = allocations.c.fiscal_year, allocations.c.received_on, allocations.c.prior_year_refund
    collection = refund.is_(False)
    collected, collected_before, collected_arrears, refunded = conn.execute(
        select(_sum(and_(year == n, received >= year_start, received <= until, collection), allocations.c.amount),
               _sum(and_(year < n, received <= carried_until), allocations.c.amount),
               _sum(and_(year < n, received >= arrears_start, received <= until, collection), allocations.c.amount),
               _sum(and_(year < n, received >= arrears_start, received <= until, refund), -allocations.c.amount))
        .where(allocations.c.part == PRINCIPAL)  # late fees are no premium collected: the ward's rates are principal
    ).one()

    w_on = write_offs.c.written_off_on
    written_before, written_during = conn.execute(
        select(_sum(and_(fy < n, w_on <= carried_until), write_offs.c.amount),
               _sum(and_(fy < n, w_on >= arrears_start, w_on <= until), write_offs.c.amount))
        .select_from(write_offs.join(assessments, assessments.c.id == write_offs.c.assessment_id))).one()

    # refund rows return credit (domain/allocation.py): beside the rates, those naming a prior-year installment
    refunds_paid = conn.execute(select(-func.coalesce(func.sum(payments.c.amount), 0)).where(
        payments.c.channel == "refund", payments.c.fiscal_year < n,
        payments.c.paid_on >= arrears_start, payments.c.paid_on <= until)).scalar_one()

    total = int(assessed + adjusted)
    excluded = int(assessed_unknown + adjusted_unknown)
    carried = int(assessed_before + adjusted_before - collected_before - written_before)
    return CollectionRates(
        n, as_of,
        CurrentYear(total, excluded, int(collected), rate_percent(int(collected), total - excluded)),
        Arrears(carried, int(collected_arrears), int(written_during), rate_percent(int(collected_arrears), carried),
                int(refunded), int(refunds_paid)))


def late_fees(conn: Connection, n: int, as_of: date) -> dict:
    """Late fees (延滞金) beside the rates, which stay principal-only as the ward reports them: money received on
    booked late fees in the month of `as_of` and in fiscal year N so far (its accounts: April N through the
    closing period), and the late fees booked in that time (domain.md §9)."""
    until = min(as_of, closing_day(n))
    received, booked_on = allocations.c.received_on, assessments.c.late_fee_booked_on
    month_start = date(as_of.year, as_of.month, 1)
    fee = allocations.c.part == LATE_FEE
    month, year = conn.execute(select(_sum(and_(fee, received >= month_start, received <= as_of), allocations.c.amount),
                                      _sum(and_(fee, received >= date(n, 4, 1), received <= until),
                                           allocations.c.amount))).one()
    booked = conn.execute(select(_sum(and_(booked_on >= date(n, 4, 1), booked_on <= until),
                                      assessments.c.late_fee_booked))).scalar_one()
    return {"collected_in_month": int(month), "collected_in_year": int(year), "booked_in_year": int(booked)}
