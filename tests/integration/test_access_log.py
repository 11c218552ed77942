"""Every read of a household's data leaves an access-log row (issue 15, defect 4): who, what, when, why,
whatever the command; the review itself is for supervisors and auditors only."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import access_log, households, installment_plans, letters
from nhi_collect.bootstrap import bootstrap
from nhi_collect.services import queue
from nhi_collect.services.work import reprint_letter
from nhi_collect.workflow.definition import load
from nhi_collect.services.business_date import run_date
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write

WORKFLOW = load()
ON = date(2023, 9, 20)


@pytest.fixture
def issued(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    run_date(engine, WORKFLOW, ON)  # demand notices to H1 and H2
    register_staff(engine, {"tanaka": "clerk", "boss": "supervisor", "kansa": "auditor"})
    return engine


def cli(engine, tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", engine.url.render_as_string(hide_password=False),
                           "--out", str(tmp_path / "out"), *args], capture_output=True, text=True)


def logged(engine, command: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(
            select(access_log.c.user_name, households.c.household_no).join(households)
            .where(access_log.c.command == command)))


def test_letters_list_print_and_reprint_are_logged_per_household(issued, tmp_path):
    with issued.connect() as conn:
        noticed = sorted(conn.execute(select(households.c.household_no).join(letters)
                                      .where(letters.c.issued_on == ON)).scalars())
        serial = conn.execute(select(letters.c.serial).join(households).where(households.c.household_no == "H1")
                              ).scalars().first()
    assert noticed == ["H1", "H2"]
    for args in (("letters", "list", "--date", str(ON)), ("letters", "print", "--date", str(ON)),
                 ("letters", "reprint", serial)):
        done = cli(issued, tmp_path, "--as", "boss", *args)  # printing is an operator's or a supervisor's
        assert done.returncode == 0, done.stderr
    assert logged(issued, "letters list") == logged(issued, "letters print") == [("boss", "H1"), ("boss", "H2")]
    assert logged(issued, "letters reprint") == [("boss", "H1")]


def test_a_reprints_pdf_is_written_after_its_reading_is_committed(issued, tmp_path, monkeypatch):
    """Rendering a PDF takes seconds: inside the transaction that logged the reading it would hold the
    database's write lock that long (SQLite's one writer: the nightly batch and every clerk waiting)."""
    from nhi_collect.services import letters as letters_service
    seen = []

    def write_pdfs(batches):  # when the PDF is written, another connection already sees the committed reading
        seen.append(logged(issued, "letters reprint"))
    monkeypatch.setattr(letters_service, "write_pdfs", write_pdfs)
    with issued.connect() as conn:
        serial = conn.execute(select(letters.c.serial)).scalars().first()
    services = bootstrap(issued.url.render_as_string(hide_password=False), environ={})
    services.transact(reprint_letter, services.workflow, serial, "tanaka")(tmp_path / "r.pdf")
    services.dispose()
    assert seen == [[("tanaka", "H1")]]


def test_the_queue_list_is_logged_for_the_households_it_shows(issued, tmp_path):
    with transaction(issued) as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == "H1")).scalar_one()
        conn.execute(installment_plans.insert().values(household_id=hid, agreed_on=ON, agreed_by="tanaka",
                                                       status="broken", ended_on=ON))
    assert cli(issued, tmp_path, "--as", "boss", "queue", "refresh", "--date", str(ON)).returncode == 0
    done = cli(issued, tmp_path, "--as", "tanaka", "queue", "--date", str(ON), "--json")
    assert done.returncode == 0 and "H1" in done.stdout, done.stderr
    with issued.connect() as conn:
        shown = {i["household_no"] for i in queue.items(conn, ON)}
    assert {h for _, h in logged(issued, "queue")} == shown and shown


def test_strangers_see_nothing_and_the_review_is_restricted(issued, tmp_path):
    shown = cli(issued, tmp_path, "--as", "mallory", "household", "show", "H1")
    assert shown.returncode == 2 and "not active staff" in shown.stderr and shown.stdout == ""
    listed = cli(issued, tmp_path, "--as", "mallory", "letters", "list", "--date", str(ON))
    assert listed.returncode == 2 and "H1" not in listed.stdout
    assert cli(issued, tmp_path, "--as", "tanaka", "household", "show", "H1", "--reason", "窓口相談").returncode == 0
    review = ("audit", "access", "--from", str(ON), "--to", "2099-12-31", "--json")
    refused = cli(issued, tmp_path, "--as", "tanaka", *review)
    assert refused.returncode == 2 and "auditor" in refused.stderr and refused.stdout == ""
    allowed = cli(issued, tmp_path, "--as", "kansa", *review)
    assert allowed.returncode == 0 and '"tanaka": 1' in allowed.stdout, allowed.stderr
    assert logged(issued, "household show") == [("tanaka", "H1")]
