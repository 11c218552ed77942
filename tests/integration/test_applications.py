"""Applications with clocks (services/applications.py) on SQLite and PostgreSQL: recorded with their due date,
closed once (compare-and-set), the overdue boundary, the refusals naming their rule, the monthly report's counts,
the yearly suspension review, and the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import access_log, applications as table, households, suspensions
from nhi_collect.services import applications
from nhi_collect.services.report import monthly
from nhi_collect.workflow.definition import load
from nhi_collect.workflow.machine import Refused
from tests.support.applications import seed_applications
from tests.support.webapp import ON, seed_ward

WORKFLOW = load()


@pytest.fixture
def url(db_url, tmp_path):
    return seed_ward(db_url, tmp_path)


@pytest.fixture
def seeded(url, db):
    return seed_applications(url)


def test_recorded_with_the_due_date_of_its_kind(db, seeded):
    with db.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(table))}
    assert rows[seeded["in_time"]].due_on == date(2023, 10, 10)  # 9/08 + 30 = Sun 10/8, 10/9 a holiday
    assert rows[seeded["overdue"]].due_on == date(2023, 8, 31)
    assert (rows[seeded["closed_late"]].status, rows[seeded["closed_late"]].outcome) == ("closed", "granted")


def test_overdue_on_the_day_after_its_due_date_not_on_it(db, seeded):
    """reduction received 9/08, due 10/10: not in the overdue list on 10/10, in it on 10/11."""
    with transaction(db) as conn:
        on_the_day = applications.overdue_list(conn, WORKFLOW, date(2023, 10, 10), "boss")["items"]
        day_after = applications.overdue_list(conn, WORKFLOW, date(2023, 10, 11), "boss")["items"]
    assert seeded["in_time"] not in [r["id"] for r in on_the_day]
    late = {r["id"]: r for r in day_after}
    assert late[seeded["in_time"]]["days_over"] == 1 and late[seeded["overdue"]]["days_over"] == 41


def test_closing_twice_is_refused_and_closing_late_is_reported(db, seeded):
    with transaction(db) as conn:
        assert applications.close(conn, WORKFLOW, seeded["overdue"], "refused", "要件に該当しない", ON, "tanaka")
    with pytest.raises(Refused, match="already closed on 2023-09-20 by tanaka"):
        with transaction(db) as conn:
            applications.close(conn, WORKFLOW, seeded["overdue"], "granted", "x", ON, "tanaka")


def test_the_refusals_name_their_rule(db, seeded):
    cases = [
        (lambda c: applications.close(c, WORKFLOW, seeded["in_time"], "granted", "x", ON, "sato"),
         "tanaka's: only its owner"),
        (lambda c: applications.record(c, WORKFLOW, "H1", "reduction", ON, "kansa", "kansa", "", ON),
         "record_application is the clerk's duty"),
        (lambda c: applications.record(c, WORKFLOW, "H1", "reduction", ON, "kansa", "tanaka", "", ON),
         "kansa cannot own an application"),
        (lambda c: applications.overdue_list(c, WORKFLOW, ON, "tanaka"), "watch_applications is the auditor's duty"),
        (lambda c: applications.reassign(c, WORKFLOW, seeded["in_time"], "sato", "tanaka"),
         "reassign_work is the supervisor's duty"),
        (lambda c: applications.record(c, WORKFLOW, "H1", "suspension_review", ON, "tanaka", "tanaka", "", ON),
         "地方税法15条の7"),
    ]
    for call, rule in cases:
        with pytest.raises(Refused, match=rule):
            with transaction(db) as conn:
                call(conn)
    with db.connect() as conn:
        assert conn.execute(select(table.c.status).where(table.c.id == seeded["in_time"])).scalar() == "open"


def test_lists_are_access_logged(db, seeded):
    with transaction(db) as conn:
        mine = applications.mine(conn, WORKFLOW, ON, "tanaka")
        applications.overdue_list(conn, WORKFLOW, ON, "kansa")  # an auditor reads it
    assert [r["id"] for r in mine["open"]] == [seeded["overdue"], seeded["in_time"]] and mine["open"][0]["overdue"]
    with db.connect() as conn:
        logged = set(conn.execute(select(access_log.c.user_name, access_log.c.command, households.c.household_no)
                                  .join(households)).all())
    assert {("tanaka", "application list", "H1"), ("tanaka", "application list", "H2"),
            ("kansa", "application overdue", "H1")} <= logged


def test_the_monthly_report_counts_them_as_they_stood(db, seeded):
    """As of 9/20: the overdue one and the in-time one are open (one overdue); the refund claim was closed in
    the year, 18 days late. As of 8/31 the late-fee reduction is open on its due date, not yet overdue, and the
    refund claim (due 8/2, closed 8/20) was closed late within the year."""
    with db.connect() as conn:
        assert monthly(conn, 2023, ON, full=False)["applications"] == {"open": 2, "overdue": 1, "closed": 1,
                                                                        "closed_late": 1}
        assert monthly(conn, 2023, date(2023, 8, 31), full=False)["applications"] == {
            "open": 1, "overdue": 0, "closed": 1, "closed_late": 1}
        assert monthly(conn, 2023, date(2023, 8, 10), full=False)["applications"] == {
            "open": 2, "overdue": 1, "closed": 0, "closed_late": 0}  # the refund claim open then, due 8/2


def test_a_suspension_in_force_is_reviewed_once_a_year(db, url):
    """A suspension from 2021-09-20 has had two anniversaries by ON (2022-09-20 and 2023-09-20): the run opens
    the latest review, received on the anniversary, due 30 days later (10/20), owned by tanaka (H1's town
    泉尾); running again opens nothing; a lifted suspension is not reviewed (15条の8: nothing left to review)."""
    with transaction(db) as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == "H1")).scalar()
        hid2 = conn.execute(select(households.c.id).where(households.c.household_no == "H2")).scalar()
        conn.execute(suspensions.insert(), [
            {"household_id": hid, "ground": "no_property", "decided_by": "boss", "started_on": date(2021, 9, 20),
             "lifted_on": None},
            {"household_id": hid2, "ground": "hardship", "decided_by": "boss", "started_on": date(2021, 9, 20),
             "lifted_on": date(2022, 3, 1)}])
        assert applications.open_suspension_reviews(conn, WORKFLOW, date(2023, 9, 19)) == 1  # 2022's
        assert applications.open_suspension_reviews(conn, WORKFLOW, ON) == 1  # 2023's
        assert applications.open_suspension_reviews(conn, WORKFLOW, ON) == 0
    with db.connect() as conn:
        rows = conn.execute(select(table.c.received_on, table.c.due_on, table.c.owner, table.c.household_id)
                            .order_by(table.c.received_on)).all()
    assert [tuple(r) for r in rows] == [(date(2022, 9, 20), date(2022, 10, 20), "tanaka", hid),
                                        (ON, date(2023, 10, 20), "tanaka", hid)]


def test_a_leap_day_suspension_is_reviewed_on_march_first():
    assert applications.anniversary(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert applications.anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_the_command_line(url, db, monkeypatch):
    from click.testing import CliRunner

    from nhi_collect.entrypoints.cli import cli
    monkeypatch.setenv("NHI_COLLECT_ALLOW_AS", "1")
    runner = CliRunner()
    base = ["--db", url, "--as", "tanaka"]
    done = runner.invoke(cli, [*base, "application", "record", "H1", "--kind", "installment_plan",
                               "--received", "2023-09-20", "--on", "2023-09-20", "--json"])
    assert done.exit_code == 0, done.output
    record = json.loads(done.output)
    assert (record["due_on"], record["owner"]) == ("2023-10-04", "tanaka")  # 14 days, 民法140条
    listed = json.loads(runner.invoke(cli, [*base, "application", "list", "--date", "2023-10-05", "--json"]).output)
    assert [(r["id"], r["overdue"], r["days_over"]) for r in listed] == [(record["id"], True, 1)]
    closed = runner.invoke(cli, [*base, "application", "close", str(record["id"]), "--outcome", "withdrawn",
                                 "--note", "本人から取下げ", "--on", "2023-10-05", "--json"])
    assert json.loads(closed.output) == {"id": record["id"], "outcome": "withdrawn", "closed_on": "2023-10-05",
                                         "late": True}
    refused = runner.invoke(cli, [*base, "application", "list", "--overdue", "--json"])
    assert refused.exit_code != 0 and "watch_applications" in str(refused.exception)
