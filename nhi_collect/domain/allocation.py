"""充当 of a payment to installments: the designated one, else the oldest unpaid first; principal first,
then the booked late fee (domain.md §9).

contract.md: a payment with fiscal year and installment goes to that installment (its principal, then its
booked late fee); without them it is applied to the household's oldest unpaid principal, then to the booked
late fees oldest first. The payment that clears an installment's principal after its due date books its
final late fee (確定延滞金, 地方自治法231条の3②) at that moment, so what is left of the same payment pays it
(`book` computes the fee from the payment history). What cannot be applied stays as the
household's credit (過誤納金, kept until refunded or appropriated), never lost. A refund (negative
amount) returns credit, whether or not it names the installment the overpayment arose on: it never takes money
back from a paid installment, which would reopen it and have it demanded (domain.md §9, 充当・還付).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

PRINCIPAL = "principal"
LATE_FEE = "late_fee"


@dataclass
class OpenInstallment:
    assessment_id: int
    fiscal_year: int
    installment: int
    unpaid: int  # may be 0: still a target for a designated payment (its money then goes to credit)
    paid: int
    late_fee_unpaid: int = 0  # booked late fee still owed


class AllocationRefused(ValueError):
    pass


# (installment whose principal this payment has just paid in full, the payment's day) → its final late fee
Booker = Callable[[OpenInstallment, date], int]
Application = tuple[int, int, str]  # (assessment_id, yen, PRINCIPAL | LATE_FEE)


def allocate(amount: int, installments: list[OpenInstallment], credit: int,
             target: tuple[int, int] | None = None, *, paid_on: date | None = None,
             book: Booker | None = None) -> tuple[list[Application], int]:
    """Apply one payment received on `paid_on`. `installments` are the household's, oldest first, and are
    updated in place; `book` (when given) is asked the late fee of each installment whose principal this
    payment clears, which then joins what the payment may pay.

    Returns the (assessment_id, yen, part) applications and the household's new credit.
    """
    if amount < 0:
        return _refund(-amount, installments, credit, target)
    if target is not None:
        chosen = [i for i in installments if (i.fiscal_year, i.installment) == target]
        if not chosen:
            raise AllocationRefused(f"the household has no installment {target[1]} of fiscal year {target[0]}")
    else:
        chosen = installments
    applied: list[Application] = []
    left = amount
    for inst in chosen:  # principal first, oldest first
        take = min(left, inst.unpaid)
        if take > 0:
            inst.unpaid -= take
            inst.paid += take
            left -= take
            applied.append((inst.assessment_id, take, PRINCIPAL))
            if inst.unpaid == 0 and book is not None:
                inst.late_fee_unpaid += book(inst, paid_on)
    for inst in chosen:  # then the booked late fees, oldest first
        take = min(left, inst.late_fee_unpaid)
        if take > 0:
            inst.late_fee_unpaid -= take
            left -= take
            applied.append((inst.assessment_id, take, LATE_FEE))
    return applied, credit + left


def _refund(amount: int, installments: list[OpenInstallment], credit: int,
            target: tuple[int, int] | None) -> tuple[list[tuple[int, int]], int]:
    """A refund pays out credit; the installment it names is only where that overpayment arose."""
    if target is not None and not any((i.fiscal_year, i.installment) == target for i in installments):
        raise AllocationRefused(f"the household has no installment {target[1]} of fiscal year {target[0]}")
    if amount > credit:
        raise AllocationRefused(f"refund of {amount} yen exceeds the household's credit of {credit} yen: a refund "
                                "returns an overpayment (過誤納金) and never takes back what paid an installment "
                                "(domain.md §9)")
    return [], credit - amount


def appropriate(credit: int, due: list[OpenInstallment]) -> list[tuple[int, int]]:
    """充当 (地方税法17条の2①, applied to premiums by 地方自治法231条の3④): the household's credit applied to its
    installments already due (`due`, oldest first, updated in place) as an undesignated payment of that amount
    would be; what they cannot take stays credit. The same allocate() that applies payments decides it, so the
    order within an installment (premium before its late fee, 17条の2③) is the payments' order too."""
    if credit <= 0:
        return []
    applied, _still_credit = allocate(credit, due, 0)
    return applied


def credit_origins(arisen: list[tuple], spent: list[tuple]) -> list[tuple]:
    """What a credit consists of: `arisen` (day, what, yen) are the overpayments and reductions' surpluses it
    came from, `spent` (day, yen) the appropriations and refunds that used it; credit is used oldest first,
    so the rest of each origin, in date order, is returned as (day, what, yen)."""
    left = [[day, what, yen] for day, what, yen in sorted(arisen, key=lambda a: a[0])]
    for _day, yen in sorted(spent, key=lambda s: s[0]):
        for origin in left:
            take = min(yen, origin[2])
            origin[2] -= take
            yen -= take
    return [(day, what, yen) for day, what, yen in left if yen > 0]
