"""A person opening work: today's queue, claiming an item, opening a household, reading a date's letters.
Each reads households' data, so each checks the person's duty (services/identity.py) and logs who read
which household, why and through what, in the same transaction (seed 窓3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection

from ..adapters.access_log import opened_since
from ..adapters.household_locks import lock_household
from ..adapters.letter_register import households_of_date
from ..adapters.workload import item_household, own_item
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from . import queue
from .actions import household_id
from .casefile import case_file
from .identity import audit, authorize
from .letters import find_letter, list_letters, mark_returned, reprint
from .staff import log_access, log_reads, log_shown

ROUND_LOOKAHEAD = 20  # candidates a round's next step tries when others claim the first ones at the same moment


def todays_queue(conn: Connection, workflow: Workflow, on: date, user: str,
                 where: queue.QueueFilter = queue.QueueFilter(), limit: int | None = None,
                 offset: int = 0) -> list[dict]:
    """The queue as the last business date's run left it (services/business_date.py), in priority order:
    reading it costs an indexed query, whatever the ward's size. The households listed are logged."""
    authorize(conn, workflow, user, "read_queue")
    rows = queue.items(conn, on, where, limit, offset)
    log_shown(conn, user, [row.pop("household_id") for row in rows], "work queue", "queue")
    return rows


def my_work(conn: Connection, workflow: Workflow, on: date, user: str, where: queue.QueueFilter,
            limit: int, offset: int = 0) -> dict:
    """A page of the queue under a filter, with the counts per kind (the filter but for its kind) and the
    number of items the filter finds."""
    rows = todays_queue(conn, workflow, on, user, where, limit, offset)
    per_kind = queue.counts(conn, on, where)
    total = sum(n for kind, _, n in per_kind if where.kind in (None, kind))
    return {"items": rows, "counts": per_kind, "total": total}


def next_in_round(conn: Connection, workflow: Workflow, on: date, user: str, where: queue.QueueFilter,
                  skipped: tuple[int, ...] = ()) -> int | None:
    """A phone round's next item (OCA's one-by-one reminders): the first in priority order under the filter,
    not skipped in this round, that the person holds already or claims now; None when none is left.
    A claim lost to another clerk a moment earlier (compare-and-set) moves on to the following item."""
    authorize(conn, workflow, user, "work_queue")
    for candidate in queue.items(conn, on, where, ROUND_LOOKAHEAD, exclude=skipped, unclaimed_or=user):
        if candidate["claimed_by"] == user:
            return candidate["id"]
        try:
            claim_item(conn, workflow, candidate["id"], user)
        except Refused:
            continue
        return candidate["id"]
    return None


def round_item(conn: Connection, workflow: Workflow, item_id: int, user: str) -> dict:
    """A round's item with its household's summary (name, kana, phone, amount, stage): a read, logged."""
    authorize(conn, workflow, user, "read_queue")
    shown = queue.item(conn, item_id)
    log_access(conn, user, shown["household_id"], f"queue item {item_id}", "queue round")
    return shown


def refresh_queue(conn: Connection, workflow: Workflow, on: date, user: str) -> int:
    """The queue recomputed now as of `on` (the nightly run does it; an operator, after a late payment file)."""
    authorize(conn, workflow, user, "run_date")
    return queue.refresh(conn, workflow, on)


def claim_item(conn: Connection, workflow: Workflow, item_id: int, user: str) -> None:
    """The claim (a duty checked by queue.claim) opens the item's household, so it is logged."""
    queue.claim(conn, workflow, item_id, user)
    hid = item_household(conn, item_id)
    if hid is None:
        raise UserError(f"no queue item {item_id}")
    log_access(conn, user, hid, f"queue item {item_id}", "queue claim")


# Why a person opens a household outside their own work (the case file's form offers these; seed 窓3).
OPENING_REASONS = ("電話での問い合わせ", "窓口への来庁", "納付相談", "郵便物の返戻", "他の部署・機関からの照会",
                   "収納・還付の確認", "上司の指示による確認")


class ReasonNeeded(UserError):
    """A household outside the person's own work is opened only with a reason, which the access log keeps."""


OPENING_LASTS = timedelta(hours=1)  # what the case file's own panels read belongs to an opening this recent


def opened_with_reason(conn: Connection, user: str, hid: int) -> bool:
    """Whether the person opened the household's case file (with its reason) within OPENING_LASTS: the case
    file's panels (next actions) then read under that opening's reason."""
    since = datetime.now(timezone.utc) - OPENING_LASTS
    return opened_since(conn, user, hid, "household show", since)


def open_household(conn: Connection, workflow: Workflow, household_no: str, as_of: date, user: str,
                   reason: str | None) -> dict:
    """The case file as of `as_of` (services/casefile.py), the opening logged: inside one's own work its
    purpose is the queue item; outside it, the reason given, without which it is not opened."""
    authorize(conn, workflow, user, "read_household")
    hid = household_id(conn, household_no)
    item = own_item(conn, user, hid)
    reason = (reason or "").strip()
    if item is None and not reason:
        raise ReasonNeeded(f"{household_no} is not in {user}'s work: say why it is opened (access log, seed 窓3)")
    data = case_file(conn, workflow, household_no, as_of)
    log_access(conn, user, hid, f"queue item {item}" if item is not None else reason[:200], "household show")
    return data


def log_letters_read(conn: Connection, on: date, user: str, command: str) -> None:
    """A date's letters read at once (listed, printed): one access-log row per household."""
    log_reads(conn, user, households_of_date(on), f"letters of {on}", command)


def letters_of_date(conn: Connection, workflow: Workflow, on: date, user: str) -> list[dict]:
    authorize(conn, workflow, user, "read_letters")
    log_letters_read(conn, on, user, "letters list")
    return list_letters(conn, on)


def reprint_letter(conn: Connection, workflow: Workflow, serial: str, user: str) -> Callable[[Path], Path]:
    """The reading logged and the letter rendered; the caller writes the PDF once this has committed."""
    authorize(conn, workflow, user, "read_household")
    log_access(conn, user, find_letter(conn, serial).household_id, f"reprint {serial}", "letters reprint")
    return reprint(conn, workflow, serial)


def return_letter(conn: Connection, workflow: Workflow, serial: str, reason: str, on: date, user: str) -> None:
    """Undelivered mail recorded by a person, under the household's row lock (two clerks marking letters of
    one household at once would open its check twice), and audited."""
    authorize(conn, workflow, user, "mark_returned")
    letter = find_letter(conn, serial)
    lock_household(conn, letter.household_id)
    mark_returned(conn, serial, reason, on)
    audit(conn, user, "mark_returned", "letter", serial, {"on": on, "reason": reason})
