"""The month-by-month collection rates of a fiscal year and the section head's breakdowns.

The series is cumulative at each month end from April of year N to the end of the closing period
(31 May of N+1), from grouped queries (money received per month) rather than one full computation per
month; tests check that every point equals services.rates.collection_rates on that day. The projection
carries the current rate forward along last year's curve: rate now × (last year's final rate ÷ last
year's rate at the same month end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, case, extract, func, select

from ..adapters.tables import (UNPAID, adjustments, allocations, assessments, households, installment_plans, letters,
                               seizures, write_offs)
from ..domain.calendar import month_end
from ..domain.collection_rate import closing_day, rate_percent
from .rates import collection_rates
from .whereabouts import unknown_on



def month_ends(n: int) -> list[date]:
    """April of year N to May of N+1: fourteen month ends, the last two being the closing period."""
    return [month_end(n + (m < 4 or m > 12), (m - 1) % 12 + 1) for m in range(4, 18)]


@dataclass(frozen=True)
class Point:
    month_end: date
    current_year: str | None
    arrears: str | None


def _month(column) -> tuple:
    return extract("year", column), extract("month", column)


def _by_month(conn: Connection, query) -> dict[tuple[int, int], int]:
    return {(int(y), int(m)): int(v) for y, m, v in conn.execute(query).all()}


def _cumulative(monthly: dict[tuple[int, int], int], ends: list[date]) -> list[int]:
    """Running totals at each month end (months before the first end count in the first)."""
    return [sum(v for k, v in monthly.items() if k <= (end.year, end.month)) for end in ends]


def series(conn: Connection, n: int) -> list[Point]:
    """Cumulative rates of fiscal year N at each month end (domain.md §5 definitions)."""
    ends = month_ends(n)
    final = collection_rates(conn, n, closing_day(n))  # the denominators that do not move during the year
    fy = assessments.c.fiscal_year
    year, received = allocations.c.fiscal_year, allocations.c.received_on
    money = (select(*_month(received), func.sum(allocations.c.amount)).group_by(*_month(received))
             .where(allocations.c.prior_year_refund.is_(False),  # 過年度還付 is no collection (domain/refunds.py)
                    allocations.c.part == "principal"))  # the rates' money: premium, not late fee
    current = _by_month(conn, money.where(year == n, received.between(date(n, 4, 1), closing_day(n))))
    arrears = _by_month(conn, money.where(year < n, received.between(date(n, 6, 1), closing_day(n))))
    on = adjustments.c.adjusted_on
    adjusted = _by_month(conn, select(*_month(on), func.sum(adjustments.c.delta))
                         .select_from(adjustments.join(assessments, assessments.c.id == adjustments.c.assessment_id))
                         .where(fy == n, on <= closing_day(n)).group_by(*_month(on)))
    late_adjustments = sum(v for v in adjusted.values())
    base = final.current_year.assessed - late_adjustments
    points = []
    for end, got, got_arrears, adj in zip(ends, _cumulative(current, ends), _cumulative(arrears, ends),
                                          _cumulative(adjusted, ends)):
        points.append(Point(end, rate_percent(got, base + adj - _unknown(conn, n, end)),
                            rate_percent(got_arrears, final.arrears.carried_over)))
    return points


def _unknown(conn: Connection, n: int, day: date) -> int:
    """FY N assessed, after the adjustments made by `day`, of the households unknown on `day` (each month end
    is its own reference day, as collection_rates on that day)."""
    unknown = and_(assessments.c.fiscal_year == n, unknown_on(day))
    assessed = select(func.coalesce(func.sum(assessments.c.amount), 0)).where(unknown).scalar_subquery()
    adjusted = (select(func.coalesce(func.sum(adjustments.c.delta), 0))
                .select_from(adjustments.join(assessments, assessments.c.id == adjustments.c.assessment_id))
                .where(unknown, adjustments.c.adjusted_on <= day).scalar_subquery())
    return int(conn.execute(select(assessed + adjusted)).scalar_one())


def projection(this_year: list[Point], last_year: list[Point], as_of: date) -> dict[str, str | None]:
    """Year-end rates projected along last year's curve from the latest month end on or before as_of."""
    done = [i for i, p in enumerate(this_year) if p.month_end <= as_of]
    if not done:
        return {"current_year": None, "arrears": None}
    i = done[-1]
    result = {}
    for key in ("current_year", "arrears"):
        now, then, final = (getattr(p, key) for p in (this_year[i], last_year[i], last_year[-1]))
        result[key] = (None if not (now and then and final and float(then))
                       else f"{min(100.0, float(now) * float(final) / float(then)):.2f}")
    return result


def breakdowns(conn: Connection, n: int, as_of: date) -> dict[str, list[dict]]:
    """Households and amounts per stage, district and arrears age; letters per type; seizures; plans;
    write-offs, for fiscal year N up to as_of. Overdue money is what is unpaid on installments due
    before as_of (today's ledger)."""
    start = date(n, 4, 1)
    overdue = and_(assessments.c.due_date < as_of, UNPAID > 0)
    per_household = (select(assessments.c.household_id, func.sum(UNPAID).label("overdue"),
                            func.min(assessments.c.fiscal_year).label("oldest"))
                     .where(overdue).group_by(assessments.c.household_id).subquery())

    age = case((per_household.c.oldest >= n, 0), else_=n - per_household.c.oldest)
    # One pass over the overdue households, grouped by stage, district and age together, summed three ways here:
    # the combinations are a few thousand at most, where three passes computed the overdue subquery three times
    # (half of the report page's time at 20,000 households, tools/webbench.py).
    cells = conn.execute(select(households.c.stage, households.c.district, age, func.count(),
                                func.sum(per_household.c.overdue))
                         .select_from(households.join(per_household, per_household.c.household_id == households.c.id))
                         .group_by(households.c.stage, households.c.district, age)).all()

    def grouped(position: int, label: str) -> list[dict]:
        totals: dict = {}
        for cell in cells:
            count, amount = totals.get(cell[position], (0, 0))
            totals[cell[position]] = (count + cell[3], amount + int(cell[4]))
        return [{label: key, "households": count, "overdue": amount} for key, (count, amount) in sorted(totals.items())]

    window = (start, as_of)
    letters_sent = conn.execute(select(letters.c.letter_type, func.count()).where(letters.c.issued_on.between(*window))
                                .group_by(letters.c.letter_type).order_by(letters.c.letter_type)).all()
    seized = conn.execute(select(seizures.c.property_kind, func.count(), func.sum(seizures.c.amount),
                                 func.sum(seizures.c.collected))
                          .where(seizures.c.executed_on.between(*window))
                          .group_by(seizures.c.property_kind).order_by(seizures.c.property_kind)).all()
    plans = conn.execute(select(installment_plans.c.status, func.count())
                         .where(installment_plans.c.agreed_on.between(*window))
                         .group_by(installment_plans.c.status).order_by(installment_plans.c.status)).all()
    written = conn.execute(select(write_offs.c.ground, func.count(), func.sum(write_offs.c.amount))
                           .where(write_offs.c.written_off_on.between(*window))
                           .group_by(write_offs.c.ground).order_by(write_offs.c.ground)).all()
    return {
        "stage": grouped(0, "stage"),
        "district": grouped(1, "district"),
        "arrears_age": grouped(2, "years"),
        "letters": [{"type": t, "letters": c} for t, c in letters_sent],
        "seizures": [{"property": k, "seizures": c, "amount": int(a), "collected": int(col)}
                     for k, c, a, col in seized],
        "plans": [{"status": s, "plans": c} for s, c in plans],
        "write_offs": [{"ground": g, "installments": c, "amount": int(a)} for g, c, a in written],
    }
