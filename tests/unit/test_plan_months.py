"""How long a plan runs (domain/plans.py): months counted from the day after it is agreed (民法140条), ending on
the day before the corresponding day, or on the last day of a month that has none (民法143条2項)."""

from __future__ import annotations

from datetime import date

import pytest

from nhi_collect.domain.plans import months_spanned, plan_end


@pytest.mark.parametrize("agreed_on, months, end", [
    (date(2023, 9, 20), 12, date(2024, 9, 20)),
    (date(2024, 1, 31), 12, date(2025, 1, 31)),  # 31 January + 12 months: the next 31 January
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # February of a leap year has no 31st: its last day
    (date(2024, 1, 30), 1, date(2024, 2, 29)),  # nor a 30th
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # a leap day: 2025 has no 29 February
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
    (date(2023, 12, 31), 24, date(2025, 12, 31)),
])
def test_plan_end(agreed_on, months, end):
    assert plan_end(agreed_on, months) == end


@pytest.mark.parametrize("last, months", [
    (date(2024, 9, 20), 12), (date(2024, 9, 21), 13), (date(2023, 9, 21), 1), (date(2025, 3, 25), 19),
])
def test_months_spanned(last, months):
    assert months_spanned(date(2023, 9, 20), last) == months
