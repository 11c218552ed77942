"""A clerk at the counter: finds a household by its reading typed in half-width kana, says why she opens it
(it is not in her work), reads its case file, and prints it. Served over the richer ward of tests/webcase.py
(letters, a payment, a contact, a plan)."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from nhi_collect.bootstrap import Settings
from tests.e2e.web.conftest import _free_port
from tests.support.webapp import ON
from tests.support.webcase import seed_case
from tests.support.browser import sign_in_at

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """As conftest's `server`, over seed_case's ward."""
    import uvicorn

    from nhi_collect.web import create_app
    folder = tmp_path_factory.mktemp("webcase")
    url = seed_case(f"sqlite:///{folder / 'ward.db'}", folder)
    app = create_app(Settings.from_options(url, folder / "out", environ={}, today=lambda: ON))
    port = _free_port()
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(10)


def sign_in(page, user: str) -> None:
    sign_in_at(page, user, "/search")


def test_find_a_household_by_kana_typed_in_half_width_and_open_its_case_file(page, check):
    sign_in(page, "sato")
    check(page, "1-search")
    page.get_by_label("世帯番号・氏名・フリガナ・電話番号・住所").press_sequentially("ﾀｶﾊｼ", delay=40)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="H1")).to_be_visible()  # htmx, after the pause in typing
    expect(results).to_contain_text("髙橋　太郎")
    expect(results).not_to_contain_text("山﨑")
    assert "q=" in page.url  # the address keeps the search (back, reload)
    check(page, "2-results")

    results.get_by_role("link", name="H1").click()
    expect(page.get_by_role("heading", name="世帯 H1 を開く理由")).to_be_visible()  # not in sato's work
    check(page, "3-reason")
    page.get_by_label("理由", exact=True).select_option("窓口への来庁")
    page.get_by_label("具体的に").fill("本人が来庁、残額の確認")
    page.get_by_role("button", name="理由を記録して開く").click()

    expect(page.get_by_role("heading", name="滞納者カルテ　H1　髙橋　太郎")).to_be_visible()
    expect(page.locator(".flags")).to_contain_text("分納誓約")
    timeline = page.locator("ol.timeline li")
    expect(timeline.first).to_contain_text("分納誓約確認書")  # newest first
    expect(timeline.last).to_contain_text("督促済")
    expect(page.get_by_role("link", name="TS2023-000001 のPDFを開く（印刷されたもの）")).to_be_visible()
    check(page, "4-case-file")

    page.get_by_label("基準日").fill("2023-08-01")
    page.get_by_role("button", name="この日の状態を表示").click()
    expect(page.get_by_text("令和5年8月1日（2023-08-01）現在の記録")).to_be_visible()
    expect(page.locator(".flags")).to_have_count(0)
    check(page, "5-as-of")
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_text("滞納整理票（交渉等事績票）")).to_be_visible()
    check(page, "6-print")
