"""決裁待ち with many proposals (web/routes/decisions.py, services/decisions.py) on SQLite and PostgreSQL: twenty a
page, oldest first across the kinds, the counts per kind at the top, a kind filter that the page links keep, and
the facts read for the page's households at once — as many statements for twenty proposals as for five."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from nhi_collect.services.decisions import decision_inbox
from nhi_collect.workflow.definition import load
from tests.support.decisions import file_many, suspensions
from tests.support.signin import signed_in
from tests.support.webact import url  # noqa: F401 (a fixture)
from tests.support.webapp import ON


@pytest.fixture
def many(db):
    file_many(db)


def sections(html: str) -> int:
    return html.count('<section class="decision"')


def test_twenty_a_page_oldest_first_with_the_counts_per_kind(app, many):
    kacho = signed_in(app, "kacho")
    first = kacho.get("/decisions").text
    assert sections(first) == 20 and first.count("執行停止の起案（第") == 20
    assert first.index("執行停止の起案（第1号）") < first.index("執行停止の起案（第20号）")
    assert "すべて（45件）" in first and "差押（2件）" in first and "執行停止（25件）" in first
    assert "不納欠損（0件）" in first and "延滞金減免（18件）" in first
    assert "起案 45件のうち 1〜20件目" in first
    assert 'href="/decisions?page=2" rel="next"' in first and 'rel="prev"' not in first
    second = kacho.get("/decisions?page=2").text  # the last five suspensions, then the reductions of ON
    assert sections(second) == 20 and second.count("執行停止の起案（第") == 5
    assert second.index("執行停止の起案（第25号）") < second.index("延滞金減免の起案（第26号）")
    last = kacho.get("/decisions?page=3").text
    assert sections(last) == 5 and last.count("<h2 id=\"p") == 2 and "起案 45件のうち 41〜45件目" in last
    assert 'href="/decisions?page=2" rel="prev"' in last and 'rel="next"' not in last
    assert sections(kacho.get("/decisions?page=9").text) == 5  # past the last: the last


def test_the_kind_filter_and_its_page_links(app, many):
    kacho = signed_in(app, "kacho")
    reductions = kacho.get("/decisions?kind=late_fee_reduction").text
    assert sections(reductions) == 18 and reductions.count("延滞金減免の起案（第") == 18
    assert 'href="/decisions?kind=late_fee_reduction" aria-current="page"' in reductions
    assert "延滞金減免の起案 18件のうち 1〜18件目" in reductions and 'rel="next"' not in reductions
    seizures = kacho.get("/decisions?kind=seizure").text
    assert sections(seizures) == 2 and seizures.count("<h2 id=\"p") == 2
    on_two = kacho.get("/decisions?kind=suspension&page=2").text
    assert sections(on_two) == 5 and 'href="/decisions?kind=suspension&amp;page=1" rel="prev"' in on_two
    assert "決裁を待っている不納欠損の起案はありません" in kacho.get("/decisions?kind=write_off").text
    assert kacho.get("/decisions?kind=refund").status_code == 400


def test_the_facts_are_read_for_the_page_at_once(db):
    """The statements of one page of five suspensions and of twenty are as many: no query per proposal."""
    def statements() -> int:
        seen = []
        with db.begin() as conn:
            event.listen(conn, "before_cursor_execute", lambda *args: seen.append(1))
            decision_inbox(conn, load(), ON, "kacho")
        return len(seen)
    with db.begin() as conn:
        suspensions(conn, 5)
    five = statements()
    with db.begin() as conn:
        suspensions(conn, 15, first=5)
    assert statements() == five
