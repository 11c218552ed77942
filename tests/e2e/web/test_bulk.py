"""一括処理 in a real browser: from 私の仕事's filtered list a supervisor looks at the dry run of closing the
returned-mail items of 泉尾 and closes them with a note, then the dry run of a reminder to the whole list (H1 to
be sent, 20,000 yen; H2 refused with the rule) and sends it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.web.conftest import serve
from tests.support.browser import sign_in_at
from tests.support.bulk import seed_bulk
from tests.support.webapp import seed_ward

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The web test ward with both households demanded, H2 at a seizure notice and a returned-mail item each
    (tests/support/bulk.py)."""
    folder = tmp_path_factory.mktemp("bulk")
    url = seed_bulk(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder))
    yield from serve(url, folder)


def test_a_supervisor_closes_returned_mail_and_sends_reminders_after_dry_runs(page, check):
    sign_in_at(page, "boss", "/work")
    page.get_by_label("地区").fill("泉尾")
    page.get_by_role("button", name="絞り込む").click()
    page.get_by_role("link", name="返戻郵便の仕事を一括完了").click()
    expect(page.get_by_role("heading", name="返戻郵便の一括完了の確認（まだ何も動いていません）")).to_be_visible()
    expect(page.locator("main")).to_contain_text("世帯 1件、仕事 1件")
    check(page, "1-close-dry-run")
    page.get_by_role("button", name="この1件を完了にする").click()
    expect(page.get_by_role("status").filter(has_text="一括で完了しました")).to_be_visible()
    check(page, "2-closed")
    page.get_by_role("link", name="私の仕事に戻る").click()
    page.get_by_role("link", name="条件を解除").click()
    page.get_by_role("link", name="世帯に一括催告").click()
    expect(page.locator("main")).to_contain_text("世帯 1件、催告書 1通、催告額 20,000円")
    expect(page.get_by_role("table", name="送れない世帯と、その根拠（1件）")).to_contain_text("H2")
    check(page, "3-reminder-dry-run")
    page.get_by_role("button", name="この1世帯に催告書を発行する").click()
    expect(page.get_by_role("status").filter(has_text="催告書を発行しました")).to_be_visible()
    check(page, "4-reminded")
