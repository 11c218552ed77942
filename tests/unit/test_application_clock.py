"""The clock of an application (domain/application_clock.py), with the periods of workflows/taisho.toml."""

from datetime import date

import pytest

from nhi_collect.domain.application_clock import due_date, overdue
from nhi_collect.services.applications import due_on
from nhi_collect.workflow.definition import load


def test_the_day_of_receipt_is_not_counted():
    # 民法140条: a 14-day period received on Wednesday 2023-09-20 runs 9/21–10/4 and ends on Wednesday 10/4.
    assert due_date(date(2023, 9, 20), 14, True) == date(2023, 10, 4)


def test_a_last_day_on_a_closed_day_moves_to_the_next_office_day_where_the_rule_says_so():
    # 30 days from Friday 2023-09-08 end on Sunday 10/8; Monday 10/9 is スポーツの日 (the 2nd Monday of October),
    # so the office's next day is Tuesday 10/10 (地方自治法4条の2④, applied by the ward to its own answer).
    assert due_date(date(2023, 9, 8), 30, True) == date(2023, 10, 10)
    assert due_date(date(2023, 9, 8), 30, False) == date(2023, 10, 8)
    # 12/29–1/3 are closed days (地方自治法4条の2①): 30 days from 2023-11-30 end on 12/30 → Thursday 2024-01-04.
    assert due_date(date(2023, 11, 30), 30, True) == date(2024, 1, 4)


def test_overdue_on_the_day_after_the_due_date_never_on_it():
    due = date(2023, 10, 10)
    assert not overdue(due, date(2023, 10, 10)) and overdue(due, date(2023, 10, 11))
    assert not overdue(due, date(2023, 10, 20), closed_on=date(2023, 10, 10))  # answered on its last day
    assert overdue(due, date(2023, 10, 20), closed_on=date(2023, 10, 11))  # answered a day late
    assert overdue(due, date(2023, 10, 11), closed_on=date(2023, 10, 15))  # closed later: overdue on 10/11 still


@pytest.mark.parametrize("kind, received, due", [
    ("reduction", date(2023, 9, 8), date(2023, 10, 10)),  # 30 days, next office day (as above)
    ("late_fee_reduction", date(2023, 9, 20), date(2023, 10, 20)),  # 30 days to a Friday
    ("installment_plan", date(2023, 9, 20), date(2023, 10, 4)),  # 14 days
    ("seizure_release", date(2023, 9, 22), date(2023, 10, 6)),  # 14 days, a Friday
    ("suspension_review", date(2023, 9, 8), date(2023, 10, 8)),  # 30 days, kept on its Sunday (区の方針)
])
def test_the_wards_periods(kind, received, due):
    assert due_on(load(), kind, received) == due


def test_every_kind_names_its_basis():
    for kind in load().applications.values():
        assert "条" in kind.basis or "区の方針" in kind.basis, kind.name


def test_a_ward_file_with_a_bad_period_is_refused_when_loaded(tmp_path):
    from nhi_collect.workflow.checks import WorkflowError
    from nhi_collect.workflow.definition import default_path
    text = default_path().read_text("utf-8").replace('days = 14                 # 区の方針: a consultation',
                                                     'days = 0  # ').replace('closed_day = "keep"', 'closed_day = "never"')
    (tmp_path / "ward.toml").write_text(text, "utf-8")
    with pytest.raises(WorkflowError) as refused:
        load(str(tmp_path / "ward.toml"))
    assert "[applications.installment_plan] days must be a whole number of days, at least 1" in str(refused.value)
    assert "[applications.suspension_review] closed_day must be one of next_office_day, keep" in str(refused.value)
