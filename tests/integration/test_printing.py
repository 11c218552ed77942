"""Print files are part of the date: verified against the register, resumed after a crash, one bad letter
reported while the rest are printed (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import update

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import households
from nhi_collect.bootstrap import bootstrap
from nhi_collect.services.business_date import run_date
from nhi_collect.services.letters import list_letters
from nhi_collect.services.printing import incomplete, print_date, verify
from nhi_collect.workflow.definition import load
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write

WORKFLOW = load()
ON = date(2023, 9, 20)
LONG = "2711500000012345"  # 16 digits: too long for the payment slip's free field


@pytest.fixture
def ledger(engine, tmp_path):
    """The import now refuses such a number, so it is put in the register directly, as data stored before
    that check (or by another door) would be."""
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")
                                    + "H3,長谷　一,ハセ　ハジメ,1960-05-06,551-0031,大阪市大正区泉尾3丁目3-3,泉尾,,0,ja\n"))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS + "H3,2023,1,2023-06-30,8000\n"))
    with transaction(engine) as conn:
        conn.execute(update(households).where(households.c.household_no == "H3").values(household_no=LONG))
    return engine


@pytest.fixture
def good(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    return engine


def services(engine, out):
    return bootstrap(engine.url.render_as_string(hide_password=False), out, environ={})


def test_one_bad_letter_is_reported_and_the_rest_are_printed(ledger, tmp_path):
    run_date(ledger, WORKFLOW, ON)
    with ledger.connect() as conn:
        issued = {r["serial"]: r["household_no"] for r in list_letters(conn, ON)}
    assert len(issued) == 3 and LONG in issued.values()
    report = print_date(ledger, WORKFLOW, ON, tmp_path / "out")
    bad = next(s for s, h in issued.items() if h == LONG)
    assert [f["serial"] for f in report.failed] == [bad] and "free-field" in report.failed[0]["error"]
    assert report.status == "incomplete" and (report.printed, report.issued) == (2, 3)
    assert {m["serial"] for m in report.manifest} == set(issued) - {bad}
    with ledger.connect() as conn:
        [listed] = incomplete(conn)
    assert listed["date"] == ON.isoformat() and listed["status"] == "incomplete" and listed["failed"][0]["serial"] == bad


def test_a_date_whose_printing_died_is_resumed_by_the_next_run_and_a_complete_date_is_left_alone(good, tmp_path):
    out = tmp_path / "out"
    app = services(good, out)
    run_date(good, WORKFLOW, ON)  # the jobs committed, then the process died before printing
    with good.connect() as conn:
        assert [d["status"] for d in incomplete(conn)] == ["not printed"]
    day = app.business_dates().run(date(2023, 9, 21))
    assert [(p.on, p.status, p.printed) for p in day.printing] == [(ON, "done", 2)]
    with good.connect() as conn:
        assert incomplete(conn) == []
    checksums = (out / "letters" / ON.isoformat() / "SHA256SUMS").read_text("utf-8")
    again = app.business_dates().run(ON)
    assert all(j.status == "skipped" for j in again.jobs) and again.printing == []
    assert (out / "letters" / ON.isoformat() / "SHA256SUMS").read_text("utf-8") == checksums  # not rewritten
    app.dispose()


def test_files_that_do_not_match_the_register_are_found(good, tmp_path):
    run_date(good, WORKFLOW, ON)
    report = print_date(good, WORKFLOW, ON, tmp_path)
    folder = tmp_path / "letters" / ON.isoformat()
    register = {m["serial"] for m in report.manifest}
    assert verify(folder, register, ON).problems == []
    pdf = next(folder.glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"%")
    assert any(pdf.name in p for p in verify(folder, register, ON).problems)
    assert verify(folder, register | {"TS2023-999999"}, ON).printed == len(register)  # one short: not complete


def test_letters_status_lists_the_incomplete_date(ledger, tmp_path):
    run_date(ledger, WORKFLOW, ON)
    register_staff(ledger, {"op": "operator"})
    done = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", ledger.url.render_as_string(hide_password=False),
                           "--out", str(tmp_path), "--as", "op", "letters", "status"], capture_output=True, text=True)
    assert done.returncode == 0 and f"{ON}  not printed" in done.stdout and "0 of       3" in done.stdout
