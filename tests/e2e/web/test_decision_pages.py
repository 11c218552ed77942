"""決裁待ち in a real browser with 45 open proposals of every kind but the write-off: the counts per kind, twenty
a page oldest first, the next page and a kind filter; axe-core AA on each, screenshots to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import seizures
from tests.e2e.web.conftest import serve
from tests.support.decisions import file_many
from tests.support.webapp import ON, PASSWORD, seed_casework, seed_ward

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The casework ward, the seed's approval withdrawn, and the 45 proposals of the route tests (file_many)."""
    folder = tmp_path_factory.mktemp("decision_pages")
    url = seed_casework(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder))
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(seizures.update().where(seizures.c.third_party == "大正銀行")
                     .values(released_on=ON, release_reason="withdrawn"))
    file_many(engine)
    engine.dispose()
    yield from serve(url, folder)


def test_a_supervisor_pages_the_inbox_and_filters_a_kind(page, check):
    page.goto("/decisions")
    page.get_by_label("ユーザー名").fill("kacho")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url("**/decisions")
    kinds = page.get_by_role("navigation", name="起案の種類")
    expect(kinds.get_by_role("link", name="すべて（45件）")).to_have_attribute("aria-current", "page")
    expect(page.locator("section.decision")).to_have_count(20)
    check(page, "1-first-page")
    page.get_by_role("link", name="次の20件").first.click()
    page.wait_for_url("**/decisions?page=2")
    expect(page.locator("section.decision").nth(5)).to_contain_text("延滞金減免の起案（第26号）")
    check(page, "2-second-page")
    kinds.get_by_role("link", name="差押（2件）").click()
    page.wait_for_url("**/decisions?kind=seizure")
    expect(page.locator("section.decision")).to_have_count(2)
    expect(page.get_by_role("link", name="次の20件")).to_have_count(0)
    check(page, "3-seizures")
