"""決裁待ち in a real browser with the other decisions: a suspension (執行停止) with its ground, facts,
installments and consequences, and a late-fee reduction (延滞金減免) proposed by tanaka; a supervisor approves
the suspension and returns the reduction with a comment; axe-core AA on each state."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import assessments, households
from nhi_collect.services import decision_proposals as use
from nhi_collect.workflow.definition import load
from tests.e2e.web.conftest import serve
from tests.support.webapp import ON, PASSWORD, seed_casework, seed_ward

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("other_decisions")
    url = seed_casework(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder))
    engine, workflow = make_engine(url), load()
    with engine.begin() as conn:
        h2 = select_id(conn, "H2")
        conn.execute(assessments.update().where(assessments.c.household_id == h2).values(late_fee_booked=1_200))
        use.propose_suspension(conn, workflow, "H1", ON, "hardship", "世帯主が失職、預金照会の回答は残高なし", "tanaka")
        use.propose_late_fee_reduction(conn, workflow, "H2", ON, 2023, 1, 500, "災害による減免申請", "tanaka")
    engine.dispose()
    yield from serve(url, folder)


def select_id(conn, household_no):
    from sqlalchemy import select
    return conn.execute(select(households.c.id).where(households.c.household_no == household_no)).scalar_one()


def test_a_supervisor_approves_a_suspension_and_returns_a_reduction(page, check):
    page.goto("/decisions")
    page.get_by_label("ユーザー名").fill("boss")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/decisions")
    suspension = page.locator("section.decision", has_text="執行停止の起案")
    reduction = page.locator("section.decision", has_text="延滞金減免の起案")
    expect(suspension).to_contain_text("生活を著しく窮迫させるおそれ（第2号）")
    expect(suspension).to_contain_text("令和8年9月21日（2026-09-21）")  # 3 years from 2023-09-21 (15条の7④)
    expect(reduction).to_contain_text("1,200円（うち未納 1,200円）")
    check(page, "1-inbox")
    suspension.get_by_role("button", name="決裁する（承認）").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("決裁しました")
    expect(page.locator("section.decision", has_text="執行停止の起案")).to_have_count(0)
    page.locator("section.decision", has_text="延滞金減免の起案").get_by_label("差戻しの理由（必須）").fill(
        "申請書の写しを添付すること")
    page.locator("section.decision", has_text="延滞金減免の起案").get_by_role("button", name="差し戻す").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("起案を差し戻しました")
    check(page, "2-decided")
