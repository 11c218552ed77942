"""Record and act in a real browser, on a household's 次にできること (its own page, /households/{no}/act):
record a contact with a promise, agree a plan (refused in place first: short of the arrears), see a refused
action with its rule and the day it becomes possible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.web.conftest import serve
from tests.support.webapp import seed_casework, seed_ward
from tests.support.browser import sign_in_at

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The web test ward after the run of 2023-09-20 (tests/webapp.seed_casework)."""
    folder = tmp_path_factory.mktemp("act")
    yield from serve(seed_casework(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder)), folder)


def open_as(page, user: str, path: str) -> None:
    sign_in_at(page, user, path)
    expect(page.get_by_role("heading", name="次にできること")).to_be_visible()


def test_record_a_contact_with_a_promise(page, check):
    open_as(page, "tanaka", "/households/H1/act")
    page.locator("summary", has_text="交渉記録").click()
    page.get_by_label("方法", exact=True).select_option(label="電話")
    page.get_by_label("相手", exact=True).fill("本人")
    page.get_by_label("内容", exact=True).fill("9月29日に2万円を納付すると約束")
    page.get_by_label("約束の日", exact=True).fill("2023-09-29")
    page.get_by_label("金額（円）", exact=True).fill("20000")
    check(page, "1-form")
    page.get_by_role("button", name="交渉記録を登録").click()
    expect(page.locator("#next-actions").get_by_role("status")).to_contain_text("交渉記録を登録しました")
    promise = page.get_by_role("table", name="納付約束")
    expect(promise).to_contain_text("令和5年9月29日（2023-09-29）")
    expect(promise).to_contain_text("20,000円")
    expect(promise).to_contain_text("約束中")
    check(page, "2-recorded")


def test_agree_a_plan(page, check):
    open_as(page, "tanaka", "/households/H1/act")
    page.locator("summary", has_text="分納誓約").click()
    expect(page.locator("#act-agree_plan strong")).to_have_text("20,000円")  # the arrears: installments 1 and 2
    form = page.locator("#act-agree_plan")  # the plan exception's form has the same rows
    form.get_by_label("1回目の納付日", exact=True).fill("2023-10-31")
    form.get_by_label("1回目の金額", exact=True).fill("10000")
    page.get_by_role("button", name="分納誓約を登録").click()
    expect(page.get_by_role("alert")).to_contain_text("10,000 yen more must be scheduled")  # beside the form
    check(page, "1-short")
    form.get_by_label("2回目の納付日", exact=True).fill("2023-11-30")
    form.get_by_label("2回目の金額", exact=True).fill("10000")
    page.get_by_role("button", name="分納誓約を登録").click()
    expect(page.locator("#next-actions").get_by_role("status")).to_contain_text("分納誓約を登録しました")
    refused = page.locator("ul.refused-actions")
    expect(refused).to_contain_text("分納誓約")  # now in the plan: not agreed twice
    check(page, "2-agreed")


def test_see_a_refused_action_with_its_rule(page, check):
    open_as(page, "tanaka", "/households/H2/act")
    seize = page.locator("ul.refused-actions > li", has_text="差押の執行")
    # demanded 2023-09-20: ten days end 10-01 (国税徴収法47条1項), the deadline 09-30 moved to Monday 10-02
    expect(seize).to_contain_text("令和5年10月3日（2023-10-03）から可能")
    expect(seize).to_contain_text("国税徴収法47条1項")
    expect(page.locator("ul.refused-actions > li", has_text="差押の決裁")).to_contain_text("supervisor's duty")
    check(page, "refused")
