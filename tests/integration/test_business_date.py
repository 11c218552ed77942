"""Running business dates: never backwards by accident, the same date again a no-op, the scheduler's loop."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from nhi_collect.adapters.scheduler import SchedulerBusy, SchedulerLock, serve
from nhi_collect.adapters.tables import batch_runs, letters, stage_transitions
from nhi_collect.domain.calendar import TOKYO
from nhi_collect.services.business_date import BackwardDate, BusinessDates, run_date
from nhi_collect.workflow.definition import load
from tests.conftest import register_staff
from tests.support.ledger import ASSESSMENTS, HOUSEHOLDS, run, write

WORKFLOW = load()


@pytest.fixture
def ledger(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS.replace(",1,en", ",0,en")))
    run(engine, "assessments", write(tmp_path, "a.csv", ASSESSMENTS))
    return engine


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (batch_runs, letters, stage_transitions))


def test_a_date_before_the_last_run_is_refused_unless_asked_and_the_same_date_again_is_a_no_op(ledger):
    first = run_date(ledger, WORKFLOW, date(2023, 9, 20))
    assert first and all(r.status == "done" for r in first) and counts(ledger)[1] > 0
    before = counts(ledger)
    with pytest.raises(BackwardDate, match="--allow-backward") as refused:
        run_date(ledger, WORKFLOW, date(2023, 9, 19))
    assert "2023-09-19" in str(refused.value) and "2023-09-20" in str(refused.value)
    with pytest.raises(BackwardDate):
        run_date(ledger, WORKFLOW, date(2023, 9, 19), dry_run=True)
    assert counts(ledger) == before  # nothing at all was done
    again = run_date(ledger, WORKFLOW, date(2023, 9, 20))
    assert [r.name for r in again] == [r.name for r in first] and all(r.status == "skipped" for r in again)
    assert counts(ledger) == before
    late = run_date(ledger, WORKFLOW, date(2023, 9, 19), allow_backward=True)
    assert late and all(r.status == "done" for r in late) and counts(ledger)[0] > before[0]
    # now done, the earlier date is a no-op too, and needs no permission
    assert all(r.status == "skipped" for r in run_date(ledger, WORKFLOW, date(2023, 9, 19)))


def test_the_cli_refuses_a_backward_run_with_exit_2_naming_the_option(ledger, tmp_path):
    url = ledger.url.render_as_string(hide_password=False)
    register_staff(ledger, {"op": "operator"})

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--out", str(tmp_path / "out"),
                               "--as", "op", *args], capture_output=True, text=True)
    assert cli("run", "--date", "2023-09-20").returncode == 0
    before = counts(ledger)
    refused = cli("run", "--date", "2023-09-19", "--json")
    assert refused.returncode == 2 and "--allow-backward" in refused.stderr and "Traceback" not in refused.stderr
    assert refused.stdout == "" and counts(ledger) == before
    assert cli("simulate", "--from", "2023-09-19", "--to", "2023-09-21").returncode == 2
    assert counts(ledger) == before
    done = cli("run", "--date", "2023-09-19", "--allow-backward")
    assert done.returncode == 0, done.stderr
    assert counts(ledger)[0] > before[0]


def test_the_scheduler_catches_up_then_runs_every_morning_on_an_injected_clock(ledger):
    now = [datetime(2023, 9, 20, 10, 30, tzinfo=TOKYO)]  # started mid-morning: today runs at once
    ran = []
    dates = BusinessDates(ledger, WORKFLOW, after_day=lambda on, _jobs: ran.append(on))
    seen = {}

    class Mornings:
        """Stands in for BlockingScheduler: moves the clock to each next fire time of the cron job and
        fires it, with no real waiting; then the machine is off over a weekend."""

        def __init__(self, timezone):
            seen["timezone"] = timezone

        def add_job(self, job, trigger, **options):
            seen.update(options, trigger=trigger)
            self.job, self.cron = job, CronTrigger(hour=options["hour"], minute=options["minute"],
                                                   timezone=seen["timezone"])

        def start(self):
            with pytest.raises(SchedulerBusy):  # one scheduler per database while this one serves
                with SchedulerLock(ledger):
                    pass
            assert ran == [date(2023, 9, 20)]
            for _ in range(2):
                now[0] = self.cron.get_next_fire_time(None, now[0])
                assert (now[0].hour, now[0].minute) == (6, 0)
                self.job()
            now[0] = datetime(2023, 9, 26, 9, 15, tzinfo=TOKYO)  # back on Tuesday within the grace period
            self.job()

    serve(ledger, lambda: dates.catch_up(lambda: now[0].date()), "06:00", scheduler_factory=Mornings)
    assert seen["timezone"] == "Asia/Tokyo" and seen["trigger"] == "cron" and seen["misfire_grace_time"] >= 3600
    assert ran == [date(2023, 9, d) for d in range(20, 27)]  # each date once, in order, none skipped
    with ledger.connect() as conn:
        recorded = set(conn.execute(select(batch_runs.c.business_date)).scalars())
    assert recorded == {date(2023, 9, d) for d in (20, 21, 22, 25, 26)}  # office days only
    with SchedulerLock(ledger):  # released when serving ended
        pass


def test_a_runs_last_office_date_leaves_the_mornings_report_once(ledger):
    """The report page reads the night's report (business_date.report_night): a range computes it for its last
    office date only (a Friday when the range ends on a Sunday), as of that date; the date again is a no-op."""
    import json
    from nhi_collect.adapters.tables import nightly_reports
    from nhi_collect.services.business_date import REPORT_JOB
    from nhi_collect.services.report import monthly
    days = list(BusinessDates(ledger, WORKFLOW).run_range(date(2023, 9, 19), date(2023, 9, 24)))
    with_report = [d.on for d in days if any(r.name == REPORT_JOB for r in d.jobs)]
    assert with_report == [date(2023, 9, 22)]  # 23 Sep is 秋分の日 and a Saturday, 24 Sep a Sunday
    with ledger.connect() as conn:
        rows = conn.execute(select(nightly_reports.c.fiscal_year, nightly_reports.c.as_of,
                                   nightly_reports.c.figures)).all()
        assert [(r.fiscal_year, r.as_of) for r in rows] == [(2023, date(2023, 9, 22))]
        assert json.loads(rows[0].figures) == json.loads(json.dumps(
            monthly(conn, 2023, date(2023, 9, 22), WORKFLOW.targets), ensure_ascii=False))
    again = run_date(ledger, WORKFLOW, date(2023, 9, 22))  # done: no report is added, nothing runs
    assert again and all(r.status == "skipped" for r in again)
    with ledger.connect() as conn:
        assert conn.execute(select(func.count()).select_from(nightly_reports)).scalar_one() == 1
