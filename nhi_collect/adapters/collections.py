"""The ledger's sums the collection rates read (services/rates.py) and their month-by-month series
(services/series.py): assessed, adjusted, collected, written off and refunded, by fiscal year and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, case, extract, func, select

from ..domain.allocation import LATE_FEE, PRINCIPAL
from .tables import adjustments, allocations, assessments, payments, write_offs
from .whereabouts_periods import unknown_on


def _sum(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


@dataclass(frozen=True)
class RateSums:
    """Of fiscal year N (`_unknown`: of the households unknown on the reference day) and of the years before it
    (`_before`: up to the previous year's closing day; `_arrears`, `refunded`, `written_during`: this year)."""
    assessed: int
    assessed_unknown: int
    assessed_before: int
    adjusted: int
    adjusted_unknown: int
    adjusted_before: int
    collected: int
    collected_before: int
    collected_arrears: int
    refunded: int
    written_before: int
    written_during: int
    refunds_paid: int


def rate_sums(conn: Connection, n: int, until: date, carried_until: date, year_start: date,
              arrears_start: date) -> RateSums:
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
    return RateSums(*(int(v) for v in (assessed, assessed_unknown, assessed_before, adjusted, adjusted_unknown,
                                      adjusted_before, collected, collected_before, collected_arrears, refunded,
                                      written_before, written_during, refunds_paid)))


def late_fee_sums(conn: Connection, year_start: date, month_start: date, as_of: date, until: date
                  ) -> tuple[int, int, int]:
    """Late fees received in [month_start, as_of] and in [year_start, until], and booked in [year_start, until]."""
    received, booked_on = allocations.c.received_on, assessments.c.late_fee_booked_on
    fee = allocations.c.part == LATE_FEE
    month, year = conn.execute(select(_sum(and_(fee, received >= month_start, received <= as_of), allocations.c.amount),
                                      _sum(and_(fee, received >= year_start, received <= until),
                                           allocations.c.amount))).one()
    booked = conn.execute(select(_sum(and_(booked_on >= year_start, booked_on <= until),
                                      assessments.c.late_fee_booked))).scalar_one()
    return int(month), int(year), int(booked)


def _month(column) -> tuple:
    return extract("year", column), extract("month", column)


def _by_month(conn: Connection, query) -> dict[tuple[int, int], int]:
    return {(int(y), int(m)): int(v) for y, m, v in conn.execute(query).all()}


def _collected_per_month():
    received = allocations.c.received_on
    return (select(*_month(received), func.sum(allocations.c.amount)).group_by(*_month(received))
            .where(allocations.c.prior_year_refund.is_(False),  # 過年度還付 is no collection (domain/refunds.py)
                   allocations.c.part == "principal"))  # the rates' money: premium, not late fee


def collected_per_month(conn: Connection, n: int, start: date, until: date) -> dict[tuple[int, int], int]:
    """Principal received on FY N's installments per (year, month) of receipt, in [start, until]."""
    return _by_month(conn, _collected_per_month().where(allocations.c.fiscal_year == n,
                                                        allocations.c.received_on.between(start, until)))


def arrears_collected_per_month(conn: Connection, n: int, start: date, until: date) -> dict[tuple[int, int], int]:
    """Principal received on the installments of years before N per (year, month) of receipt, in [start, until]."""
    return _by_month(conn, _collected_per_month().where(allocations.c.fiscal_year < n,
                                                        allocations.c.received_on.between(start, until)))


def adjusted_per_month(conn: Connection, n: int, until: date) -> dict[tuple[int, int], int]:
    """FY N's adjustments per (year, month) of the adjustment, up to `until`."""
    on = adjustments.c.adjusted_on
    return _by_month(conn, select(*_month(on), func.sum(adjustments.c.delta))
                     .select_from(adjustments.join(assessments, assessments.c.id == adjustments.c.assessment_id))
                     .where(assessments.c.fiscal_year == n, on <= until).group_by(*_month(on)))


def assessed_unknown(conn: Connection, n: int, day: date) -> int:
    """FY N assessed, after the adjustments made by `day`, of the households unknown on `day`."""
    unknown = and_(assessments.c.fiscal_year == n, unknown_on(day))
    assessed = select(func.coalesce(func.sum(assessments.c.amount), 0)).where(unknown).scalar_subquery()
    adjusted = (select(func.coalesce(func.sum(adjustments.c.delta), 0))
                .select_from(adjustments.join(assessments, assessments.c.id == adjustments.c.assessment_id))
                .where(unknown, adjustments.c.adjusted_on <= day).scalar_subquery())
    return int(conn.execute(select(assessed + adjusted)).scalar_one())
