"""The convenience-store slip's check digit against GS1's published mod-10 examples."""

from datetime import date

import pytest

from nhi_collect.domain.payment_slip import check_digit, slip_digits


@pytest.mark.parametrize("body, published", [
    ("629104150021", "3"),   # GS1 Hong Kong, "How is the check digit calculated?" (GTIN-13 6291041500213)
    ("730001100001", "7"),   # GS1 Sweden, "Så beräknas kontrollsiffran" (GTIN-13 7300011000017)
    ("890400021003", "7"),   # GS1 India, "How to calculate the Check Digit" (GTIN-13 8904000210037)
])
def test_check_digit_matches_gs1_published_examples(body, published):
    # GS1's mod-10 is the same for every key length: weights 3 and 1 from the right, so a 43-digit slip
    # body is computed as these 12-digit keys are.
    assert check_digit(body) == published


def test_slip_digits_pass_the_gs1_validation_sum():
    # A reader validates the whole number: weights 1, 3, 1, ... from the right, check digit included,
    # must sum to a multiple of ten.
    digits = slip_digits("927115", "000000000001202300042", 25_300, date(2023, 9, 30))
    assert len(digits) == 44 and digits.startswith("91927115")
    assert sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(reversed(digits))) % 10 == 0
