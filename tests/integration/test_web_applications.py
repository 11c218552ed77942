"""申請 with clocks and the team view (web/routes/applications.py) with FastAPI's test client on SQLite and
PostgreSQL: an application recorded from the case file, 私の申請, closing with an outcome, the supervisor's overdue
list, the team view, one and bulk reassignment after a dry run, and the refusals — a clerk opening the overdue
list or reassigning, an auditor trying to act."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from nhi_collect.adapters.tables import access_log, applications, audit_log, households, queue_items
from tests.support.applications import seed_applications
from tests.support.signin import signed_in
from tests.support.webact import rows
from tests.support.webapp import ON, csrf_of, seed_ward


@pytest.fixture
def url(db_url, tmp_path):
    return seed_ward(db_url, tmp_path)


@pytest.fixture
def seeded(url, db):
    return seed_applications(url)


def token(client, page="/work") -> dict:
    return {"csrf_token": csrf_of(client.get(page).text)}


def test_record_from_the_case_file_with_its_due_date(app, db):
    tanaka = signed_in(app, "tanaka")
    case = tanaka.get("/households/H1")  # in his work (his district's queue item)
    assert case.status_code == 200 and "申請を受け付ける" in case.text and "延滞金減免申請（30日）" in case.text
    done = tanaka.post("/households/H1/applications", data={**token(tanaka, "/households/H1"),
                       "kind": "reduction", "received_on": "2023-09-08", "owner": "tanaka", "note": "所得減少",
                       "back": "/households/H1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/households/H1?recorded=1#applications"
    # 30 days from Fri 9/08 end on Sun 10/8; Mon 10/9 is スポーツの日: due Tue 10/10
    assert rows(db, select(applications.c.kind, applications.c.due_on, applications.c.owner,
                           applications.c.recorded_by)) == [("reduction", date(2023, 10, 10), "tanaka", "tanaka")]
    page = tanaka.get(done.headers["location"]).text
    assert "申請を受け付けました" in page and "令和5年10月10日" in page and "申請の受付" in page  # the timeline too


def test_a_future_received_date_and_an_unknown_kind_are_refused(app, db):
    tanaka = signed_in(app, "tanaka")
    form = token(tanaka, "/households/H1")
    future = tanaka.post("/households/H1/applications", data={**form, "kind": "reduction", "received_on": "2023-09-21"})
    assert future.status_code == 400 and "after today" in future.text
    unknown = tanaka.post("/households/H1/applications", data={**form, "kind": "x", "received_on": "2023-09-20"})
    assert unknown.status_code == 400 and "[applications]" in unknown.text
    assert rows(db, select(applications.c.id)) == []


def test_my_applications_and_closing_one_late(app, db, seeded):
    tanaka = signed_in(app, "tanaka")
    page = tanaka.get("/applications")
    assert page.status_code == 200 and "延滞金減免申請" in page.text and "期限超過 20日" in page.text
    assert "保険料減免申請" in page.text and "大阪市行政手続条例6条" in page.text
    assert "還付請求" not in page.text  # sato's
    done = tanaka.post(f"/applications/{seeded['overdue']}/close",
                       data={**token(tanaka, "/applications"), "outcome": "granted", "note": "災害による減免",
                             "back": "/applications"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/applications?done=late"
    assert "期限を過ぎての処理" in tanaka.get(done.headers["location"]).text
    assert rows(db, select(applications.c.status, applications.c.outcome, applications.c.closed_on)
                .where(applications.c.id == seeded["overdue"])) == [("closed", "granted", ON)]
    assert ("tanaka", "application list") in rows(db, select(access_log.c.user_name, access_log.c.command))


def test_the_supervisors_overdue_list_and_reassigning_one(app, db, seeded):
    boss = signed_in(app, "boss")
    page = boss.get("/applications/overdue")
    assert page.status_code == 200 and "期限超過 1件" in page.text and "H1" in page.text
    assert f"/applications/{seeded['in_time']}/reassign" not in page.text  # due 10/10: not overdue on 9/20
    done = boss.post(f"/applications/{seeded['overdue']}/reassign",
                     data={**token(boss, "/applications/overdue"), "to": "sato", "back": "/applications/overdue"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert rows(db, select(applications.c.owner).where(applications.c.id == seeded["overdue"])) == [("sato",)]
    assert "期限超過 1件" in boss.get("/applications/overdue?owner=sato").text


def test_a_clerk_is_refused_the_overdue_list_the_team_and_reassigning(app, db, seeded):
    tanaka = signed_in(app, "tanaka")
    for path in ("/applications/overdue", "/team"):
        page = tanaka.get(path)
        assert page.status_code == 403 and "watch_applications is the auditor&#39;s duty" in page.text
    assert tanaka.get("/team/reassign?from_user=tanaka&to_user=sato").status_code == 403
    form = token(tanaka)
    one = tanaka.post(f"/applications/{seeded['overdue']}/reassign", data={**form, "to": "sato"})
    bulk = tanaka.post("/team/reassign", data={**form, "from_user": "tanaka", "to_user": "sato"})
    for refused in (one, bulk):
        assert refused.status_code == 403 and "reassign_work is the supervisor&#39;s duty" in refused.text
    assert "期限超過の申請" not in tanaka.get("/work").text  # the menu offers only what one may open
    assert rows(db, select(applications.c.owner).where(applications.c.id == seeded["overdue"])) == [("tanaka",)]


def test_an_auditor_reads_but_cannot_act(app, db, seeded):
    kansa = signed_in(app, "kansa")
    page = kansa.get("/applications/overdue")
    assert page.status_code == 200 and "閲覧のみ" in page.text and "/reassign" not in page.text
    assert "結果を記録" not in page.text
    team = kansa.get("/team")
    assert team.status_code == 200 and "閲覧のみ" in team.text and "/team/reassign" not in team.text
    form = {"csrf_token": csrf_of(page.text)}
    attempts = {
        f"/applications/{seeded['overdue']}/close": ({"outcome": "granted", "note": "x"},
                                                     "close_application is the clerk&#39;s duty"),
        f"/applications/{seeded['overdue']}/reassign": ({"to": "sato"}, "reassign_work is the supervisor&#39;s duty"),
        "/team/reassign": ({"from_user": "tanaka", "to_user": "sato"}, "reassign_work is the supervisor&#39;s duty"),
        "/households/H1/applications": ({"kind": "reduction", "received_on": "2023-09-20"},
                                        "record_application is the clerk&#39;s duty"),
    }
    for path, (data, rule) in attempts.items():
        refused = kansa.post(path, data={**form, **data})
        assert refused.status_code == 403 and rule in refused.text, path
    assert rows(db, select(applications.c.status, applications.c.owner).where(
        applications.c.id == seeded["overdue"])) == [("open", "tanaka")]


def test_the_team_view_counts_per_clerk(app, db, seeded):
    """tanaka works 泉尾 and 三軒家東: the two whereabouts items (due on 9/20 itself, so not overdue) and two open
    applications, one overdue; sato nothing open (his refund claim was closed)."""
    page = signed_in(app, "boss").get("/team")
    assert page.status_code == 200
    cells = {}
    for row in re.findall(r"<tr><td>(.*?)</tr>", page.text, re.S):
        texts = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"(?:^|<td[^>]*>)(.*?)</td>", row, re.S)]
        cells[texts[0]] = texts[1:]
    # districts, queue items, of which overdue, applications, of which overdue
    assert cells["田中 一郎（tanaka）"] == ["泉尾・三軒家東", "2", "0", "2", "1"]
    assert cells["佐藤 花子（sato）"] == ["—", "0", "0", "0", "0"]


def test_bulk_reassign_shows_a_dry_run_then_moves_exactly_that(app, db, seeded):
    boss = signed_in(app, "boss")
    plan = boss.get("/team/reassign?from_user=tanaka&to_user=sato&district=泉尾")
    assert plan.status_code == 200 and "まだ何も動いていません" in plan.text
    assert "世帯 1件、仕事 1件、申請 1件" in plan.text  # H1: its whereabouts item and its late-fee reduction
    assert rows(db, select(queue_items.c.assigned_to).join(households).where(households.c.household_no == "H1")) == \
        [("tanaka",)]  # a dry run moves nothing
    hidden = {name: plan.text.split(f'name="{name}" value="')[1].split('"')[0]
              for name in ("item_ids", "application_ids", "district")}
    done = boss.post("/team/reassign", data={"csrf_token": csrf_of(plan.text), "from_user": "tanaka",
                                             "to_user": "sato", **hidden}, follow_redirects=False)
    assert done.status_code == 303 and "仕事 1件、申請 1件" in boss.get(done.headers["location"]).text
    assert rows(db, select(queue_items.c.assigned_to).join(households).where(households.c.household_no == "H1")) == \
        [("sato",)]
    assert rows(db, select(applications.c.owner).where(applications.c.id == seeded["overdue"])) == [("sato",)]
    assert rows(db, select(applications.c.owner).where(applications.c.id == seeded["in_time"])) == [("tanaka",)]
    assert rows(db, select(audit_log.c.actor).where(audit_log.c.action == "bulk_reassign")) == [("boss",)]


def test_bulk_reassign_refuses_when_the_work_changed_since_the_dry_run(app, db, seeded):
    boss = signed_in(app, "boss")
    plan = boss.get("/team/reassign?from_user=tanaka&to_user=sato")
    assert "世帯 2件、仕事 2件、申請 2件" in plan.text
    hidden = {name: plan.text.split(f'name="{name}" value="')[1].split('"')[0]
              for name in ("item_ids", "application_ids")}
    tanaka = signed_in(app, "tanaka")  # meanwhile tanaka closes one of the applications
    tanaka.post(f"/applications/{seeded['in_time']}/close",
                data={**token(tanaka, "/applications"), "outcome": "withdrawn", "note": "取下げ"})
    refused = boss.post("/team/reassign", data={"csrf_token": csrf_of(plan.text), "from_user": "tanaka",
                                                "to_user": "sato", **hidden})
    assert refused.status_code == 403 and "changed since the dry run" in refused.text and "区の方針" in refused.text
    assert rows(db, select(queue_items.c.assigned_to).distinct()) == [("tanaka",)]


def test_a_bulk_reassignment_to_an_auditor_is_refused(app, seeded):
    page = signed_in(app, "boss").get("/team/reassign?from_user=tanaka&to_user=kansa")
    assert page.status_code == 403 and "kansa does not work the queue" in page.text


def test_the_case_file_lists_the_households_applications_as_of_its_date(app, seeded):
    """H2's refund claim (received 7/03, due 8/02) was granted on 8/20, 18 days late: the timeline says so; as of
    8/10 it was still open, and the reduction received on 9/08 not yet received."""
    tanaka = signed_in(app, "tanaka")
    today = tanaka.get("/households/H2").text
    assert "申請の処理" in today and "還付請求：承認、処理期限から18日遅れ" in today and "保険料減免申請" in today
    before = tanaka.get("/households/H2?as_of=2023-08-10").text
    section = before.split('id="h-applications"')[1].split("</table>")[0]  # the list, not the form
    assert "還付請求" in section and "処理中" in section and "期限超過 8日" in section
    assert "保険料減免申請" not in section and "申請の処理" not in before
