"""私の仕事 in a real browser: a phone round worked one by one with the keyboard, and two clerks in two
browsers racing for one item (one wins; the other sees who holds it)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in_at

pytestmark = pytest.mark.browser


def sign_in_as(page, user: str) -> None:
    sign_in_at(page, user, "/work")


def test_work_the_queue_one_by_one(page, check):
    sign_in_as(page, "tanaka")
    expect(page.get_by_role("link", name="居所不明：2件")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("収納データが最新ではありません")  # no payment file yet
    check(page, "1-my-work")

    page.get_by_role("button", name=re.compile("順に処理")).click()
    page.wait_for_url(re.compile(r"/work/round/\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text("順に処理：世帯 H2　山﨑　花子")  # 30,000 yen first
    note = page.get_by_label("結果の記録（だれと、何を話したか、約束など）")
    expect(note).to_be_focused()  # the keyboard starts in the note
    expect(page.get_by_role("link", name=re.compile("滞納者カルテを開く"))).to_have_attribute("href", re.compile("^/households/H2"))
    check(page, "2-round-first")

    page.keyboard.type("本人と電話、今月末までに納付の約束")
    page.keyboard.press("Tab")  # to the record button, then Enter: no mouse
    expect(page.get_by_role("button", name=re.compile("記録して完了、次へ"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("順に処理：世帯 H1　髙橋　太郎")
    expect(note).to_be_focused()
    check(page, "3-round-second")

    page.get_by_role("button", name=re.compile("解放して飛ばす、次へ")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("順に処理：この条件の仕事は終わりました")
    check(page, "4-round-done")

    page.get_by_role("link", name="私の仕事の一覧に戻る").click()
    page.wait_for_url("**/work?*")
    expect(page.get_by_role("link", name="居所不明：1件")).to_be_visible()  # H2 closed; H1 skipped, still there
    expect(page.get_by_role("button", name="項目1（H1）を担当する")).to_be_visible()


def test_two_browsers_racing_one_claim(browser, server, check):
    """Two contexts (two clerks, two cookies) load the same list; both press 担当する on one item."""
    pages, asked = [], []
    for user in ("tanaka", "sato"):
        context = browser.new_context(base_url=server, locale="ja-JP", viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.on("request", lambda request: asked.append(request.url))
        sign_in_as(page, user)
        page.goto("/work?staff=*")
        pages.append(page)
    tanaka, sato = pages
    buttons = [p.get_by_role("button", name="項目1（H1）を担当する") for p in pages]
    for button in buttons:
        expect(button).to_be_visible()
    buttons[1].click(no_wait_after=True)
    buttons[0].click(no_wait_after=True)
    cells = [p.locator("#claim-1") for p in pages]
    for cell in cells:
        expect(cell).to_contain_text(re.compile("担当中：|held by"))
    texts = [cell.inner_text() for cell in cells]
    winners = [t for t in texts if "理由" not in t]
    assert len(winners) == 1, texts  # exactly one holds the item
    holder = "sato" if "担当中：sato" in winners[0] else "tanaka"
    loser = pages[0] if holder == "sato" else pages[1]
    expect(loser.locator("#claim-1")).to_contain_text(f"held by {holder}")  # the other sees who has it
    check(tanaka, "1-tanaka")
    check(sato, "2-sato")
    loser.reload()
    expect(loser.locator("#claim-1")).to_contain_text(f"担当中：{holder}")
    for page in pages:
        page.context.close()
    assert all(url.startswith(server) for url in asked), "a page asked another host"
