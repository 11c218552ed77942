"""決裁 of a suspension (執行停止), a write-off (不納欠損), a late-fee reduction (延滞金減免) and a plan exception
(分納の例外: longer than the ward's standard months) on the web and the command line, on SQLite
and PostgreSQL: a clerk proposes in the case file, a supervisor who did not draft it approves in 決裁待ち and the
decision's own use case runs as the approver; returned, the clerk reads the comment in the case file; a
supervisor deciding their own is refused; an auditor sees no buttons; the direct forms are refused by the ward's
決裁規程 (区の方針)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nhi_collect.adapters.tables import (assessments, decision_proposals, households, installment_plans,
                                         late_fee_reductions, plan_schedule, suspensions, write_offs)
from nhi_collect.services import actions, decision_proposals as use
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.machine import Refused
from tests.support.cli import TESTER, cli
from tests.support.signin import signed_in
from tests.support.webact import rows, url  # noqa: F401 (url: a fixture)
from tests.support.webapp import ON, csrf_of


def token(client, page: str) -> dict:
    return {"csrf_token": csrf_of(client.get(page).text)}


def stage(db, household_no: str) -> str:
    return rows(db, select(households.c.stage).where(households.c.household_no == household_no))[0][0]


def test_the_third_ground_is_refused_when_drafted_for_a_household_at_a_known_address(app, db):
    tanaka = signed_in(app, "tanaka")  # H1 lives at its address: 所在 known, so not 第3号
    refused = tanaka.post("/households/H1/suspension-proposals", follow_redirects=False,
                          data={**token(tanaka, "/households/H1/act"), "ground": "unknown", "facts": "転出先不明"})
    assert refused.status_code == 403 and "地方税法15条の7第1項第3号" in refused.text
    assert rows(db, select(decision_proposals.c.id)) == []


def test_a_clerk_proposes_a_suspension_and_another_supervisor_approves_it(app, db):
    tanaka = signed_in(app, "tanaka")  # H1 is in tanaka's work (his district's queue item)
    proposed = tanaka.post("/households/H1/suspension-proposals", follow_redirects=False,
                           data={**token(tanaka, "/households/H1/act"), "ground": "hardship",
                                 "facts": "世帯主が失職、預金照会の回答は残高なし"})
    assert proposed.status_code == 303 and stage(db, "H1") == "demanded"  # nothing decided yet
    kacho = signed_in(app, "kacho")
    page = kacho.get("/decisions").text
    # H1's two installments of 10,000 yen, due 2023-06-30 and 07-31, are past due on ON (09-20): both covered.
    # Three years of suspension from 2023-09-20 run 2023-09-21..2026-09-20 (民法140条), extinguishing the debt on
    # 2026-09-21 (地方税法15条の7第4項).
    assert "執行停止の起案（第1号）" in page and "生活を著しく窮迫させるおそれ（第2号）" in page
    assert "世帯主が失職" in page and "令和8年9月21日（2026-09-21）" in page
    assert "2023年度 第1期" in page and "2023年度 第2期" in page and "10,000円" in page
    done = kacho.post("/decisions/H1/proposals/1/approve", data={**token(kacho, "/decisions"), "comment": "可"},
                      follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/decisions?done=decided"
    assert rows(db, select(suspensions.c.ground, suspensions.c.decided_by, suspensions.c.started_on)) == [
        ("hardship", "kacho", ON)]
    assert stage(db, "H1") == "suspended"
    assert rows(db, select(decision_proposals.c.status, decision_proposals.c.decided_by)) == [("approved", "kacho")]
    again = kacho.post("/decisions/H1/proposals/1/approve", data=token(kacho, "/decisions"))
    assert again.status_code == 403 and "already approved" in again.text
    assert len(rows(db, select(suspensions.c.id))) == 1  # decided once
    case = tanaka.get("/households/H1").text
    assert "執行停止の起案を決裁" in case


def test_a_write_off_after_an_immediate_extinction_shows_each_installment_and_is_approved(app, db):
    """An immediate extinction (15条の7第5項) extinguishes H1's two installments on the suspension's day: the
    write-off proposed that day lists each with ground 即時消滅 and 10,000 yen, together 20,000."""
    workflow = load()
    with db.begin() as conn:
        p = use.propose_suspension(conn, workflow, "H1", ON, "no_property", "財産調査の結果、財産なし", "tanaka",
                                   immediate_extinction=True)
        use.approve(conn, workflow, "H1", p, ON, "kacho", ON)
    tanaka = signed_in(app, "tanaka")
    assert tanaka.post("/households/H1/write-off-proposals", follow_redirects=False,
                       data={**token(tanaka, "/households/H1/act"), "note": "即時消滅済み"}).status_code == 303
    boss = signed_in(app, "boss")
    page = boss.get("/decisions").text
    assert "不納欠損の起案（第2号）" in page and page.count("即時消滅（地方税法15条の7第5項）") == 2
    assert "本料 20,000円" in page
    assert boss.post("/decisions/H1/proposals/2/approve", data=token(boss, "/decisions"),
                     follow_redirects=False).status_code == 303
    assert rows(db, select(write_offs.c.amount, write_offs.c.ground, write_offs.c.decided_by)
                .order_by(write_offs.c.id)) == [(10_000, "immediate_extinction", "boss")] * 2
    assert stage(db, "H1") == "written_off"


@pytest.fixture
def booked(db):
    """H2's installment carries 1,200 yen of booked late fee (確定延滞金), as when a late payment booked it."""
    with db.begin() as conn:
        conn.execute(assessments.update().where(assessments.c.fiscal_year == 2023, assessments.c.installment == 1,
                                                assessments.c.household_id == select(households.c.id).where(
                                                    households.c.household_no == "H2").scalar_subquery())
                     .values(late_fee_booked=1_200))
        return use.propose_late_fee_reduction(conn, load(), "H2", ON, 2023, 1, 500, "災害による減免申請", "tanaka")


def test_a_late_fee_reduction_is_shown_and_approved(app, db, booked):
    kacho = signed_in(app, "kacho")
    page = kacho.get("/decisions").text
    assert "延滞金減免の起案（第1号）" in page and "1,200円（うち未納 1,200円）" in page and "500円" in page
    assert "災害による減免申請" in page
    assert kacho.post(f"/decisions/H2/proposals/{booked}/approve", data=token(kacho, "/decisions"),
                      follow_redirects=False).status_code == 303
    assert rows(db, select(late_fee_reductions.c.amount, late_fee_reductions.c.reason,
                           late_fee_reductions.c.decided_by)) == [(500, "災害による減免申請", "kacho")]


def test_returned_the_clerk_reads_the_comment_in_the_case_file(app, db, booked):
    boss = signed_in(app, "boss")
    empty = boss.post(f"/decisions/H2/proposals/{booked}/return", data={**token(boss, "/decisions"), "comment": " "})
    assert empty.status_code == 400 and "差戻しの理由" in empty.text
    assert boss.post(f"/decisions/H2/proposals/{booked}/return", follow_redirects=False,
                     data={**token(boss, "/decisions"), "comment": "申請書の写しを添付すること"}).status_code == 303
    assert rows(db, select(decision_proposals.c.status, decision_proposals.c.decision_comment)) == [
        ("returned", "申請書の写しを添付すること")]
    assert rows(db, select(late_fee_reductions.c.id)) == []
    case = signed_in(app, "tanaka").get("/households/H2").text
    assert "延滞金減免の起案を差戻し" in case and "申請書の写しを添付すること" in case


def test_a_supervisor_cannot_decide_their_own_proposal(app, db):
    with db.begin() as conn:
        own = use.propose_suspension(conn, load(), "H1", ON, "hardship", "生活保護受給", "boss")
    boss = signed_in(app, "boss")
    page = boss.get("/decisions").text
    assert "起案者と決裁者の分離" in page and f"/decisions/H1/proposals/{own}/approve" not in page
    for verb in ("approve", "return"):
        refused = boss.post(f"/decisions/H1/proposals/{own}/{verb}", data={**token(boss, "/decisions"),
                                                                         "comment": "x"})
        assert refused.status_code == 403 and "起案者と決裁者の分離" in refused.text
    assert rows(db, select(decision_proposals.c.status)) == [("open",)] and rows(db, select(suspensions.c.id)) == []


def test_an_auditor_sees_no_buttons_and_is_refused(app, db, booked):
    kansa = signed_in(app, "kansa")
    page = kansa.get("/decisions").text
    assert "延滞金減免の起案" in page and "/proposals/" not in page
    refused = kansa.post(f"/decisions/H2/proposals/{booked}/approve", data=token(kansa, "/decisions"))
    assert refused.status_code == 403 and "reduce_late_fee is the supervisor&#39;s duty" in refused.text
    assert rows(db, select(decision_proposals.c.status)) == [("open",)]


def test_the_direct_forms_are_refused_by_the_wards_decision_rules(app, db):
    boss = signed_in(app, "boss")
    for path in ("suspension", "write-off"):
        refused = boss.post(f"/households/H1/{path}", data={**token(boss, "/households/H1/act"), "ground": "hardship"})
        assert refused.status_code == 403 and "区の方針: 決裁規程" in refused.text, path
    assert stage(db, "H1") == "demanded"


def test_a_proposal_is_refused_by_its_decisions_rule(db):
    """A write-off proposed with nothing extinguished, a reduction above the booked fee (none is booked)."""
    with db.begin() as conn:
        with pytest.raises(Refused, match="国保法110条"):
            use.propose_write_off(conn, load(), "H1", ON, "", "tanaka")
        with pytest.raises(Refused, match="地方自治法231条の3第2項"):
            use.propose_late_fee_reduction(conn, load(), "H1", ON, 2023, 1, 100, "x", "tanaka")
        with pytest.raises(Refused, match="15条の7第5項"):
            use.propose_suspension(conn, load(), "H1", ON, "hardship", "x", "tanaka", immediate_extinction=True)


# 分納（例外）: H1 owes 20,000 yen on ON (2023-09-20). Twelve months from ON, counted from the next day (民法140条・
# 143条), end on 2024-09-20 (the ward's standard); twenty-four on 2025-09-20 (the outer limit, 地方税法15条4項).
def monthly(first: date, months: int, total: int = 20_000) -> list[tuple[date, int]]:
    """`months` payments on `first`'s day of each month (a day every month has), the last taking the remainder."""
    days = [date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, first.day)
            for k in range(months)]
    share = total // months
    return [(d, share) for d in days[:-1]] + [(days[-1], total - share * (months - 1))]


def plans_of(db) -> list[tuple]:
    return rows(db, select(installment_plans.c.agreed_on, installment_plans.c.agreed_by))


@pytest.mark.parametrize("agreed_on, standard_end", [
    (ON, date(2024, 9, 20)),
    (date(2024, 1, 31), date(2025, 1, 31)),  # 31 January + 12 months: the next 31 January
    (date(2024, 2, 29), date(2025, 2, 28)),  # a leap day: the next year's 29 February is missing, so 28 (143条2項)
])
def test_a_clerk_agrees_alone_a_plan_ending_on_the_standard_day_and_not_one_day_later(db, agreed_on, standard_end):
    with db.begin() as conn:
        with pytest.raises(Refused, match=r"分納誓約の標準期間.*propose-plan-exception"):
            actions.agree_plan(conn, load(), "H1", agreed_on, [(agreed_on, 10_000),
                                                              (standard_end + timedelta(days=1), 10_000)], "tanaka")
    assert plans_of(db) == []
    with db.begin() as conn:
        actions.agree_plan(conn, load(), "H1", agreed_on, [(agreed_on, 10_000), (standard_end, 10_000)], "tanaka")
    assert plans_of(db) == [(agreed_on, "tanaka")]


def test_a_plan_exception_up_to_the_outer_limit_and_not_one_day_beyond(db):
    workflow = load()
    with db.begin() as conn:
        with pytest.raises(Refused, match=r"分納誓約の上限.*地方税法15条4項"):
            use.propose_plan_exception(conn, workflow, "H1", ON, [(ON, 10_000), (date(2025, 9, 21), 10_000)],
                                       "収入減", "tanaka")
        with pytest.raises(Refused, match="no exception"):  # within the standard: the clerk's own plan
            use.propose_plan_exception(conn, workflow, "H1", ON, [(ON, 10_000), (date(2024, 9, 20), 10_000)],
                                       "収入減", "tanaka")
        with pytest.raises(Refused, match=r"10,000 yen more must be scheduled"):
            use.propose_plan_exception(conn, workflow, "H1", ON, [(date(2025, 9, 20), 10_000)], "収入減", "tanaka")
        proposal = use.propose_plan_exception(conn, workflow, "H1", ON, [(ON, 10_000), (date(2025, 9, 20), 10_000)],
                                              "収入減", "tanaka")
    with db.begin() as conn:  # the approval agrees it beyond the standard, never beyond the outer limit
        use.approve(conn, workflow, "H1", proposal, ON, "kacho", ON)
    assert plans_of(db) == [(ON, "kacho")] and stage(db, "H1") == "installment_plan"
    with db.begin() as conn:
        with pytest.raises(Refused, match="分納誓約の上限"):
            actions.agree_plan(conn, workflow, "H1", ON, [(date(2025, 9, 21), 20_000)], "kacho", exception=True)


def test_a_clerk_proposes_a_plan_exception_and_another_supervisor_approves_it(app, db):
    tanaka = signed_in(app, "tanaka")
    act = tanaka.get("/households/H1/act").text
    assert 'action="/households/H1/plan-exception-proposals"' in act and "令和6年9月20日（2024-09-20）まで" in act
    schedule = monthly(date(2023, 10, 25), 18)  # 2023-10-25 .. 2025-03-25: 18 months
    form = {"due_on": [d.isoformat() for d, _ in schedule], "amount": [str(a) for _, a in schedule]}
    alone = tanaka.post("/households/H1/plans", data={**token(tanaka, "/households/H1/act"), **form})
    assert alone.status_code == 403 and "分納誓約の標準期間" in alone.text and "propose-plan-exception" in alone.text
    proposed = tanaka.post("/households/H1/plan-exception-proposals", follow_redirects=False,
                           data={**token(tanaka, "/households/H1/act"), **form, "reason": "パート収入のみ、月1,100円が限度"})
    assert proposed.status_code == 303 and plans_of(db) == [] and stage(db, "H1") == "demanded"
    kacho = signed_in(app, "kacho")
    page = kacho.get("/decisions").text
    # 1,111 yen a month, the last 1,113 (2025-03-25); 18 months against the standard 12 (2024-09-20) and the outer
    # 24 (2025-09-20). Both installments are demanded on ON: each period runs from the day after the deadline
    # (10-02, the 09-30 deadline being a Saturday) to 2025-10-02; the plan, agreed on ON, renews from the next day
    # (民法152条1項) to 2025-09-20, which never shortens the demand's later renewal: both columns say 2025-10-02.
    assert "分納（例外）の起案（第1号）" in page and "パート収入のみ" in page
    assert "20,000円（納付予定の合計 20,000円）" in page and "19か月" in page and "標準は12か月" in page
    assert "令和7年3月25日（2025-03-25）" in page and "令和7年9月20日（2025-09-20）" in page
    assert "1,111円" in page and "1,113円" in page and "民法152条1項" in page
    assert page.count("令和7年10月2日（2025-10-02）") == 4 and page.count("（督促による更新のまま）") == 2
    done = kacho.post("/decisions/H1/proposals/1/approve", data={**token(kacho, "/decisions"), "comment": "可"},
                      follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/decisions?done=decided"
    assert plans_of(db) == [(ON, "kacho")] and stage(db, "H1") == "installment_plan"
    assert rows(db, select(decision_proposals.c.status, decision_proposals.c.decided_by)) == [("approved", "kacho")]
    assert len(rows(db, select(plan_schedule.c.id))) == 18
    case = tanaka.get("/households/H1").text  # the proposal in a line, the decision, the plan agreed by kacho
    assert "payments: 18、total: 20000、last: 2025-03-25" in case and "分納（例外）の起案を決裁" in case


def test_a_plan_exception_is_re_checked_when_decided_and_never_by_its_drafter(app, db):
    """Between the proposal and the decision the household took a standard plan: a second plan is refused by the
    agree_plan transition's rule; and a supervisor's own proposal is not theirs to decide."""
    workflow = load()
    with db.begin() as conn:
        own = use.propose_plan_exception(conn, workflow, "H1", ON, monthly(date(2023, 10, 25), 18), "収入減", "boss")
        actions.agree_plan(conn, workflow, "H1", ON, [(date(2023, 10, 31), 20_000)], "tanaka")
    boss = signed_in(app, "boss")
    refused = boss.post(f"/decisions/H1/proposals/{own}/approve", data=token(boss, "/decisions"))
    assert refused.status_code == 403 and "起案者と決裁者の分離" in refused.text
    kacho = signed_in(app, "kacho")
    assert "決裁できません。理由：" in kacho.get("/decisions").text
    refused = kacho.post(f"/decisions/H1/proposals/{own}/approve", data=token(kacho, "/decisions"))
    assert refused.status_code == 403 and "agree_plan" in refused.text
    assert rows(db, select(decision_proposals.c.status)) == [("open",)] and plans_of(db) == [(ON, "tanaka")]


def test_a_one_person_office_supervisor_agrees_a_long_plan_alone(db):
    """[policy] direct_decisions (a one-person office): its supervisor decides alone; a clerk still proposes."""
    alone = replace(load(), policy=replace(load().policy, direct_decisions=True))
    with db.begin() as conn:
        with pytest.raises(Refused, match="分納誓約の標準期間"):
            actions.agree_plan(conn, alone, "H1", ON, monthly(date(2023, 10, 25), 18), "tanaka")
        actions.agree_plan(conn, alone, "H1", ON, monthly(date(2023, 10, 25), 18), "boss")
    assert plans_of(db) == [(ON, "boss")]


def test_the_command_line_proposes_a_plan_exception(db):
    where = db.url.render_as_string(hide_password=False)
    schedule = ",".join(f"{d}:{a}" for d, a in monthly(date(2023, 10, 25), 18))
    alone = cli("action", "plan", "H1", "--on", ON.isoformat(), "--schedule", schedule, db=where)
    assert alone.returncode == 2 and "propose-plan-exception" in alone.stderr and "Traceback" not in alone.stderr
    done = cli("action", "propose-plan-exception", "H1", "--on", ON.isoformat(), "--schedule", schedule,
               "--reason", "収入減", db=where)
    assert done.returncode == 0, done.stderr
    assert "H1: plan exception proposed (proposal 1)" in done.stdout
    own = cli("action", "approve-proposal", "H1", "1", db=where)  # the tester drafted it
    assert own.returncode == 2 and "起案者と決裁者の分離" in own.stderr
    assert rows(db, select(decision_proposals.c.kind, decision_proposals.c.proposed_by)) == [
        ("plan_exception", TESTER)]
    assert plans_of(db) == []
