"""The convenience-store payment slip's 44 digits (GS1-128, AI 91), domain.md §8.

"91" + company code (6) + free field (21) + reissue flag (1) + pay-by YYMMDD (999999: none)
+ stamp flag (1, always 0 for public money, 印紙税法 non-taxable) + amount (6) + check digit.
The check digit is modulus 10 with weights 3 and 1 from the right over the first 43 digits.
"""

from __future__ import annotations

from datetime import date

AMOUNT_LIMIT = 300_000  # convenience stores accept at most 300,000 yen per slip


def check_digit(digits43: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits43)))
    return str((10 - total % 10) % 10)


def slip_digits(company_code: str, free_field: str, amount: int, pay_by: date | None, reissue: bool = False) -> str:
    """The 44 digits, or ValueError when the slip cannot carry this payment."""
    if not (len(company_code) == 6 and company_code.isdigit()):
        raise ValueError("company code must be 6 digits")
    if not (len(free_field) == 21 and free_field.isdigit()):
        raise ValueError("free field must be 21 digits")
    if not 0 < amount <= AMOUNT_LIMIT:
        raise ValueError(f"amount must be 1–{AMOUNT_LIMIT:,} yen for a convenience-store slip")
    body = (f"91{company_code}{free_field}{1 if reissue else 0}"
            f"{pay_by.strftime('%y%m%d') if pay_by else '999999'}0{amount:06d}")
    return body + check_digit(body)


def free_field(layout: str, household_no: str, fiscal_year: int, serial_seq: int) -> str:
    """The ward's free field from its layout (configuration), e.g. "{household:0>12}{year:04d}{seq:05d}"."""
    digits = "".join(ch for ch in household_no if ch.isdigit())
    value = layout.format(household=digits, year=fiscal_year, seq=serial_seq % 100_000)
    if len(value) != 21 or not value.isdigit():
        raise ValueError(f"free-field layout {layout!r} gave {value!r}, not 21 digits")
    return value
