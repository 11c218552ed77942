"""差押禁止額 (国税徴収法76・77条): the published example, the rounding, the 20 % cap, invariants."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nhi_collect.domain.seizable import PensionKind, seizable_pension, seizable_wage


def test_published_example():
    # wage 300,000, withheld 50,000, spouse + two dependants → 50,000 + 235,000 + 3,000 protected
    r = seizable_wage(300_000, income_tax=6_000, resident_tax=14_000, social_insurance=30_000, relatives=3)
    assert (r.wage, r.protected, r.seizable) == (300_000, 288_000, 12_000)


def test_wage_rounds_down_and_each_withheld_item_up():
    r = seizable_wage(300_999, income_tax=5_001, resident_tax=1, social_insurance=0)
    # wage 300,000; withheld 6,000 + 1,000 + 0; living 100,000; remainder 193,000 → 20 % = 38,600 → 39,000
    assert r.wage == 300_000
    assert r.protected == 7_000 + 100_000 + 39_000
    assert r.seizable == 300_000 - 146_000


def test_twenty_percent_cap():
    # single debtor: cap is 2 × 100,000 = 200,000; a 2,000,000 wage would give 20 % = 380,000
    r = seizable_wage(2_000_000)
    assert r.protected == 100_000 + 200_000
    assert r.seizable == 1_700_000
    just_under = seizable_wage(1_100_000)  # remainder 1,000,000 → exactly 200,000: the cap binds equally
    assert just_under.protected == 300_000


def test_wage_below_protected_is_not_seizable():
    assert seizable_wage(90_000).seizable == 0


def test_short_period_uses_100_yen_units():
    r = seizable_wage(70_050, period_days=7, income_tax=1_001)
    assert r.wage == 70_000
    assert r.protected % 100 == 0


def test_cash_already_received_counts_against_protection():
    whole = seizable_wage(300_000, relatives=0)
    # protected 140,000: 100,000 already received leaves 40,000 of protection on the 200,000 still due
    part = seizable_wage(300_000, relatives=0, already_received=100_000)
    assert part.seizable == whole.seizable == 160_000
    # cash beyond the protection: everything still due is seizable, never more than is left
    most = seizable_wage(300_000, relatives=0, already_received=280_000)
    assert most.seizable == 20_000


def test_pensions():
    assert seizable_pension(PensionKind.DISABILITY, 200_000).seizable == 0
    assert seizable_pension(PensionKind.SURVIVORS, 200_000).seizable == 0
    # a monthly old-age pension is protected as a month's wage (77条1項)
    assert seizable_pension(PensionKind.OLD_AGE, 300_000, relatives=1, period_months=1) == seizable_wage(
        300_000, relatives=1)


def test_a_public_pension_is_protected_for_each_month_it_pays():
    """施行令34条: the living amount is counted for each month of the pay period. A public pension pays two months
    at once (国民年金法18条3項): 400,000 with one relative keeps (100,000 + 45,000) × 2 = 290,000, + 20 % of the
    110,000 left (22,000) = 312,000 → 88,000 seizable. Read as a month's pay: 145,000 + 51,000 → 204,000."""
    two = seizable_pension(PensionKind.OLD_AGE, 400_000, relatives=1)
    assert (two.protected, two.seizable) == (312_000, 88_000)
    assert seizable_wage(400_000, relatives=1, period_months=2) == two
    assert seizable_wage(400_000, relatives=1).seizable == 204_000
    # the 20 % share's cap is twice the living amount of the whole period (76条1項5号): 2 × 290,000
    rich = seizable_wage(5_000_000, relatives=1, period_months=2)
    assert rich.protected == 290_000 + 580_000
    with pytest.raises(ValueError):
        seizable_wage(100_000, period_months=0)


def test_negative_inputs_are_refused():
    with pytest.raises(ValueError):
        seizable_wage(-1)


money = st.integers(0, 5_000_000)


@given(wage=money, tax=st.integers(0, 300_000), rtax=st.integers(0, 300_000), si=st.integers(0, 300_000),
       relatives=st.integers(0, 8), short=st.booleans())
def test_seizable_between_zero_and_rounded_wage(wage, tax, rtax, si, relatives, short):
    r = seizable_wage(wage, income_tax=tax, resident_tax=rtax, social_insurance=si, relatives=relatives,
                      period_days=10 if short else None)
    assert 0 <= r.seizable <= r.wage <= wage
    assert r.protected % (100 if short else 1_000) == 0


@pytest.mark.parametrize("amount", [0, -1, -120_000])
def test_an_inflow_of_no_money_paid_in_is_refused(amount):
    """An inflow is money paid into the account: a negative one (a withdrawal typed as an inflow) would lower
    the protected part and raise the deposit screen's cap; zero protects nothing and is a slip."""
    from datetime import date

    from nhi_collect.domain.seizure_limits import Inflow, InflowKind
    with pytest.raises(ValueError, match="must be a positive number of yen"):
        Inflow(date(2023, 10, 13), InflowKind.BENEFIT, amount)
    assert Inflow(date(2023, 10, 13), InflowKind.BENEFIT, 1).amount == 1
