"""Late fee (延滞金): the published worked examples of domain.md §3, named boundaries and invariants."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nhi_collect.domain.late_fee import (Rate, late_fee, late_fee_estimate, lower_band_end, rate_for,
                                         round_total, truncate_base)


@pytest.mark.parametrize("amount, due, paid, band, segments, total", [
    # 品川区, 3-month band: 630 + 2,218 = 2,848 → 2,800
    (100_000, date(2021, 4, 30), date(2021, 10, 31), 3, [630, 2_218], 2_800),
    # 豊橋市, 1-month band, crossing a year: 133 + 2,883 + 480 = 3,496 → 3,400
    (65_000, date(2021, 5, 31), date(2022, 1, 31), 1, [133, 2_883, 480], 3_400),
    # 矢吹町, 64,300 → base 64,000: 130 + 930 = 1,060 → 1,000
    (64_300, date(2022, 8, 1), date(2022, 11, 1), 1, [130, 930], 1_000),
])
def test_published_examples(amount, due, paid, band, segments, total):
    fee = late_fee(amount, due, paid, band_months=band)
    assert [s.amount for s in fee.segments] == segments
    assert fee.late_fee == total


def test_yabuki_base_and_bands():
    fee = late_fee(64_300, date(2022, 8, 1), date(2022, 11, 1))
    assert fee.base == 64_000
    lower, higher = fee.segments
    assert (lower.start, lower.end, lower.days, lower.rate) == (date(2022, 8, 2), date(2022, 9, 1), 31, Decimal("2.4"))
    assert (higher.start, higher.end, higher.days, higher.rate) == (date(2022, 9, 2), date(2022, 11, 1), 61, Decimal("8.7"))


def test_paid_on_due_date_has_no_fee():
    fee = late_fee(500_000, date(2023, 7, 31), date(2023, 7, 31))
    assert fee.late_fee == 0 and fee.segments == ()


def test_last_day_of_lower_band_uses_only_lower_rate():
    # due 5/31 → band 6/1–6/30 (民法143条); paid 6/30: 30 days at 2.4 %
    fee = late_fee(1_000_000, date(2023, 5, 31), date(2023, 6, 30))
    assert [(s.days, s.rate) for s in fee.segments] == [(30, Decimal("2.4"))]
    assert fee.late_fee == 1_900  # 1,000,000 × 2.4 % × 30 / 365 = 1,972 → 1,900
    nxt = late_fee(1_000_000, date(2023, 5, 31), date(2023, 7, 1))
    assert nxt.segments[-1].rate == Decimal("8.7") and nxt.segments[-1].days == 1


def test_band_end_when_month_has_no_corresponding_day():
    # due 1/30 → counting starts 1/31; February has no 31st, so the band ends on its last day
    assert lower_band_end(date(2023, 1, 30), 1) == date(2023, 2, 28)
    assert lower_band_end(date(2024, 1, 30), 1) == date(2024, 2, 29)
    assert lower_band_end(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_period_across_31_december_splits_by_year_rate():
    # 2025 rates 2.4/8.7, 2026 rates 2.8/9.1
    fee = late_fee(300_000, date(2025, 10, 31), date(2026, 1, 10))
    years = [(s.start.year, s.rate) for s in fee.segments]
    assert years == [(2025, Decimal("2.4")), (2025, Decimal("8.7")), (2026, Decimal("9.1"))]
    dec = fee.segments[1]
    assert dec.end == date(2025, 12, 31)
    assert fee.segments[2].start == date(2026, 1, 1)


def test_across_29_february_counts_the_leap_day_with_divisor_365():
    fee = late_fee(365_000, date(2024, 1, 31), date(2024, 3, 1))
    # band 2/1–2/29 (29 days) at 2.4 %, then 3/1 at 8.7 %: 365,000 × r × d / 365 = 1,000 × r × d
    assert [(s.days, s.amount) for s in fee.segments] == [(29, 696), (1, 87)]
    assert fee.late_fee == 0  # 783 < 1,000


def test_base_under_2000_has_no_fee():
    assert truncate_base(1_999) == 0
    assert late_fee(1_999, date(2020, 5, 31), date(2025, 5, 31)).late_fee == 0
    assert truncate_base(2_000) == 2_000
    assert truncate_base(2_999) == 2_000


def test_fee_of_999_is_zero_and_1000_is_charged():
    assert round_total(999) == 0
    assert round_total(1_000) == 1_000
    assert round_total(1_099) == 1_000


def test_constructed_total_of_999_yen():
    # 36,500 yen at 8.7 %: 87 yen per 10 days; pick days so the sum is just under 1,000
    fee = late_fee(36_500, date(2023, 5, 31), date(2023, 10, 7))
    total = sum(s.amount for s in fee.segments)
    assert 900 <= total <= 999 and fee.late_fee == 0  # charged per segment, then dropped as under 1,000


def test_partial_payment_lowers_base_from_the_next_day():
    due = date(2023, 5, 31)
    full = late_fee(100_000, due, date(2023, 12, 31))
    part = late_fee(100_000, due, date(2023, 12, 31), payments=[(date(2023, 8, 31), 60_500)])
    assert part.late_fee < full.late_fee
    bases = {s.base for s in part.segments}
    assert bases == {100_000, 39_000}  # remainder 39,500 truncated to 1,000
    after = [s for s in part.segments if s.base == 39_000]
    assert after[0].start == date(2023, 9, 1)


def test_count_from_demand_deadline_skips_days_but_keeps_bands():
    due = date(2023, 5, 31)
    fee = late_fee(100_000, due, date(2023, 8, 31), count_from=date(2023, 7, 11))
    assert fee.segments[0].start == date(2023, 7, 11)
    assert all(s.rate == Decimal("8.7") for s in fee.segments)


def test_rate_table_is_data_and_a_new_row_applies_from_1_january():
    table = (Rate(2020, Decimal("1.0"), Decimal("5.0")), Rate(2030, Decimal("2.0"), Decimal("9.9")))
    assert rate_for(2029, True, table) == Decimal("5.0")
    assert rate_for(2030, True, table) == Decimal("9.9")
    assert rate_for(2026, False) == Decimal("2.8")


def test_estimate_as_of_a_date():
    assert late_fee_estimate(65_000, date(2021, 5, 31), date(2022, 1, 31)) == 3_400
    assert late_fee_estimate(65_000, date(2021, 5, 31), date(2021, 5, 31)) == 0


dates = st.dates(min_value=date(2014, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(0, 3_000_000), due=dates, d1=st.integers(0, 900), d2=st.integers(0, 900),
       band=st.sampled_from([1, 3]))
def test_fee_never_decreases_as_payment_moves_later(amount, due, d1, d2, band):
    early, late = sorted((d1, d2))
    a = late_fee(amount, due, due + timedelta(days=early), band_months=band).late_fee
    b = late_fee(amount, due, due + timedelta(days=late), band_months=band).late_fee
    assert a <= b


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(0, 3_000_000), due=dates, days=st.integers(0, 1200), band=st.sampled_from([1, 3]))
def test_fee_is_zero_or_a_multiple_of_100_at_least_1000(amount, due, days, band):
    fee = late_fee(amount, due, due + timedelta(days=days), band_months=band).late_fee
    assert fee == 0 or (fee % 100 == 0 and fee >= 1_000)


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(2_000, 3_000_000), due=dates, days=st.integers(1, 1500), band=st.sampled_from([1, 3]))
def test_every_day_counted_once_and_each_segment_uses_its_years_rate(amount, due, days, band):
    paid = due + timedelta(days=days)
    fee = late_fee(amount, due, paid, band_months=band)
    assert sum(s.days for s in fee.segments) == days  # leap days once, none lost
    band_end = lower_band_end(due, band)
    for s in fee.segments:
        assert s.start.year == s.end.year  # split at every 31 December
        assert s.rate == rate_for(s.start.year, s.start > band_end)
        assert (s.end - s.start).days + 1 == s.days


@given(amount=st.integers(0, 2_000_000), due=st.dates(date(2015, 1, 1), date(2027, 12, 31)),
       days=st.integers(-5, 3_000), band=st.sampled_from([1, 3]))
def test_the_shared_estimate_equals_the_full_computation(amount, due, days, band):
    """Letters reuse one computation per truncated base; it must be the fee of the exact amount."""
    as_of = due + timedelta(days=days)
    expected = late_fee(amount, due, as_of, band_months=band).late_fee if as_of > due else 0
    assert late_fee_estimate(amount, due, as_of, band_months=band) == expected


# 地方税法15条の9①: the late fee for the days of a suspension of enforcement is exempted. 100,000 yen due
# 2023-06-30 (lower band 7/1–7/31 at 2.4 %, then 8.7 %), paid 2023-10-31; suspended 9/1–9/30:
#   7/1–7/31   100,000 × 2.4 % × 31 / 365 = 203.83 → 203
#   8/1–8/31   100,000 × 8.7 % × 31 / 365 = 738.90 → 738
#   9/1–9/30   exempted
#   10/1–10/31 100,000 × 8.7 % × 31 / 365 = 738.90 → 738
#   1,679 → 1,600 (without the exemption: 203 + 2,192 = 2,395 → 2,300)
def test_the_days_of_a_suspension_carry_no_late_fee():
    due, paid = date(2023, 6, 30), date(2023, 10, 31)
    assert late_fee(100_000, due, paid).late_fee == 2_300
    fee = late_fee(100_000, due, paid, exempt=[(date(2023, 9, 1), date(2023, 9, 30))])
    assert [s.amount for s in fee.segments] == [203, 738, 738] and fee.late_fee == 1_600


def test_a_suspension_still_running_exempts_every_day_from_its_start():
    """Suspended from 9/1 with no end: 203 + 738 = 941, under 1,000 → nothing (20条の4の2③)."""
    assert late_fee(100_000, date(2023, 6, 30), date(2023, 10, 31), exempt=[(date(2023, 9, 1), None)]).late_fee == 0


def test_a_suspension_inside_the_lower_band_splits_it():
    """Suspended 7/15–7/20: 7/1–7/14 100,000 × 2.4 % × 14/365 = 92.05 → 92; 7/21–7/31 × 11/365 = 72.32 → 72;
    8/1–10/31 2,192 (above); 2,356 → 2,300."""
    fee = late_fee(100_000, date(2023, 6, 30), date(2023, 10, 31), exempt=[(date(2023, 7, 15), date(2023, 7, 20))])
    assert [s.amount for s in fee.segments] == [92, 72, 2_192] and fee.late_fee == 2_300


def test_the_estimate_takes_the_exemption_too():
    assert late_fee_estimate(100_000, date(2023, 6, 30), date(2023, 10, 31),
                             exempt=[(date(2023, 9, 1), date(2023, 9, 30))]) == 1_600
