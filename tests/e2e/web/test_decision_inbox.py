"""決裁待ち in a real browser: a supervisor reads the facts of each seizure proposal, sees their own one
refused with its rule, and returns the clerk's with a comment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import seizures
from nhi_collect.services.proposals import propose_seizure
from nhi_collect.workflow.definition import load
from tests.e2e.web.conftest import serve
from tests.support.webapp import ON, PASSWORD, seed_casework, seed_ward

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The casework ward (tests/webapp.seed_casework), the seed's approval withdrawn, and two proposals on H2:
    tanaka's (20,000 yen) and boss's own (10,000 yen)."""
    folder = tmp_path_factory.mktemp("decisions")
    url = seed_casework(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder))
    engine, workflow = make_engine(url), load()
    with engine.begin() as conn:
        conn.execute(seizures.update().where(seizures.c.third_party == "大正銀行")
                     .values(released_on=ON, release_reason="withdrawn"))
        propose_seizure(conn, workflow, "H2", ON, "deposit", "大正銀行 泉尾支店", 20_000, "回答で残高判明", "tanaka")
        propose_seizure(conn, workflow, "H2", ON, "deposit", "大正みなと信用金庫 泉尾支店", 10_000, "", "boss")
    engine.dispose()
    yield from serve(url, folder)


def test_a_supervisor_returns_a_proposal_and_cannot_approve_their_own(page, check):
    page.goto("/decisions")
    page.get_by_label("ユーザー名").fill("boss")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/decisions")
    expect(page.get_by_role("heading", name="決裁待ち", exact=True)).to_be_visible()
    first, own = page.locator("section.decision").nth(0), page.locator("section.decision").nth(1)
    expect(first).to_contain_text("令和5年10月3日（2023-10-03）（未到来）")
    expect(own.locator(".refusal")).to_contain_text("起案者と決裁者の分離")
    expect(own.get_by_role("button", name="決裁する（承認）")).to_have_count(0)
    check(page, "1-inbox")
    first.get_by_label("差戻しの理由（必須）").fill("給与照会の回答を待ってから再起案してください")
    first.get_by_role("button", name="差し戻す").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("起案を差し戻しました")
    expect(page.locator("section.decision")).to_have_count(1)
    check(page, "2-returned")
