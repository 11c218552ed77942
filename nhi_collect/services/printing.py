"""Print files are part of the business date: a date is complete only when its files are written and
verified against the letter register (every letter of the date in the manifest, every file matching
its checksum). The outcome is recorded as the date's `print_letters` row in batch_runs (status done
or incomplete, with the counts, the letters that failed and the files' checksums), so that `run` and
the scheduler resume a date whose printing died or failed, and `letters status` lists those dates.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine

from ..adapters.batch_runs import details_per_date, record_run
from ..adapters.db import transaction
from ..adapters.letter_register import letters_per_issue_date, serials_of
from ..workflow.definition import Workflow
from .letters import Printing, start_batches

PRINT_JOB = "print_letters"


@dataclass
class PrintReport:
    on: date
    issued: int  # letters of the date in the register
    printed: int  # letters in the verified files
    failed: list[dict] = field(default_factory=list)  # letters that could not be rendered
    problems: list[str] = field(default_factory=list)  # what the verification found wrong
    manifest: list[dict] = field(default_factory=list)  # the files' manifest, as written (pages per letter)

    @property
    def status(self) -> str:
        return "done" if self.printed == self.issued and not self.failed and not self.problems else "incomplete"

    def as_json(self) -> dict:
        return {"date": self.on.isoformat(), "status": self.status, "issued": self.issued, "printed": self.printed,
                "failed": self.failed, "problems": self.problems}


def print_date(engine: Engine, workflow: Workflow, on: date, out: Path, pdf_engine: str | None = None,
               started: tuple[str, str] | None = None) -> PrintReport:
    """Write the date's files from the register now, verify them and record the outcome (and who printed)."""
    with engine.connect() as conn:
        printing = start_batches(conn, workflow, on, out, background=False, pdf_engine=pdf_engine)
    return complete(engine, on, out, printing, started)


def complete(engine: Engine, on: date, out: Path, printing: Printing,
             started: tuple[str, str] | None = None) -> PrintReport:
    """Wait for a date's files (laid out in the background or not), verify and record them."""
    manifest = printing.finish()
    with transaction(engine) as conn:
        report = verify(out / "letters" / on.isoformat(), serials_of(conn, on), on)
        report.failed, report.manifest = printing.failed, manifest
        _record(conn, report, started)
    return report


def verify(folder: Path, register: set[str], on: date) -> PrintReport:
    """The files against the register: the manifest lists each letter once, and each file named in
    SHA256SUMS is there with that checksum."""
    report = PrintReport(on, len(register), 0)
    if not register:
        return report
    try:
        with open(folder / "manifest.csv", encoding="utf-8", newline="") as fh:
            listed = [row["serial"] for row in csv.DictReader(fh)]
        sums = (folder / "SHA256SUMS").read_text("utf-8").splitlines()
    except OSError as exc:
        report.problems.append(f"{folder}: {exc.strerror or exc}")
        return report
    for line in sums:
        digest, _, name = line.partition("  ")
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            report.problems.append(f"{path}: missing or not matching its checksum")
    unknown = set(listed) - register
    if unknown or len(listed) != len(set(listed)):
        report.problems.append(f"{folder / 'manifest.csv'}: letters not in the register or listed twice")
    report.printed = len(set(listed) & register)
    return report


def _record(conn: Connection, report: PrintReport, started: tuple[str, str] | None = None) -> None:
    """The date's print row; `started_by` is who printed last (a reprint by an operator replaces the night's)."""
    now = datetime.now(timezone.utc)
    by, via = started or (None, None)
    values = {"status": report.status, "finished_at": now, "detail": json.dumps(report.as_json(), ensure_ascii=False),
              "started_by": by, "started_via": via}
    record_run(conn, PRINT_JOB, report.on, now, **values)


def pending(conn: Connection, through: date) -> list[date]:
    """The dates up to `through` whose printing is to be (re)done, oldest first."""
    return [date.fromisoformat(d["date"]) for d in incomplete(conn) if d["date"] <= through.isoformat()]


def incomplete(conn: Connection) -> list[dict]:
    """Dates with letters whose printing is not recorded as done for exactly the letters now in the
    register (a letter issued after the date was printed makes it incomplete again)."""
    issued = letters_per_issue_date(conn)
    recorded = {on: json.loads(detail) for on, detail in details_per_date(conn, PRINT_JOB).items()}
    dates = []
    for on, count in sorted(issued.items()):
        last = recorded.get(on)
        if last is None or last["status"] != "done" or last["issued"] != count:
            dates.append({"date": on.isoformat(), "issued": count, "printed": last["printed"] if last else 0,
                          "status": "not printed" if last is None else last["status"],
                          "failed": last["failed"] if last else []})
    return dates
