"""`nhi-collect bench`: the ward's work at a given size, each step beside a baseline measured in the same run.

The ledger is a generated ward (fiscal years 2022–2024) imported with every payment and adjustment
dated before the July round, so the round sees the ledger as it stood that morning. The demand notices
the old system would have sent are issued by one catch-up date (2024-06-03, timed, no baseline). Then:
the July round (2024-07-05) and a quiet day (2024-07-08), each after its bare-SQL baseline (the same
candidate selections as one UPDATE per edge, rolled back); the work queue's refresh (`queue`);
letters of the July round to HTML and PDF beside one WeasyPrint document per letter; the FY2023 report
beside one hand-written SQL aggregate.
Peak memory is this process's resident-set high-water mark per step (Linux /proc, reset before each).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import Date, Engine, bindparam, func, select, text, update

from ..adapters.db import make_engine, transaction, upgrade
from ..adapters.letters import Batch, render_letter, write_pdfs
from ..adapters.tables import households, letters
from ..services.business_date import run_date
from ..services.imports import import_file
from ..services.letters import letter_contexts
from ..services.queue import refresh
from ..workflow.definition import Workflow
from ..workflow.guards import Context
from ..workflow.jobs import candidates, round_scope, scheduled_on
from .synthetic import generate_ward

FISCAL_YEARS = range(2022, 2025)
CATCH_UP, JULY_ROUND, QUIET_DAY = date(2024, 6, 3), date(2024, 7, 5), date(2024, 7, 8)
REPORT_YEAR, REPORT_AS_OF = 2023, date(2024, 5, 31)
KINDS = ("households", "assessments", "adjustments", "payments")
DATED = {"adjustments": "adjusted_on", "payments": "paid_on"}


@dataclass
class Step:
    name: str
    seconds: float
    count: int = 0
    unit: str = ""
    peak_mb: float | None = None
    baseline: str = ""
    baseline_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else None

    def as_json(self) -> dict:
        return {**asdict(self), "per_second": round(self.rate, 1),
                "ratio_to_baseline": None if self.ratio is None else round(self.ratio, 2)}


def reset_peak() -> None:
    """Start a new resident-set high-water mark (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def timed(fn: Callable[[], object]) -> tuple[float, object, float | None]:
    """Wall time, result and peak resident memory of one step."""
    reset_peak()
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result, peak_mb()


def before(ward: Path, out: Path, kind: str, until: date) -> Path:
    """The rows of a dated input file received before `until` (what had arrived by that morning)."""
    with open(ward / f"{kind}.csv", encoding="utf-8", newline="") as src, \
         open(out / f"{kind}.csv", "w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in reader if r[DATED[kind]] < until.isoformat())
    return out / f"{kind}.csv"


def bare_moves(engine: Engine, workflow: Workflow, on: date) -> None:
    """The floor for a business date: the same candidate selections, each as one UPDATE of the stage,
    with no history, letters or claims, in one transaction that is rolled back."""
    with engine.connect() as conn, conn.begin() as tx:
        for job in workflow.calendar:
            if not scheduled_on(job, on):
                continue
            ctx = Context(on, workflow.policy, round_scope(job, on))
            for trigger in job.triggers:
                for dest, query in candidates(workflow, trigger, ctx):
                    conn.execute(update(households).where(households.c.id.in_(query)).values(stage=dest))
        tx.rollback()


BARE_RATES = """
SELECT
 (SELECT SUM(a.amount) FROM assessments a WHERE a.fiscal_year = :n)
 + (SELECT COALESCE(SUM(j.delta), 0) FROM adjustments j JOIN assessments a ON a.id = j.assessment_id
    WHERE a.fiscal_year = :n AND j.adjusted_on <= :until) AS assessed,
 (SELECT COALESCE(SUM(a.amount), 0) FROM assessments a
   WHERE a.fiscal_year = :n AND a.household_id IN (SELECT household_id FROM whereabouts_periods WHERE {UNKNOWN}))
 + (SELECT COALESCE(SUM(j.delta), 0) FROM adjustments j JOIN assessments a ON a.id = j.assessment_id
    WHERE a.fiscal_year = :n AND j.adjusted_on <= :until
      AND a.household_id IN (SELECT household_id FROM whereabouts_periods WHERE {UNKNOWN})) AS unknown,
 (SELECT COALESCE(SUM(amount), 0) FROM allocations WHERE fiscal_year = :n AND received_on BETWEEN :start AND :until
   AND NOT prior_year_refund) AS collected,
 (SELECT SUM(a.amount) FROM assessments a WHERE a.fiscal_year < :n)
 + (SELECT COALESCE(SUM(j.delta), 0) FROM adjustments j JOIN assessments a ON a.id = j.assessment_id
    WHERE a.fiscal_year < :n AND j.adjusted_on <= :carried)
 - (SELECT COALESCE(SUM(amount), 0) FROM allocations WHERE fiscal_year < :n AND received_on <= :carried)
 - (SELECT COALESCE(SUM(w.amount), 0) FROM write_offs w JOIN assessments a ON a.id = w.assessment_id
    WHERE a.fiscal_year < :n AND w.written_off_on <= :carried) AS carried,
 (SELECT COALESCE(SUM(amount), 0) FROM allocations
   WHERE fiscal_year < :n AND received_on BETWEEN :arrears_start AND :until AND NOT prior_year_refund)
   AS collected_arrears
""".replace("{UNKNOWN}", "(started_on IS NULL OR started_on <= :until) AND (ended_on IS NULL OR ended_on > :until)")


DATES = ("until", "start", "carried", "arrears_start")


def bare_rates(engine: Engine, n: int, as_of: date) -> tuple[float, float]:
    """Both rates from one hand-written statement (the floor for the report)."""
    from ..domain.collection_rate import closing_day
    until = min(as_of, closing_day(n))
    with engine.connect() as conn:
        statement = text(BARE_RATES).bindparams(*(bindparam(k, type_=Date) for k in DATES))
        r = conn.execute(statement, {"n": n, "until": until, "start": date(n, 4, 1), "carried": closing_day(n - 1),
                                     "arrears_start": date(n, 6, 1)}).one()
    collected, assessed, arrears, carried = (int(v) for v in (r.collected, r.assessed - r.unknown,
                                                              r.collected_arrears, r.carried))
    return round(100 * collected / assessed, 2), round(100 * arrears / carried, 2)


def bench_into(out: Path, url: str | None, workflow: Workflow, households_: int, seed: int = 7,
               pdf_letters: int = 1000, naive_letters: int = 50,
               progress: Callable[[str], None] = lambda _m: None) -> tuple[dict, Path]:
    """The command's run: a fresh work folder under OUT/bench/, the database (a new SQLite file there
    unless `url`), and the figures written to OUT/bench/bench-N-BACKEND.json."""
    work = out / "bench" / f"{households_}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    engine = make_engine(url or f"sqlite:///{work / 'bench.db'}")
    upgrade(engine)
    result = bench(engine, workflow, households_, work, seed, pdf_letters, naive_letters, progress)
    path = out / "bench" / f"bench-{households_}-{engine.dialect.name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result, path


def bench(engine: Engine, workflow: Workflow, households_: int, work: Path, seed: int = 7,
          pdf_letters: int = 1000, naive_letters: int = 50,
          progress: Callable[[str], None] = lambda _m: None) -> dict:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(households)).scalar_one():
            from ..errors import UserError
            raise UserError("bench needs an empty database: it imports a generated ward and measures each step")
    ward = work / "ward"
    steps: list[Step] = []

    def record(step: Step) -> None:  # each figure is printed as soon as it is measured
        steps.append(step)
        progress(f"  = {step.name}: {step.seconds:,.2f} s, {step.count:,} {step.unit}"
                 + (f", {step.rate:,.1f}/s" if step.count > 1 else "")
                 + (f", peak {step.peak_mb:,.0f} MB" if step.peak_mb else "")
                 + (f"; baseline {step.baseline_seconds:,.2f} s, ratio {step.ratio:.2f}" if step.ratio else ""))
    progress(f"generating {households_:,} households, fiscal years 2022–2024")
    seconds, counts, peak = timed(lambda: generate_ward(households_, FISCAL_YEARS, seed, ward))
    record(Step("generate ward", seconds, sum(counts.values()), "rows", peak))

    arrived = work / "arrived"
    arrived.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        path = ward / f"{kind}.csv" if kind not in DATED else before(ward, arrived, kind, JULY_ROUND)
        progress(f"importing {kind}")

        def load(kind=kind, path=path):
            with transaction(engine) as conn:
                return import_file(conn, kind, str(path), actor="bench")
        seconds, result, peak = timed(load)
        record(Step(f"import {kind}", seconds, result.inserted, "rows", peak))

    progress(f"catch-up date {CATCH_UP}: the demand notices the old system would have sent")
    seconds, reports, peak = timed(lambda: run_date(engine, workflow, CATCH_UP, report=False))
    record(Step(f"catch-up date {CATCH_UP}", seconds, sum(r.letters for r in reports), "letters", peak))
    for label, on in (("July round", JULY_ROUND), ("quiet day", QUIET_DAY)):
        progress(f"{label} {on}: bare SQL, then the run")
        bare, _r, _p = timed(lambda on=on: bare_moves(engine, workflow, on))
        # the night's report is the full monthly report, timed on its own below (the baseline sums no report)
        seconds, reports, peak = timed(lambda on=on: run_date(engine, workflow, on, report=False))
        moved = sum(n for r in reports for n in r.transitions.values())
        record(Step(f"{label} {on}", seconds, moved, "households moved", peak, "bare SQL updates", bare))
    progress(f"work queue {QUIET_DAY}: what a clerk's first `queue` of the day computes")

    def work_queue():
        with transaction(engine) as conn:
            return refresh(conn, workflow, QUIET_DAY)
    seconds, opened, peak = timed(work_queue)
    record(Step(f"work queue refresh {QUIET_DAY}", seconds, opened, "items opened", peak))

    for step in _letters(engine, workflow, work, pdf_letters, naive_letters, progress):
        record(step)

    progress(f"report FY{REPORT_YEAR} as of {REPORT_AS_OF}: the two rates, then the full report")
    bare, bare_result, _p = timed(lambda: bare_rates(engine, REPORT_YEAR, REPORT_AS_OF))
    from ..services.report import monthly

    def report(full: bool):
        with engine.connect() as conn:
            return monthly(conn, REPORT_YEAR, REPORT_AS_OF, full=full)
    seconds, data, peak = timed(lambda: report(False))
    record(Step("monthly report (the two rates)", seconds, 1, "report", peak, "one SQL aggregate", bare))
    seconds, _full, peak = timed(lambda: report(True))
    record(Step("monthly report (with series, breakdowns)", seconds, 1, "report", peak))
    rates = (data["current_year"]["rate"], data["arrears"]["rate"])
    return {"households": households_, "database": engine.dialect.name, "seed": seed,
            "steps": [s.as_json() for s in steps],
            "rates": {"report": rates, "bare_sql": bare_result}}


def _letters(engine: Engine, workflow: Workflow, work: Path, pdf_letters: int, naive_letters: int,
             progress: Callable[[str], None]) -> list[Step]:
    with engine.connect() as conn:
        rows = conn.execute(select(letters.c.id, letters.c.serial).where(letters.c.issued_on == JULY_ROUND)
                            .order_by(letters.c.id)).all()
        progress(f"letters: {len(rows):,} of the July round to HTML")

        def html():
            return [render_letter(c) for c in letter_contexts(conn, workflow, [r.id for r in rows])]
        seconds, sections, peak = timed(html)
    steps = [Step("letters to HTML (context + template)", seconds, len(rows), "letters", peak)]
    if not rows:
        return steps
    sample, serials = sections[:pdf_letters], [r.serial for r in rows[:pdf_letters]]
    progress(f"letters: {len(sample):,} to PDF in parts on every core, by each engine; "
             f"{naive_letters} one WeasyPrint document each")
    pdf = work / "pdf"
    pdf.mkdir(parents=True, exist_ok=True)
    naive = min(naive_letters, len(sample))

    def one_each():
        with pdf_engine("weasyprint"):
            return sum(max(p[1] for p in write_pdfs([Batch(pdf / "one.pdf", s, [h], [s])], workers=1).values())
                       for h, s in zip(sample[:naive], serials[:naive]))
    naive_seconds, naive_pages, _p = timed(one_each)
    for chosen in ("chromium", "weasyprint"):
        if chosen == "chromium" and not shutil.which("chromium"):
            continue
        with pdf_engine(chosen):
            seconds, pages, peak = timed(lambda: write_pdfs([Batch(pdf / f"{chosen}.pdf", "bench", sample, serials)]))
        batch_pages = max(p[1] for p in pages.values())
        # the baseline is scaled to the same pages so that the ratio compares rates
        steps.append(Step(f"letters to PDF, {chosen} ({len(sample):,} letters)", seconds, batch_pages, "pages", peak,
                          f"one WeasyPrint document per letter ({naive} letters, {naive_pages} pages, scaled)",
                          naive_seconds * batch_pages / naive_pages))
    return steps


@contextmanager
def pdf_engine(name: str):
    before = os.environ.get("NHI_COLLECT_PDF_ENGINE")
    os.environ["NHI_COLLECT_PDF_ENGINE"] = name
    try:
        yield
    finally:
        if before is None:
            del os.environ["NHI_COLLECT_PDF_ENGINE"]
        else:
            os.environ["NHI_COLLECT_PDF_ENGINE"] = before


def table(result: dict) -> str:
    lines = [f"nhi-collect bench: {result['households']:,} households on {result['database']}",
             f"{'step':<42}{'wall s':>9}{'count':>12}{'per s':>11}{'peak MB':>9}{'baseline s':>12}{'ratio':>7}"]
    for s in result["steps"]:
        base = f"{s['baseline_seconds']:.2f}" if s["baseline_seconds"] is not None else ""
        ratio = f"{s['ratio_to_baseline']:.2f}" if s["ratio_to_baseline"] is not None else ""
        peak = f"{s['peak_mb']:.0f}" if s["peak_mb"] is not None else ""
        lines.append(f"{s['name']:<42}{s['seconds']:>9.2f}{s['count']:>12,}{s['per_second']:>11,.1f}{peak:>9}"
                     f"{base:>12}{ratio:>7}")
    lines += ["", "ratio = wall time / baseline wall time (for PDF, per page: baseline scaled to the same pages)",
              "baselines: " + "; ".join(f"{s['name']}: {s['baseline']}" for s in result["steps"] if s["baseline"]),
              f"FY{REPORT_YEAR} rates as of {REPORT_AS_OF}: report {result['rates']['report']}, "
              f"bare SQL {result['rates']['bare_sql']}"]
    return "\n".join(lines)
