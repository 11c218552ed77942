"""The calendar and its runs on screen: the fiscal year's rounds (the workflow file's [[calendar]]), each business
date's run as batch_runs recorded it (jobs, who or what started them, moves per edge, letters per type), whether
its print files are complete (the files checked against the manifest and checksums, services/printing.verify),
what to do about a date that is not, a date's print files for download (path-safe, access-logged: the letters
carry households' names, addresses and debts), and a dry run of a coming date with sample letters."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine

from ..adapters import letter_register
from ..adapters.batch_runs import moves_of, runs_between, runs_of
from ..adapters.letters import Batch, render_letter, write_pdfs
from ..domain.calendar import is_office_day, month_end, next_office_day
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.jobs import scheduled
from .business_date import QUEUE_JOB, last_run_date, refuse_backward, run_date
from .identity import authorize
from .letters import letter_context
from .printing import PRINT_JOB, verify
from .staff import log_access, log_reads

# a dry run renders the first letter (by postal code) of each type it would issue, marked 見本 (specimen) across
# its first page so a printed sample is never taken for a letter that was issued
SAMPLES_PER_TYPE = 1
DRY_RUNS = "dry-runs"  # under OUT: the samples of the last dry run of each date
FILE_NAME = re.compile(r"[a-z_]{1,40}\.pdf|manifest\.csv|SHA256SUMS")


def fiscal_days(fiscal_year: int) -> tuple[date, date]:
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def rounds(workflow: Workflow, fiscal_year: int) -> list[dict]:
    """The year's round dates (jobs on days of given months; a closed day moves to the next office day), and the
    jobs every office day and every month end runs, as the workflow file lists them."""
    first, last = fiscal_days(fiscal_year)
    dated: dict[date, list[str]] = {}
    for job in workflow.calendar:
        for month in job.months:
            on = next_office_day(date(fiscal_year + (month < 4), month, job.day))
            dated.setdefault(on, []).append(job.job)
    every = {kind: [j.job for j in workflow.calendar if j.every == kind] for kind in ("business_day", "month_end")}
    month_ends = [last_office_day(fiscal_year + (m < 4), m) for m in (*range(4, 13), 1, 2, 3)]
    return [{"on": on, "jobs": jobs, "every_day": every["business_day"], "month_end": on in month_ends}
            for on, jobs in sorted(dated.items()) if first <= on <= last]


def last_office_day(year: int, month: int) -> date:
    day = month_end(year, month)
    while not is_office_day(day):
        day -= timedelta(days=1)
    return day


def year_runs(conn: Connection, workflow: Workflow, fiscal_year: int, today: date, out: Path, user: str) -> dict:
    """Every office day of the year up to today (and any date run later): its jobs as recorded, its letters, its
    print row and whether its files are there, and what is wrong with it (`problems`, empty when complete)."""
    authorize(conn, workflow, user, "read_runs")
    first, last = fiscal_days(fiscal_year)
    rows = runs_between(conn, first, last)
    issued = letter_register.letters_per_day(conn, first, last)
    per_date: dict[date, list] = {}
    for row in rows:
        per_date.setdefault(row.business_date, []).append(row)
    latest = last_run_date(conn)
    days, on = [], first
    while on <= last and (on <= today or on in per_date):
        if is_office_day(on) or on in per_date:
            days.append(_summary(workflow, on, per_date.get(on, []), issued.get(on, 0), out, latest))
        on += timedelta(days=1)
    state = {d["on"]: "bad" if d["problems"] else "done" if d["run"] else None for d in days}
    year_rounds = [{**r, "state": state.get(r["on"])} for r in rounds(workflow, fiscal_year)]
    coming = next_office_day(latest + timedelta(days=1)) if latest else next_office_day(today)
    return {"fiscal_year": fiscal_year, "rounds": year_rounds, "days": days[::-1], "last_run": latest,
            "next_date": coming}


def _summary(workflow: Workflow, on: date, rows: list, issued: int, out: Path, latest: date | None) -> dict:
    jobs = {r.job: r for r in rows}
    printed = jobs.pop(PRINT_JOB, None)
    missing = [j.job for j in scheduled(workflow, on) if j.job not in jobs]
    problems = []
    if missing and latest is not None and on <= latest:
        problems.append(f"未実行のジョブ {len(missing)}件")
    if issued:
        detail = json.loads(printed.detail) if printed is not None and printed.detail else {}
        if printed is None:
            problems.append("印刷ファイル未作成")
        elif printed.status != "done" or detail.get("issued") != issued:
            problems.append(f"印刷未完了（{detail.get('printed', 0):,} / {issued:,} 通）")
        elif not _files_present(out / "letters" / on.isoformat()):
            problems.append("印刷ファイルが欠けています")
    started = next((r for r in jobs.values() if r.started_by), None)
    return {"on": on, "jobs": len(jobs), "scheduled": len(scheduled(workflow, on)), "letters": issued,
            "started_by": started.started_by if started else None, "via": started.started_via if started else None,
            "problems": problems, "run": bool(jobs)}


def _files_present(folder: Path) -> bool:
    """Cheap, for the year's list: every file SHA256SUMS names is there (the date's page checks the checksums)."""
    try:
        names = [line.partition("  ")[2] for line in (folder / "SHA256SUMS").read_text("utf-8").splitlines() if line]
    except OSError:
        return False
    return (folder / "manifest.csv").is_file() and all((folder / n).is_file() for n in names)


def date_run(conn: Connection, workflow: Workflow, on: date, out: Path, user: str) -> dict:
    """One business date: its jobs (who or what started each, what each reported), its moves per edge, its
    letters per type, its print files checked against the register, manifest and checksums, and what to do."""
    authorize(conn, workflow, user, "read_runs")
    rows = runs_of(conn, on)
    jobs = [{"job": r.job, "status": r.status, "started_at": r.started_at, "finished_at": r.finished_at,
             "started_by": r.started_by, "via": r.started_via, "report": json.loads(r.detail) if r.detail else {}}
            for r in rows]
    job_of = {r.id: r.job for r in rows}
    moves = [{"job": job_of.get(run_id, "職員の操作"), "from": f, "to": t, "trigger": trig, "households": n}
             for run_id, f, t, trig, n in moves_of(conn, on)]
    per_type = [{"type": t, "batch": bool(b), "letters": n} for t, b, n in letter_register.letters_per_type(conn, on)]
    folder = out / "letters" / on.isoformat()
    register = letter_register.serials_of(conn, on)
    check = verify(folder, register, on)
    recorded = next((j for j in jobs if j["job"] == PRINT_JOB), None)
    missing = [j.job for j in scheduled(workflow, on) if j.job not in {r.job for r in rows}]
    latest = last_run_date(conn)
    problems = [*(["未実行のジョブ: " + "、".join(missing)] if missing and latest and on <= latest else []),
                *(["印刷ファイルが登録簿と一致しません（" + f"{check.printed:,} / {check.issued:,} 通）"]
                  if register and check.printed != check.issued else []),
                *(_in_japanese(problem, folder) for problem in check.problems)]
    if register and recorded is None:
        problems.append("印刷の記録がありません")
    elif recorded is not None and recorded["status"] != "done":
        problems.append("印刷の記録が未完了です")
    todo = []
    if missing and latest and on <= latest:
        todo.append(f"nhi-collect run --date {on}" + (" --allow-backward" if on < latest else ""))
    if register and problems:
        todo.append(f"nhi-collect letters print --date {on}")
    files = sorted((p.name for p in folder.iterdir() if p.is_file() and FILE_NAME.fullmatch(p.name)),
                   key=lambda name: (not name.endswith(".pdf"), name)) if folder.is_dir() else []
    return {"on": on, "jobs": [j for j in jobs if j["job"] != PRINT_JOB], "print": recorded, "moves": moves,
            "letters": per_type, "issued": len(register), "printed": check.printed, "problems": problems,
            "todo": todo, "files": files, "missing": missing, "scheduled": [j.job for j in scheduled(workflow, on)],
            "queue_job": QUEUE_JOB}


def _in_japanese(problem: str, folder: Path) -> str:
    """printing.verify's findings, with the file's name instead of the server's path."""
    if problem.startswith(f"{folder}: "):
        return f"manifest.csv か SHA256SUMS を読めません（{problem.removeprefix(f'{folder}: ')}）"
    name, _, what = problem.removeprefix(f"{folder}/").partition(": ")
    return {"missing or not matching its checksum": f"{name}: ファイルがないか、チェックサムが一致しません",
            "letters not in the register or listed twice": f"{name}: 登録簿にない通知書か、二重の記載があります"
            }.get(what, f"{name}: {what}" if what else name)


def print_file(conn: Connection, workflow: Workflow, on: date, name: str, out: Path, user: str) -> Path:
    """A date's PDF batch, manifest or checksums. Only those names, in that date's folder (no path from the
    request reaches the file system), and the households whose letters it holds are logged as read (seed 窓3)."""
    authorize(conn, workflow, user, "read_runs")
    kind = name.removesuffix(".pdf") if name.endswith(".pdf") else None
    if not FILE_NAME.fullmatch(name) or (kind is not None and kind not in workflow.letter_types):
        raise UserError(f"{name[:60]!r} is no print file of a date: a letter type's PDF (e.g. demand_notice.pdf), "
                        "manifest.csv or SHA256SUMS")
    path = out / "letters" / on.isoformat() / name
    if not path.is_file():
        raise UserError(f"{on} has no print file {name}: print the date with `nhi-collect letters print --date {on}`")
    if name != "SHA256SUMS":  # the checksums name no household
        log_reads(conn, user, letter_register.households_of_print_file(on, kind), f"print file {on}/{name}",
                  "web print file")
    return path


def dry_run(engine: Engine, workflow: Workflow, on: date, out: Path, user: str) -> dict:
    """What running `on` would do, nothing kept (business_date.run_date's dry run, rolled back): the jobs'
    moves, the letters per type and households, and the first letter of each type rendered as a sample PDF
    under OUT/dry-runs/DATE/ (the sample's household logged as read)."""
    with engine.begin() as conn:
        authorize(conn, workflow, user, "run_date")
    refuse_backward(engine, workflow, on)
    seen: dict = {}

    def look(conn: Connection) -> None:
        seen["letters"] = [{"type": t, "letters": n, "households": h}
                           for t, n, h in letter_register.letters_and_households_per_type(conn, on)]
        seen["samples"] = []
        for row in seen["letters"]:
            first = letter_register.first_letters(conn, on, row["type"], SAMPLES_PER_TYPE)
            seen["samples"].append({"type": row["type"], "serial": first.serial, "household_id": first.household_id,
                                    "html": render_letter({**letter_context(conn, workflow, first.id), "sample": True})})

    reports = run_date(engine, workflow, on, dry_run=True, before_rollback=look)
    folder = out / DRY_RUNS / on.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.pdf"):
        old.unlink()
    samples = seen.get("samples", [])
    if samples:  # after the rollback: a PDF takes seconds, and the dry run's locks are released by now
        write_pdfs([Batch(folder / f"{s['type']}.pdf", f"見本 {s['serial']}", [s["html"]], [s["serial"]])
                    for s in samples])
    (folder / "samples.json").write_text(json.dumps({s["type"]: s["household_id"] for s in samples}), "utf-8")
    with engine.begin() as conn:
        for s in samples:
            log_access(conn, user, s["household_id"], f"dry run {on} sample {s['type']}", "web dry run")
    return {"on": on, "jobs": [r.as_json() for r in reports], "letters": seen.get("letters", []),
            "samples": [{"type": s["type"], "serial": s["serial"]} for s in samples]}


def sample_file(conn: Connection, workflow: Workflow, on: date, kind: str, out: Path, user: str) -> Path:
    """A dry run's sample letter: a letter type's name only, in that date's folder; its household logged."""
    authorize(conn, workflow, user, "run_date")
    if kind not in workflow.letter_types:
        raise UserError(f"{kind[:40]!r} is no letter type of the workflow file")
    folder = out / DRY_RUNS / on.isoformat()
    try:
        household_id = json.loads((folder / "samples.json").read_text("utf-8"))[kind]
    except (OSError, KeyError, ValueError):
        raise UserError(f"no sample {kind} of a dry run of {on}: run the dry run again") from None
    log_access(conn, user, household_id, f"dry run {on} sample {kind}", "web dry run")
    return folder / f"{kind}.pdf"
