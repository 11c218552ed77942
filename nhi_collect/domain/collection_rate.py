"""収納率: the current-year and carried-over-arrears collection rates of fiscal year N (domain.md §5).

出納整理期間 (地方自治法235条の5): receipts from April 1 to May 31 of N+1 for debts of year N or
earlier still belong to year N's accounts. Everything here works on plain rows, so the report can be
checked against a hand calculation; the database report computes the same figures in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from .calendar import fiscal_year


@dataclass(frozen=True)
class AssessmentRow:
    household_no: str
    fiscal_year: int
    installment: int
    amount: int


@dataclass(frozen=True)
class AdjustmentRow:
    household_no: str
    fiscal_year: int
    installment: int
    adjusted_on: date
    delta: int


@dataclass(frozen=True)
class ReceiptRow:
    """Money applied to an installment; a refund is a negative receipt, a prior-year refund (過年度還付,
    domain/refunds.py) one that is no collection of any year. Credit (過誤納金) is no receipt until it is
    appropriated (充当, services/credit.py): then it is one of the installment it paid, on the appropriation's day."""

    household_no: str
    fiscal_year: int
    installment: int
    paid_on: date
    amount: int
    prior_year_refund: bool = False


@dataclass(frozen=True)
class WriteOffRow:
    household_no: str
    fiscal_year: int
    installment: int
    written_off_on: date
    amount: int


@dataclass(frozen=True)
class CurrentYear:
    assessed: int
    whereabouts_unknown: int
    collected: int
    rate: str | None


@dataclass(frozen=True)
class Arrears:
    carried_over: int
    collected: int
    written_off: int
    rate: str | None
    prior_year_refunds: int = 0  # 過年度還付 arising in the year from reductions: no collection, on its own line
    refunds_paid: int = 0  # refund rows naming installments of years < N paid in the year: credit, not collection


def closing_day(fiscal_year_: int) -> date:
    """Last day of a fiscal year's closing period (出納整理期間, 地方自治法235条の5): May 31 of N+1."""
    return date(fiscal_year_ + 1, 5, 31)


def accounting_year(paid_on: date, debt_fiscal_year: int) -> int:
    """The fiscal year whose accounts a receipt belongs to (地方自治法235条の5, 同法施行令142条).

    April–May receipts for debts of the previous year or earlier fall in the previous year's
    closing period; everything else belongs to the fiscal year of the receipt date.
    """
    year = fiscal_year(paid_on)
    if paid_on.month in (4, 5) and debt_fiscal_year < year:
        return year - 1
    return year


def rate_percent(numerator: int, denominator: int) -> str | None:
    """Percent with 2 decimals, rounded half-up as the ward reports 収納率; None when there is nothing to
    divide by."""
    if denominator == 0:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def current_year_rate(n: int, as_of: date, assessments: Iterable[AssessmentRow],
                      adjustments: Iterable[AdjustmentRow], receipts: Iterable[ReceiptRow],
                      whereabouts_unknown: set[str]) -> CurrentYear:
    """現年度分収納率 of year N as of a date: FY N collections (April N – May N+1, net of refunds) over
    FY N assessed after adjustments less the assessed amount of whereabouts-unknown households (those unknown
    on the reference day, min(as_of, closing day): the caller gives that set)."""
    until = min(as_of, closing_day(n))
    assessed_by_household: dict[str, int] = {}
    for a in assessments:
        if a.fiscal_year == n:
            assessed_by_household[a.household_no] = assessed_by_household.get(a.household_no, 0) + a.amount
    for j in adjustments:
        if j.fiscal_year == n and j.adjusted_on <= until:
            assessed_by_household[j.household_no] = assessed_by_household.get(j.household_no, 0) + j.delta
    assessed = sum(assessed_by_household.values())
    unknown = sum(v for k, v in assessed_by_household.items() if k in whereabouts_unknown)
    collected = sum(r.amount for r in receipts
                    if r.fiscal_year == n and date(n, 4, 1) <= r.paid_on <= until and not r.prior_year_refund)
    return CurrentYear(assessed, unknown, collected, rate_percent(collected, assessed - unknown))


def arrears_rate(n: int, as_of: date, assessments: Iterable[AssessmentRow],
                 adjustments: Iterable[AdjustmentRow], receipts: Iterable[ReceiptRow],
                 write_offs: Iterable[WriteOffRow]) -> Arrears:
    """滞納繰越分収納率 of year N: collections on years < N from June 1 N to May 31 N+1 over the balance
    of years < N at May 31 N. Write-offs during year N stay in the denominator."""
    carried_until = closing_day(n - 1)
    until = min(as_of, closing_day(n))
    start = date(n, 6, 1)
    receipts = list(receipts)
    write_offs = list(write_offs)
    carried = sum(a.amount for a in assessments if a.fiscal_year < n)
    carried += sum(j.delta for j in adjustments if j.fiscal_year < n and j.adjusted_on <= carried_until)
    carried -= sum(r.amount for r in receipts if r.fiscal_year < n and r.paid_on <= carried_until)
    carried -= sum(w.amount for w in write_offs if w.fiscal_year < n and w.written_off_on <= carried_until)
    in_year = [r for r in receipts if r.fiscal_year < n and start <= r.paid_on <= until]
    collected = sum(r.amount for r in in_year if not r.prior_year_refund)
    refunded = -sum(r.amount for r in in_year if r.prior_year_refund)
    written_off = sum(w.amount for w in write_offs if w.fiscal_year < n and start <= w.written_off_on <= until)
    return Arrears(carried, collected, written_off, rate_percent(collected, carried), refunded)
