"""A clerk's path through the foundation in a real browser: sign in, my work, a household, sign out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.webapp import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_see_my_work_open_a_household_sign_out(page, check):
    page.goto("/work")
    assert page.url.endswith("/signin?next=/work")
    check(page, "1-signin")
    page.get_by_label("ユーザー名").fill("tanaka")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()

    page.wait_for_url("**/work")
    expect(page.get_by_role("heading", name="私の仕事")).to_be_visible()
    expect(page.locator("header")).to_contain_text("田中 一郎（徴収担当）")
    page.get_by_role("button", name="項目1（H1）を担当する").click()  # htmx POST with the CSRF header
    expect(page.get_by_text("担当中：tanaka")).to_be_visible()
    check(page, "2-my-work")

    page.get_by_role("link", name="H1").click()
    page.wait_for_url("**/households/H1*")
    expect(page.get_by_role("heading", name="滞納者カルテ　H1　髙橋　太郎")).to_be_visible()
    check(page, "3-household")

    page.get_by_role("button", name="サインアウト").click()
    page.wait_for_url("**/signin")
    page.goto("/work")
    assert "/signin" in page.url
