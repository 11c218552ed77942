"""Write-off per installment (不納欠損, domain.md §9): each installment on its own ground, only once its claim is
extinguished; the household is closed only when nothing unpaid is left open; never dated after today."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import assessments, write_offs
from nhi_collect.services import actions
from nhi_collect.services.business_date import run_date
from nhi_collect.services.households import show_household
from nhi_collect.workflow.guards import Facts, Installment, extinction
from nhi_collect.workflow.machine import Refused
from tests.support.ledger import WORKFLOW, count, ledger, put, run, stage, write  # noqa: F401 (the fixture)


def write_off(engine, on: date, today: date | None = None) -> str:
    with transaction(engine) as conn:
        return actions.write_off(conn, WORKFLOW, "H1", on, "boss", today or on)


def written_off(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(assessments.c.fiscal_year, assessments.c.installment, write_offs.c.amount, write_offs.c.ground,
                   write_offs.c.written_off_on).join(assessments)
            .order_by(assessments.c.fiscal_year, assessments.c.installment))]


def per_installment(engine, as_of: date) -> dict[tuple[int, int], tuple]:
    with engine.connect() as conn:
        shown = show_household(conn, "H1", as_of)
    return {(i["fiscal_year"], i["installment"]): (i["written_off_on"], i["write_off_ground"])
            for i in shown["installments"]}


@pytest.fixture
def old_installment(ledger, tmp_path):  # noqa: F811
    """H1 also owes FY2020 installment 1, due 2020-06-30 (a Tuesday), never demanded nor paid: its two years
    (国保法110条1項) run from 2020-07-01 (民法140条), last day 2022-06-30, extinguished from 2022-07-01."""
    run(ledger, "assessments", write(tmp_path, "old.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                                           "H1,2020,1,2020-06-30,7000\n"))
    put(ledger, "H1", "reminder", date(2020, 9, 1))
    return ledger


def test_only_the_installment_past_limitation_is_written_off(old_installment):
    ledger = old_installment
    # 2023-09-25: FY2020/1 is extinguished (limitation date 2022-06-30 < 2023-09-25); FY2023/1–3, due
    # 2023-06-30 to 08-31, run until 2025 at the earliest: they stay open, so H1 stays on its stage.
    assert write_off(ledger, date(2023, 9, 25)) == "reminder"
    assert stage(ledger, "H1") == "reminder"
    assert written_off(ledger) == [(2020, 1, 7000, "limitation", date(2023, 9, 25))]
    shown = per_installment(ledger, date(2023, 9, 25))
    assert shown[(2020, 1)] == ("2023-09-25", "limitation")
    assert shown[(2023, 1)] == shown[(2023, 3)] == (None, None)
    # the extinguished installment is no longer owed: the next write-off finds nothing (国保法110条)
    with pytest.raises(Refused, match="国保法110条"):
        write_off(ledger, date(2023, 9, 26))
    assert count(ledger, write_offs) == 1


def test_the_boundary_day_of_limitation(old_installment):
    ledger = old_installment
    # 2022-06-30 is FY2020/1's limitation date, its last collectable day: not yet extinguished. The FY2023
    # installments are not even due then. Nothing is extinguished: refused, naming the articles.
    with pytest.raises(Refused, match=r"国保法110条.*地方税法15条の7第4項.*第5項"):
        write_off(ledger, date(2022, 6, 30))
    assert count(ledger, write_offs) == 0
    # 2022-07-01, the day after: extinguished. FY2023/1–3 are not yet due (2023-06-30 on): they stay open.
    assert write_off(ledger, date(2022, 7, 1)) == "reminder"
    assert written_off(ledger) == [(2020, 1, 7000, "limitation", date(2022, 7, 1))]


def test_immediate_extinction_leaves_an_installment_assessed_after_the_suspension(ledger, tmp_path):  # noqa: F811
    run(ledger, "assessments", write(tmp_path, "a4.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                                          "H1,2023,4,2023-09-29,10000\n"))
    run_date(ledger, WORKFLOW, date(2023, 9, 20))  # FY2023/1–3 demanded
    with transaction(ledger) as conn:  # 地方税法15条の7第5項: no property and collection clearly impossible
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 22), "no_property", "boss", immediate_extinction=True)
    # The suspension of 2023-09-22 covers what was in arrears that day: FY2023/1–3 (due 06-30 to 08-31),
    # extinguished at once (⑤). FY2023/4 fell due on 09-29, after the suspension began: still owed, and the
    # household stays suspended.
    assert write_off(ledger, date(2023, 10, 2)) == "suspended"
    assert written_off(ledger) == [(2023, n, 10_000, "immediate_extinction", date(2023, 10, 2)) for n in (1, 2, 3)]
    assert stage(ledger, "H1") == "suspended"
    assert per_installment(ledger, date(2023, 10, 2))[(2023, 4)] == (None, None)


def test_a_write_off_in_the_future_or_before_the_last_move_is_refused(ledger):  # noqa: F811
    run_date(ledger, WORKFLOW, date(2023, 9, 20))
    with transaction(ledger) as conn:
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 9, 22), "no_property", "boss", immediate_extinction=True)
    # extinguished from 2023-09-22 (15条の7⑤), but a write-off records a decision already taken: dated
    # 2030-01-01 on 2023-09-25 it is refused, and so is one dated before the suspension, the last move.
    with pytest.raises(Refused, match="recorded on the day of the decision"):
        write_off(ledger, date(2030, 1, 1), today=date(2023, 9, 25))
    with pytest.raises(Refused, match="last recorded move"):
        write_off(ledger, date(2023, 9, 21), today=date(2023, 9, 25))
    assert count(ledger, write_offs) == 0 and stage(ledger, "H1") == "suspended"
    # on the day itself it closes the household: nothing unpaid is left open
    assert write_off(ledger, date(2023, 9, 25)) == "written_off"


def test_three_years_of_suspension_for_what_it_covers():
    """地方税法15条の7第4項: suspended on 2023-09-22, the three years run from 09-23 (民法140条) to 2026-09-22;
    extinguished on 2026-09-23. A payment of 2025-03-01 (民法152条) renewed limitation to 2027-03-01, so
    suspension is the first ground. An installment due after the suspension began is not covered."""
    covered = Installment(2023, 1, date(2023, 6, 30), 10_000, payments=(date(2025, 3, 1),))
    later = Installment(2023, 5, date(2023, 10, 31), 10_000, payments=(date(2025, 3, 1),))
    facts = Facts(1, "suspended", date(2023, 9, 22), "demanded", False, [covered, later],
                  suspended_on=date(2023, 9, 22))
    assert extinction(covered, facts, date(2026, 9, 22)) is None
    assert extinction(covered, facts, date(2026, 9, 23)) == (date(2026, 9, 23), "suspension_3y")
    assert extinction(later, facts, date(2026, 9, 23)) is None
