"""Letters of the register: their contents from the ledger, print batches, reprints, returned mail.

A letter's contents are rebuilt from what was recorded when it was issued: the installments and
unpaid amounts of letter_items, the household's name and address as they were on the issue date
(household_changes), late fees estimated as of the issue date from the payment history received by then
(地方税法20条の4の2②) and the booked late fees (確定延滞金) printed on it. A reprint is therefore identical
in text to the original.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable

from barcode.codex import Gs1_128
from sqlalchemy import Connection

from ..adapters import credit_history, letter_details, letter_register, letter_rows, returned_mail
from ..adapters.cells import csv_row
from ..adapters.letters import Batch, barcode_svg, render_letter, submit_pdfs, write_pdfs
from ..adapters.staff_rows import full_name
from ..domain.allocation import credit_origins
from ..domain.calendar import TOKYO, in_tokyo, next_office_day, public_notice_served_on
from ..domain.payment_slip import AMOUNT_LIMIT, free_field, slip_digits
from ..domain.wareki import wareki, wareki_fiscal_year
from ..errors import UserError
from ..workflow.batch import THIRD_PARTY_LESS
from ..workflow.definition import LetterType, Workflow
from .late_fees import Terms

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
        rows = letter_rows.letters_with_households(conn, chunk, ("household_no", "head_birth_date", *HOUSEHOLD_FIELDS))
        changes = _later_changes(conn, {r.household_id for r in rows.values()}, min(r.issued_on for r in rows.values()))
        items = letter_rows.items_of(conn, chunk)
        deadlines = letter_rows.deadlines_of(conn, chunk)
        # the payment history of the installments partly paid, for the estimates (地方税法20条の4の2②)
        terms = Terms.load(conn, letter_rows.households_of(chunk), letter_rows.unpaid_installments_of(chunk),
                           workflow.policy.band_months)
        contexts += [_context(conn, workflow, rows[lid], changes.get(rows[lid].household_id, []), items.get(lid, []),
                              deadlines.get(lid), terms) for lid in chunk]
    return contexts


def _later_changes(conn: Connection, household_ids: set[int], since: date) -> dict[int, list]:
    """Changes of the printed fields made after the end of `since`, newest first, per household."""
    return letter_rows.changes_since(conn, household_ids, HOUSEHOLD_FIELDS, _end_of_day_utc(since))


def _as_of(row, changes: list, on: date) -> dict:
    """The household's printed fields as they were on the issue date: later changes undone, newest first."""
    data = {k: getattr(row, k) for k in ("household_no", "head_birth_date", *HOUSEHOLD_FIELDS)}
    end = _end_of_day_utc(on)
    for change in changes:
        if in_tokyo(change.changed_at) >= end:
            data[change.field] = change.old_value
    return data


def _line(r) -> dict:
    return {"fiscal_year": r.fiscal_year, "fy_label": wareki_fiscal_year(r.fiscal_year), "installment": r.installment,
            "due_date": r.due_date.isoformat(), "due_wareki": wareki(r.due_date)}


def _estimate(terms: Terms, r, on: date) -> int:
    """延滞金見込 as of the issue date: the principal then is what was printed unpaid plus what paid it by then,
    the base falling the day after each payment (地方税法20条の4の2②), suspensions exempted (15条の9)."""
    paid = sum(a for d, a in terms.history.get(r.assessment_id, ()) if d <= on)
    return terms.estimate(r.assessment_id, r.household_id, r.unpaid + paid, r.due_date, on)


def _context(conn: Connection, workflow: Workflow, letter, changes: list, rows: list, deadline: date | None,
             terms: Terms) -> dict:
    on = letter.issued_on
    household = _as_of(letter, changes, on)
    items = [{**_line(r), "unpaid": r.unpaid, "late_fee": _estimate(terms, r, on)} for r in rows if r.unpaid > 0]
    # 確定延滞金 booked on installments whose principal is paid, still owed: demanded on their own lines, each
    # with what was booked, reduced (延滞金減免) and paid before the owed amount printed (letter_items.late_fee)
    booked = [{**_line(r), "amount": r.late_fee, "booked": r.late_fee_booked, "reduced": r.late_fee_reduced,
               "paid": max(r.late_fee_booked - r.late_fee_reduced - r.late_fee, 0)} for r in rows if r.late_fee > 0]
    total_booked = sum(b["amount"] for b in booked)
    total = sum(i["unpaid"] for i in items) + total_booked
    # a pay-by date on a closed day is the next office day (地方自治法4条の2④, domain.md §9)
    pay_by = deadline or next_office_day(on + timedelta(days=workflow.policy.reply_days))
    kind = workflow.letter_types[letter.letter_type]
    extra = DETAILS[kind.details](conn, workflow, letter) if kind.details else {}
    return {
        "ward": workflow.ward, "household": household, "items": items,
        "total_unpaid": total - total_booked, "total_late_fee": sum(i["late_fee"] for i in items),
        "booked_late_fees": booked, "total_booked_late_fee": total_booked, "total_due": total,
        "letter": {"serial": letter.serial, "type": letter.letter_type, "title": kind.title, "template": kind.template,
                   "issued_on": on.isoformat(), "issued_wareki": wareki(on)},
        "pay_by": pay_by.isoformat(), "pay_by_wareki": wareki(pay_by),
        "deadline_wareki": wareki(pay_by), "reply_wareki": wareki(pay_by),
        "birth_wareki": wareki(household.pop("head_birth_date")),
        "slip": {**_slip(workflow, kind, household["household_no"], letter, total, pay_by),
                 "subject": "国民健康保険料・延滞金" if items and booked else "国民健康保険料延滞金" if booked
                 else "国民健康保険料"},
        "extra": extra,
        "recipient": _recipient(workflow, kind, household, extra),
    }


def _recipient(workflow: Workflow, kind: LetterType, household: dict, extra: dict) -> dict:
    """Whose address shows in the envelope's window: the household's, or the third party's own; a posting on
    the notice board (公示送達) has no window: it is addressed to a person whose whereabouts are unknown."""
    name = extra.get("third_party") if kind.recipient == "third_party" else None
    board = kind.recipient == "notice_board"
    if not name:
        return {"name": household["head_name"], "honorific": "様", "postal_code": household["postal_code"],
                "address": household["address"], "is_household": True, "on_board": board}
    address = workflow.third_parties.get(name, {"postal_code": "", "address": "（所在地未登録）"})
    return {"name": name, "honorific": "御中", "postal_code": address["postal_code"], "address": address["address"],
            "is_household": False, "on_board": False}


def _slip(workflow: Workflow, kind: LetterType, household_no: str, letter, total: int, pay_by: date) -> dict:
    if not kind.slip or not workflow.payment_slip or total <= 0:
        return {"digits": None, "svg": "", "amount": total}
    if total > AMOUNT_LIMIT:
        return {"digits": None, "svg": "", "amount": total}
    field = free_field(workflow.payment_slip["free_field"], household_no, letter.fiscal_year, letter.seq)
    digits = slip_digits(workflow.payment_slip["company_code"], field, total, pay_by)
    svg = barcode_svg(Gs1_128(digits).build()[0])
    return {"digits": digits, "svg": svg, "amount": total}


# What a letter type's template reads beyond the ledger (its `details` in the workflow file), by record.
def _inquiry(conn: Connection, workflow: Workflow, letter) -> dict:
    target = letter_details.inquiry_target(conn, letter.id)
    return {"third_party": target or "金融機関", "collector": workflow.ward["section"]}


def _seizure(conn: Connection, workflow: Workflow, letter) -> dict:
    s = letter_details.seizure_of(conn, letter.id)
    return {"third_party": s.third_party, "amount": s.amount,
            "property_label": workflow.property_kinds.get(s.property_kind, s.property_kind),
            # 国税徴収法施行令21条: the record names the collecting officer; a seized claim may not be collected
            "collector": _collector(conn, letter), "is_claim": s.property_kind not in THIRD_PARTY_LESS,
            "pay_to_deadline": "請求があり次第直ちに（普通預金）" if s.property_kind == "deposit" else "支払期日"}


# 差押解除: why, as the notice prints it, with the article that requires or allows it. A suspension's release
# depends on its ground: see _suspension_release.
RELEASE_TEXTS = {"paid": "差押えに係る保険料が完納されたため（国税徴収法第79条第1項第1号）",
                 "extinguished": "差押えに係る保険料の納付義務が消滅したため（国税徴収法第79条第1項第1号）",
                 # 79条2項: the release the collecting officer may decide (できる), here on request or given up
                 "withdrawn": "差押えを解除することとしたため（国税徴収法第79条第2項）",
                 # 67条3項: what is collected is paid to that extent; the seizure then ends as one paid (79条1項1号)
                 "collected": "差押財産を取り立て、取り立てた限度で保険料が納付されたものとみなされたため"
                              "（国税徴収法第67条第3項、第79条第1項第1号）"}


def _suspension_release(ground: str) -> str:
    """地方税法15条の7第3項 allows releasing a seizure only when enforcement is suspended for hardship (第1項第2号);
    the ward releases on every suspension (区の方針: workflows/taisho.toml's suspend ends the seizures)."""
    number, _ = GROUNDS[ground]
    basis = "同条第3項" if ground == "hardship" else "停止中の差押えは解除する区の方針による"
    return f"地方税法第15条の7第1項第{number}号の規定により滞納処分の執行を停止したため（{basis}）"


def _release_text(conn: Connection, seizure) -> str:
    """Why `seizure` was released, in the notice's words; a suspension's by the ground of the suspension in force
    on the release day (its row, never deleted, is read back at every reprint)."""
    if seizure.release_reason != "suspended":
        return RELEASE_TEXTS[seizure.release_reason]
    return _suspension_release(letter_details.suspension_ground_by(conn, seizure.household_id, seizure.released_on))


def _release(conn: Connection, workflow: Workflow, letter) -> dict:
    s = letter_details.seizure_of(conn, letter.id)
    return {"third_party": s.third_party, "amount": s.amount, "property_label": workflow.property_kinds.get(s.property_kind, s.property_kind),
            "executed_wareki": wareki(s.executed_on), "reason_text": _release_text(conn, s),
            "collector": _collector(conn, letter), "is_claim": s.property_kind not in THIRD_PARTY_LESS}


def _plan(conn: Connection, workflow: Workflow, letter) -> dict:
    plan = letter_details.plan_agreed_on(conn, letter.household_id, letter.issued_on)
    rows = letter_details.plan_schedule_of(conn, plan)
    previous, schedule = 0, []
    for due, cumulative in rows:
        schedule.append({"due_wareki": wareki(due), "amount": cumulative - previous})
        previous = cumulative
    return {"schedule": schedule, "grace_days": workflow.policy.plan_grace_days}


def _suspension(conn: Connection, _workflow: Workflow, letter) -> dict:
    found = letter_details.suspension_begun_on(conn, letter.household_id, letter.issued_on)
    number, label = GROUNDS[found.ground if found else "hardship"]
    return {"ground_number": number, "ground_label": label,
            "immediate_extinction": bool(found and found.immediate_extinction)}


def _public_notice(conn: Connection, workflow: Workflow, letter) -> dict:
    """公示送達 (地方税法20条の2): the document posted for, and the day the posting makes it served: 7 days after
    the posting began (③), as the demand notices it records say (a demand) or counted from its own day."""
    served_on = letter_details.posting_served_on(conn, letter.id)
    return {"document": workflow.letter_types[letter.letter_type].document,
            "served_wareki": wareki(served_on or public_notice_served_on(letter.issued_on))}


def _appropriation(conn: Connection, _workflow: Workflow, letter) -> dict:
    """充当通知書 (地方税法17条の2⑤): what each installment received from the credit, and what the credit was."""
    a = letter_details.appropriation_of(conn, letter.id)
    after = letter_rows.unpaid_per_installment(conn, letter.id)
    rows = letter_details.appropriated_installments(conn, a.id)
    origins = _credit_origins(conn, a.household_id, a.appropriated_on, a.id)
    before = sum(yen for _d, _w, yen in origins)
    return {"amount": a.amount, "credit_before": before, "credit_after": before - a.amount,
            "origins": [{"on_wareki": wareki(d), "what": w, "amount": yen} for d, w, yen in origins],
            "appropriated": [{"fy_label": wareki_fiscal_year(r.fiscal_year), "installment": r.installment,
                              "due_wareki": wareki(r.due_date), "amount": r.amount,
                              "unpaid_after": after.get(r.assessment_id, 0)} for r in rows]}


def _refund(conn: Connection, _workflow: Workflow, letter) -> dict:
    """還付通知書 (地方税法17条): the credit to be refunded, where it came from and how it is claimed."""
    n = letter_details.refund_notice_of(conn, letter.id)
    origins = _credit_origins(conn, n.household_id, n.noticed_on)
    return {"amount": n.amount, "refundable": n.refundable,
            "origins": [{"on_wareki": wareki(d), "what": w, "amount": yen} for d, w, yen in origins]}


def _credit_origins(conn: Connection, household_id: int, on: date, before_appropriation: int | None = None) -> list:
    """The overpayments and reductions' surpluses the household's credit still consisted of on `on` (before the
    appropriation `before_appropriation`, when given), as (day, what, yen): each payment's part no installment
    took, each returned surplus, less what earlier appropriations and refunds used (domain.allocation.credit_origins)."""
    arisen = [(r.paid_on, f"納付（領収番号 {r.payment_no}）の過納分", r.amount - (r.took or 0))
              for r in credit_history.payments_with_part_taken(conn, household_id, on) if r.amount > (r.took or 0)]
    arisen += [(r.received_on, f"{wareki_fiscal_year(r.fiscal_year)} 第{r.installment}期の保険料の減額による過納分",
                -r.amount) for r in credit_history.returned_surpluses(conn, household_id, on)]
    spent = credit_history.appropriations_before(conn, household_id, on, before_appropriation)
    spent += [(r.paid_on, -r.amount) for r in credit_history.refunds_paid(conn, household_id, on)]
    return credit_origins(arisen, spent)


DETAILS: dict[str, Callable[[Connection, Workflow, object], dict]] = {
    "inquiry": _inquiry, "seizure": _seizure, "release": _release, "plan": _plan, "suspension": _suspension,
    "public_notice": _public_notice, "appropriation": _appropriation, "refund": _refund}


def _collector(conn: Connection, letter) -> str:
    """The officer who executed the seizure the letter records (the staff name of the `seize` move's actor)."""
    actor = letter_details.seizing_actor(conn, letter.household_id, letter.issued_on)
    name = full_name(conn, actor) if actor else None
    return name or actor or ""


def write_batches(conn: Connection, workflow: Workflow, on: date, out: Path, pdf_engine: str | None = None) -> list[dict]:
    """One PDF per letter type for the date, sorted by postal code, a manifest CSV and SHA256SUMS.
    Writing the same date again rewrites the same files from the register (never new letters)."""
    return start_batches(conn, workflow, on, out, background=False, pdf_engine=pdf_engine).finish()


@dataclass
class Printing:
    """A date's letters being laid out in the background: `finish` waits, writes the manifest and
    checksums and returns the manifest. `failed` lists the letters that could not be rendered (serial,
    household, error): they are left out, the rest are printed."""
    letters: int
    finish: Callable[[], list[dict]]
    failed: list[dict] = field(default_factory=list)


def start_batches(conn: Connection, workflow: Workflow, on: date, out: Path, background: bool = True,
                  pdf_engine: str | None = None) -> Printing:
    """write_batches in two halves: the letters are read and rendered to HTML now, while the register
    is as the date left it; the PDFs are laid out on the pool in the background (or now, without the
    pool for a single part, when not `background`) until `finish` is called."""
    folder = out / "letters" / on.isoformat()
    rows = letter_register.letters_to_print(conn, on)
    if not rows:
        return Printing(0, lambda: [])
    folder.mkdir(parents=True, exist_ok=True)
    failed: list[dict] = []
    sections = _render_each(conn, workflow, rows, failed)
    rows = [r for r in rows if r.id in sections]
    kinds = sorted({r.letter_type for r in rows})
    batches = [Batch(folder / f"{kind}.pdf", f"{workflow.letter_types[kind].title} {on}",
                     [sections[r.id] for r in rows if r.letter_type == kind],
                     [r.serial for r in rows if r.letter_type == kind], pdf_engine) for kind in kinds]
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
            writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(csv_row(row) for row in manifest)
        sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(folder.glob("*"))
                if p.name != "SHA256SUMS"]
        (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        return manifest
    return Printing(len(rows), finish, failed)


MANIFEST_FIELDS = ["serial", "type", "household_no", "postal_code", "file", "pages"]


def _render_each(conn: Connection, workflow: Workflow, rows, failed: list[dict]) -> dict[int, str]:
    """Each letter's HTML by id. The date's letters are read together (set-based); when that fails, one
    at a time, so that one bad letter (say, a household number the payment slip cannot carry) is
    reported in `failed` and every other letter of the day is still printed."""
    try:
        return {r.id: render_letter(c) for r, c in zip(rows, letter_contexts(conn, workflow, [r.id for r in rows]))}
    except Exception:  # noqa: BLE001 — isolated below, letter by letter, and each failure reported
        pass
    sections = {}
    for r in rows:
        try:
            sections[r.id] = render_letter(letter_context(conn, workflow, r.id))
        except Exception as exc:  # noqa: BLE001 — reported with the letter, never hidden
            failed.append({"serial": r.serial, "household_no": r.household_no, "error": f"{type(exc).__name__}: {exc}"})
    return sections


# type prefix, fiscal year, sequence (workflow/batch.py): anything else, such as a path, is no serial
SERIAL = re.compile(r"[A-Z]{2}[0-9]{4}-[0-9]{6,}")


def find_letter(conn: Connection, serial: str):
    if not SERIAL.fullmatch(serial):
        raise UserError(f"{serial!r} is not a letter serial such as TS2023-000123")
    row = letter_rows.letter_by_serial(conn, serial)
    if row is None:
        raise UserError(f"unknown letter serial {serial}")
    return row


def reprint(conn: Connection, workflow: Workflow, serial: str) -> Callable[[Path], Path]:
    """The letter rendered again from its record, and the function that writes it as a PDF: called after the
    transaction, since a PDF takes seconds and a transaction that wrote the access log would hold its lock
    that long (SQLite has one writer: the nightly batch and every clerk would wait)."""
    letter = find_letter(conn, serial)
    page = render_letter(letter_context(conn, workflow, letter.id))

    def write(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)  # only once the serial is a letter of the register
        write_pdfs([Batch(path, serial, [page], [serial])])
        return path
    return write


STATUSES = ("generated", "printed", "mailed", "returned")


def mark_returned(conn: Connection, serial: str, reason: str, on: date) -> None:
    """宛所不明 and other undelivered mail: recorded, and a non-residence check is queued for staff."""
    letter = find_letter(conn, serial)
    if letter.status == "returned":
        return
    returned_mail.mark_letter_returned(conn, letter.id)
    returned = f"返戻 {serial}: {reason}; "
    # one check per household and day (the queue's key): a second letter returned that day joins it
    same_day = returned_mail.check_of_day(conn, letter.household_id, on)
    if same_day is not None:
        returned_mail.prepend_reason(conn, same_day, returned)
        return
    returned_mail.open_check(conn, letter.household_id, returned + "不現住調査 with the resident-records team",
                             on, on + timedelta(days=14))


def list_letters(conn: Connection, on: date) -> list[dict]:
    rows = letter_register.letters_listed(conn, on)
    return [{"serial": r.serial, "type": r.letter_type, "household_no": r.household_no,
             "issued_on": r.issued_on.isoformat(), "status": r.status} for r in rows]
