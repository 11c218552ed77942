"""アクセス記録の点検 (web/routes/review.py) with FastAPI's test client on SQLite and PostgreSQL: a month's views
per person, outside one's own work and after hours (Tokyo time, office hours 8:45–17:30 on office days, the
bounds included), the drill-down to one person, the supervisor's sign-off once per ended month; a clerk
refused, an auditor reading without acting."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import make_engine
from nhi_collect.adapters.tables import access_log, access_reviews, households
from nhi_collect.services.access_review import this_month
from tests.support.signin import signed_in
from tests.support.webapp import csrf_of, seed_ward

UTC = timezone.utc
# (UTC time, person, household). Tokyo is UTC+9. tanaka's queue holds H1 and H2 (both districts); sato's none.
VIEWS = [
    (datetime(2026, 11, 4, 1, 0, tzinfo=UTC), "tanaka", "H1"),    # Wed 11-04 10:00 JST: own work, office hours
    (datetime(2026, 11, 4, 8, 30, tzinfo=UTC), "tanaka", "H1"),   # 17:30 JST: the closing minute is still open
    (datetime(2026, 11, 7, 1, 0, tzinfo=UTC), "tanaka", "H2"),    # Sat 11-07 10:00 JST: a closed day
    (datetime(2026, 11, 4, 11, 0, tzinfo=UTC), "sato", "H2"),     # 20:00 JST: after hours and not sato's work
    (datetime(2026, 11, 30, 14, 59, tzinfo=UTC), "sato", "H1"),   # Mon 11-30 23:59 JST: still November
    (datetime(2026, 11, 30, 15, 0, tzinfo=UTC), "sato", "H1"),    # Tue 12-01 00:00 JST: December, not counted
]


@pytest.fixture
def url(db_url, tmp_path):
    url = seed_ward(db_url, tmp_path)
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(households.c.household_no, households.c.id)).all())
        conn.execute(access_log.insert(), [{"at": at, "user_name": who, "household_id": ids[hno],
                                            "purpose": "窓口への来庁", "command": "household show"}
                                           for at, who, hno in VIEWS])
    engine.dispose()
    return url


def signed(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(access_reviews.c.month, access_reviews.c.signed_by,
                                                      access_reviews.c.views, access_reviews.c.outside_own,
                                                      access_reviews.c.after_hours, access_reviews.c.note))]
    engine.dispose()
    return rows


def test_a_month_per_person_and_drilled_down(app):
    page = signed_in(app, "boss").get("/access-review", params={"month": "2026-11"})
    assert page.status_code == 200
    # tanaka: 3 views, none outside his work, 1 after hours (the Saturday); sato: 2, both outside, both after
    assert ('person=tanaka">tanaka</a></td>\n      <td class="num">3</td><td class="num">0</td><td class="num">1</td>'
            in page.text)
    assert ('person=sato">sato</a></td>\n      <td class="num">2</td><td class="num">2</td><td class="num">2</td>'
            in page.text)
    assert "担当外の世帯の閲覧（2件）" in page.text and "開庁時間外の閲覧（3件）" in page.text
    assert "2026-11-30 23:59" in page.text and "2026-12-01 00:00" not in page.text
    sato = signed_in(app, "kansa").get("/access-review", params={"month": "2026-11", "person": "sato"}).text
    assert "開庁時間外の閲覧（2件）" in sato and "2026-11-07 10:00" not in sato


def test_the_supervisor_signs_off_an_ended_month_once(app, url):
    boss = signed_in(app, "boss")
    token = csrf_of(boss.get("/access-review", params={"month": "2026-11"}).text)
    done = boss.post("/access-review/2026-11/sign-off", data={"csrf_token": token, "note": "sato の2件は窓口対応と確認"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert signed(url) == [("2026-11", "boss", 5, 2, 3, "sato の2件は窓口対応と確認")]
    assert "（東京）に boss が確認しました" in boss.get("/access-review", params={"month": "2026-11"}).text
    again = boss.post("/access-review/2026-11/sign-off",
                                                              data={"csrf_token": token, "note": ""})
    assert again.status_code == 403 and "already signed off by boss" in again.text
    now = boss.post(f"/access-review/{this_month()}/sign-off", data={"csrf_token": token, "note": ""})
    assert now.status_code == 403 and "has not ended" in now.text
    assert len(signed(url)) == 1


def test_a_clerk_is_refused_the_review(app):
    tanaka = signed_in(app, "tanaka")
    page = tanaka.get("/access-review", params={"month": "2026-11"})
    assert page.status_code == 403 and "audit_access is the auditor&#39;s duty" in page.text
    assert "アクセス点検" not in tanaka.get("/work").text


def test_an_auditor_reads_but_cannot_sign_off(app, url):
    kansa = signed_in(app, "kansa")
    page = kansa.get("/access-review", params={"month": "2026-11"})
    assert page.status_code == 200 and "開庁時間外の閲覧（3件）" in page.text and "/sign-off" not in page.text
    refused = kansa.post("/access-review/2026-11/sign-off", data={"csrf_token": csrf_of(page.text), "note": "x"})
    assert refused.status_code == 403 and "sign_access_review is the supervisor&#39;s duty" in refused.text
    assert signed(url) == []
