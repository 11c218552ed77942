"""How much of a property may be seized (applied to premiums by 地方自治法231条の3③ and 国保法79条の2).

- 超過差押の禁止 (国税徴収法48条1項): no seizure of property whose value clearly exceeds the debt it is for,
  here the ripe installments' principal plus their late-fee estimate (滞納処分費 are not recorded). A single
  property that cannot be seized in part (real estate) is not cut down: the rule asks for the smallest
  sufficient property, which the approver chooses (国税徴収法基本通達48条関係).
- Wages and old-age pensions: only the part above the protected amount (76条, 77条1項; domain/seizable.py).
- Disability and survivors' pensions: not at all (国民年金法24条, 厚生年金保険法41条1項).
- A deposit is a claim against the bank and seizable as such (最高裁平成10年2月10日), but a deposit that is in
  substance protected income just paid in may not be taken with it (広島高裁松江支部平成25年11月27日: 児童手当
  seized on the day it arrived; domain.md §9 cites 大阪高裁2019-09-26 [U]): the protected part of the inflows
  of the screen's window is left in the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from .seizable import PensionKind, seizable_pension, seizable_wage


class InflowKind(str, Enum):
    """What paid money into the account, by how far the law protects it."""

    WAGE = "wage"  # 国税徴収法76条: a month's pay is protected up to the protected amount
    OLD_AGE_PENSION = "old_age_pension"  # 77条1項: as wages
    DISABILITY_PENSION = "disability_pension"  # 国民年金法24条, 厚生年金保険法41条1項: wholly
    SURVIVORS_PENSION = "survivors_pension"  # 同上
    BENEFIT = "benefit"  # other benefits whose claim may not be seized (児童手当法15条, 生活保護法58条): wholly


WHOLLY_PROTECTED = (InflowKind.DISABILITY_PENSION, InflowKind.SURVIVORS_PENSION, InflowKind.BENEFIT)
NOT_SEIZABLE_PENSIONS = (PensionKind.DISABILITY, PensionKind.SURVIVORS)


@dataclass(frozen=True)
class Inflow:
    """Money paid into the account on a day. Only a positive amount is money paid in: a zero or negative one
    (a withdrawal, a typing slip) would lower or raise the protected part and so move the screen's cap."""

    on: date
    kind: InflowKind
    amount: int

    def __post_init__(self):
        if self.amount <= 0:
            raise ValueError(f"an inflow is money paid into the account: its amount must be a positive number of "
                             f"yen, not {self.amount} ({InflowKind(self.kind).value} of {self.on})")


def protected_part(inflow: Inflow, relatives: int = 0) -> int:
    """The part of one inflow the law protects. Pay arrives net of its withholdings, so a wage or old-age
    pension keeps the minimum living amount and the 20 % share (76条1項4号・5号) on what came in: a wage for its
    month, an old-age pension for the two months one payment covers (seizable.PUBLIC_PENSION_MONTHS)."""
    if inflow.kind in WHOLLY_PROTECTED:
        return inflow.amount
    if inflow.kind is InflowKind.OLD_AGE_PENSION:
        return inflow.amount - seizable_pension(PensionKind.OLD_AGE, inflow.amount, relatives=relatives).seizable
    return inflow.amount - seizable_wage(inflow.amount, relatives=relatives).seizable


def seizable_deposit(balance: int, inflows: list[Inflow], on: date, relatives: int, window_days: int) -> int:
    """What of a deposit balance may be seized on `on`: the balance less the protected part of the inflows
    of the last `window_days` days (the money of this pay period, still identifiable in the account)."""
    recent = [i for i in inflows if on - timedelta(days=window_days) < i.on <= on]
    return max(balance - sum(protected_part(i, relatives) for i in recent), 0)
