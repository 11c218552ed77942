"""A reduction's surplus returned to credit: repaid from the revenue that received it (戻出, 地方自治法施行令159条)
or, when that revenue belongs to accounts already closed, from this year's expenditure (過年度還付, domain.md §9
citing 地方自治法施行令165条の7), which is no negative collection of any year (domain.md §5).

Money received on an installment of year Y belongs to Y's accounts up to Y's closing day (May 31 of Y+1,
地方自治法235条の5) and afterwards to the accounts of the year it arrives in (June to May). A surplus returned
on day D repays first what the installment received in D's accounts, negative collection of that year; the rest
came from accounts already closed.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

from .collection_rate import accounting_year, closing_day


def surplus_returns(steps: Iterable, allocated: Iterable[tuple[int, date, int]]) -> list[tuple]:
    """`steps`: (id, assessment_id, adjusted_on, fiscal_year, returned) of each adjustment that returns money,
    in date order per installment; `allocated`: (assessment_id, received_on, amount) of the money applied to
    those installments so far. Returns allocation rows (adjustment_id, assessment_id, −yen, fiscal_year,
    received_on, prior_year_refund), one or two per step."""
    applied: dict[int, list[tuple[date, int]]] = {}
    for assessment_id, on, amount in allocated:
        applied.setdefault(assessment_id, []).append((on, amount))
    rows = []
    for adjustment_id, assessment_id, on, year, returned in steps:
        same_year = returned
        if on > closing_day(year):
            opened = date(accounting_year(on, year), 6, 1)
            received = sum(amount for day, amount in applied.get(assessment_id, []) if opened <= day <= on)
            same_year = min(returned, max(received, 0))
        for amount, prior in ((same_year, False), (returned - same_year, True)):
            if amount:
                rows.append((adjustment_id, assessment_id, -amount, year, on.isoformat(), prior))
        if same_year:
            applied.setdefault(assessment_id, []).append((on, -same_year))
    return rows
