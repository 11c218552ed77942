"""Seizures by the law (issue 13, defects 5 and 6, and the scope of defect 4): what a seizure covers, when
and why it is released with its notices, and the limits checked at approval. Expectations computed by hand
in the comments, with the article."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.letters import render_letter
from nhi_collect.adapters.tables import (assessments, demand_notices, letter_items, letters, seizure_items,
                                         seizure_letters, seizures, write_offs)
from nhi_collect.domain.seizure_limits import Inflow, InflowKind
from nhi_collect.services import actions
from nhi_collect.services.business_date import run_date
from nhi_collect.services.households import show_household
from nhi_collect.services.letters import letter_context
from nhi_collect.workflow.machine import Refused
from tests.support.ledger import WORKFLOW, ledger, put, run, stage, write  # noqa: F401 (ledger: a fixture)
from tests.support.seizures import approve_drafted

APPROVED_ON = date(2023, 9, 21)
SEIZED_ON = date(2023, 10, 3)
# the release notices among a seizure's letters (its 差押調書 and 債権差押通知書 are linked to it too)
RELEASES = letters.c.letter_type.like("release%")


def at_seizure_notice(engine, tmp_path):
    """H1: installments 1–3 (10,000 yen each, due 6/30, 7/31, 8/31) demanded on 9/20 with the deadline 9/30, a
    Saturday, so Monday 10/2 (地方自治法4条の2④); installment 4 (due 9/29) not yet demanded."""
    run(engine, "assessments", write(tmp_path, "a4.csv", "household_no,fiscal_year,installment,due_date,amount\n"
                                                         "H1,2023,4,2023-09-29,10000\n"))
    run_date(engine, WORKFLOW, date(2023, 9, 20))
    put(engine, "H1", "seizure_notice", date(2023, 9, 1))


def seized(engine, tmp_path):
    """H1's deposit at 大正銀行 seized on 10/3, the first lawful day: demanded more than 10 days before
    (国税徴収法47条1項) and past the deadline 10/2 (地方自治法231条の3③)."""
    at_seizure_notice(engine, tmp_path)
    approve(engine, "deposit", 20_000, balance=20_000)
    with transaction(engine) as conn:
        actions.execute_seizure(conn, WORKFLOW, "H1", SEIZED_ON, "clerk")


def approve(engine, kind, amount, on=APPROVED_ON, **screen):
    with transaction(engine) as conn:
        return approve_drafted(conn, WORKFLOW, "H1", on, kind, "大正銀行", amount, "boss", **screen)


def pay(engine, tmp_path, on, amount, n=1):
    run(engine, "payments", write(tmp_path, f"p{on}{n}.csv", "payment_id,household_no,paid_on,amount,channel\n"
                                                             f"P{on:%m%d}{n},H1,{on},{amount},counter\n"))


def installments_of(conn, query):
    return sorted(conn.execute(select(assessments.c.installment).where(assessments.c.id.in_(query))).scalars())


def letter_installments(conn, letter_type, on):
    return installments_of(conn, select(letter_items.c.assessment_id).join(letters).where(
        letters.c.letter_type == letter_type, letters.c.issued_on == on))


def household_release(engine) -> str:
    """The 差押解除通知書 to the household (国税徴収法80条2項2号), rendered: the one place it says why."""
    with engine.connect() as conn:
        lid = conn.execute(select(letters.c.id).where(letters.c.letter_type == "release_notice_household")).scalar_one()
        return render_letter(letter_context(conn, WORKFLOW, lid))


def limitation_of(engine, installment, on):
    with engine.connect() as conn:
        shown = show_household(conn, "H1", on)
    return next(i for i in shown["installments"] if i["installment"] == installment)


def test_a_seizure_covers_and_lists_only_the_ripe_installments(ledger, tmp_path):
    seized(ledger, tmp_path)
    with ledger.connect() as conn:
        # 国税徴収法47条: installment 4 (due 9/29, overdue on 10/3) was never demanded: the seizure is not for it;
        # the code before listed every overdue installment on the 差押調書 and the 債権差押通知書
        assert installments_of(conn, select(seizure_items.c.assessment_id)) == [1, 2, 3]
        assert letter_installments(conn, "seizure_record", SEIZED_ON) == [1, 2, 3]
        assert letter_installments(conn, "garnishment_notice", SEIZED_ON) == [1, 2, 3]
        shown = show_household(conn, "H1", SEIZED_ON)
    assert [(s["executed_on"], s["installments"], s["released_on"]) for s in shown["seizures"]] == [
        ("2023-10-03", [[2023, 1], [2023, 2], [2023, 3]], None)]
    assert limitation_of(ledger, 4, SEIZED_ON)["limitation_events"] == []  # no seizure event for installment 4


def test_paid_installments_release_their_seizure_that_night_with_its_notices(ledger, tmp_path):
    seized(ledger, tmp_path)
    pay(ledger, tmp_path, date(2023, 10, 10), 29_999)  # oldest first: 1 and 2 paid, 3 owes 1 yen
    run_date(ledger, WORKFLOW, date(2023, 10, 10))
    with ledger.connect() as conn:
        assert conn.execute(select(seizures.c.released_on)).scalar_one() is None  # one yen still owed: it runs on
    pay(ledger, tmp_path, date(2023, 10, 11), 1)
    run_date(ledger, WORKFLOW, date(2023, 10, 11))
    with ledger.connect() as conn:
        # 国税徴収法79条1項1号: the installments it is for are paid, so it must be released, though installment 4
        # is still unpaid (it was never part of it) and the household stays in enforcement
        s = conn.execute(select(seizures)).one()
        assert (s.released_on, s.release_reason) == (date(2023, 10, 11), "paid")
        sent = conn.execute(select(letters.c.letter_type).join(seizure_letters)
                            .where(letters.c.issued_on == date(2023, 10, 11))).scalars().all()
        # 80条1項ただし書: the release is the notice to the bank, the third-party debtor; 2項2号: the household told
        assert sorted(sent) == ["release_notice", "release_notice_household"]
        assert letter_installments(conn, "release_notice", date(2023, 10, 11)) == [1, 2, 3]
    assert "完納されたため（国税徴収法第79条第1項第1号）" in household_release(ledger)
    assert stage(ledger, "H1") == "enforcement"
    run_date(ledger, WORKFLOW, date(2023, 10, 12))  # released once: no second notice
    with ledger.connect() as conn:  # (the other two letters linked to it are its 差押調書 and 債権差押通知書)
        assert len(conn.execute(select(seizure_letters).join(letters).where(RELEASES)).all()) == 2


def test_a_suspension_releases_the_seizure_and_its_end_renews_limitation(ledger, tmp_path):
    seized(ledger, tmp_path)
    with transaction(ledger) as conn:
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 10, 20), "hardship", "boss")
    with ledger.connect() as conn:
        s = conn.execute(select(seizures)).one()
        assert (s.released_on, s.release_reason) == (date(2023, 10, 20), "suspended")  # 地方税法15条の7第3項
        assert conn.execute(select(letters.c.letter_type).join(seizure_letters).where(RELEASES)).scalars().all() == [
            "release_notice", "release_notice_household"]
    # the release of a suspension for hardship (15条の7第1項第2号) is the one 15条の7第3項 provides for
    assert "第15条の7第1項第2号の規定により滞納処分の執行を停止したため（同条第3項）" in household_release(ledger)
    # 民法148条②: a seizure ended otherwise than by withdrawal renews: a new two years from 10/21 → 2025-10-20
    assert limitation_of(ledger, 1, date(2023, 10, 20))["limitation_date"] == "2025-10-20"


def test_a_suspension_on_another_ground_releases_by_ward_policy(ledger, tmp_path):
    """地方税法15条の7第3項 allows the release only of a suspension for hardship (第1項第2号); on the other grounds
    the ward releases by its own policy, and the notice says so rather than citing 第3項 (it did, for all)."""
    seized(ledger, tmp_path)
    with transaction(ledger) as conn:
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 10, 20), "no_property", "boss")
    html = household_release(ledger)
    assert "第15条の7第1項第1号の規定により滞納処分の執行を停止したため（停止中の差押えは解除する区の方針による）" in html
    assert "（同条第3項）" not in html and "第15条の7第3項" not in html


def test_the_third_ground_only_for_a_household_whose_whereabouts_are_unknown(ledger, tmp_path):
    """第3号: 所在及び財産がともに不明. H1 lives at its address: refused, naming the article, nothing recorded; once
    the ledger records it 居所不明 the same suspension is decided and the seizure released by the ward's policy."""
    seized(ledger, tmp_path)
    with pytest.raises(Refused, match="地方税法15条の7第1項第3号"):
        with transaction(ledger) as conn:
            actions.suspend(conn, WORKFLOW, "H1", date(2023, 10, 20), "unknown", "boss")
    assert stage(ledger, "H1") == "enforcement"
    with transaction(ledger) as conn:
        conn.execute(text("UPDATE households SET whereabouts_unknown = :t WHERE household_no = 'H1'"), {"t": True})
        actions.suspend(conn, WORKFLOW, "H1", date(2023, 10, 20), "unknown", "boss")
    assert stage(ledger, "H1") == "suspended"
    with ledger.connect() as conn:
        s = conn.execute(select(seizures)).one()
    assert (s.released_on, s.release_reason) == (date(2023, 10, 20), "suspended")


def test_a_withdrawn_seizure_renews_nothing(ledger, tmp_path):
    seized(ledger, tmp_path)
    with pytest.raises(Refused, match="国税徴収法79条1項"):  # nothing paid, nobody suspended: no release is due
        with transaction(ledger) as conn:
            actions.release_seizure(conn, WORKFLOW, "H1", date(2023, 10, 20), "boss")
    with transaction(ledger) as conn:  # 79条2項: given up on request
        assert actions.release_seizure(conn, WORKFLOW, "H1", date(2023, 10, 20), "boss", withdraw=True) == 1
    with ledger.connect() as conn:
        s = conn.execute(select(seizures)).one()
        assert (s.released_on, s.release_reason) == (date(2023, 10, 20), "withdrawn")
        assert len(conn.execute(select(seizure_letters).join(letters).where(RELEASES)).all()) == 2
    assert "（国税徴収法第79条第2項）" in household_release(ledger)  # the release the officer may decide
    shown = limitation_of(ledger, 1, date(2023, 10, 20))
    # the demand renewed from the day after its deadline 10/2: 10/3 + 2 years → 2025-10-02 (国保法110条); the
    # withdrawal only postpones completion to six months after 10/20, 2024-04-20, which is earlier
    # (民法148条1項かっこ書, 2項ただし書). Before, every end of a seizure renewed (to 2025-10-20).
    assert shown["limitation_date"] == "2025-10-02"
    assert shown["limitation_events"][-1] == {"on": "2023-10-20", "kind": "seizure_end", "effect": "postponement"}
    with pytest.raises(Refused, match="no seizure"):
        with transaction(ledger) as conn:
            actions.release_seizure(conn, WORKFLOW, "H1", date(2023, 10, 21), "boss", withdraw=True)


def test_written_off_installments_release_their_seizure_as_extinguished(ledger, tmp_path):
    seized(ledger, tmp_path)
    with transaction(ledger) as conn:  # the write-off decision itself is test_write_off's; here only its record
        conn.execute(write_offs.insert(), [{"assessment_id": a, "written_off_on": date(2023, 10, 20), "amount": 10_000,
                                            "ground": "limitation", "decided_by": "boss"}
                                           for a in conn.execute(select(seizure_items.c.assessment_id)).scalars()])
    run_date(ledger, WORKFLOW, date(2023, 10, 20))
    with ledger.connect() as conn:  # 国税徴収法79条1項1号: the debt it was for is extinguished (消滅)
        s = conn.execute(select(seizures)).one()
        assert (s.released_on, s.release_reason) == (date(2023, 10, 20), "extinguished")


# --- approval limits (国税徴収法48・76・77条, 国民年金法24条, 厚生年金保険法41条) -----------------------------

# domain.md §4's public check: wage 300,000, withheld 50,000, spouse and two dependants (3 relatives):
# protected 50,000 + 235,000 + 20 % of the 15,000 left (3,000) = 288,000 → 12,000 seizable (76条1項)
PAY = {"wage": 300_000, "income_tax": 10_000, "resident_tax": 15_000, "social_insurance": 25_000}
BIMONTHLY = {"wage": 600_000, "income_tax": 20_000, "resident_tax": 30_000, "social_insurance": 50_000}


@pytest.mark.parametrize("kind, amount, screen, refusal", [
    ("pension", 1_000, {"pension_kind": "disability", "pay": PAY}, "国民年金法24条, 厚生年金保険法41条1項"),
    ("pension", 1_000, {"pension_kind": "survivors", "pay": PAY}, "国民年金法24条, 厚生年金保険法41条1項"),
    ("pension", 1_000, {"pay": PAY}, "pension's kind"),
    ("wage", 1_000, {}, "国税徴収法76条1項"),  # no pay figures: the protected amount cannot be left
    ("wage", 12_001, {"pay": PAY, "relatives": 3}, "国税徴収法76条1項"),
    ("wage", 12_000, {"pay": PAY, "relatives": 3}, None),
    # a monthly (private) old-age pension is protected as a month's wage
    ("pension", 12_001, {"pension_kind": "old_age", "pay": PAY | {"period_months": 1}, "relatives": 3}, "国税徴収法77条1項"),
    ("pension", 12_000, {"pension_kind": "old_age", "pay": PAY | {"period_months": 1}, "relatives": 3}, None),
    # a public pension pays two months at once (国民年金法18条3項): 600,000 with 100,000 withheld keeps the living
    # amount of each month, 235,000 × 2 = 470,000 (施行令34条), + 20 % of the 30,000 left (6,000) = 576,000 →
    # 24,000 seizable; read as one month's pay it would leave 262,000 seizable
    ("pension", 24_001, {"pension_kind": "old_age", "pay": BIMONTHLY, "relatives": 3}, "国税徴収法77条1項"),
    ("pension", 24_000, {"pension_kind": "old_age", "pay": BIMONTHLY, "relatives": 3}, None),
    ("deposit", 1_000, {}, "balance"),
    ("deposit", 20_001, {"balance": 20_000}, "国税徴収法62条1項"),
    # a disability pension of 100,000 paid in 29 days before: wholly protected, 110,000 − 100,000 = 10,000
    ("deposit", 10_001, {"balance": 110_000, "inflows": (Inflow(date(2023, 8, 23), InflowKind.DISABILITY_PENSION,
                                                                100_000),)}, "deposit screen"),
    ("deposit", 10_000, {"balance": 110_000, "inflows": (Inflow(date(2023, 8, 23), InflowKind.DISABILITY_PENSION,
                                                                100_000),)}, None),
    # paid in 30 days before: outside the 30-day window, the balance is an ordinary deposit again
    ("deposit", 10_001, {"balance": 110_000, "inflows": (Inflow(date(2023, 8, 22), InflowKind.DISABILITY_PENSION,
                                                                100_000),)}, None),
    # an old-age pension of 120,000 (no relatives) is two months' pension: the living amount of 200,000 protects all
    # of it (read as one month's it kept only 104,000 and left 26,000 seizable): 130,000 − 120,000 → 10,000
    ("deposit", 10_001, {"balance": 130_000, "inflows": (Inflow(date(2023, 9, 15), InflowKind.OLD_AGE_PENSION,
                                                                120_000),)}, "deposit screen"),
    ("deposit", 10_000, {"balance": 130_000, "inflows": (Inflow(date(2023, 9, 15), InflowKind.OLD_AGE_PENSION,
                                                                120_000),)}, None),
    # a wage of 120,000 paid in is one month's: 100,000 + 20 % of 20,000 = 104,000 kept, 130,000 → 26,000
    ("deposit", 26_001, {"balance": 130_000, "inflows": (Inflow(date(2023, 9, 15), InflowKind.WAGE, 120_000),)},
     "deposit screen"),
    ("deposit", 26_000, {"balance": 130_000, "inflows": (Inflow(date(2023, 9, 15), InflowKind.WAGE, 120_000),)}, None),
    # 48条1項: the debt is 30,000 (1–3 demanded; their late fee on 9/21 is under 1,000 yen, so none)
    ("deposit", 30_001, {"balance": 50_000}, "国税徴収法48条1項"),
    ("deposit", 30_000, {"balance": 50_000}, None),
    ("real_estate", 5_000_000, {}, None),  # one property is seized whole
    ("car", 1_000, {}, r"\[seizure.property_kinds\]"),
])
def test_approval_limits(ledger, tmp_path, kind, amount, screen, refusal):
    at_seizure_notice(ledger, tmp_path)
    if refusal is None:
        approve(ledger, kind, amount, **screen)
        with ledger.connect() as conn:
            assert conn.execute(select(seizures.c.amount)).scalar_one() == amount
        return
    with pytest.raises(Refused, match=refusal):
        approve(ledger, kind, amount, **screen)
    with ledger.connect() as conn:
        assert conn.execute(select(seizures.c.id)).all() == []


def test_a_deposit_is_screened_on_the_banks_recorded_reply(ledger, tmp_path):
    at_seizure_notice(ledger, tmp_path)
    with transaction(ledger) as conn:
        actions.open_investigation(conn, WORKFLOW, "H1", date(2023, 9, 20), "clerk", [("bank", "大正銀行")])
        actions.record_inquiry_result(conn, WORKFLOW, "H1", "bank", "大正銀行", date(2023, 9, 21), 15_000, "clerk")
    with pytest.raises(Refused, match="balance of 15,000"):
        approve(ledger, "deposit", 15_001)
    assert approve(ledger, "deposit", 15_000)["balance"] == 15_000


def test_the_debt_is_checked_again_at_execution(ledger, tmp_path):
    at_seizure_notice(ledger, tmp_path)
    approve(ledger, "deposit", 30_000, balance=30_000)  # the whole debt on 9/21
    pay(ledger, tmp_path, date(2023, 10, 2), 5_000)
    # on 10/3 the seizure is for 25,000 yen: 30,000 would clearly exceed it (国税徴収法48条1項)
    with pytest.raises(Refused, match="国税徴収法48条1項"):
        with transaction(ledger) as conn:
            actions.execute_seizure(conn, WORKFLOW, "H1", SEIZED_ON, "clerk")
    assert stage(ledger, "H1") == "seizure_notice"


# 48条1項 over all the household's seizures: H1's debt on 9/21 is 30,000 yen (1–3 demanded, 10,000 each;
# late fee under 1,000 yen, so none). A deposit of 20,000 at 大正銀行 is approved; a second bank may then
# take only 10,000 more: 20,000 + 10,000 = 30,000 is the debt exactly (allowed), 10,001 is 1 yen over.
@pytest.mark.parametrize("second, refused", [(10_000, False), (10_001, True)])
def test_the_seizures_in_force_count_together_against_the_debt(ledger, tmp_path, second, refused):
    at_seizure_notice(ledger, tmp_path)
    approve(ledger, "deposit", 20_000, balance=20_000)

    def approve_second():
        with transaction(ledger) as conn:
            approve_drafted(conn, WORKFLOW, "H1", APPROVED_ON, "deposit", "大正銀行 泉尾支店", second, "boss",
                            balance=50_000)
    if refused:
        with pytest.raises(Refused, match="30,001 yen with the 20,000 yen of the household's seizures in force.*"
                                          "国税徴収法48条1項"):
            approve_second()
    else:
        approve_second()
    with ledger.connect() as conn:
        assert sorted(conn.execute(select(seizures.c.amount)).scalars()) == ([20_000] if refused else [10_000, 20_000])


def test_a_deadline_on_12_29_moves_past_the_year_end_closure_and_enforcement_waits_for_it(ledger, tmp_path):
    """Installments 1–3 demanded on 2023-12-19; the designated deadline, ten days on, is 12/29, in the year-end
    closure (12/29–1/3: the office's holidays, 大阪市の休日を定める条例), so it is Thursday 2024-01-04 (地方自治法4条の2④).
    Ten days after the demand have passed by 12/30 (国税徴収法47条1項), but a seizure waits until the deadline has
    passed (地方自治法231条の3③): refused on 1/4, the deadline's own day; lawful on Friday 1/5."""
    run_date(ledger, WORKFLOW, date(2023, 12, 19))
    with ledger.connect() as conn:
        assert set(conn.execute(select(demand_notices.c.deadline)).scalars()) == {date(2024, 1, 4)}
    put(ledger, "H1", "seizure_notice", date(2023, 12, 19))
    approve(ledger, "deposit", 20_000, on=date(2023, 12, 20), balance=20_000)
    with pytest.raises(Refused, match="designated deadline"):
        with transaction(ledger) as conn:
            actions.execute_seizure(conn, WORKFLOW, "H1", date(2024, 1, 4), "clerk")
    with transaction(ledger) as conn:
        assert actions.execute_seizure(conn, WORKFLOW, "H1", date(2024, 1, 5), "clerk") == "enforcement"


def test_each_seizure_has_its_own_record_and_each_seized_claim_its_own_notice(ledger, tmp_path):
    """Two deposits at two banks and the household's land, executed on 10/3: 差押調書 (国税徴収法54条) one per
    seizure, three; 債権差押通知書 (62条) one to each bank, two, each naming its own bank; none for the land,
    which has no third-party debtor (its seizure is registered, 68条). The code before wrote one of each per
    household, naming only the newest seizure, so the first bank was never told."""
    at_seizure_notice(ledger, tmp_path)
    approve(ledger, "deposit", 10_000, balance=10_000)
    with transaction(ledger) as conn:
        approve_drafted(conn, WORKFLOW, "H1", APPROVED_ON, "deposit", "大正銀行 泉尾支店", 10_000, "boss",
                        balance=10_000)
        approve_drafted(conn, WORKFLOW, "H1", APPROVED_ON, "real_estate", "大阪法務局", 5_000_000, "boss")
    with transaction(ledger) as conn:
        actions.execute_seizure(conn, WORKFLOW, "H1", SEIZED_ON, "clerk")
    with ledger.connect() as conn:
        sent = conn.execute(select(letters.c.letter_type, seizures.c.third_party).select_from(seizure_letters)
                            .join(letters).join(seizures).where(letters.c.issued_on == SEIZED_ON)).all()
        records = conn.execute(select(letters.c.id).where(letters.c.letter_type == "garnishment_notice")).scalars()
        printed = [letter_context(conn, WORKFLOW, lid)["extra"]["third_party"] for lid in records]
    assert sorted(sent) == [("garnishment_notice", "大正銀行"), ("garnishment_notice", "大正銀行 泉尾支店"),
                            ("seizure_record", "大正銀行"), ("seizure_record", "大正銀行 泉尾支店"),
                            ("seizure_record", "大阪法務局")]
    assert sorted(printed) == ["大正銀行", "大正銀行 泉尾支店"]


def test_what_a_seizure_has_collected_is_not_counted_again_against_the_debt(ledger, tmp_path):
    """A 20,000-yen seizure of which 10,000 yen is collected (a wage seizure paid in part) leaves 10,000 yen in
    force; the 10,000 collected has already left the debt, 30,000 → 20,000. A second seizure of 10,000 fits
    (10,000 + 10,000 = 20,000, 国税徴収法48条1項); counting the first at its whole 20,000 refused it."""
    at_seizure_notice(ledger, tmp_path)
    approve(ledger, "deposit", 20_000, balance=20_000)
    pay(ledger, tmp_path, date(2023, 9, 21), 10_000)
    with transaction(ledger) as conn:
        conn.execute(seizures.update().values(collected=10_000))
        approve_drafted(conn, WORKFLOW, "H1", APPROVED_ON, "deposit", "大正銀行 泉尾支店", 10_000, "boss",
                        balance=10_000)
    with ledger.connect() as conn:
        assert sorted(conn.execute(select(seizures.c.amount)).scalars()) == [10_000, 20_000]


def test_at_execution_the_seizures_together_are_checked_against_the_ripe_debt(ledger, tmp_path):
    """Both approvals fit the 30,000 yen of 9/21; a payment of 1 yen on 10/2 leaves 29,999 on 10/3 (late fee
    under 1,000 yen, none): executing both, 30,000 in all, would exceed it by 1 yen (国税徴収法48条1項), although
    each alone is below it."""
    at_seizure_notice(ledger, tmp_path)
    approve(ledger, "deposit", 20_000, balance=20_000)
    with transaction(ledger) as conn:
        approve_drafted(conn, WORKFLOW, "H1", APPROVED_ON, "deposit", "大正銀行 泉尾支店", 10_000, "boss",
                        balance=10_000)
    pay(ledger, tmp_path, date(2023, 10, 2), 1)
    with pytest.raises(Refused, match="30,000 yen exceeds the debt the seizures are for on 2023-10-03, 29,999 yen"):
        with transaction(ledger) as conn:
            actions.execute_seizure(conn, WORKFLOW, "H1", SEIZED_ON, "clerk")
    assert stage(ledger, "H1") == "seizure_notice"


def test_two_releases_at_once_send_the_notices_once(ledger, tmp_path):
    """PostgreSQL, two connections: the night's release and a second one (a supervisor's, another run) of the
    same paid seizure at the same moment. The second's SELECT runs before the first commits and sees the
    seizure in force; its UPDATE waits for the first's row lock. A compare-and-set (released_on IS NULL,
    re-checked on the row the first committed) finds nothing then: one release, one pair of notices
    (国税徴収法80条). SQLite serialises whole transactions (BEGIN IMMEDIATE): the race cannot arise there."""
    import threading
    import time

    from nhi_collect.workflow import release
    if ledger.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row locks: SQLite runs one writing transaction at a time")
    seized(ledger, tmp_path)
    pay(ledger, tmp_path, date(2023, 10, 11), 30_000)  # installments 1–3 paid: the release is due (79条1項1号)
    on, first_done, results = date(2023, 10, 11), threading.Event(), {}

    def second():
        with transaction(ledger) as conn:
            first_done.wait(10)
            results["second"] = release.release_due(conn, WORKFLOW, on, None)

    racer = threading.Thread(target=second)
    with transaction(ledger) as conn:
        results["first"] = release.release_due(conn, WORKFLOW, on, None)
        racer.start()
        first_done.set()
        # the first commits only once the second is seen waiting on a row lock (the race played, not slept on)
        deadline = time.monotonic() + 60  # generous: a loaded machine (CI beside the demo) took over 20 s
        with ledger.connect() as watcher:
            while not watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                           " AND wait_event_type = 'Lock'")).scalar():
                assert time.monotonic() < deadline and racer.is_alive(), "the second release never waited"
                time.sleep(0.02)
    racer.join(20)
    assert results == {"first": (1, 2), "second": (0, 0)}
    with ledger.connect() as conn:
        assert sorted(conn.execute(select(letters.c.letter_type).join(seizure_letters).where(RELEASES)).scalars()) == \
            ["release_notice", "release_notice_household"]
