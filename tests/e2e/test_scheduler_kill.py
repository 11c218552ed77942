"""The scheduler killed with SIGKILL while it prints a date's letters, then started again (issue 15, done
when: "kill -9 of the scheduler while printing, then restart"): the date's files end complete and verified
(`letters status`), and no letter is issued twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date

from sqlalchemy import func, select

from nhi_collect.adapters.db import make_engine, upgrade
from nhi_collect.adapters.tables import batch_runs, letters
from nhi_collect.services.printing import PRINT_JOB, verify
from nhi_collect.tools.feed import split_by_day
from nhi_collect.tools.synthetic import generate_ward
from tests.conftest import register_staff
from tests.support.ward import load_ward

TODAY = date(2023, 7, 3)  # this ward's demand notices go out on that date


def scheduler(url: str, out, log):
    env = os.environ | {"NHI_COLLECT_TODAY": TODAY.isoformat(), "NHI_COLLECT_ALLOW_AS": "1"}
    return subprocess.Popen([sys.executable, "-m", "nhi_collect", "--db", url, "--as", "operator", "--out", str(out),
                             "scheduler"], stdout=subprocess.DEVNULL, stderr=open(log, "w"), env=env)


def wait_for(condition, process, what: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"the scheduler ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.02)


def test_a_scheduler_killed_while_printing_prints_the_date_whole_when_restarted(tmp_path):
    generate_ward(300, range(2022, 2024), 31, tmp_path / "ward")
    split_by_day(tmp_path / "ward", tmp_path / "feed")
    url = f"sqlite:///{tmp_path / 'ward.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_ward(engine, tmp_path, until=TODAY)
    register_staff(engine, {"operator": "operator"})
    out, folder = tmp_path / "out", tmp_path / "out" / "letters" / TODAY.isoformat()

    first = scheduler(url, out, tmp_path / "first.log")
    # The date's folder is made once its jobs have committed and its letters are read for printing;
    # SHA256SUMS is written last. Files, not rows: polling SQLite would contend with the writer's lock.
    wait_for(folder.exists, first, "printing")
    time.sleep(0.2)  # into the rendering or the PDFs
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert not (folder / "SHA256SUMS").exists(), "killed too late: the printing had finished"

    second = scheduler(url, out, tmp_path / "second.log")
    try:  # it logs `caught up` once the morning's catch-up (the reprint of the date among it) has returned
        wait_for(lambda: "caught up" in (tmp_path / "second.log").read_text(), second, "catch-up")
    finally:
        second.terminate()
        second.wait(30)

    env = os.environ | {"NHI_COLLECT_ALLOW_AS": "1"}
    status = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", url, "--as", "operator", "--out", str(out),
                             "letters", "status", "--json"], capture_output=True, text=True, env=env)
    assert status.returncode == 0 and json.loads(status.stdout) == [], status.stdout + status.stderr[-800:]
    with engine.connect() as conn:
        register = set(conn.execute(select(letters.c.serial).where(letters.c.issued_on == TODAY)).scalars())
        once = conn.execute(select(func.count()).select_from(
            select(letters.c.household_id, letters.c.letter_type).where(letters.c.issued_on == TODAY)
            .group_by(letters.c.household_id, letters.c.letter_type).having(func.count() > 1).subquery())).scalar()
        jobs = conn.execute(select(batch_runs.c.status, batch_runs.c.detail).where(batch_runs.c.business_date == TODAY,
                                                                                batch_runs.c.job != PRINT_JOB)).all()
    engine.dispose()
    assert register and once == 0
    # every job of the date finished, and the register holds exactly the letters those runs reported (a job
    # run again after the kill would have reported its letters twice or none; the claim's key allows one row)
    assert jobs and {j.status for j in jobs} == {"done"}
    assert sum(json.loads(j.detail)["letters"] for j in jobs) == len(register)
    report = verify(folder, register, TODAY)
    assert report.status == "done" and report.printed == len(register)
