"""申請 with clocks and the team view in a real browser: a clerk records an application from the case file and
answers an overdue one from 私の申請; first a supervisor reads the overdue list and the team, and moves a clerk's
work in one district (三軒家東: H2) after its dry run; a clerk is refused the supervisor's list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.web.conftest import serve
from tests.support.applications import seed_applications
from tests.support.webapp import seed_ward
from tests.support.browser import sign_in_at

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The web test ward with an overdue late-fee reduction of H1, an in-time reduction of H2 (both tanaka's) and
    sato's refund claim closed late (tests/support/applications.py)."""
    folder = tmp_path_factory.mktemp("applications")
    url = seed_ward(f"sqlite:///{folder / 'ward.db'}", folder)
    seed_applications(url)
    yield from serve(url, folder)


def test_a_supervisor_reads_the_overdue_list_and_moves_a_clerks_district(page, check):
    sign_in_at(page, "boss", "/applications/overdue")
    expect(page.get_by_role("table")).to_contain_text("H1")
    check(page, "1-overdue")
    page.get_by_role("link", name="チーム").click()
    expect(page.get_by_role("table", name="担当者ごとの件数（未配分の仕事 0件）")).to_contain_text("泉尾・三軒家東")
    check(page, "2-team")
    page.get_by_label("元の担当者").select_option("tanaka")
    page.get_by_label("新しい担当者").select_option("sato")
    page.get_by_label("地区（空欄はすべて）").fill("三軒家東")
    page.get_by_role("button", name="確認する（まだ動かしません）").click()
    expect(page.get_by_role("heading", name="一括配分の確認（まだ何も動いていません）")).to_be_visible()
    expect(page.locator("main")).to_contain_text("世帯 1件")
    check(page, "3-dry-run")
    page.get_by_role("button", name="この内容で配分し直す").click()
    expect(page.get_by_role("status").filter(has_text="一括で配分し直しました")).to_be_visible()
    check(page, "4-moved")


def test_a_clerk_records_an_application_and_answers_an_overdue_one(page, check):
    sign_in_at(page, "tanaka", "/households/H1")
    section = page.locator("#applications")
    expect(section).to_contain_text("延滞金減免申請")
    section.get_by_text("申請を受け付ける").click()
    section.get_by_label("種類").select_option("installment_plan")
    section.get_by_label("受付日").fill("2023-09-20")
    section.get_by_label("内容（メモ）").fill("月5,000円での分納を希望")
    check(page, "1-case-file-form")
    section.get_by_role("button", name="受け付ける").click()
    expect(page.get_by_role("status").filter(has_text="申請を受け付けました")).to_be_visible()
    # 14 days from Wed 9/20 (the day of receipt not counted, 民法140条) end on Wed 10/4
    expect(page.locator("#applications")).to_contain_text("令和5年10月4日")
    check(page, "2-recorded")
    page.get_by_role("link", name="私の申請").click()
    row = page.locator("tr.overdue").filter(has_text="延滞金減免申請")
    expect(row).to_contain_text("期限超過 20日")
    check(page, "3-my-applications")
    row.get_by_text("結果を記録").click()
    row.get_by_label("結果", exact=True).select_option("granted")
    row.get_by_label("決めたこと（記録）").fill("災害による減免を承認")
    row.get_by_role("button", name="記録").click()
    expect(page.get_by_role("status").filter(has_text="期限を過ぎての処理")).to_be_visible()
    check(page, "4-closed-late")


def test_a_clerk_is_refused_the_overdue_list(page, check):
    sign_in_at(page, "sato", "/work")
    page.goto("/applications/overdue")
    expect(page.locator("main")).to_contain_text("watch_applications is the auditor's duty")
    check(page, "1-refused")
