"""Public-notice service of the demand (公示送達; issue 13, defect 9; domain.md §9).

A premium's documents are served "as for local taxes" (地方自治法231条の3④), so a household whose whereabouts
are unknown is demanded by public notice (地方税法20条の2①): a posting on the office notice board naming the
document, the addressee and that the ward head hands it over at any time (②); it is deemed served when 7 days
have passed counting from the day the posting began (③: posted on D, served on D + 7). The demand then
renews limitation like a mailed one (国保法110条②, domain.md §9), and the household, which no reminder can
reach, goes on to property investigation. No letter is mailed to it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import assessments, demand_notices, households, letters
from nhi_collect.domain.calendar import public_notice_served_on
from nhi_collect.services.business_date import run_date
from nhi_collect.services.households import show_household
from nhi_collect.services.letters import letter_context
from nhi_collect.adapters.letters import render_letter
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.facts import load_facts
from nhi_collect.workflow.guards import Context, guard
from tests.support.ledger import HOUSEHOLDS, run, write

WORKFLOW = load()
# H1 has an address, H2's whereabouts are unknown (HOUSEHOLDS). Both owe the June installment, due 2023-06-30
# (a Friday): "within 20 days" → 2023-07-20 (a Thursday) is the demand day. H2 also owes an installment due
# 2023-10-10 (a Tuesday): day 20 is 2023-10-30 (a Monday), its posting then crosses the month end.
ASSESSMENTS = """household_no,fiscal_year,installment,due_date,amount
H1,2023,1,2023-06-30,50000
H2,2023,1,2023-06-30,50000
H2,2023,5,2023-10-10,20000
"""


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    return engine


def notices(engine, household_no: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(assessments.c.installment, demand_notices.c.issued_on, demand_notices.c.served_on,
                   demand_notices.c.deadline, demand_notices.c.public_notice, letters.c.letter_type)
            .join(assessments, assessments.c.id == demand_notices.c.assessment_id)
            .join(letters, letters.c.id == demand_notices.c.letter_id)
            .join(households, households.c.id == assessments.c.household_id)
            .where(households.c.household_no == household_no).order_by(assessments.c.installment))]


def shown(engine, household_no: str, as_of: date) -> dict:
    with transaction(engine) as conn:
        return show_household(conn, household_no, as_of)


def test_the_service_date_is_seven_days_after_posting():
    # 地方税法20条の2③: 7 days pass counting from the posting day (that day is day 1): posted D → served D + 7
    assert public_notice_served_on(date(2023, 7, 20)) == date(2023, 7, 27)
    assert public_notice_served_on(date(2023, 10, 30)) == date(2023, 11, 6)  # across a month end
    assert public_notice_served_on(date(2024, 2, 26)) == date(2024, 3, 4)  # across a leap day (2/29 counts)
    assert public_notice_served_on(date(2023, 12, 28)) == date(2024, 1, 4)  # across the year end


def test_an_unknown_household_is_posted_not_mailed(ledger):
    run_date(ledger, WORKFLOW, date(2023, 7, 20))
    # H1: the mailed demand notice of 7/20, deadline 7/30 (a Sunday) → Monday 2023-07-31.
    assert notices(ledger, "H1") == [(1, date(2023, 7, 20), None, date(2023, 7, 31), False, "demand_notice")]
    # H2: posted on 7/20, served 7/27; the deadline runs from the service: 7/27 + 10 = 8/6 (a Sunday) → 8/7.
    assert notices(ledger, "H2") == [(1, date(2023, 7, 20), date(2023, 7, 27), date(2023, 8, 7), True,
                                      "public_notice")]
    got = shown(ledger, "H2", date(2023, 7, 20))
    assert got["stage"] == "demanded" and [x["type"] for x in got["letters"]] == ["public_notice"]
    # no letter mailed, ever, to a household whose whereabouts are unknown
    mailed = [name for name, t in WORKFLOW.letter_types.items() if t.recipient == "household"]
    with ledger.connect() as conn:
        assert conn.execute(select(letters.c.serial).join(households).where(
            households.c.whereabouts_unknown.is_(True), letters.c.letter_type.in_(mailed))).all() == []
    # the posting across the month end: the October installment is posted on its day 20, 10/30, served 11/06;
    # deadline 11/06 + 10 = 11/16 (a Thursday)
    run_date(ledger, WORKFLOW, date(2023, 10, 30))
    assert notices(ledger, "H2")[1] == (5, date(2023, 10, 30), date(2023, 11, 6), date(2023, 11, 16), True,
                                        "public_notice")


def test_limitation_is_renewed_from_the_service(ledger):
    # due 2023-06-30: two years from 7/01 end on 2025-06-30 (国保法110条①). The public notice posted 7/20 is
    # served on 7/27 (地方税法20条の2③); until then nothing is renewed. Served, it renews like a mailed demand
    # (国保法110条②), a new period from the day after its deadline 8/07 (anchor: domain.md §2): 2023-08-08
    # + 2 years → 2025-08-07.
    run_date(ledger, WORKFLOW, date(2023, 7, 20))
    before = shown(ledger, "H2", date(2023, 7, 26))["installments"][0]
    assert before["limitation_date"] == "2025-06-30" and before["limitation_events"] == []
    after = shown(ledger, "H2", date(2023, 7, 27))["installments"][0]
    assert after["limitation_date"] == "2025-08-07"
    assert after["limitation_events"] == [{"on": "2023-07-27", "kind": "public_notice", "effect": "renewal"}]


def test_the_household_goes_on_to_investigation_once_served(ledger):
    # 7/20 is also an investigation round (seed 窓4: the 20th of July): H2 was only posted that day, not served.
    run_date(ledger, WORKFLOW, date(2023, 7, 20))
    assert shown(ledger, "H2", date(2023, 7, 20))["stage"] == "demanded"
    # the October round (2023-10-20): served 7/27, past its deadline 8/07 → property investigation; H1, who can
    # be reminded (the October reminder round is for installments 3–5, not its June one), stays demanded.
    run_date(ledger, WORKFLOW, date(2023, 10, 20))
    h2 = shown(ledger, "H2", date(2023, 10, 20))
    assert h2["stage"] == "property_investigation"
    assert h2["history"][-1]["trigger"] == "investigate_after_public_notice"
    assert shown(ledger, "H1", date(2023, 10, 20))["stage"] == "demanded"


def test_the_served_notice_lets_the_household_on_only_after_its_deadline_in_python_and_sql(ledger):
    # Posted 7/20, served 7/27 (20条の2③); its designated deadline, ten days on, is Sunday 8/06 → Monday 8/07
    # (地方自治法4条の2④). On 8/07, the deadline's own day, the guard still holds the household back (231条の3③
    # counts a deadline "passed" only after it); on 8/08 it lets it on — in Python and in SQL alike.
    run_date(ledger, WORKFLOW, date(2023, 7, 20))
    assert [n[3] for n in notices(ledger, "H2")] == [date(2023, 8, 7)]
    served = guard("public_notice_served")
    with ledger.connect() as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == "H2")).scalar_one()
        for on, passed in ((date(2023, 8, 7), False), (date(2023, 8, 8), True)):
            ctx = Context(on, WORKFLOW.policy)
            in_sql = hid in set(conn.execute(select(households.c.id).where(served.sql(ctx))).scalars())
            assert (served.python(load_facts(conn, [hid], on)[hid], ctx), in_sql) == (passed, passed), on


def test_the_posting_renders_without_an_address_window(ledger, tmp_path):
    run_date(ledger, WORKFLOW, date(2023, 7, 20))
    with ledger.connect() as conn:
        lid = conn.execute(select(letters.c.id).where(letters.c.letter_type == "public_notice")).scalar_one()
        html = render_letter(letter_context(conn, WORKFLOW, lid))
    assert "公　示　送　達" in html and "山﨑　花子" in html and "督促状" in html
    assert "令和5年7月20日" in html and "令和5年7月27日" in html and "いつでも交付します" in html
    assert 'class="window"' not in html  # posted, not mailed: no envelope window, no address
    assert "50,000" not in html  # the amount owed is not posted (地方公務員法34条: 守秘義務)


def household_letters(engine, household_no: str, on: date) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(letters.c.letter_type).join(households)
                                   .where(households.c.household_no == household_no, letters.c.issued_on == on))
                      .scalars())


def test_a_suspension_of_an_unknown_household_is_served_by_posting_and_its_plan_letter_not_sent(ledger):
    """H2's whereabouts are unknown: its 執行停止 (ground ③, 地方税法15条の7第1項第3号) must be notified (同条②), a
    document to be served, so it is posted (公示送達, 20条の2, applied by 地方自治法231条の3④) and deemed served 7
    days after: posted 8/01 → served 8/08 (③). Its plan's confirmation, which no law requires served, is not sent at
    all. The code before mailed both to the address known to be wrong. H1, whose address is known, is mailed both."""
    from nhi_collect.services import actions
    from tests.conftest import register_staff
    run_date(ledger, WORKFLOW, date(2023, 7, 20))
    register_staff(ledger, {"clerk": "clerk", "boss": "supervisor"})
    planned, suspended = date(2023, 7, 25), date(2023, 8, 1)
    with transaction(ledger) as conn:
        for hno in ("H1", "H2"):  # each owes 50,000 yen, due 6/30
            actions.agree_plan(conn, WORKFLOW, hno, planned, [(date(2023, 8, 31), 50_000)], "clerk")
    assert household_letters(ledger, "H1", planned) == ["installment_plan"]
    assert household_letters(ledger, "H2", planned) == []
    with transaction(ledger) as conn:
        actions.suspend(conn, WORKFLOW, "H1", suspended, "hardship", "boss")
        actions.suspend(conn, WORKFLOW, "H2", suspended, "unknown", "boss")
    assert household_letters(ledger, "H1", suspended) == ["suspension_notice"]
    assert household_letters(ledger, "H2", suspended) == ["suspension_public_notice"]
    with ledger.connect() as conn:
        lid = conn.execute(select(letters.c.id).where(letters.c.letter_type == "suspension_public_notice")).scalar_one()
        html = render_letter(letter_context(conn, WORKFLOW, lid))
    assert "公　示　送　達" in html and "山﨑　花子" in html and "執行停止通知書" in html and "督促状" not in html
    assert "令和5年8月1日" in html and "令和5年8月8日" in html and 'class="window"' not in html


def test_a_release_and_an_appropriation_are_posted_for_an_unknown_household_and_its_refund_notice_waits(ledger):
    """The household's 差押解除通知書 (国税徴収法80条2項) and a 充当通知書 (地方税法17条の2⑤) are documents to be
    served: to H2, whose whereabouts are unknown, they are posted (20条の2) instead of mailed; the bank is still told
    at its own address (80条1項ただし書). The refund notice is no disposition: it waits until H2 is found. The code
    before mailed all three to the address known to be wrong. H1, whose address is known, is mailed its notices."""
    from sqlalchemy import insert, literal, update
    from nhi_collect.adapters.tables import appropriations, payments, seizure_items, seizures
    from nhi_collect.services import credit
    from nhi_collect.workflow import release
    on = date(2023, 9, 20)
    run_date(ledger, WORKFLOW, date(2023, 7, 20))  # both demanded (H2 by public notice)
    with transaction(ledger) as conn:
        ids = dict(conn.execute(select(households.c.household_no, households.c.id)).all())
        for hno in ("H1", "H2"):
            seizure = conn.execute(seizures.insert().values(
                household_id=ids[hno], property_kind="deposit", third_party="大正銀行 泉尾支店", amount=10_000,
                approved_by="boss", approved_on=on, executed_on=on).returning(seizures.c.id)).scalar()
            conn.execute(insert(seizure_items).from_select(["seizure_id", "assessment_id"], select(
                literal(seizure), assessments.c.id).where(assessments.c.household_id == ids[hno],
                                                          assessments.c.installment == 1)))
        release.end(conn, WORKFLOW, select(seizures.c.id), release.WITHDRAWN, on, None)
    assert household_letters(ledger, "H1", on) == ["release_notice", "release_notice_household"]
    assert household_letters(ledger, "H2", on) == ["release_notice", "release_public_notice"]
    paid = date(2023, 9, 21)
    with transaction(ledger) as conn:  # each pays 20,000 more than its June installment: 充当 of the rest, a refund
        for n, hno in enumerate(("H1", "H2")):
            conn.execute(payments.insert().values(payment_no=f"C{n}", household_id=ids[hno], paid_on=paid,
                                                  amount=120_000, channel="counter"))
        credit.appropriate_credit(conn, WORKFLOW, paid, None)
        credit.notice_refunds(conn, WORKFLOW, paid, None)
        linked = dict(conn.execute(select(appropriations.c.household_id, letters.c.letter_type)
                                   .join(letters, letters.c.id == appropriations.c.letter_id)).all())
    assert linked == {ids["H1"]: "appropriation_notice", ids["H2"]: "appropriation_public_notice"}
    assert household_letters(ledger, "H1", paid) == ["appropriation_notice", "refund_notice"]
    assert household_letters(ledger, "H2", paid) == ["appropriation_public_notice"]
    with ledger.connect() as conn:
        lid = conn.execute(select(letters.c.id).where(letters.c.letter_type == "release_public_notice")).scalar_one()
        html = render_letter(letter_context(conn, WORKFLOW, lid))
    assert "公　示　送　達" in html and "山﨑　花子" in html and "差押解除通知書" in html and 'class="window"' not in html
    found = date(2023, 9, 22)
    with transaction(ledger) as conn:  # H2 is found: the next night tells it of its refund
        conn.execute(update(households).where(households.c.id == ids["H2"]).values(whereabouts_unknown=False))
        credit.notice_refunds(conn, WORKFLOW, found, None)
    assert household_letters(ledger, "H2", found) == ["refund_notice"]
