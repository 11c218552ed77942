"""Search and the case file (滞納者カルテ) through the web app, on SQLite and PostgreSQL: folded search
keys, the access log of every listing and opening, the reason asked outside one's own work, the record as
of a date, the one timeline, and the letters' PDFs as printed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import access_log, households, queue_items
from nhi_collect.services.casefile import case_file
from nhi_collect.workflow.definition import load
from tests.support.webapp import ON, sign_in
from tests.support.webcase import CONTACTED, DEMANDED, PAID, seed_case


@pytest.fixture
def url(db_url, tmp_path):
    return seed_case(db_url, tmp_path)


def signed_in(app, user: str) -> TestClient:
    client = TestClient(app)
    assert sign_in(client, user).status_code == 303
    return client


def listed(page) -> list[str]:
    """The household numbers of a results table, in order."""
    return re.findall(r'<a href="/households/(H\d)">', page.text)


def section(page: str, heading_id: str) -> str:
    """The case file's section under the heading `heading_id` (h-installments, h-timeline)."""
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def reads(db, command: str) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(access_log.c.user_name, households.c.household_no, access_log.c.purpose).join(households)
            .where(access_log.c.command == command).order_by(access_log.c.id))]


FOLDED = [
    ("ﾀｶﾊｼ", ["H1"]),            # half-width katakana finds the katakana reading
    ("ｻｲﾄｳ ｷﾖｳｺ", ["H3"]),       # ... and the hiragana one (さいとう　きょうこ), small kana as 全銀 files write them
    ("さいとう", ["H3"]),
    ("高橋", ["H1"]),             # 髙橋 in the register
    ("山崎", ["H2"]),             # 山﨑
    ("斎藤", ["H3"]),             # 齋藤
    ("06-6553-1234", ["H3"]),
    ("０６６５５１", ["H1"]),      # a prefix of the phone, full-width digits
    ("H", ["H3", "H1", "H2"]),   # a household-number prefix; results in order of reading (サ, タ, ヤ)
    ("h3", ["H3"]),
    ("大阪市大正区鶴町3丁目", ["H3"]),  # the address, from the town on
    ("泉尾1-1", ["H1"]),
    ("ワタナベ", []),
]


def test_search_folds_what_is_typed(app):
    client = signed_in(app, "tanaka")
    for typed, found in FOLDED:
        page = client.get("/search", params={"q": typed})
        assert page.status_code == 200
        assert (typed, listed(page)) == (typed, found)
    assert "当てはまる世帯はありません" in page.text


def test_a_district_alone_lists_its_households_and_every_listing_is_access_logged(app, db):
    client = signed_in(app, "sato")
    assert listed(client.get("/search", params={"district": "鶴町"})) == ["H3"]
    assert listed(client.get("/search", params={"q": "ﾔﾏｻｷ"})) == ["H2"]
    assert reads(db, "search") == [("sato", "H3", "search:  in 鶴町"), ("sato", "H2", "search: ﾔﾏｻｷ")]
    assert client.get("/search").status_code == 200 and reads(db, "search")[-1][1] == "H2"  # nothing listed


def test_typing_gets_the_results_alone_and_the_duty_is_checked(app):
    part = signed_in(app, "tanaka").get("/search", params={"q": "たかはし"}, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and listed(part) == ["H1"]
    assert "督促済" not in part.text and "分納中" in part.text and "16,000円" in part.text  # stage, overdue
    refused = signed_in(app, "unyo").get("/search", params={"q": "H"})
    assert refused.status_code == 403 and "read_household" in refused.text


def test_the_import_keeps_the_keys(app, db):
    """H1's phone came with a second households file (tests/webcase.py): the update refreshed its keys."""
    assert listed(signed_in(app, "tanaka").get("/search", params={"q": "0665510001"})) == ["H1"]
    with db.connect() as conn:
        assert conn.execute(select(households.c.name_key).where(households.c.household_no == "H1")).scalar() == "高橋太郎"


def test_outside_ones_work_the_reason_is_asked_then_logged(app, db):
    sato = signed_in(app, "sato")  # a clerk with no districts: no item of hers is on H1
    form = sato.get("/households/H1")
    assert form.status_code == 200 and "開く理由" in form.text and "髙橋" not in form.text
    assert reads(db, "household show") == []
    again = sato.get("/households/H1", params={"reason": "", "detail": " "})
    assert "理由が空です" in again.text and "髙橋" not in again.text
    page = sato.get("/households/H1", params={"reason": "電話での問い合わせ", "detail": "本人から"})
    assert page.status_code == 200 and "滞納者カルテ" in page.text and "髙橋　太郎" in page.text
    assert reads(db, "household show") == [("sato", "H1", "電話での問い合わせ 本人から")]


def test_inside_ones_work_the_purpose_is_the_queue_item(app, db):
    with db.connect() as conn:
        item = conn.execute(select(queue_items.c.id).join(households).where(
            households.c.household_no == "H1", queue_items.c.assigned_to == "tanaka")).scalar()
    page = signed_in(app, "tanaka").get("/households/H1", params={"reason": "私の仕事 項目"})
    assert page.status_code == 200 and "開く理由" not in page.text
    assert reads(db, "household show") == [("tanaka", "H1", f"queue item {item}")]
    assert signed_in(app, "tanaka").get("/households/H3").text.count("開く理由") >= 1  # 鶴町: not his district


def test_the_case_file_header_installments_and_flags(app):
    page = signed_in(app, "tanaka").get("/households/H1").text
    for shown in ("髙橋　太郎", "タカハシ　タロウ", "06-6551-0001", "分納中", "分納誓約",
                  "令和5年11月30日（2023-11-30）まで",  # the plan's last promised payment
                  "令和5年6月30日</span><span class=\"nw\">（2023-06-30）", "4,000円", "6,000円", "16,000円",
                  "令和5年7月20日</span><span class=\"nw\">（2023-07-20）",  # the demand notice's date
                  'hx-get="/households/H1/actions"'):
        assert shown in page, shown
    h3 = signed_in(app, "boss").get("/households/H3", params={"reason": "上司の指示による確認"}).text
    fee = re.search(r"延滞金見込</dt><dd class=\"num\">([\d,]+)円", h3)
    assert fee and int(fee.group(1).replace(",", "")) > 0  # 80,000 yen overdue since 2022-07-31
    assert "滞納繰越分" in h3 and "80,000円" in h3


def test_the_record_as_of_an_earlier_date(app):
    client = signed_in(app, "tanaka")
    before = client.get("/households/H1", params={"as_of": "2023-08-01"}).text
    assert "令和5年8月1日（2023-08-01）現在" in before
    assert "督促済" in before and "分納中" not in before and "分納誓約" not in before
    assert "収納" not in section(before, "h-timeline") and "督促状 TS2023-" in section(before, "h-timeline")
    assert "<td class=\"num\">0円</td>" in section(before, "h-installments")  # nothing paid yet on #1
    assert client.get("/households/H1", params={"as_of": "2023-13-01"}).status_code == 400


def test_the_timeline_is_one_list_newest_first(url, app):
    engine = make_engine(url)
    with engine.connect() as conn:
        events = case_file(conn, load(), "H1", ON)["timeline"]
        h3 = case_file(conn, load(), "H3", ON)["timeline"]
    engine.dispose()
    assert [e["kind"] for e in events] == ["letter", "stage", "plan", "contact", "payment", "letter", "stage"]
    days = [date.fromisoformat(e["on"]) for e in events]
    assert days == sorted(days, reverse=True) and days[-1] == DEMANDED
    assert {e["on"] for e in events if e["kind"] in ("payment", "contact")} == {PAID.isoformat(), CONTACTED.isoformat()}
    assert "9月末までに5,000円" in events[3]["summary"] and events[3]["actor"] == "tanaka"
    returned = [e for e in h3 if e["kind"] == "action"]  # the audit log's row: no record of its own
    assert [e["label"] for e in returned] == ["操作：mark_returned"] and "宛所不明" in returned[0]["summary"]
    page = section(signed_in(app, "tanaka").get("/households/H1").text, "h-timeline")
    assert page.index("分納誓約確認書") < page.index("交渉記録") < page.index("収納") < page.index("督促状")


def test_a_letter_opens_as_the_printed_pdf_and_the_reading_is_logged(app, db):
    client = signed_in(app, "tanaka")
    page = client.get("/households/H1").text
    serial = re.search(r'href="/letters/(TS2023-\d+)\.pdf"', page).group(1)
    pdf = client.get(f"/letters/{serial}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert reads(db, "letters reprint") == [("tanaka", "H1", f"reprint {serial}")]
    assert client.get("/letters/NOPE.pdf").status_code == 400
    assert signed_in(app, "unyo").get(f"/letters/{serial}.pdf").status_code == 403
