"""業務日程と処理結果 (web/routes/runs.py) with FastAPI's test client on SQLite and PostgreSQL: the year's rounds and
dates, a date's jobs with who started them, its moves per edge and letters per type, its print files checked
(one deleted: the date turns red with the command that reprints it), the downloads (access-logged, only the
date's own files), the dry run that keeps nothing, and the refusals (a clerk; an auditor's dry run)."""

from __future__ import annotations

from datetime import date

import pytest
import pypdfium2 as pdfium
from sqlalchemy import func, select

from nhi_collect.adapters.tables import (access_log, batch_runs, demand_notices, households, letter_items, letters,
                                         queue_items, stage_transitions)
from tests.support.signin import signed_in
from tests.support.webact import rows
from tests.support.webapp import ON, csrf_of, seed_ward
from tests.support.webruns import run_as_operator

DAY = f"/runs/{ON}"


@pytest.fixture
def url(db_url, tmp_path):
    return seed_ward(db_url, tmp_path)


@pytest.fixture
def ran(url, tmp_path):
    """ON run and printed by unyo: a demand notice each for H1 (two installments) and H2 (one)."""
    day = run_as_operator(url, tmp_path / "out")
    assert day["printing"][0]["status"] == "done" and day["printing"][0]["printed"] == 2
    return tmp_path / "out" / "letters" / ON.isoformat()


def test_a_date_shows_its_jobs_who_started_them_moves_letters_and_complete_files(app, db, ran):
    assert rows(db, select(batch_runs.c.started_by, batch_runs.c.started_via).distinct()) == [("unyo", "run")]
    page = signed_in(app, "boss").get(DAY)
    assert page.status_code == 200
    assert "unyo（run コマンド）" in page.text and "この日は完了していません" not in page.text
    assert "印刷ファイル（2通）は登録簿・マニフェスト・チェックサムと一致しています" in page.text
    # both households leave 未滞納 for 督促済 by the date's issue_demand edge, each named as the workflow file labels it
    assert ('<td>督促状の発行</td><td>督促</td><td>未滞納・完納</td><td>督促済</td><td class="num">2</td>'
            in page.text)
    assert "<td>督促状の発行 <code>demand_notices</code></td><td>完了</td>" in page.text
    assert "<td>翌朝の仕事の計算 <code>work_queue</code></td>" in page.text
    assert '<td>督促状</td><td>夜間処理</td><td class="num">2</td>' in page.text
    assert f'href="{DAY}/files/demand_notice.pdf"' in page.text and f'href="{DAY}/files/SHA256SUMS"' in page.text


def test_the_year_lists_every_office_day_and_the_missed_ones_in_red(app, ran):
    page = signed_in(app, "kansa").get("/runs", params={"fiscal_year": 2023}).text
    # 2023-09-20 ran whole; 09-19, an office day before it, never ran: red with its jobs named
    assert f'<tr>\n      <td class="nw"><a href="{DAY}">' in page
    assert '<tr class="bad">\n      <td class="nw"><a href="/runs/2023-09-19">' in page
    # appropriation, settle, plan_check, demand_notices, public_notices, seizure_releases, late_fee_notices
    assert "未実行のジョブ 7件" in page
    # the rounds of the workflow file: 2023-10-05 (reminders) is to come, 2023-07-05 (a Wednesday) was missed
    assert '<a href="/runs/2023-10-05">' in page and "催告書の発送" in page and "reminders" not in page


def test_a_deleted_print_file_turns_the_date_red_with_the_command_to_reprint(app, ran):
    (ran / "demand_notice.pdf").unlink()
    boss = signed_in(app, "boss")
    page = boss.get(DAY).text
    assert "この日は完了していません" in page
    assert "demand_notice.pdf: ファイルがないか、チェックサムが一致しません" in page
    assert f"<code>nhi-collect letters print --date {ON}</code>" in page
    assert str(ran) not in page  # the server's folder is not shown
    year = boss.get("/runs", params={"fiscal_year": 2023}).text
    assert f'<tr class="bad">\n      <td class="nw"><a href="{DAY}">' in year and "印刷ファイルが欠けています" in year


def test_a_changed_print_file_is_found_by_its_checksum(app, ran):
    (ran / "demand_notice.pdf").write_bytes(b"%PDF-1.7 not the file that was printed")
    page = signed_in(app, "boss").get(DAY).text
    assert "この日は完了していません" in page and "demand_notice.pdf: ファイルがないか" in page


def test_downloads_are_the_dates_own_files_and_logged(app, db, ran):
    kansa = signed_in(app, "kansa")
    pdf = kansa.get(f"{DAY}/files/demand_notice.pdf")
    assert pdf.status_code == 200 and pdf.content == (ran / "demand_notice.pdf").read_bytes()
    assert pdf.headers["content-type"] == "application/pdf"
    logged = rows(db, select(households.c.household_no).join(access_log, access_log.c.household_id == households.c.id)
                  .where(access_log.c.command == "web print file", access_log.c.user_name == "kansa")
                  .order_by(households.c.household_no))
    assert logged == [("H1",), ("H2",)]
    assert kansa.get(f"{DAY}/files/manifest.csv").text.startswith("serial,type,household_no")
    assert kansa.get(f"{DAY}/files/SHA256SUMS").status_code == 200
    assert len(rows(db, select(access_log.c.id).where(access_log.c.command == "web print file"))) == 4  # not SHA256SUMS


@pytest.mark.parametrize("path", [f"{DAY}/files/..%2F..%2Fnhi.db", f"{DAY}/files/%2e%2e", f"{DAY}/files/x.pdf",
                                  f"{DAY}/files/manifest.csv.bak", f"{DAY}/files/%2e%2e%2fSHA256SUMS",
                                  "/runs/..%2F..%2Fletters/files/manifest.csv", "/runs/2023-09-20x/files/SHA256SUMS",
                                  f"{DAY}/files/seizure_notice.pdf"])
def test_no_other_path_is_served(app, db, ran, path):
    got = signed_in(app, "boss").get(path)
    assert got.status_code in (400, 404) and "%PDF" not in got.text and "serial," not in got.text
    assert rows(db, select(access_log.c.id).where(access_log.c.command == "web print file")) == []


def counts(db) -> dict:
    tables = (batch_runs, letters, letter_items, demand_notices, stage_transitions, queue_items)
    with db.connect() as conn:
        found = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}
        found["stages"] = sorted(conn.execute(select(households.c.household_no, households.c.stage)).all())
        found["queue"] = sorted(tuple(r) for r in conn.execute(select(queue_items.c.id, queue_items.c.status,
                                                                      queue_items.c.assigned_to, queue_items.c.limitation_on)))
    return found


def test_a_dry_run_counts_letters_renders_samples_and_keeps_nothing(app, db):
    before = counts(db)
    unyo = signed_in(app, "unyo")
    token = csrf_of(unyo.get("/runs", params={"fiscal_year": 2023}).text)
    page = unyo.post("/runs/dry-run", data={"csrf_token": token, "on": ON.isoformat()})
    assert page.status_code == 200
    # H1 (two installments, one letter) and H2: 2 demand notices to 2 households
    assert '<td>督促状</td><td class="num">2</td><td class="num">2</td>' in page.text
    assert "未滞納・完納→督促済：2" in page.text and "<td>督促状の発行 <code>demand_notices</code></td>" in page.text
    assert counts(db) == before  # nothing kept: no run, letter, move, demand or queue change
    sample = unyo.get(f"{DAY}/dry-run/demand_notice.pdf")
    assert sample.status_code == 200 and sample.content.startswith(b"%PDF")
    # marked as a specimen, so a printed sample is never taken for a letter that was issued
    assert "見本" in pdfium.PdfDocument(sample.content)[0].get_textpage().get_text_range()
    logged = rows(db, select(access_log.c.command).where(access_log.c.user_name == "unyo",
                                                         access_log.c.command == "web dry run"))
    assert len(logged) == 2  # the sample's household: when rendered, and when opened
    assert unyo.get(f"{DAY}/dry-run/..%2Fx.pdf").status_code in (400, 404)
    assert unyo.get("/runs/2023-09-21/dry-run/demand_notice.pdf").status_code == 400  # no dry run of that date


def test_a_clerk_is_refused_and_an_auditor_cannot_dry_run(app, db, ran):
    tanaka = signed_in(app, "tanaka")
    refused = tanaka.get("/runs")
    assert refused.status_code == 403 and "read_runs is the runs_reader&#39;s duty" in refused.text
    assert tanaka.get(f"{DAY}/files/demand_notice.pdf").status_code == 403
    assert 'href="/runs"' not in tanaka.get("/work").text
    kansa = signed_in(app, "kansa")
    page = kansa.get("/runs", params={"fiscal_year": 2023}).text
    assert "/runs/dry-run" not in page
    before = counts(db)
    dry = kansa.post("/runs/dry-run", data={"csrf_token": csrf_of(page), "on": "2023-09-21"})
    assert dry.status_code == 403 and "run_date is the operator&#39;s duty" in dry.text
    assert counts(db) == before
