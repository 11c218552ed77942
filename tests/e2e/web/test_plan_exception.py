"""分納（例外） in a real browser: the clerk's form in 次にできること, and 決裁待ち showing a plan exception drafted by
tanaka (19 months against the standard 12: its schedule with the running total, the months, the installments
with their limitation dates) which a supervisor approves, agreeing the plan; axe-core AA on each state."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from nhi_collect.adapters.db import make_engine
from nhi_collect.services import decision_proposals as use
from nhi_collect.workflow.definition import load
from tests.e2e.web.conftest import serve
from tests.support.webapp import ON, PASSWORD, seed_casework, seed_ward

pytestmark = pytest.mark.browser
# H1 owes 20,000 yen on ON: 18 payments on the 25th, 2023-10-25 .. 2025-03-25 (1,111 yen, the last 1,113)
SCHEDULE = [(date(2023 + (9 + k) // 12, (9 + k) % 12 + 1, 25), 1_111) for k in range(17)] + [(date(2025, 3, 25), 1_113)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan_exception")
    url = seed_casework(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder))
    engine = make_engine(url)
    with engine.begin() as conn:
        use.propose_plan_exception(conn, load(), "H1", ON, SCHEDULE, "パート収入のみ、月1,100円が限度", "tanaka")
    engine.dispose()
    yield from serve(url, folder)


def sign_in(page, user: str, path: str) -> None:
    page.goto(path)
    page.get_by_label("ユーザー名").fill(user)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**" + path)


def test_the_clerk_finds_the_plan_exception_form_beside_the_plan(page, check):
    sign_in(page, "tanaka", "/households/H1/act")
    page.locator("#act-propose_plan_exception summary").click()
    form = page.locator("#act-propose_plan_exception")
    expect(form).to_contain_text("令和6年9月20日（2024-09-20）")  # the standard's last day
    expect(form).to_contain_text("令和7年9月20日（2025-09-20）")  # the outer limit's
    expect(form.get_by_label("24回目の納付日")).to_be_visible()
    check(page, "1-form")


def test_a_supervisor_approves_a_plan_exception_in_the_inbox(page, check):
    sign_in(page, "boss", "/decisions")
    proposal = page.locator("section.decision", has_text="分納（例外）の起案")
    expect(proposal).to_contain_text("19か月")
    expect(proposal).to_contain_text("標準は12か月")
    expect(proposal).to_contain_text("パート収入のみ")
    expect(proposal.locator("tr", has_text="令和7年3月25日")).to_contain_text("20,000円")  # the running total
    expect(proposal).to_contain_text("民法152条1項")
    check(page, "2-inbox")
    proposal.get_by_role("button", name="決裁する（承認）").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("決裁しました")
    expect(page.locator("section.decision", has_text="分納（例外）の起案")).to_have_count(0)
    page.goto("/households/H1?reason=決裁のため")
    expect(page.locator("main")).to_contain_text("分納（例外）の起案を決裁")
    check(page, "3-case-file")
