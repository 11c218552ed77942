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

from sqlalchemy import Connection

from ..adapters import breakdowns as counts
from ..adapters.collections import (adjusted_per_month, arrears_collected_per_month, assessed_unknown,
                                   collected_per_month)
from ..domain.calendar import month_end
from ..domain.collection_rate import closing_day, rate_percent
from .rates import collection_rates


def month_ends(n: int) -> list[date]:
    """April of year N to May of N+1: fourteen month ends, the last two being the closing period."""
    return [month_end(n + (m < 4 or m > 12), (m - 1) % 12 + 1) for m in range(4, 18)]


@dataclass(frozen=True)
class Point:
    month_end: date
    current_year: str | None
    arrears: str | None


def _cumulative(monthly: dict[tuple[int, int], int], ends: list[date]) -> list[int]:
    """Running totals at each month end (months before the first end count in the first)."""
    return [sum(v for k, v in monthly.items() if k <= (end.year, end.month)) for end in ends]


def series(conn: Connection, n: int) -> list[Point]:
    """Cumulative rates of fiscal year N at each month end (domain.md §5 definitions)."""
    ends = month_ends(n)
    final = collection_rates(conn, n, closing_day(n))  # the denominators that do not move during the year
    current = collected_per_month(conn, n, date(n, 4, 1), closing_day(n))
    arrears = arrears_collected_per_month(conn, n, date(n, 6, 1), closing_day(n))
    adjusted = adjusted_per_month(conn, n, closing_day(n))
    late_adjustments = sum(v for v in adjusted.values())
    base = final.current_year.assessed - late_adjustments
    points = []
    for end, got, got_arrears, adj in zip(ends, _cumulative(current, ends), _cumulative(arrears, ends),
                                          _cumulative(adjusted, ends)):
        # each month end is its own reference day for the unknown households, as collection_rates on that day
        points.append(Point(end, rate_percent(got, base + adj - assessed_unknown(conn, n, end)),
                            rate_percent(got_arrears, final.arrears.carried_over)))
    return points


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
    # One pass over the overdue households, grouped by stage, district and age together, summed three ways here:
    # the combinations are a few thousand at most, where three passes computed the overdue subquery three times
    # (half of the report page's time at 20,000 households, tools/webbench.py).
    cells = counts.overdue_cells(conn, n, as_of)

    def grouped(position: int, label: str) -> list[dict]:
        totals: dict = {}
        for cell in cells:
            count, amount = totals.get(cell[position], (0, 0))
            totals[cell[position]] = (count + cell[3], amount + int(cell[4]))
        return [{label: key, "households": count, "overdue": amount} for key, (count, amount) in sorted(totals.items())]

    window = (date(n, 4, 1), as_of)
    letters_sent = counts.letters_per_type(conn, *window)
    seized = counts.seizures_per_kind(conn, *window)
    plans = counts.plans_per_status(conn, *window)
    written = counts.write_offs_per_ground(conn, *window)
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
