"""Reliability campaigns (issue 15): concurrency, crash and fuzz, each bounded in time, each printing
tried / held / failed.

- concurrency: N processes race one staff action (`action plan` on one household) and one queue claim,
  round after round, on PostgreSQL; a race held when exactly one won and the database holds one plan,
  one plan letter and one transition (or one holder).
- crash: `nhi-collect run` of a business date is killed with SIGKILL at an observable point (a job
  committed, its letters printing, just started), then run again; a trial held when the database equals
  a reference database that ran the same date undisturbed (no duplicate, no loss) and the date's print
  files hold every letter of the register with matching checksums.
- fuzz: nhi_collect.tools.fuzz (mutated import files), when it is installed.

Loopback only: the server must be on this machine (127.0.0.1, ::1, localhost). The campaigns use their
own databases on it, PREFIX, PREFIX_ref and PREFIX_fuzz, created when missing and wiped each time.

    python -m nhi_collect.tools.reliability --server postgresql+psycopg://postgres@127.0.0.1:5432 --seconds 120
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, make_url, select, text

from ..adapters.db import make_engine, transaction, upgrade
from ..adapters.tables import (batch_runs, demand_notices, households, installment_plans, letters, queue_items,
                               stage_transitions)
from ..domain.calendar import is_office_day
from ..workflow.definition import load

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
DEMANDED_ON, AGREED_ON = date(2023, 9, 20), date(2023, 9, 22)
CRASH_FROM = date(2023, 7, 3)
KILL_POINTS = ("printing", "job committed", "started")  # the first date prints every demand notice


@dataclass
class Tally:
    name: str
    tried: int = 0
    held: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, problem: str | None) -> None:
        self.tried += 1
        if problem:
            self.failed += 1
            self.failures.append(problem)
        else:
            self.held += 1

    def line(self) -> str:
        return f"{self.name}: tried {self.tried}, held {self.held}, failed {self.failed}"


def scratch(server: str, name: str) -> str:
    """An empty, migrated database `name` on the loopback server (created when missing, else wiped)."""
    url = make_url(server).set(database=name)
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(rendered)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return rendered


def _staff(engine, users: dict[str, str]) -> None:
    """The scratch database's staff: a first administrator, who registers the campaign's people."""
    from ..services import staff
    workflow, admin = load(), "reliability-admin"
    with transaction(engine) as conn:
        staff.add(conn, workflow, admin, admin, "reliability campaign", "administrator")
        for user, role in users.items():
            staff.add(conn, workflow, admin, user, user, role, ["泉尾"])


def _import(engine, kind: str, body: str) -> None:
    from ..services.imports import import_file
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as fh:
        fh.write(body)
    try:
        with transaction(engine) as conn:
            import_file(conn, kind, fh.name, actor="reliability")
    finally:
        os.unlink(fh.name)


# --- concurrency ------------------------------------------------------------------------------------

def _household(r: int) -> str:
    return f"R{r:04d}"


def _racer(url: str, index: int, rounds: int, barrier, stop, results) -> None:
    from ..services import actions, queue
    from ..workflow.machine import Refused
    engine, workflow, clerk = make_engine(url), load(), f"clerk{index}"

    def attempt(action) -> str:
        try:
            with transaction(engine) as conn:
                action(conn)
            return "done"
        except Refused:
            return "refused"
        except Exception as exc:  # an internal error fails the race: reported, not lost
            return f"error {exc.__class__.__name__}: {str(exc)[:200]}"
    for r in range(rounds):
        barrier.wait()
        if stop.value:
            break
        schedule = [(AGREED_ON + timedelta(days=30), 10_000)]
        results.put(attempt(lambda c: actions.agree_plan(c, workflow, _household(r), AGREED_ON, schedule, clerk)))
        barrier.wait()
        results.put(attempt(lambda c: queue.claim(c, workflow, _item(c, r), clerk)))
    engine.dispose()


def _item(conn, r: int) -> int:
    return conn.execute(select(queue_items.c.id).join(households).where(
        households.c.household_no == _household(r), queue_items.c.kind == "broken_plan")).scalar_one()


def concurrency(server: str, prefix: str, processes: int, rounds: int, seconds: float) -> Tally:
    from ..services import queue
    from ..services.business_date import run_date
    tally, workflow = Tally("concurrency"), load()
    url = scratch(server, prefix)
    engine = make_engine(url)
    _import(engine, "households", "household_no,head_name,head_name_kana,head_birth_date,postal_code,address,district\n"
            + "".join(f"{_household(r)},世帯主,セタイヌシ,1970-01-02,551-0031,大阪市大正区泉尾1丁目1-1,泉尾\n"
                      for r in range(rounds)))
    _import(engine, "assessments", "household_no,fiscal_year,installment,due_date,amount\n"
            + "".join(f"{_household(r)},2023,1,2023-06-30,10000\n" for r in range(rounds)))
    run_date(engine, workflow, DEMANDED_ON)  # every household demanded: a plan may be agreed
    _staff(engine, {f"clerk{i}": "clerk" for i in range(processes)})
    with transaction(engine) as conn:  # a broken plan each opens the queue item raced for; then it goes
        conn.execute(installment_plans.insert(), [{"household_id": h, "agreed_on": DEMANDED_ON, "agreed_by": "clerk0",
                                                   "status": "broken", "ended_on": DEMANDED_ON}
                                                  for h in conn.execute(select(households.c.id)).scalars()])
        queue.refresh(conn, workflow, DEMANDED_ON)
        conn.execute(installment_plans.delete())
    ctx = multiprocessing.get_context("spawn")
    barrier, stop, results = ctx.Barrier(processes + 1), ctx.Value("b", 0), ctx.Queue()
    workers = [ctx.Process(target=_racer, args=(url, i, rounds, barrier, stop, results)) for i in range(processes)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + seconds
    for r in range(rounds):
        if time.monotonic() > deadline:
            stop.value = 1
            barrier.wait()
            break
        for race in ("plan", "claim"):
            barrier.wait()
            outcomes = sorted(results.get(timeout=300) for _ in workers)
            tally.count(_race_problem(engine, race, r, outcomes))
    for w in workers:
        w.join(60)
    engine.dispose()
    return tally


def _race_problem(engine, race: str, r: int, outcomes: list[str]) -> str | None:
    if outcomes != ["done"] + ["refused"] * (len(outcomes) - 1):
        return f"{race} round {r}: {outcomes}"
    with engine.connect() as conn:
        hid = conn.execute(select(households.c.id).where(households.c.household_no == _household(r))).scalar_one()
        if race == "claim":
            holder = conn.execute(select(queue_items.c.claimed_by).where(queue_items.c.id == _item(conn, r))).scalar()
            return None if holder else f"claim round {r}: nobody holds the item"
        counts = [conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one() for table, where in (
            (installment_plans, [installment_plans.c.household_id == hid]),
            (letters, [letters.c.household_id == hid, letters.c.letter_type == "installment_plan"]),
            (stage_transitions, [stage_transitions.c.household_id == hid, stage_transitions.c.trigger == "agree_plan"]))]
    return None if counts == [1, 1, 1] else f"plan round {r}: plans, letters, transitions = {counts}"


# --- crash ------------------------------------------------------------------------------------------

def _command(url: str, out: Path, on: date) -> list[str]:
    return [sys.executable, "-m", "nhi_collect", "--db", url, "--out", str(out), "run", "--date", on.isoformat()]


def _snapshot(url: str) -> dict:
    engine = make_engine(url)
    with engine.connect() as conn:
        snap = {
            "stages": conn.execute(select(households.c.household_no, households.c.stage, households.c.stage_since)
                                   .order_by(households.c.household_no)).all(),
            "letters": conn.execute(select(letters.c.serial, letters.c.letter_type, households.c.household_no,
                                           letters.c.issued_on).join(households).order_by(letters.c.serial)).all(),
            "history": conn.execute(select(households.c.household_no, stage_transitions.c.on_date,
                                           stage_transitions.c.from_stage, stage_transitions.c.to_stage,
                                           stage_transitions.c.trigger).join(households)
                                    .order_by(households.c.household_no, stage_transitions.c.id)).all(),
            "demands": conn.execute(select(func.count()).select_from(demand_notices)).scalar_one(),
            "jobs": conn.execute(select(batch_runs.c.job, batch_runs.c.business_date, batch_runs.c.status)
                                 .order_by(batch_runs.c.business_date, batch_runs.c.job)).all(),
        }
    engine.dispose()
    return snap


def _reached(point: str, url: str, out: Path, on: date, started: float) -> bool:
    """Whether the run has reached the kill point, as seen from outside (the database, the folder)."""
    if point == "started":
        return time.monotonic() - started > 0.5
    if point == "printing":
        folder = out / "letters" / on.isoformat()
        return folder.is_dir() and not (folder / "SHA256SUMS").exists()
    engine = make_engine(url)
    with engine.connect() as conn:
        done = conn.execute(select(func.count()).select_from(batch_runs).where(batch_runs.c.business_date == on,
                                                                              batch_runs.c.status == "done")).scalar_one()
    engine.dispose()
    return done > 0


def _ward(url: str, folder: Path) -> None:
    from ..services.identity import login_name
    engine = make_engine(url)
    for kind in ("households", "assessments"):
        _import(engine, kind, (folder / f"{kind}.csv").read_text("utf-8"))
    _staff(engine, {login_name(): "operator"})  # `run` acts as the person running the campaign
    engine.dispose()


def crash(server: str, prefix: str, trials: int, seconds: float, work: Path) -> Tally:
    from ..services.printing import verify
    from .synthetic import generate_ward
    tally = Tally("crash")
    target, reference = scratch(server, prefix), scratch(server, f"{prefix}_ref")
    generate_ward(200, range(2022, 2024), 11, work / "ward")
    for url in (target, reference):
        _ward(url, work / "ward")
    deadline, on = time.monotonic() + seconds, CRASH_FROM
    for trial in range(trials):
        if time.monotonic() > deadline:
            break
        while not is_office_day(on):
            on += timedelta(days=1)
        point = KILL_POINTS[trial % len(KILL_POINTS)]
        subprocess.run(_command(reference, work / "ref", on), check=True, capture_output=True, timeout=600)
        process = subprocess.Popen(_command(target, work / "out", on), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        started = time.monotonic()
        while process.poll() is None and not _reached(point, target, work / "out", on, started):
            time.sleep(0.02)
        killed = process.poll() is None
        if killed:
            os.kill(process.pid, signal.SIGKILL)  # its PDF workers and browsers die with it (adapters/orphans.py)
        process.wait()
        again = subprocess.run(_command(target, work / "out", on), capture_output=True, text=True, timeout=600)
        problem = None
        if again.returncode != 0:
            problem = f"{on} ({point}): the run after the kill exited {again.returncode}: {again.stderr[-300:]}"
        elif _snapshot(target) != _snapshot(reference):
            problem = f"{on} ({point}): the database differs from the undisturbed run's"
        else:
            engine = make_engine(target)
            with engine.connect() as conn:
                register = set(conn.execute(select(letters.c.serial).where(letters.c.issued_on == on)).scalars())
                if verify(work / "out" / "letters" / on.isoformat(), register, on).status != "done":
                    problem = f"{on} ({point}): the print files do not hold the register's letters"
            engine.dispose()
        if killed:
            tally.count(problem)
            tally.notes.append(f"{on}: killed at {point}")
        else:  # no crash was tried; a restart that broke the date would still be a failure
            tally.notes.append(f"{on}: finished before '{point}', not killed, not counted")
            if problem:
                tally.count(problem)
        on += timedelta(days=1)
    return tally


# --- fuzz -------------------------------------------------------------------------------------------

def fuzz(server: str, prefix: str, files: int, seconds: float) -> Tally | None:
    """nhi_collect.tools.fuzz's campaign(url, files, seconds), which returns tried / held / failed /
    failures. The importing person is the login, registered as a clerk: no --as, whose recorded use
    would change the database the campaign compares."""
    try:
        module = importlib.import_module(f"{__package__}.fuzz")
    except ModuleNotFoundError:
        return None
    from ..services.identity import login_name
    url = scratch(server, f"{prefix}_fuzz")
    engine = make_engine(url)
    _staff(engine, {login_name(): "clerk"})
    engine.dispose()
    result = module.campaign(url, files, seconds)
    return Tally("fuzz", result.tried, result.held, result.failed, list(result.failures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Concurrency, crash and fuzz campaigns (issue 15).")
    parser.add_argument("--server", required=True,
                        help="PostgreSQL on this machine, e.g. postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--prefix", default="nhi_reliability", help="name of the campaigns' own databases")
    parser.add_argument("--seconds", type=float, default=120, help="time for each campaign")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10, help="concurrency rounds (each races a plan and a claim)")
    parser.add_argument("--trials", type=int, default=6, help="crash trials (one business date each)")
    parser.add_argument("--files", type=int, default=100, help="fuzz files")
    parser.add_argument("--campaigns", default="concurrency,crash,fuzz")
    args = parser.parse_args(argv)
    host = make_url(args.server).host
    if not args.server.startswith("postgresql") or host not in LOOPBACK:
        print(f"reliability: --server must be PostgreSQL on this machine ({', '.join(sorted(LOOPBACK))}), not "
              f"{host}: the campaigns wipe their own databases and stay on the loopback", file=sys.stderr)
        return 2
    tallies, wanted = [], args.campaigns.split(",")
    if "concurrency" in wanted:
        tallies.append(concurrency(args.server, args.prefix, args.processes, args.rounds, args.seconds))
    if "crash" in wanted:
        work = Path(tempfile.mkdtemp(prefix="nhi-reliability-"))
        try:
            tallies.append(crash(args.server, args.prefix, args.trials, args.seconds, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if "fuzz" in wanted:
        result = fuzz(args.server, args.prefix, args.files, args.seconds)
        if result is None:
            print("fuzz: not run (nhi_collect.tools.fuzz, the input engineer's campaign, is not installed here)")
        else:
            tallies.append(result)
    for tally in tallies:
        print(tally.line())
        for line in tally.notes + [f"FAILED {f}" for f in tally.failures]:
            print(f"  {line}")
    return 1 if any(t.failed for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
