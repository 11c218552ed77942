"""一括処理 (web/routes/bulk.py, services/bulk.py) with FastAPI's test client on SQLite and PostgreSQL: a dry run
writes nothing (but the access log), doing it does exactly the dry run's set in one go, a changed selection is
refused, a reminder is never sent twice in a day and households the guards refuse are listed with the rule;
a clerk is refused with the rule and an auditor sees no buttons."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import access_log, audit_log, households, letters, queue_items, stage_transitions
from nhi_collect.services import queue
from nhi_collect.workflow.definition import load
from tests.support.bulk import seed_bulk
from tests.support.signin import signed_in
from tests.support.webact import rows
from tests.support.webapp import ON, csrf_of, seed_ward


@pytest.fixture
def url(db_url, tmp_path):
    return seed_bulk(seed_ward(db_url, tmp_path))


def counts(db) -> dict:
    """What a bulk action may write, besides the access log."""
    with db.connect() as conn:
        return {"closed": conn.execute(select(func.count()).where(queue_items.c.status == "closed")).scalar(),
                "letters": conn.execute(select(func.count()).select_from(letters)).scalar(),
                "moves": conn.execute(select(func.count()).select_from(stage_transitions)).scalar(),
                "audit": conn.execute(select(func.count()).select_from(audit_log)).scalar()}


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def returned_ids(db) -> list[int]:
    return [r[0] for r in rows(db, select(queue_items.c.id).where(queue_items.c.kind == "returned_mail")
                               .order_by(queue_items.c.id))]


def test_closing_returned_mail_after_its_dry_run(app, db):
    boss = signed_in(app, "boss")
    before = counts(db)
    page = boss.get("/bulk/returned-mail?district=泉尾")
    assert page.status_code == 200 and "世帯 1件、仕事 1件" in page.text and "H1" in page.text
    assert "H2" not in page.text  # 三軒家東: outside the filter
    assert counts(db) == before  # the dry run wrote nothing
    assert ("boss", "bulk close returned") in rows(db, select(access_log.c.user_name, access_log.c.command))
    h1_item = returned_ids(db)[0]
    assert hidden(page.text, "item_ids") == str(h1_item)
    done = boss.post("/bulk/returned-mail", data={"csrf_token": csrf_of(page.text), "district": "泉尾",
                                                  "kind": "returned_mail", "staff": "*",
                                                  "item_ids": hidden(page.text, "item_ids"), "note": "調査依頼済"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert "世帯 1件、仕事 1件。" in boss.get(done.headers["location"]).text
    assert rows(db, select(queue_items.c.id, queue_items.c.status, queue_items.c.note, queue_items.c.closed_on)
                .where(queue_items.c.kind == "returned_mail").order_by(queue_items.c.id)) == [
        (h1_item, "closed", "調査依頼済", ON), (returned_ids(db)[1], "open", None, None)]
    # the other kinds of H1's items stay open
    assert counts(db)["closed"] == before["closed"] + 1
    assert ("boss", "bulk_close_returned") in rows(db, select(audit_log.c.actor, audit_log.c.action))
    logged = rows(db, select(access_log.c.household_id).where(access_log.c.purpose == "返戻郵便の一括完了"))
    assert logged == rows(db, select(households.c.id).where(households.c.household_no == "H1"))


def test_a_changed_selection_closes_nothing(app, db):
    boss = signed_in(app, "boss")
    page = boss.get("/bulk/returned-mail")
    assert "世帯 2件、仕事 2件" in page.text
    first, second = returned_ids(db)
    with transaction(db) as conn:  # meanwhile one of them is closed by hand
        queue.close(conn, load(), first, "boss", "電話で確認", ON)
    before = counts(db)
    refused = boss.post("/bulk/returned-mail", data={"csrf_token": csrf_of(page.text), "kind": "returned_mail",
                                                     "staff": "*", "item_ids": f"{first},{second}", "note": "x"})
    assert refused.status_code == 403 and "changed since the dry run" in refused.text and "区の方針" in refused.text
    assert counts(db) == before
    assert rows(db, select(queue_items.c.status).where(queue_items.c.id == second)) == [("open",)]


def test_a_reminder_to_the_list_after_its_dry_run_and_never_twice(app, db):
    """H1 demanded 07-20 (deadline 07-31), overdue 2023-1 and 2023-2 (10,000 yen each, due 06-30 and 07-31):
    its reminder demands 20,000 yen. H2 is at a seizure notice: no rung back (区の方針 of the transition)."""
    boss = signed_in(app, "boss")
    before = counts(db)
    page = boss.get("/bulk/reminders")
    assert page.status_code == 200
    assert "世帯 1件、催告書 1通、催告額 20,000円" in page.text
    send, refused = page.text.split("送れない世帯と")
    assert "H1" in send and "H2" not in send
    assert "H2" in refused and "区の方針: 催告 is no statutory step" in refused
    assert counts(db) == before
    h1 = rows(db, select(households.c.id).where(households.c.household_no == "H1"))[0][0]
    assert hidden(page.text, "household_ids") == str(h1)
    form = {"csrf_token": csrf_of(page.text), "staff": "*", "household_ids": str(h1)}
    done = boss.post("/bulk/reminders", data=form, follow_redirects=False)
    assert done.status_code == 303
    after = boss.get(done.headers["location"]).text
    assert "世帯 1件、催告額 20,000円" in after
    assert "already issued to this household on 2023-09-20: 区の方針" in after  # now H1 is refused too
    assert rows(db, select(letters.c.letter_type, letters.c.issued_on).where(letters.c.household_id == h1,
                                                                            letters.c.issued_on == ON)) == [
        ("reminder", ON)]
    assert rows(db, select(households.c.stage).where(households.c.id == h1)) == [("reminder",)]
    assert ("boss", "send_reminder", "H1") in rows(db, select(audit_log.c.actor, audit_log.c.action,
                                                              audit_log.c.entity_key))
    again = boss.post("/bulk/reminders", data=form)  # the same form once more: nothing twice
    assert again.status_code == 403 and "changed since the dry run" in again.text
    assert counts(db)["letters"] == before["letters"] + 1


def test_a_clerk_is_refused_with_the_rule(app, db):
    tanaka = signed_in(app, "tanaka")
    assert "/bulk/" not in tanaka.get("/work").text
    form = {"csrf_token": csrf_of(tanaka.get("/work").text)}
    before = counts(db)
    for path in ("/bulk/returned-mail", "/bulk/reminders"):
        page = tanaka.get(path)
        assert page.status_code == 403 and "bulk_action is the supervisor&#39;s duty" in page.text
    for path, data in (("/bulk/returned-mail", {"item_ids": ",".join(map(str, returned_ids(db))), "note": "x"}),
                       ("/bulk/reminders", {"household_ids": "1"})):
        refused = tanaka.post(path, data={**form, **data})
        assert refused.status_code == 403 and "bulk_action is the supervisor&#39;s duty" in refused.text
    assert counts(db) == before


def test_an_auditor_sees_no_buttons_and_cannot_act(app, db):
    kansa = signed_in(app, "kansa")
    work = kansa.get("/work")
    assert work.status_code == 200 and "/bulk/" not in work.text and "一括" not in work.text
    assert kansa.get("/bulk/reminders").status_code == 403
    refused = kansa.post("/bulk/reminders", data={"csrf_token": csrf_of(work.text), "household_ids": "1"})
    assert refused.status_code == 403 and "bulk_action is the supervisor&#39;s duty" in refused.text
    boss = signed_in(app, "boss").get("/work?kind=returned_mail")
    assert "/bulk/returned-mail?kind=returned_mail" in boss.text  # the supervisor's list offers both, with its filter
