"""差押禁止額: the part of wages and pensions that may not be seized (国税徴収法76条・77条).

Applied to NHI premiums through 地方自治法231条の3③ and 地方税法 (滞納処分の例による). Per period:
withheld income tax, resident tax and social insurance, plus the minimum living amount
(国税徴収法施行令34条: 100,000 yen for each month of the pay period for the debtor and 45,000 yen for each
relative sharing the livelihood), plus 20 % of what remains, that 20 % capped at twice the minimum living amount
(76条1項5号). Rounding (国税徴収法基本通達76条関係): the wage is rounded down and each protected item up,
to 1,000 yen for periods of a month or more and to 100 yen for shorter periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

MONTHLY_DEBTOR = 100_000
MONTHLY_RELATIVE = 45_000
# 国税徴収法施行令34条: for periods shorter than a month the amounts are per day. [U] unverified
# against the current text of the order; change here if the order says otherwise.
DAILY_DEBTOR = 3_340
DAILY_RELATIVE = 1_500
# 国民年金法18条3項, 厚生年金保険法36条3項: public pensions are paid six times a year, each payment the two
# months before it; the protected amount is per month of that period (施行令34条 "期間一月ごとに").
PUBLIC_PENSION_MONTHS = 2
DISCRETIONARY_SHARE = 20  # percent, 76条1項5号
DISCRETIONARY_CAP_MULTIPLE = 2  # 76条1項5号かっこ書: at most twice the minimum living amount


class PensionKind(str, Enum):
    """Pensions by seizability: old-age pensions are treated as wages (国税徴収法77条1項);
    disability and survivors' basic pensions may not be seized at all (国民年金法24条, 厚生年金保険法41条)."""

    OLD_AGE = "old_age"
    DISABILITY = "disability"
    SURVIVORS = "survivors"


@dataclass(frozen=True)
class Seizable:
    wage: int
    protected: int
    seizable: int


def _up(amount: int, unit: int) -> int:
    return -(-amount // unit) * unit


def seizable_wage(wage: int, *, income_tax: int = 0, resident_tax: int = 0, social_insurance: int = 0,
                  relatives: int = 0, period_days: int | None = None, period_months: int = 1,
                  already_received: int = 0) -> Seizable:
    """The seizable part of one period's wage (国税徴収法76条1項).

    `period_days` None means a period of `period_months` whole months (the minimum living amount counted for
    each, 施行令34条); a period shorter than a month uses the per-day amounts and 100-yen rounding. `already_received` is cash of this same period the debtor has
    already received: it counts first against the protected amount (76条2項 read with
    基本通達76条関係: the protection is per period, not per payment).
    """
    if min(wage, income_tax, resident_tax, social_insurance, relatives, already_received) < 0:
        raise ValueError("amounts and relatives must not be negative")
    if period_months < 1:
        raise ValueError("a pay period counts at least one month")
    if period_days is None:
        unit, living = 1_000, (MONTHLY_DEBTOR + MONTHLY_RELATIVE * relatives) * period_months
    else:
        unit, living = 100, (DAILY_DEBTOR + DAILY_RELATIVE * relatives) * period_days
    rounded_wage = wage // unit * unit
    withheld = sum(_up(x, unit) for x in (income_tax, resident_tax, social_insurance))
    living = _up(living, unit)
    remaining = max(rounded_wage - withheld - living, 0)
    # 20 % of the remainder, rounded up to the unit: ceil(remaining × 20 / 100 / unit) × unit.
    discretionary = min(_up(remaining * DISCRETIONARY_SHARE, 100 * unit) // 100,
                        DISCRETIONARY_CAP_MULTIPLE * living)
    protected = withheld + living + discretionary
    still_protected = max(protected - already_received, 0)
    payable_now = max(rounded_wage - already_received, 0)
    seizable = max(payable_now - still_protected, 0)
    return Seizable(rounded_wage, protected, seizable)


def seizable_pension(kind: PensionKind, amount: int, **wage_items) -> Seizable:
    """Old-age pensions are seized like wages (77条1項), one payment protected for the two months it pays unless
    `period_months` says otherwise (a monthly private pension); disability and survivors' pensions never."""
    if kind is PensionKind.OLD_AGE:
        if wage_items.get("period_days") is None:
            wage_items.setdefault("period_months", PUBLIC_PENSION_MONTHS)
        return seizable_wage(amount, **wage_items)
    return Seizable(amount, amount, 0)
