"""A reduction's surplus returned to credit: repaid from the revenue that received it (戻出, 地方自治法施行令159条)
or, when that revenue belongs to accounts already closed, from this year's expenditure (過年度還付, domain.md §9
citing 地方自治法施行令165条の7), which is no negative collection of any year (domain.md §5).

Money received on an installment of year Y belongs to Y's accounts up to Y's closing day (May 31 of Y+1,
地方自治法235条の5) and afterwards to the accounts of the year it arrives in (June to May). A surplus returned
on day D repays first what the installment received in D's accounts, negative collection of that year; the rest
came from accounts already closed. A surplus cannot be returned before the money it consists of arrived: a
reduction dated before a payment recorded earlier returns that part on the payment's day.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

from .collection_rate import accounting_year, closing_day


def surplus_returns(steps: Iterable, allocated: Iterable[tuple[int, date, int, bool]]) -> list[tuple]:
    """`steps`: (id, assessment_id, adjusted_on, fiscal_year, kept, returned) of each adjustment that returns
    money, in date order per installment, `kept` being what stays paid after it; `allocated`: (assessment_id,
    received_on, amount, prior_year_refund) of the money applied to those installments so far. Returns
    allocation rows (adjustment_id, assessment_id, −yen, fiscal_year, received_on, prior_year_refund)."""
    applied: dict[int, list[tuple[date, int, bool]]] = {}
    for assessment_id, on, amount, prior in allocated:
        applied.setdefault(assessment_id, []).append((on, amount, prior))
    rows = []
    for adjustment_id, assessment_id, on, year, kept, returned in steps:
        money = applied.setdefault(assessment_id, [])
        days = [on] + sorted({day for day, amount, _ in money if day > on and amount > 0})
        left = returned
        for day in days:  # the surplus as the money making it up has arrived (paid by `day` above what is kept)
            part = min(left, max(0, sum(a for d, a, _ in money if d <= day) - kept))
            if part:
                rows += _classified(adjustment_id, assessment_id, day, year, part, money)
                left -= part
        if left:  # the ledger's paid holds money without a dated allocation: return it on the reduction's day
            rows += _classified(adjustment_id, assessment_id, on, year, left, money)
    return rows


def _classified(adjustment_id: int, assessment_id: int, on: date, year: int, returned: int,
                money: list[tuple[date, int, bool]]) -> list[tuple]:
    """One return of `returned` yen on `on`, split into 戻出 and 過年度還付; `money` gains the rows."""
    same_year = returned
    if on > closing_day(year):
        opened = date(accounting_year(on, year), 6, 1)
        received = sum(a for d, a, prior in money if opened <= d <= on and not prior)
        same_year = min(returned, max(received, 0))
    rows = []
    for amount, prior in ((same_year, False), (returned - same_year, True)):
        if amount:
            rows.append((adjustment_id, assessment_id, -amount, year, on.isoformat(), prior))
            money.append((on, -amount, prior))
    return rows
