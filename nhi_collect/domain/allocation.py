"""充当 of a payment to installments: the designated one, else the oldest unpaid first.

contract.md: a payment with fiscal year and installment goes to that installment; without them it
is applied to the household's oldest unpaid installments. What cannot be applied stays as the
household's credit (過誤納金, kept until refunded or appropriated), never lost. A refund (negative
amount) takes back from the designated installment or, undesignated, from the credit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OpenInstallment:
    assessment_id: int
    fiscal_year: int
    installment: int
    unpaid: int  # may be 0: still a target for a designated payment's refund
    paid: int


class AllocationRefused(ValueError):
    pass


def allocate(amount: int, installments: list[OpenInstallment], credit: int,
             target: tuple[int, int] | None = None) -> tuple[list[tuple[int, int]], int]:
    """Apply one payment. `installments` are the household's, oldest first, and are updated in place.

    Returns the (assessment_id, yen) applications and the household's new credit.
    """
    if amount < 0:
        return _refund(-amount, installments, credit, target)
    if target is not None:
        chosen = [i for i in installments if (i.fiscal_year, i.installment) == target]
        if not chosen:
            raise AllocationRefused(f"the household has no installment {target[1]} of fiscal year {target[0]}")
    else:
        chosen = installments
    applied = []
    left = amount
    for inst in chosen:
        if left == 0:
            break
        take = min(left, inst.unpaid)
        if take > 0:
            inst.unpaid -= take
            inst.paid += take
            left -= take
            applied.append((inst.assessment_id, take))
    return applied, credit + left


def _refund(amount: int, installments: list[OpenInstallment], credit: int,
            target: tuple[int, int] | None) -> tuple[list[tuple[int, int]], int]:
    if target is None:
        if amount > credit:
            raise AllocationRefused(f"refund of {amount} yen exceeds the household's credit of {credit} yen")
        return [], credit - amount
    chosen = [i for i in installments if (i.fiscal_year, i.installment) == target]
    if not chosen:
        raise AllocationRefused(f"the household has no installment {target[1]} of fiscal year {target[0]}")
    inst = chosen[0]
    if amount > inst.paid:
        raise AllocationRefused(f"refund of {amount} yen exceeds the {inst.paid} yen paid on that installment")
    inst.paid -= amount
    inst.unpaid += amount
    return [(inst.assessment_id, -amount)], credit
