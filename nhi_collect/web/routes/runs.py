"""業務日程と処理結果, the calendar and its runs (services/runs.py): the fiscal year's rounds and each business date's
run; a date's jobs, moves, letters and print files (checked against the manifest and checksums), a date not
complete shown in red with the command that mends it; the print files for download (logged); a dry run of a
coming date (the operator's duty, run_date) with a sample of each letter. Auditors read and change nothing;
clerks are refused by the workflow file's duty (read_runs: the whole ward's letters are no clerk's work)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse

from ...errors import UserError
from ...services.business_date import QUEUE_JOB, REPORT_JOB
from ...services.households import current_accounting_year
from ...services.runs import date_run, dry_run, print_file, sample_file, year_runs
from ..guard import Web, needs
from ..render import render

router = APIRouter()
MEDIA = {".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8"}
VIA = {"run": "run コマンド", "simulate": "simulate コマンド", "scheduler": "スケジューラ", "demo": "デモ",
       "simulation": "シミュレーション", "letters print": "letters print コマンド", "web": "画面"}
STEPS = {QUEUE_JOB: "翌朝の仕事の計算", REPORT_JOB: "夜間の収納率集計"}  # a run's steps after the calendar's jobs


def _labels(web: Web) -> dict:
    return {"jobs": web.workflow.job_labels | STEPS, "triggers": web.workflow.trigger_labels}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{text[:20]!r} は日付（YYYY-MM-DD）ではありません") from None


@router.get("/runs")
def calendar(request: Request, fiscal_year: int | None = None, web: Web = Depends(needs("read_runs"))):
    today = web.services.today()
    year = fiscal_year or current_accounting_year(today)
    data = web.services.transact(year_runs, web.workflow, year, today, web.services.out, web.user)
    return render(request, web, "runs.html", data=data, today=today, via=VIA, **_labels(web))


@router.get("/runs/{on}")
def one_date(request: Request, on: str, web: Web = Depends(needs("read_runs"))):
    data = web.services.transact(date_run, web.workflow, _date(on), web.services.out, web.user)
    return render(request, web, "run_date.html", data=data, via=VIA, today=web.services.today(), **_labels(web),
                  titles={k: t.title for k, t in web.workflow.letter_types.items()})


@router.get("/runs/{on}/files/{name}")
def download(on: str, name: str, web: Web = Depends(needs("read_runs"))):
    """Only a name the service knows, in the date's folder; the reading logged before the file is sent."""
    day = _date(on)
    path = web.services.transact(print_file, web.workflow, day, name, web.services.out, web.user)
    return FileResponse(path, media_type=MEDIA.get(path.suffix, "text/plain; charset=utf-8"),
                        filename=f"{day}-{name}", headers={"Cache-Control": "no-store"})


@router.post("/runs/dry-run")
def rehearse(request: Request, on: str = Form(...), web: Web = Depends(needs("run_date"))):
    data = dry_run(web.services.engine(), web.workflow, _date(on), web.services.out, web.user)
    return render(request, web, "dry_run.html", data=data, **_labels(web),
                  titles={k: t.title for k, t in web.workflow.letter_types.items()})


@router.get("/runs/{on}/dry-run/{kind}.pdf")
def sample(on: str, kind: str, web: Web = Depends(needs("run_date"))):
    day = _date(on)
    path = web.services.transact(sample_file, web.workflow, day, kind, web.services.out, web.user)
    return FileResponse(path, media_type="application/pdf", headers={"Cache-Control": "no-store",
                        "Content-Disposition": f'inline; filename="sample-{day}-{kind}.pdf"'})
