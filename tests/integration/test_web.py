"""The web app's routes with FastAPI's test client, on SQLite and PostgreSQL: sign-in, lockout, idle timeout,
CSRF, duties with their rule, and the access log of a household page."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from nhi_collect.adapters.tables import access_log, audit_log, queue_items, sign_in_log, staff, web_sessions
from nhi_collect.bootstrap import Settings
from nhi_collect.services.signin import IDLE_TIMEOUT, MAX_FAILURES, now_utc
from nhi_collect.web import create_app
from tests.support.webapp import ON, PASSWORD, csrf_of, seed_ward, sign_in
from tests.support.signin import signed_in


@pytest.fixture
def url(db_url, tmp_path):
    return seed_ward(db_url, tmp_path)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


def log(db) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(select(sign_in_log.c.user_name, sign_in_log.c.success,
                                                      sign_in_log.c.reason).order_by(sign_in_log.c.id))]


def test_sign_in_shows_my_work_and_is_logged(client, db):
    done = sign_in(client, "tanaka")
    assert done.status_code == 303 and done.headers["location"] == "/work"
    page = client.get("/work")
    assert page.status_code == 200 and "田中 一郎（徴収担当）" in page.text
    assert "H1" in page.text and "H2" in page.text and "居所不明：2件" in page.text
    assert log(db) == [("tanaka", True, "signed_in")]
    with db.connect() as conn:  # only a hash of the cookie's token is stored
        assert conn.execute(select(web_sessions.c.token_hash)).scalar() != client.cookies["nhi_session"]


def test_without_a_session_every_page_sends_to_sign_in(client):
    for path in ("/work", "/households/H1"):
        done = client.get(path, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == f"/signin?next={path}"
    assert client.post("/work/items/1/claim", headers={"HX-Request": "true"}).headers["HX-Redirect"].startswith("/signin")


def test_a_wrong_password_or_an_unknown_name_is_refused_alike_and_logged(client, db):
    wrong, unknown = sign_in(client, "tanaka", "not the password"), sign_in(client, "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "ユーザー名またはパスワードが違います" in wrong.text and "ユーザー名またはパスワードが違います" in unknown.text
    assert log(db) == [("tanaka", False, "bad_password"), ("nobody", False, "unknown_user")]
    assert "nhi_session" not in client.cookies


def test_a_guess_holding_a_control_character_is_a_logged_failure(client, db):
    """A password is only hashed, never shown: it is not screened as typed text is, so such a guess is a
    wrong password like any other, logged and counted towards the lockout (not refused unlogged)."""
    assert sign_in(client, "tanaka", "pass\x07word\u202e").status_code == 401
    assert log(db) == [("tanaka", False, "bad_password")]


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db):
    for _ in range(MAX_FAILURES):
        sign_in(client, "tanaka", "guess")
    locked = sign_in(client, "tanaka")  # the right password, too late
    assert locked.status_code == 401 and "ロックされています" in locked.text
    assert [r[2] for r in log(db)] == ["bad_password"] * (MAX_FAILURES - 1) + ["locked_out", "locked"]
    with db.begin() as conn:  # fifteen minutes later
        conn.execute(update(staff).where(staff.c.user_name == "tanaka").values(locked_until=now_utc() - timedelta(seconds=1)))
    assert sign_in(client, "tanaka").status_code == 303


def test_an_idle_session_ends_on_the_server(client, db):
    sign_in(client, "tanaka")
    with db.begin() as conn:
        conn.execute(update(web_sessions).values(last_seen=now_utc() - IDLE_TIMEOUT - timedelta(seconds=1)))
    done = client.get("/work", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/signin")
    assert log(db)[-1] == ("tanaka", False, "idle_timeout")
    with db.connect() as conn:
        assert conn.execute(select(web_sessions)).first() is None


def test_sign_out_ends_the_session(client, db):
    sign_in(client, "tanaka")
    token = csrf_of(client.get("/work").text)
    assert client.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/work", follow_redirects=False).status_code == 303
    assert log(db)[-1] == ("tanaka", True, "signed_out")


def test_a_post_without_the_sessions_csrf_token_is_refused(app, db):
    client = signed_in(app, "tanaka")
    token = csrf_of(client.get("/work").text)
    item = 1
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        refused = client.post(f"/work/items/{item}/claim", headers=headers)
        assert refused.status_code == 403 and "CSRFトークン" in refused.text
    with db.connect() as conn:
        assert conn.execute(select(queue_items.c.claimed_by).where(queue_items.c.id == item)).scalar() is None
    assert client.post(f"/work/items/{item}/claim", headers={"X-CSRF-Token": token}).status_code == 200
    assert client.post("/signout", follow_redirects=False).status_code == 403


def test_the_sign_in_form_needs_its_own_csrf_token(client):
    done = client.post("/signin", data={"user": "tanaka", "password": PASSWORD, "csrf_token": "forged"})
    assert done.status_code == 403 and "nhi_session" not in client.cookies


def test_a_duty_the_role_lacks_is_refused_with_its_rule(app):
    operator = signed_in(app, "unyo")
    page = operator.get("/work")
    assert page.status_code == 403 and "read_queue is the reader&#39;s duty" in page.text
    assert "運用 三郎" in page.text  # the refusal page still shows who is signed in
    auditor = signed_in(app, "kansa")
    token = csrf_of(auditor.get("/work").text)
    refused = auditor.post("/work/items/1/claim", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert refused.status_code == 403 and "work_queue is the clerk&#39;s duty" in refused.text
    assert "<html" not in refused.text  # htmx gets the fragment, in place


def test_two_clerks_claiming_one_item_the_second_sees_who_holds_it(app):
    first, second = signed_in(app, "tanaka"), signed_in(app, "sato")
    headers = [{"X-CSRF-Token": csrf_of(c.get("/households/H1").text), "HX-Request": "true"} for c in (first, second)]
    assert "担当中：tanaka" in first.post("/work/items/1/claim", headers=headers[0]).text
    lost = second.post("/work/items/1/claim", headers=headers[1])
    assert lost.status_code == 403 and "held by tanaka" in lost.text


def test_the_household_page_shows_the_header_and_logs_the_opening(client, db):
    sign_in(client, "tanaka")
    page = client.get("/households/H1", params={"reason": "電話相談"})
    assert page.status_code == 200
    for shown in ("髙橋　太郎", "タカハシ　タロウ", "大阪市大正区泉尾1丁目1-1", "未滞納・完納"):
        assert shown in page.text
    with db.connect() as conn:
        rows = conn.execute(select(access_log.c.user_name, access_log.c.purpose, access_log.c.command)
                            .where(access_log.c.command == "household show")).all()
    # H1 is in tanaka's work: the purpose logged is his queue item (a reason is asked outside it only)
    assert [(r.user_name, r.purpose.startswith("queue item "), r.command) for r in rows] == [("tanaka", True, "household show")]
    assert client.get("/households/NOPE").status_code == 400


def test_set_password_is_the_persons_own_or_an_administrators(url, tmp_path, db):
    def cli(actor, user, password, *flag):  # contract.md: the password from standard input (a pipe, no flag)
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--as", actor, "staff", "set-password",
                               user, *flag], input=password + "\n", capture_output=True, text=True)
    assert cli("tanaka", "sato", "another long password", "--password-stdin").returncode == 2
    assert cli("tanaka", "tanaka", "short").returncode == 2
    assert cli("admin", "sato", "another long password").returncode == 0
    app = create_app(Settings.from_options(url, tmp_path / "out", environ={}, today=lambda: ON))
    with TestClient(app) as client:
        assert sign_in(client, "sato", "another long password").status_code == 303
    with db.connect() as conn:
        assert ("admin", "sato") in {tuple(r) for r in conn.execute(
            select(audit_log.c.actor, audit_log.c.entity_key).where(audit_log.c.action == "set_password"))}
