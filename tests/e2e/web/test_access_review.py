"""アクセス記録の点検 in a real browser: a supervisor reads November's views, drills down to one person and
signs the month off."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import access_log, households
from tests.e2e.web.conftest import serve
from tests.support.webapp import seed_ward
from tests.support.browser import sign_in_at

pytestmark = pytest.mark.browser
UTC = timezone.utc


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The web test ward with four November views: tanaka's two in office hours, sato's two after hours
    (20:00 JST on 2026-11-04, a Wednesday, and 10:00 JST on Saturday 11-07), outside his work."""
    folder = tmp_path_factory.mktemp("review")
    url = seed_ward(f"sqlite:///{folder / 'ward.db'}", folder)
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(households.c.household_no, households.c.id)).all())
        conn.execute(access_log.insert(), [
            {"at": at, "user_name": who, "household_id": ids[hno], "purpose": why, "command": "household show"}
            for at, who, hno, why in [(datetime(2026, 11, 4, 1, 0, tzinfo=UTC), "tanaka", "H1", "queue item 1"),
                                      (datetime(2026, 11, 5, 2, 0, tzinfo=UTC), "tanaka", "H2", "queue item 2"),
                                      (datetime(2026, 11, 4, 11, 0, tzinfo=UTC), "sato", "H2", "電話での問い合わせ"),
                                      (datetime(2026, 11, 7, 1, 0, tzinfo=UTC), "sato", "H1", "窓口への来庁")]])
    engine.dispose()
    yield from serve(url, folder)


def test_a_supervisor_reviews_and_signs_off_a_month(page, check):
    sign_in_at(page, "boss", "/access-review")
    page.get_by_label("対象月（東京時間）").fill("2026-11")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**/access-review?month=2026-11")
    expect(page.get_by_role("table", name="開庁時間外の閲覧（2件）")).to_contain_text("2026-11-04 20:00")
    check(page, "1-month")
    page.get_by_role("link", name="sato").click()
    expect(page.get_by_role("table", name="担当外の世帯の閲覧（2件）")).to_contain_text("電話での問い合わせ")
    page.get_by_label("所見").fill("sato の2件は問い合わせ対応と確認")
    page.get_by_role("button", name="この月の点検を確認済みにする").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("（東京）に boss が確認しました")
    check(page, "2-signed")
