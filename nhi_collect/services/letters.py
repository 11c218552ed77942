"""Letters of the register: their contents from the ledger, print batches, reprints, returned mail.

A letter's contents are rebuilt from what was recorded when it was issued: the installments and
unpaid amounts of letter_items, the household's name and address as they were on the issue date
(household_changes), late fees estimated as of the issue date. A reprint is therefore identical
in text to the original.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable

from barcode.codex import Gs1_128
from sqlalchemy import Connection, func, select, update

from ..adapters.letters import Batch, barcode_svg, render_letter, submit_pdfs, write_pdfs
from ..adapters.tables import (assessments, demand_notices, household_changes, households, inquiries,
                               installment_plans, letter_items, letters, plan_schedule, queue_items, seizures,
                               suspensions)
from ..domain.calendar import TOKYO, in_tokyo
from ..domain.late_fee import late_fee_estimate
from ..domain.payment_slip import AMOUNT_LIMIT, free_field, slip_digits
from ..domain.wareki import wareki, wareki_fiscal_year
from ..errors import UserError
from ..workflow.definition import Workflow

TITLES = {"demand_notice": "督促状", "reminder": "催告書", "special_reminder": "特別催告書",
          "bank_inquiry": "預貯金等照会書", "seizure_notice": "差押予告通知書", "garnishment_notice": "債権差押通知書",
          "seizure_record": "差押調書", "installment_plan": "分納誓約確認書", "suspension_notice": "執行停止通知書"}
WITH_SLIP = ("demand_notice", "reminder", "special_reminder")
PROPERTY_LABELS = {"deposit": "預金債権", "wage": "給与債権", "pension": "年金債権", "insurance": "生命保険解約返戻金",
                   "real_estate": "不動産"}
GROUNDS = {"no_property": (1, "滞納処分をすることができる財産がないとき"),
           "hardship": (2, "滞納処分をすることによってその生活を著しく窮迫させるおそれがあるとき"),
           "unknown": (3, "所在及び滞納処分をすることができる財産がともに不明であるとき")}
HOUSEHOLD_FIELDS = ("head_name", "head_name_kana", "postal_code", "address", "language")


def _end_of_day_utc(on: date) -> datetime:
    """The end of a Tokyo office day, as the UTC instant household changes are stamped with."""
    return datetime.combine(on + timedelta(days=1), time(0), TOKYO).astimezone(timezone.utc)


CHUNK = 2_000  # letters per set of queries (bound parameters stay well under every driver's limit)


def letter_context(conn: Connection, workflow: Workflow, letter_id: int) -> dict:
    return letter_contexts(conn, workflow, [letter_id])[0]


def letter_contexts(conn: Connection, workflow: Workflow, letter_ids: list[int]) -> list[dict]:
    """The contexts of many letters, in the order given, from a few set-based queries per chunk."""
    contexts = []
    for i in range(0, len(letter_ids), CHUNK):
        chunk = letter_ids[i:i + CHUNK]
        rows = {r.id: r for r in conn.execute(
            select(letters, *(households.c[k] for k in ("household_no", "head_birth_date", *HOUSEHOLD_FIELDS)))
            .join(households, households.c.id == letters.c.household_id).where(letters.c.id.in_(chunk))).all()}
        changes = _later_changes(conn, {r.household_id for r in rows.values()}, min(r.issued_on for r in rows.values()))
        items: dict[int, list] = {}
        for r in conn.execute(select(letter_items.c.letter_id, letter_items.c.unpaid, assessments.c.fiscal_year,
                                     assessments.c.installment, assessments.c.due_date)
                              .join(assessments, letter_items.c.assessment_id == assessments.c.id)
                              .where(letter_items.c.letter_id.in_(chunk))
                              .order_by(letter_items.c.letter_id, assessments.c.fiscal_year, assessments.c.installment)):
            items.setdefault(r.letter_id, []).append(r)
        deadlines = dict(conn.execute(select(demand_notices.c.letter_id, func.max(demand_notices.c.deadline))
                                      .where(demand_notices.c.letter_id.in_(chunk))
                                      .group_by(demand_notices.c.letter_id)).all())
        contexts += [_context(conn, workflow, rows[lid], changes.get(rows[lid].household_id, []), items.get(lid, []),
                              deadlines.get(lid)) for lid in chunk]
    return contexts


def _later_changes(conn: Connection, household_ids: set[int], since: date) -> dict[int, list]:
    """Changes of the printed fields made after the end of `since`, newest first, per household."""
    changes: dict[int, list] = {}
    for r in conn.execute(select(household_changes.c.household_id, household_changes.c.field,
                                 household_changes.c.old_value, household_changes.c.changed_at)
                          .where(household_changes.c.household_id.in_(household_ids),
                                 household_changes.c.field.in_(HOUSEHOLD_FIELDS),
                                 household_changes.c.changed_at >= _end_of_day_utc(since))
                          .order_by(household_changes.c.id.desc())):
        changes.setdefault(r.household_id, []).append(r)
    return changes


def _as_of(row, changes: list, on: date) -> dict:
    """The household's printed fields as they were on the issue date: later changes undone, newest first."""
    data = {k: getattr(row, k) for k in ("household_no", "head_birth_date", *HOUSEHOLD_FIELDS)}
    end = _end_of_day_utc(on)
    for change in changes:
        if in_tokyo(change.changed_at) >= end:
            data[change.field] = change.old_value
    return data


def _context(conn: Connection, workflow: Workflow, letter, changes: list, rows: list, deadline: date | None) -> dict:
    on = letter.issued_on
    household = _as_of(letter, changes, on)
    band = workflow.policy.band_months
    items = [{"fiscal_year": r.fiscal_year, "fy_label": wareki_fiscal_year(r.fiscal_year),
              "installment": r.installment, "due_date": r.due_date.isoformat(), "due_wareki": wareki(r.due_date),
              "unpaid": r.unpaid, "late_fee": late_fee_estimate(r.unpaid, r.due_date, on, band_months=band)}
             for r in rows]
    total = sum(i["unpaid"] for i in items)
    pay_by = deadline or on + timedelta(days=workflow.policy.reply_days)
    extra = _extra(conn, workflow, letter)
    return {
        "ward": workflow.ward, "household": household, "items": items, "total_unpaid": total,
        "total_late_fee": sum(i["late_fee"] for i in items),
        "letter": {"serial": letter.serial, "type": letter.letter_type, "title": TITLES[letter.letter_type],
                   "issued_on": on.isoformat(), "issued_wareki": wareki(on)},
        "pay_by": pay_by.isoformat(), "pay_by_wareki": wareki(pay_by),
        "deadline_wareki": wareki(pay_by), "reply_wareki": wareki(pay_by),
        "birth_wareki": wareki(household.pop("head_birth_date")),
        "slip": _slip(workflow, household["household_no"], letter, total, pay_by),
        "extra": extra,
        "recipient": _recipient(workflow, letter.letter_type, household, extra),
    }


TO_THIRD_PARTY = {"bank_inquiry": "target", "garnishment_notice": "third_party"}


def _recipient(workflow: Workflow, letter_type: str, household: dict, extra: dict) -> dict:
    """Whose address shows in the envelope's window: the household's, or the third party's own."""
    name = extra.get(TO_THIRD_PARTY.get(letter_type, ""))
    if not name:
        return {"name": household["head_name"], "honorific": "様", "postal_code": household["postal_code"],
                "address": household["address"], "is_household": True}
    address = workflow.third_parties.get(name, {"postal_code": "", "address": "（所在地未登録）"})
    return {"name": name, "honorific": "御中", "postal_code": address["postal_code"], "address": address["address"],
            "is_household": False}


def _slip(workflow: Workflow, household_no: str, letter, total: int, pay_by: date) -> dict:
    if letter.letter_type not in WITH_SLIP or not workflow.payment_slip or total <= 0:
        return {"digits": None, "svg": "", "amount": total}
    if total > AMOUNT_LIMIT:
        return {"digits": None, "svg": "", "amount": total}
    field = free_field(workflow.payment_slip["free_field"], household_no, letter.fiscal_year, letter.seq)
    digits = slip_digits(workflow.payment_slip["company_code"], field, total, pay_by)
    svg = barcode_svg(Gs1_128(digits).build()[0])
    return {"digits": digits, "svg": svg, "amount": total}


def _extra(conn: Connection, workflow: Workflow, letter) -> dict:
    kind = letter.letter_type
    if kind == "bank_inquiry":
        target = conn.execute(select(inquiries.c.target).where(inquiries.c.letter_id == letter.id)).scalar()
        return {"target": target or "金融機関", "collector": workflow.ward["section"]}
    if kind in ("garnishment_notice", "seizure_record"):
        s = conn.execute(select(seizures).where(seizures.c.household_id == letter.household_id,
                                                seizures.c.executed_on <= letter.issued_on)
                         .order_by(seizures.c.executed_on.desc(), seizures.c.id.desc())).first()
        return {"third_party": s.third_party if s else "", "amount": s.amount if s else 0,
                "property_label": PROPERTY_LABELS.get(s.property_kind, "") if s else "",
                "pay_to_deadline": "請求があり次第直ちに（普通預金）" if s and s.property_kind == "deposit" else "支払期日"}
    if kind == "installment_plan":
        plan = conn.execute(select(installment_plans.c.id).where(installment_plans.c.household_id == letter.household_id,
                                                                 installment_plans.c.agreed_on == letter.issued_on)
                            .order_by(installment_plans.c.id.desc())).scalar()
        rows = conn.execute(select(plan_schedule.c.due_on, plan_schedule.c.cumulative)
                            .where(plan_schedule.c.plan_id == plan).order_by(plan_schedule.c.due_on)).all()
        previous, schedule = 0, []
        for due, cumulative in rows:
            schedule.append({"due_wareki": wareki(due), "amount": cumulative - previous})
            previous = cumulative
        return {"schedule": schedule, "grace_days": workflow.policy.plan_grace_days}
    if kind == "suspension_notice":
        ground = conn.execute(select(suspensions.c.ground).where(suspensions.c.household_id == letter.household_id,
                                                                 suspensions.c.started_on == letter.issued_on)
                              ).scalars().first() or "hardship"
        number, label = GROUNDS[ground]
        return {"ground_number": number, "ground_label": label}
    return {}


def write_batches(conn: Connection, workflow: Workflow, on: date, out: Path) -> list[dict]:
    """One PDF per letter type for the date, sorted by postal code, a manifest CSV and SHA256SUMS.
    Writing the same date again rewrites the same files from the register (never new letters)."""
    return start_batches(conn, workflow, on, out, background=False).finish()


def printed_in_full(conn: Connection, on: date, out: Path) -> bool:
    """Whether the date's folder already holds every letter of the register for `on` (manifest.csv lists
    exactly its serials) and every file matches SHA256SUMS. Such a date is left alone when it is run
    again: rewriting it gave new files with new checksums for the same letters, after the vendor may
    have taken the first ones."""
    folder = out / "letters" / on.isoformat()
    manifest, sums = folder / "manifest.csv", folder / "SHA256SUMS"
    register = sorted(conn.execute(select(letters.c.serial).where(letters.c.issued_on == on)).scalars())
    if not register:
        return True  # a date without letters has no files to print
    if not (manifest.is_file() and sums.is_file()):
        return False
    with open(manifest, encoding="utf-8", newline="") as fh:
        if sorted(row["serial"] for row in csv.DictReader(fh)) != register:
            return False
    for line in sums.read_text("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


@dataclass
class Printing:
    """A date's letters being laid out in the background: `finish` waits, writes the manifest and
    checksums and returns the manifest."""
    letters: int
    finish: Callable[[], list[dict]]


def start_batches(conn: Connection, workflow: Workflow, on: date, out: Path, background: bool = True) -> Printing:
    """write_batches in two halves: the letters are read and rendered to HTML now, while the register
    is as the date left it; the PDFs are laid out on the pool in the background (or now, without the
    pool for a single part, when not `background`) until `finish` is called."""
    folder = out / "letters" / on.isoformat()
    rows = conn.execute(select(letters.c.id, letters.c.serial, letters.c.letter_type, households.c.household_no,
                               households.c.postal_code)
                        .join(households, households.c.id == letters.c.household_id)
                        .where(letters.c.issued_on == on)
                        .order_by(letters.c.letter_type, households.c.postal_code, letters.c.serial)).all()
    if not rows:
        return Printing(0, lambda: [])
    folder.mkdir(parents=True, exist_ok=True)
    kinds = sorted({r.letter_type for r in rows})
    batches = [Batch(folder / f"{kind}.pdf", f"{TITLES[kind]} {on}",
                     [render_letter(c) for c in letter_contexts(conn, workflow, [r.id for r in rows
                                                                                  if r.letter_type == kind])],
                     [r.serial for r in rows if r.letter_type == kind]) for kind in kinds]
    if background:
        printing = submit_pdfs(batches)
    else:
        laid_out = write_pdfs(batches)
        printing = lambda: laid_out

    def finish() -> list[dict]:
        pages = printing()
        manifest = [{"serial": r.serial, "type": r.letter_type, "household_no": r.household_no,
                     "postal_code": r.postal_code, "file": f"{r.letter_type}.pdf",
                     "pages": f"{pages[r.serial][0]}-{pages[r.serial][1]}"} for r in rows]
        with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(manifest[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(manifest)
        sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(folder.glob("*"))
                if p.name != "SHA256SUMS"]
        (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        return manifest
    return Printing(len(rows), finish)


def find_letter(conn: Connection, serial: str):
    row = conn.execute(select(letters).where(letters.c.serial == serial)).first()
    if row is None:
        raise UserError(f"unknown letter serial {serial}")
    return row


def reprint(conn: Connection, workflow: Workflow, serial: str, path: Path) -> Path:
    letter = find_letter(conn, serial)
    write_pdfs([Batch(path, serial, [render_letter(letter_context(conn, workflow, letter.id))], [serial])])
    return path


STATUSES = ("generated", "printed", "mailed", "returned")


def mark_returned(conn: Connection, serial: str, reason: str, on: date) -> None:
    """宛所不明 and other undelivered mail: recorded, and a non-residence check is queued for staff."""
    letter = find_letter(conn, serial)
    if letter.status == "returned":
        return
    conn.execute(update(letters).where(letters.c.id == letter.id).values(status="returned"))
    conn.execute(queue_items.insert().values(kind="returned_mail", household_id=letter.household_id,
                                             reason=f"返戻 {serial}: {reason}; 不現住調査 with the resident-records team",
                                             created_on=on, due_on=on + timedelta(days=14)))


def list_letters(conn: Connection, on: date) -> list[dict]:
    rows = conn.execute(select(letters.c.serial, letters.c.letter_type, households.c.household_no, letters.c.issued_on,
                               letters.c.status)
                        .join(households, households.c.id == letters.c.household_id)
                        .where(letters.c.issued_on == on).order_by(letters.c.serial)).all()
    return [{"serial": r.serial, "type": r.letter_type, "household_no": r.household_no,
             "issued_on": r.issued_on.isoformat(), "status": r.status} for r in rows]
