"""The monthly collection-rate report (contract.md `report monthly`): the two rates, the month-end
snapshot recorded by the calendar's month-end job beside the recomputed figures, the month-by-month
series against last year and the targets with a projection, and the section head's breakdowns."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, select

from ..adapters.report_files import write_all, write_csv, write_xlsx
from ..adapters.tables import nightly_reports, rate_snapshots
from ..errors import UserError
from . import applications
from .identity import authorize
from .rates import collection_rates, late_fees
from .series import breakdowns, projection, series


def monthly(conn: Connection, fiscal_year: int, as_of: date, targets: dict | None = None,
            full: bool = True) -> dict:
    r = collection_rates(conn, fiscal_year, as_of)
    data = {
        "fiscal_year": fiscal_year, "as_of": as_of.isoformat(),
        "current_year": {"assessed": r.current_year.assessed, "whereabouts_unknown": r.current_year.whereabouts_unknown,
                         "collected": r.current_year.collected, "rate": r.current_year.rate},
        "arrears": {"carried_over": r.arrears.carried_over, "collected": r.arrears.collected,
                    "written_off": r.arrears.written_off, "rate": r.arrears.rate,
                    # an addition to contract.md: 過年度還付 during the year, no collection (domain/refunds.py)
                    "prior_year_refunds": r.arrears.prior_year_refunds,
                    "prior_year_refunds_paid": r.arrears.refunds_paid},
        # an addition to contract.md: late fees collected beside the rates, which count premium only
        "late_fees": late_fees(conn, fiscal_year, as_of),
    }
    # an addition to contract.md: applications with clocks as they stood on as_of; closed (and late) in the year
    data["applications"] = applications.counts(conn, as_of, since=date(fiscal_year, 4, 1))
    if targets:
        data["targets"] = targets
    recorded = conn.execute(select(rate_snapshots.c.figures).where(rate_snapshots.c.fiscal_year == fiscal_year,
                                                                   rate_snapshots.c.as_of == as_of)
                            .order_by(rate_snapshots.c.id.desc())).scalar()
    if recorded is not None:
        data["recorded"] = json.loads(recorded)  # as the month-end job saw it; differs after back-dated entries
    if full:
        this_year, last_year = series(conn, fiscal_year), series(conn, fiscal_year - 1)
        data["series"] = [{"month_end": p.month_end.isoformat(), "current_year": p.current_year,
                           "arrears": p.arrears, "last_year_current_year": q.current_year,
                           "last_year_arrears": q.arrears, "reached": p.month_end <= as_of}
                          for p, q in zip(this_year, last_year)]
        data["projection"] = projection(this_year, last_year, as_of)
        data["breakdowns"] = breakdowns(conn, fiscal_year, as_of)
    return data


def monthly_text(d: dict) -> str:
    c, a = d["current_year"], d["arrears"]
    t = d.get("targets", {})
    lines = [f"収納率 FY{d['fiscal_year']} as of {d['as_of']}",
             f"  現年度分  {c['rate'] or '—':>6} %  = collected {c['collected']:,} / (assessed {c['assessed']:,}"
             f" − whereabouts unknown {c['whereabouts_unknown']:,})   target {t.get('current_year', '—')} %",
             f"  滞納繰越分 {a['rate'] or '—':>6} %  = collected {a['collected']:,} / carried over {a['carried_over']:,}"
             f"   (written off during the year {a['written_off']:,})   target {t.get('arrears', '—')} %",
             f"  過年度還付 {a['prior_year_refunds']:,} yen repaid from expenditure (not in either rate)",
             f"  還付金 (refunds naming prior-year installments) {a['prior_year_refunds_paid']:,} yen paid from credit",
             f"  延滞金 collected {d['late_fees']['collected_in_month']:,} yen this month, "
             f"{d['late_fees']['collected_in_year']:,} yen this year (booked {d['late_fees']['booked_in_year']:,} yen;"
             " not in either rate)"]
    if "applications" in d:
        ap = d["applications"]
        lines.append(f"  申請 (applications with clocks): open {ap['open']:,}, overdue {ap['overdue']:,}; "
                     f"closed in the year {ap.get('closed', 0):,}, of which late {ap.get('closed_late', 0):,}")
    if "recorded" in d:
        rc, ra = d["recorded"]["current_year"], d["recorded"]["arrears"]
        lines.append(f"  recorded at month end: 現年度分 {rc['rate']} %, 滞納繰越分 {ra['rate']} %")
    if "series" in d:
        lines += ["", f"  {'month end':<12}{'現年度分':>10}{'前年同月':>10}{'滞納繰越分':>10}{'前年同月':>10}"]
        lines += [f"  {p['month_end']:<12}{_pct(p['current_year'], p['reached']):>12}{_pct(p['last_year_current_year']):>12}"
                  f"{_pct(p['arrears'], p['reached']):>12}{_pct(p['last_year_arrears']):>12}" for p in d["series"]]
        pr = d["projection"]
        lines.append(f"  projected year end (along last year's curve): 現年度分 {pr['current_year'] or '—'} %, "
                     f"滞納繰越分 {pr['arrears'] or '—'} %")
        b = d["breakdowns"]
        lines += ["", "  stage (段階)            households      overdue yen"]
        lines += [f"  {r['stage']:<22}{r['households']:>11,}{r['overdue']:>17,}" for r in b["stage"]]
        lines += ["", "  district (地区)         households      overdue yen"]
        lines += [f"  {r['district']:<20}{r['households']:>11,}{r['overdue']:>17,}" for r in b["district"]]
        lines += ["", "  arrears age (滞納年数)  households      overdue yen"]
        lines += [f"  {str(r['years']) + ' years':<22}{r['households']:>11,}{r['overdue']:>17,}" for r in b["arrears_age"]]
        lines += ["", "  letters (通知書): " + ", ".join(f"{r['type']} {r['letters']:,}" for r in b["letters"]),
                  "  seizures (差押): " + (", ".join(f"{r['property']} {r['seizures']:,} ({r['collected']:,} yen collected)"
                                                    for r in b["seizures"]) or "none"),
                  "  installment plans (分納): " + (", ".join(f"{r['status']} {r['plans']:,}" for r in b["plans"]) or "none"),
                  "  write-offs (不納欠損): " + (", ".join(f"{r['ground']} {r['installments']:,} ({r['amount']:,} yen)"
                                                       for r in b["write_offs"]) or "none")]
    return "\n".join(lines)


def _pct(value: str | None, reached: bool = True) -> str:
    return "" if not reached else (f"{value} %" if value is not None else "—")


def monthly_with_files(conn: Connection, fiscal_year: int, as_of: date, targets: dict | None,
                       folder: Path | None) -> tuple[dict, list[Path]]:
    """The monthly report, and its CSV, XLSX and HTML under `folder` when one is given."""
    data = monthly(conn, fiscal_year, as_of, targets)
    return data, write_all(data, folder) if folder is not None else []


def report_of(conn: Connection, workflow, fiscal_year: int, as_of: date, user: str, *, now: bool = False,
              latest: bool = False) -> dict:
    """The monthly report as the web app shows it: the `report` duty checked (workflow file), then the figures
    the business date's run computed as of `as_of` (services/business_date.report_night; `latest`: its last
    report of the year on or before `as_of`, the page opened without a date), or, with `now` or without such a
    report, the same report as the CLI's `report monthly` computed now. `computed` says which, and when. No
    household is named in it, so nothing is access-logged."""
    authorize(conn, workflow, user, "report")
    if not now:
        query = (select(nightly_reports.c.figures, nightly_reports.c.computed_at)
                 .where(nightly_reports.c.fiscal_year == fiscal_year))
        query = (query.where(nightly_reports.c.as_of <= as_of).order_by(nightly_reports.c.as_of.desc()).limit(1)
                 if latest else query.where(nightly_reports.c.as_of == as_of))
        stored = conn.execute(query).first()
        if stored is not None:
            return {**json.loads(stored.figures), "computed": {"at": stored.computed_at, "nightly": True}}
    return {**monthly(conn, fiscal_year, as_of, workflow.targets),
            "computed": {"at": datetime.now(timezone.utc), "nightly": False}}


def report_file(conn: Connection, workflow, fiscal_year: int, as_of: date, name: str, folder: Path, user: str,
                now: bool = False) -> Path:
    """One of the files `report monthly` writes (adapters/report_files.py), written now under `folder` from the
    figures the page shows (report_of): the XLSX workbook, or one table's CSV (summary, series or a breakdown).
    No other name is a report file."""
    data = report_of(conn, workflow, fiscal_year, as_of, user, now=now)
    stem = f"collection-rates-FY{fiscal_year}-{as_of.isoformat()}"
    tables = ["summary", "series", *data["breakdowns"]]
    if name == "xlsx":
        return write_xlsx(data, folder / f"{stem}.xlsx")
    if name not in tables:
        raise UserError(f"{name[:40]!r} is no report file: xlsx, or a table's CSV ({', '.join(tables)})")
    return next(p for p in write_csv(data, folder, stem) if p.name == f"{stem}-{name}.csv")
