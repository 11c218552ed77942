"""私の仕事 with FastAPI's test client, on SQLite and PostgreSQL: filters applied by the database, counts per
kind, saved filters, claim / release / close with a note, the one-by-one round, reassignment and refusals."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import access_log, households, queue_items
from nhi_collect.services import queue
from tests.support.webapp import ON, csrf_of, seed_ward, sign_in

# (kind, household, amount, oldest due, limitation date): more of tanaka's items beside the ward's two
# whereabouts items (H2 30,000 yen first, then H1 20,000 yen, limitation 2025-06-30 both).
EXTRA = [("broken_plan", "H1", 5_000, date(2023, 6, 30), date(2024, 1, 10)),
         ("limitation_due", "H2", 80_000, date(2021, 7, 31), date(2023, 10, 31)),
         ("special_review", "H1", 50_000, date(2022, 6, 30), None)]


@pytest.fixture
def url(db_url, tmp_path):
    url = seed_ward(db_url, tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(households.c.household_no, households.c.id)).all())
        conn.execute(queue_items.insert(), [
            {"kind": kind, "household_id": ids[hno], "reason": queue.REASONS[kind], "created_on": ON, "due_on": ON,
             "assigned_to": "tanaka", "amount": amount, "oldest_due": oldest, "limitation_on": limitation}
            for kind, hno, amount, oldest, limitation in EXTRA])
    engine.dispose()
    return url


def signed_in(app, user: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    assert sign_in(client, user).status_code == 303
    return client, csrf_of(client.get("/work").text)


def item_ids(db) -> dict[str, int]:
    """kind-household ('broken_plan-H1') → item id."""
    with db.connect() as conn:
        return {f"{k}-{h}": i for i, k, h in conn.execute(
            select(queue_items.c.id, queue_items.c.kind, households.c.household_no).join(households))}


def shown(html: str) -> list[int]:
    """The items a page lists, in order (each row's claim cell)."""
    return [int(x) for x in re.findall(r'<td id="claim-(\d+)">', html)]


def item(db, item_id: int):
    with db.connect() as conn:
        return conn.execute(select(queue_items).where(queue_items.c.id == item_id)).first()


def test_my_work_lists_in_priority_order_with_counts_per_kind_and_the_freshness_banner(app, db):
    client, _ = signed_in(app, "tanaka")
    ids = item_ids(db)
    page = client.get("/work")
    # nearest limitation first, then amount; no limitation date last
    assert shown(page.text) == [ids["limitation_due-H2"], ids["broken_plan-H1"], ids["whereabouts_unknown-H2"],
                                ids["whereabouts_unknown-H1"], ids["special_review-H1"]]
    assert "居所不明：2件" in page.text and "すべて：5件" in page.text
    assert 'href="/work?staff=tanaka&amp;kind=broken_plan"' in page.text  # a count is a filter
    assert "収納データが最新ではありません" in page.text  # the ward has no payment file yet


@pytest.mark.parametrize("query, expected", [
    ({"kind": "whereabouts_unknown"}, ["whereabouts_unknown-H2", "whereabouts_unknown-H1"]),
    ({"district": "泉尾"}, ["broken_plan-H1", "whereabouts_unknown-H1", "special_review-H1"]),
    ({"min_amount": "20,000", "max_amount": "50000"}, ["whereabouts_unknown-H2", "whereabouts_unknown-H1",
                                                       "special_review-H1"]),
    ({"overdue_days": "365"}, ["limitation_due-H2", "special_review-H1"]),  # oldest due before 2022-09-20
    ({"district": "泉尾", "min_amount": "10000"}, ["whereabouts_unknown-H1", "special_review-H1"]),
])
def test_filters_narrow_the_list(app, db, query, expected):
    client, _ = signed_in(app, "tanaka")
    ids = item_ids(db)
    page = client.get("/work", params=query)
    assert page.status_code == 200 and shown(page.text) == [ids[x] for x in expected]
    assert f"{len(expected)}件中 1〜{len(expected)}件目" in page.text


def test_a_filter_that_is_no_number_is_refused(app):
    client, _ = signed_in(app, "tanaka")
    assert client.get("/work", params={"min_amount": "たくさん"}).status_code == 400


def test_the_database_filters_sorts_and_pages(db):
    """The conditions and the page are in the SELECT: nothing is filtered in Python over the whole queue."""
    statements: list[str] = []
    event.listen(db, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with db.connect() as conn:
        rows = queue.items(conn, ON, queue.QueueFilter(staff_user="tanaka", district="泉尾", min_amount=10_000),
                           limit=1, offset=1)
    assert [r["kind"] for r in rows] == ["special_review"]
    sql = statements[-1]
    for part in ("households.district =", "queue_items.amount >=", "ORDER BY", "LIMIT", "OFFSET"):
        assert part in sql


def test_a_page_of_a_large_queue_and_only_its_households_logged(app, db, monkeypatch):
    from nhi_collect.web.routes import work
    monkeypatch.setattr(work, "PAGE_SIZE", 2)
    client, _ = signed_in(app, "tanaka")
    ids = item_ids(db)
    second = client.get("/work", params={"page": "2"})
    assert shown(second.text) == [ids["whereabouts_unknown-H2"], ids["whereabouts_unknown-H1"]]
    assert "5件中 3〜4件目" in second.text and "2 / 3 ページ" in second.text and 'rel="next"' in second.text
    monkeypatch.setattr(work, "PAGE_SIZE", 1)
    with db.begin() as conn:
        conn.execute(access_log.delete())
    client.get("/work")  # one item shown, H2's: H1 was not read
    with db.connect() as conn:
        logged = conn.execute(select(households.c.household_no).join(access_log)
                              .where(access_log.c.command == "queue")).scalars().all()
    assert logged == ["H2"]


def test_saved_filters_are_each_persons_own(app, db):
    tanaka, token = signed_in(app, "tanaka")
    done = tanaka.post("/work/filters", data={"csrf_token": token, "name": " 大口 ", "staff": "tanaka",
                                              "min_amount": "50000"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/work?staff=tanaka&min_amount=50000"
    page = tanaka.get("/work")
    link = re.search(r'<a href="(/work\?[^"]+)">大口</a>', page.text).group(1).replace("&amp;", "&")
    ids = item_ids(db)
    assert shown(tanaka.get(link).text) == [ids["limitation_due-H2"], ids["special_review-H1"]]
    sato, sato_token = signed_in(app, "sato")
    assert "大口" not in sato.get("/work").text
    filter_id = int(re.search(r'action="/work/filters/(\d+)/delete"', page.text).group(1))
    assert sato.post(f"/work/filters/{filter_id}/delete", data={"csrf_token": sato_token}).status_code == 400
    assert tanaka.post(f"/work/filters/{filter_id}/delete", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert "大口" not in tanaka.get("/work").text


def test_claim_release_and_close_with_a_note(app, db):
    client, token = signed_in(app, "tanaka")
    target = item_ids(db)["broken_plan-H1"]
    htmx = {"X-CSRF-Token": token, "HX-Request": "true", "HX-Current-URL": "http://testserver/work?kind=broken_plan"}
    claimed = client.post(f"/work/items/{target}/claim", headers=htmx)
    assert "担当中：tanaka" in claimed.text and 'value="/work?kind=broken_plan"' in claimed.text
    assert client.post(f"/work/items/{target}/release", data={"csrf_token": token, "back": "https://elsewhere/x"},
                       follow_redirects=False).headers["location"] == "/work"
    assert item(db, target).claimed_by is None
    client.post(f"/work/items/{target}/claim", headers=htmx)
    assert client.post(f"/work/items/{target}/close", data={"csrf_token": token, "note": " "}).status_code == 400
    sato, sato_token = signed_in(app, "sato")
    refused = sato.post(f"/work/items/{target}/close", data={"csrf_token": sato_token, "note": "済"})
    assert refused.status_code == 403 and "held by tanaka" in refused.text
    done = client.post(f"/work/items/{target}/close", data={"csrf_token": token, "note": "電話で分納の再開を約束",
                                                           "back": "/work?kind=broken_plan"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/work?kind=broken_plan"
    closed = item(db, target)
    assert (closed.status, closed.note, closed.closed_on) == ("closed", "電話で分納の再開を約束", ON)
    assert target not in shown(client.get("/work").text)
    with db.connect() as conn:
        assert conn.execute(select(access_log.c.purpose).where(access_log.c.command == "queue claim")).scalars().all() \
            == [f"queue item {target}"] * 2


def test_the_round_takes_items_one_by_one_in_priority_order(app, db):
    client, token = signed_in(app, "tanaka")
    ids = item_ids(db)
    fields = {"csrf_token": token, "staff": "tanaka", "district": "三軒家東"}
    first = client.post("/work/round", data=fields, follow_redirects=False)
    assert unquote(first.headers["location"]) == f"/work/round/{ids['limitation_due-H2']}?staff=tanaka&district=三軒家東"
    page = client.get(first.headers["location"])
    for fact in ("H2", "山﨑　花子", "ヤマサキ　ハナコ", "80,000円", "時効管理", 'href="/households/H2?', "Alt+J", "autofocus"):
        assert fact in page.text
    assert item(db, ids["limitation_due-H2"]).claimed_by == "tanaka"
    after = client.post(f"/work/round/{ids['limitation_due-H2']}/close",
                        data=fields | {"note": "本人と電話、10月末までに納付の約束"}, follow_redirects=False)
    second = f"/work/round/{ids['whereabouts_unknown-H2']}?staff=tanaka&district=三軒家東"
    assert unquote(after.headers["location"]) == second
    assert item(db, ids["limitation_due-H2"]).status == "closed"
    skipped = client.post(f"/work/round/{ids['whereabouts_unknown-H2']}/skip", data=fields, follow_redirects=False)
    left = ids["whereabouts_unknown-H2"]
    assert unquote(skipped.headers["location"]) == f"/work/round/done?staff=tanaka&district=三軒家東&skipped={left}"
    assert item(db, ids["whereabouts_unknown-H2"]).claimed_by is None  # released for others, left in the list
    assert "この条件の仕事は終わりました" in client.get(skipped.headers["location"]).text
    with db.connect() as conn:
        assert conn.execute(select(access_log.c.purpose).where(access_log.c.command == "queue round")).scalars().all() \
            == [f"queue item {ids['limitation_due-H2']}"]


def test_the_round_passes_over_an_item_another_clerk_holds(app, db):
    ids = item_ids(db)
    sato, sato_token = signed_in(app, "sato")
    sato.post(f"/work/items/{ids['limitation_due-H2']}/claim", headers={"X-CSRF-Token": sato_token})
    tanaka, token = signed_in(app, "tanaka")
    first = tanaka.post("/work/round", data={"csrf_token": token}, follow_redirects=False)
    assert first.headers["location"] == f"/work/round/{ids['broken_plan-H1']}?staff=tanaka"
    stop = tanaka.post(f"/work/round/{ids['broken_plan-H1']}/stop", data={"csrf_token": token, "staff": "tanaka"},
                       follow_redirects=False)
    assert stop.headers["location"] == "/work?staff=tanaka" and item(db, ids["broken_plan-H1"]).claimed_by is None


def test_an_auditor_is_refused_claiming_with_the_rule(app, db):
    auditor, token = signed_in(app, "kansa")
    assert auditor.get("/work").status_code == 200  # reading the queue is a reader's duty
    everyone = auditor.get("/work?staff=*")
    assert shown(everyone.text) and "担当する" not in everyone.text and "順に処理（" not in everyone.text  # not offered
    for path in ("/work/round", f"/work/items/{item_ids(db)['broken_plan-H1']}/claim"):
        refused = auditor.post(path, data={"csrf_token": token})
        assert refused.status_code == 403 and "work_queue is the clerk&#39;s duty" in refused.text
    with db.connect() as conn:
        assert conn.execute(select(queue_items.c.id).where(queue_items.c.claimed_by.is_not(None))).first() is None


def test_a_supervisor_sees_the_team_and_reassigns(app, db):
    boss, token = signed_in(app, "boss")
    ids = item_ids(db)
    team = boss.get("/work")
    assert len(shown(team.text)) == 5 and 'value="*" selected' in team.text and "再配分" in team.text
    assert shown(boss.get("/work", params={"staff": "sato"}).text) == []
    done = boss.post(f"/work/items/{ids['special_review-H1']}/reassign",
                     data={"csrf_token": token, "to": "sato", "back": "/work?staff=sato"}, follow_redirects=False)
    assert done.headers["location"] == "/work?staff=sato"
    assert shown(boss.get("/work", params={"staff": "sato"}).text) == [ids["special_review-H1"]]
    refused = boss.post(f"/work/items/{ids['special_review-H1']}/reassign", data={"csrf_token": token, "to": "kansa"})
    assert refused.status_code == 403 and "does not work the queue" in refused.text
    clerk, clerk_token = signed_in(app, "tanaka")
    assert "再配分" not in clerk.get("/work").text
    assert clerk.post(f"/work/items/{ids['broken_plan-H1']}/reassign",
                      data={"csrf_token": clerk_token, "to": "sato"}).status_code == 403


@pytest.mark.parametrize("leaving", ["skip", "stop"])
def test_leaving_a_round_lets_go_only_of_ones_own_item(app, db, leaving):
    """A round's skip or stop releases the item only if the person holds it: a supervisor's round (or a
    stale page of one) passing over tanaka's item leaves it tanaka's; tanaka's own skip lets go of it."""
    ids = item_ids(db)
    held = ids["broken_plan-H1"]
    tanaka, tanaka_token = signed_in(app, "tanaka")
    tanaka.post(f"/work/items/{held}/claim", headers={"X-CSRF-Token": tanaka_token})
    for other in ("boss", "sato"):
        client, token = signed_in(app, other)
        done = client.post(f"/work/round/{held}/{leaving}", data={"csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and item(db, held).claimed_by == "tanaka"
    tanaka.post(f"/work/round/{held}/{leaving}", data={"csrf_token": tanaka_token}, follow_redirects=False)
    assert item(db, held).claimed_by is None
