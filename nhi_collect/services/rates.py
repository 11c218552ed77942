"""The two collection rates computed in SQL over the whole ledger (domain.md §5; the sums: adapters/collections.py).

Same definitions as the pure domain.collection_rate (tests check both agree on one ledger):
money applied to an installment counts on the day it was received (credit appropriated to it, 充当: on the
appropriation's day, the overpayment itself having paid nothing); a reduction's surplus returned
to credit counts (negatively) on the adjustment's date, unless it is a prior-year refund (過年度還付,
domain/refunds.py), which is no collection and is shown on its own. Both are on the allocation row itself.
Whereabouts-unknown households are those unknown on the year's reference day: the report's date, or the
closing day once the year has closed (adapters/whereabouts_periods.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from ..adapters.collections import late_fee_sums, rate_sums
from ..domain.collection_rate import Arrears, CurrentYear, closing_day, rate_percent


@dataclass(frozen=True)
class CollectionRates:
    fiscal_year: int
    as_of: date
    current_year: CurrentYear
    arrears: Arrears


def collection_rates(conn: Connection, n: int, as_of: date | None = None) -> CollectionRates:
    as_of = as_of or closing_day(n)
    until = min(as_of, closing_day(n))
    s = rate_sums(conn, n, until, carried_until=closing_day(n - 1), year_start=date(n, 4, 1),
                  arrears_start=date(n, 6, 1))
    total = s.assessed + s.adjusted
    excluded = s.assessed_unknown + s.adjusted_unknown
    carried = s.assessed_before + s.adjusted_before - s.collected_before - s.written_before
    return CollectionRates(
        n, as_of,
        CurrentYear(total, excluded, s.collected, rate_percent(s.collected, total - excluded)),
        Arrears(carried, s.collected_arrears, s.written_during, rate_percent(s.collected_arrears, carried),
                s.refunded, s.refunds_paid))


def late_fees(conn: Connection, n: int, as_of: date) -> dict:
    """Late fees (延滞金) beside the rates, which stay principal-only as the ward reports them: money received on
    booked late fees in the month of `as_of` and in fiscal year N so far (its accounts: April N through the
    closing period), and the late fees booked in that time (domain.md §9)."""
    month, year, booked = late_fee_sums(conn, year_start=date(n, 4, 1), month_start=date(as_of.year, as_of.month, 1),
                                        as_of=as_of, until=min(as_of, closing_day(n)))
    return {"collected_in_month": month, "collected_in_year": year, "booked_in_year": booked}
