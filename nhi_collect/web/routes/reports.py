"""収納率の報告, the monthly report (services/report.py, the same report as the CLI's `report monthly`): the two
rates against the targets with last year and the projection as a chart (web/chart.py) and as a table, the
breakdowns, any further figures the report carries, and its CSV and XLSX files written by adapters/report_files.
The figures are those the business date's run computed (a city's ledger takes seconds to sum); "集計し直す"
recomputes them now, and the downloads carry the same figures as the page.
The `report` duty of the workflow file (clerks, supervisors and auditors, as on the command line: the report
names no household)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import UserError
from ...services.casefile import PLAN_STATUS, PROPERTY, WRITE_OFF
from ...services.households import current_accounting_year
from ...services.report import report_file, report_of
from ..chart import legend, month_label, rates_svg
from ..guard import Web, needs
from ..render import render

router = APIRouter()
WORKBOOK = "collection-rates.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Japanese labels of the report's keys; a key without one (a figure added later) is shown by its own name
LABELS = {"stage": "段階", "district": "地区", "arrears_age": "滞納年数別", "years": "滞納年数", "households": "世帯",
          "overdue": "滞納額", "letters": "通知書", "type": "種類", "seizures": "差押", "property": "財産",
          "amount": "金額", "collected": "取立額", "plans": "分納", "status": "状況", "write_offs": "不納欠損",
          "ground": "事由", "installments": "期別数", "late_fees": "延滞金の収納", "count": "件数",
          "applications_overdue": "処理期限を過ぎた申請", "kind": "種類"}
KNOWN = {"fiscal_year", "as_of", "current_year", "arrears", "targets", "recorded", "series", "projection", "breakdowns",
         "computed", "late_fees", "applications"}
VALUES = {"property": PROPERTY, "status": PLAN_STATUS, "ground": WRITE_OFF}  # the breakdowns' codes in words


def _choice(fiscal_year: int | None, as_of: str, today: date) -> tuple[int, date]:
    try:
        on = date.fromisoformat(as_of) if as_of else today
    except ValueError:
        raise UserError(f"基準日 {as_of[:20]!r} は日付（YYYY-MM-DD）ではありません") from None
    return fiscal_year or current_accounting_year(on), on


@router.get("/reports")
def monthly_report(request: Request, fiscal_year: int | None = None, as_of: str = "", now: bool = False,
                   web: Web = Depends(needs("report"))):
    year, on = _choice(fiscal_year, as_of, web.services.today())
    data = web.services.read(report_of, web.workflow, year, on, web.user, now=now, latest=not as_of)
    extra = {k: v for k, v in data.items() if k not in KNOWN}  # figures other parts of the engine add
    return render(request, web, "reports.html", data=data, chart=rates_svg(data), legend=legend(),
                  month_label=month_label, extra=extra, workbook=WORKBOOK, labels=LABELS, values=VALUES,
                  titles={k: t.title for k, t in web.workflow.letter_types.items()})


@router.get("/reports/{fiscal_year}/{as_of}/{name}")
def download(fiscal_year: int, as_of: str, name: str, now: bool = False, web: Web = Depends(needs("report"))):
    """The workbook or `TABLE.csv` of the figures the page showed: written by the CLI's writer into a folder of
    its own, then sent."""
    year, on = _choice(fiscal_year, as_of, web.services.today())
    table = "xlsx" if name == WORKBOOK else name.removesuffix(".csv") if name.endswith(".csv") else name + "?"
    with tempfile.TemporaryDirectory(prefix="nhi-report-") as folder:
        path = web.services.read(report_file, web.workflow, year, on, table, Path(folder), web.user,
                                     now=now)
        content = path.read_bytes()
    media = XLSX if path.suffix == ".xlsx" else "text/csv; charset=utf-8"
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{path.name}"', "Cache-Control": "no-store"})
