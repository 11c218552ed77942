"""The pure allocation rule (domain/allocation.py): principal first, then booked late fee (domain.md §9)."""

from datetime import date

from nhi_collect.domain.allocation import LATE_FEE, PRINCIPAL, OpenInstallment, allocate

ON = date(2023, 10, 31)


def ledger():
    return [OpenInstallment(1, 2023, 1, 60_000, 40_000), OpenInstallment(2, 2023, 2, 10_000, 0, late_fee_unpaid=0),
            OpenInstallment(3, 2022, 9, 0, 5_000, late_fee_unpaid=700)]


def test_a_designated_payment_books_the_fee_of_the_principal_it_clears_and_pays_it_from_what_is_left():
    booked = []

    def book(inst, on):
        booked.append((inst.assessment_id, on))
        return 1_500

    applied, credit = allocate(61_600, ledger(), 0, (2023, 1), paid_on=ON, book=book)
    assert applied == [(1, 60_000, PRINCIPAL), (1, 1_500, LATE_FEE)] and credit == 100
    assert booked == [(1, ON)]


def test_an_undesignated_payment_pays_every_principal_before_any_late_fee():
    """Oldest first (the list's order): 60,000 and 10,000 of principal, then 700 and 1,500 of late fee in the
    installments' order; only installment 1's principal is cleared late enough to book (1,500)."""
    applied, credit = allocate(72_000, ledger(), 0, paid_on=ON, book=lambda i, on: 1_500 if i.assessment_id == 1 else 0)
    assert applied == [(1, 60_000, PRINCIPAL), (2, 10_000, PRINCIPAL), (1, 1_500, LATE_FEE), (3, 500, LATE_FEE)]
    assert credit == 0


def test_a_payment_short_of_the_principal_books_nothing():
    calls = []
    applied, _ = allocate(30_000, ledger(), 0, (2023, 1), paid_on=ON, book=lambda i, on: calls.append(i) or 0)
    assert applied == [(1, 30_000, PRINCIPAL)] and calls == []
