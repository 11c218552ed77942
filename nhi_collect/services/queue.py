"""The staff's daily work queue: everything that needs a person today, each item with a reason, a due
date and a priority (nearest limitation date, then amount, then age of arrears), assigned by district.

Items the calendar's jobs open (whereabouts unknown, returned mail, eligibility and non-residence checks)
live in queue_items already; `refresh` adds those that follow from the ledger's state, once per open
(kind, household), and refreshes every open item's priority keys. Claiming is a compare-and-set UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Connection

from ..adapters import queue_candidates, queue_claims, queue_items, queue_listing
from ..adapters.household_locks import lock_household
from ..adapters.staff_rows import active_with_districts, towns_of
from ..adapters.workload import item_household
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.facts import load_installments
from ..workflow.machine import Refused
from .identity import authorize, carries, duty, role_of
from .promises import settle as settle_promises

LIMITATION_WARNING_DAYS = 90
REFRESH_LOCK = 7_115_0045  # advisory-lock key of the queue refresh (the scheduler's is 7_115_0044)
MIN_LIMITATION_DAYS = 730  # two years never span fewer days (tests/unit/test_limitation.py)
REASONS = {
    "inquiry_reply": "照会回答待ち: an investigation inquiry has no reply or result yet",
    "investigation_decision": "調査結果の判断: property was found; decide the seizure notice or a plan",
    "seizure_approval": "差押決裁（係長・課長）: the seizure notice's reply period has passed",
    "seizure_collection": "差押物の取立: an executed seizure has collected nothing yet",
    "broken_plan": "分納不履行: the installment plan was broken; contact the household",
    "broken_promise": "納付約束不履行: a promise to pay was not kept by its date and the grace days; contact the household",
    "limitation_due": "時効管理: an installment's limitation completes within 90 days",
    "special_review": "特別療養費の予告審査: over a year in arrears (国民健康保険法9条・54条の3)",
}


def _open_for(conn: Connection, kind: str, on: date, ids_query, due_days: int) -> int:
    return queue_items.open_items(conn, kind, on, REASONS[kind], ids_query, due_days)


def refresh(conn: Connection, workflow: Workflow, on: date) -> int:
    """Open the items the ledger calls for on `on`; refresh priorities and district assignments."""
    # Two people opening their queue at once would both insert the day's new items (the second failing
    # on the unique key): refreshes take turns on a transaction-scoped advisory lock.
    queue_items.take_refresh_turn(conn, REFRESH_LOCK)
    policy = workflow.policy
    opened = _open_for(conn, "inquiry_reply", on,
                       queue_candidates.unanswered_inquiries(on - timedelta(days=policy.reply_days)), 0)
    opened += _open_for(conn, "investigation_decision", on, queue_candidates.property_found(), 7)
    opened += _open_for(conn, "seizure_approval", on,
                        queue_candidates.seizure_notices_since(on - timedelta(days=policy.reply_days)), 7)
    opened += _open_for(conn, "seizure_collection", on, queue_candidates.uncollected_seizures(), 14)
    opened += _open_for(conn, "broken_plan", on, queue_candidates.plans_broken_since(on - timedelta(days=30)), 7)
    settle_promises(conn, workflow, on)  # one item per promise, on the day it is found broken
    opened += _open_for(conn, "broken_promise", on, queue_candidates.promises_broken_on(on), 3)
    opened += _open_for(conn, "special_review", on,
                        queue_candidates.overdue_since(on - timedelta(days=365), workflow.closed_stages), 30)
    # Limitation completes at the earliest 730 days after the due date (two years from the day after it;
    # demands and reminders only move it later), so only older installments can complete within 90 days.
    # Limitation dates are computed for those households and for those with open items (their priority).
    oldest_possible = on + timedelta(days=LIMITATION_WARNING_DAYS - MIN_LIMITATION_DAYS)
    limitation = _limitation_dates(conn, queue_candidates.limitation_candidates(conn, oldest_possible), on)
    soon = [hid for hid, when in limitation.items() if when <= on + timedelta(days=LIMITATION_WARNING_DAYS)]
    opened += _open_for(conn, "limitation_due", on, queue_candidates.among(soon), 14)
    _refresh_priorities(conn, limitation, on)
    _assign(conn, workflow)
    return opened


def _limitation_dates(conn: Connection, household_ids: list[int], on: date) -> dict[int, date]:
    """Each household's nearest limitation date among its unpaid installments (domain.md §2)."""
    nearest: dict[int, date] = {}
    for i in range(0, len(household_ids), 2_000):
        for hid, installments in load_installments(conn, household_ids[i:i + 2_000], on, unpaid_only=True).items():
            dates = [d for d in (x.limitation_date() for x in installments) if d]
            if dates:
                nearest[hid] = min(dates)
    return nearest


def _refresh_priorities(conn: Connection, limitation: dict[int, date], on: date) -> None:
    open_items = queue_items.open_item_households(conn)
    if not open_items:
        return
    keys = queue_items.arrears_of_open_items(conn, on)
    queue_items.set_priorities(conn, [{"item": item_id, "lim": limitation.get(hid),
                                       "money": keys.get(hid, (0, None))[0], "oldest": keys.get(hid, (0, None))[1]}
                                      for item_id, hid in open_items])


def _assign(conn: Connection, workflow: Workflow) -> None:
    """Unassigned open items go to the active clerk whose districts include the household's town."""
    for clerk in active_with_districts(conn, workflow.roles[duty(workflow, "work_queue")]):
        towns = towns_of(clerk.districts)
        if towns:
            queue_items.assign_unassigned(conn, clerk.user_name, towns)


@dataclass(frozen=True)
class QueueFilter:
    """Which open items a list shows: whose (assigned or held), kind, district, overdue amount range, and age of
    arrears (the oldest unpaid installment due at least `overdue_days` days before the date). Applied in SQL
    (adapters/queue_listing)."""
    staff_user: str | None = None
    kind: str | None = None
    district: str | None = None
    min_amount: int | None = None
    max_amount: int | None = None
    overdue_days: int | None = None

    def without_kind(self) -> "QueueFilter":
        return replace(self, kind=None)

    EVERYONE = "*"  # `staff` in params: every person's items (absent: the caller's default person)

    @classmethod
    def from_params(cls, params, default_staff: str | None = None) -> "QueueFilter":
        """From a form's or a saved filter's strings (empty: no condition); a bad number is a UserError."""
        def number(name: str) -> int | None:
            text = (params.get(name) or "").replace(",", "").strip()
            if not text:
                return None
            if not text.isdigit():
                raise UserError(f"{name} must be a whole number of yen or days, not {text!r}")
            return int(text)
        person = (params.get("staff") or "").strip() or default_staff
        return cls(staff_user=None if person == cls.EVERYONE else person,
                   kind=(params.get("kind") or "").strip() or None,
                   district=(params.get("district") or "").strip() or None,
                   min_amount=number("min_amount"), max_amount=number("max_amount"),
                   overdue_days=number("overdue_days"))

    def params(self) -> dict[str, str]:
        """The conditions as strings (a form's fields, a saved filter), the inverse of `from_params`."""
        shown = {"staff": self.staff_user or self.EVERYONE, "kind": self.kind, "district": self.district,
                 "min_amount": self.min_amount, "max_amount": self.max_amount, "overdue_days": self.overdue_days}
        return {k: str(v) for k, v in shown.items() if v is not None}


def items(conn: Connection, on: date, where: QueueFilter = QueueFilter(), limit: int | None = None,
          offset: int = 0, exclude: tuple[int, ...] = (), unclaimed_or: str | None = None) -> list[dict]:
    """Open items in priority order (sorted and paged by the database, never in Python over the whole queue).
    `exclude` leaves out items (those skipped in a round); `unclaimed_or` keeps only items nobody holds or
    that person holds (what a round may take next)."""
    rows = queue_listing.page(conn, on, where, limit, offset, exclude, unclaimed_or)
    return [{"id": r.id, "kind": r.kind, "household_id": r.household_id, "household_no": r.household_no, "head_name": r.head_name,
             "district": r.district, "reason": r.reason, "due_on": r.due_on.isoformat(),
             "limitation_on": r.limitation_on.isoformat() if r.limitation_on else None, "amount": r.amount,
             "oldest_due": r.oldest_due.isoformat() if r.oldest_due else None, "assigned_to": r.assigned_to,
             "claimed_by": r.claimed_by} for r in rows]


def selection(conn: Connection, on: date, where: QueueFilter, limit: int) -> list:
    """The open items under the filter with their households, in id order, at most `limit` + 1 (so a caller
    sees that there are more): a bulk action's list (services/bulk.py)."""
    return queue_listing.selection(conn, on, where, limit)


def counts(conn: Connection, on: date, where: QueueFilter = QueueFilter()) -> list[tuple[str, str, int]]:
    """(kind, reason, number of items) under the filter but for its kind, most first: the counts per kind
    that the list offers as a filter."""
    rows = queue_listing.kind_counts(conn, on, where.without_kind())
    return sorted(((k, r, n) for k, r, n in rows), key=lambda x: (-x[2], x[0]))


def item(conn: Connection, item_id: int) -> dict:
    """One item with its household's summary (a round's page: whom to phone, what is owed, why)."""
    row = queue_listing.item_with_household(conn, item_id)
    if row is None:
        raise UserError(f"no queue item {item_id}")
    return {"id": row.id, "kind": row.kind, "household_id": row.household_id, "household_no": row.household_no,
            "head_name": row.head_name, "head_name_kana": row.head_name_kana, "phone": row.phone,
            "district": row.district, "stage": row.stage, "reason": row.reason, "status": row.status,
            "amount": row.amount, "oldest_due": row.oldest_due, "limitation_on": row.limitation_on,
            "due_on": row.due_on, "assigned_to": row.assigned_to, "claimed_by": row.claimed_by, "note": row.note}


def workers(conn: Connection, workflow: Workflow) -> list[dict]:
    """The active staff who work the queue (whom a supervisor may give an item to), with their districts."""
    return [{"user": r.user_name, "name": r.full_name, "districts": towns_of(r.districts)}
            for r in active_with_districts(conn, workflow.roles[duty(workflow, "work_queue")])]


def _locked_item(conn: Connection, item_id: int):
    """The item, read after locking its household's row and its own (SELECT ... FOR UPDATE on PostgreSQL;
    SQLite's BEGIN IMMEDIATE holds the whole database), in the order staff actions take them, so a queue
    operation and an action on the same household run one after the other."""
    hid = item_household(conn, item_id)
    if hid is None:
        raise UserError(f"no queue item {item_id}")
    lock_household(conn, hid)
    return queue_claims.locked_item(conn, item_id)


def claim(conn: Connection, workflow: Workflow, item_id: int, user: str) -> None:
    """Compare-and-set: the item goes to whoever's UPDATE finds it unclaimed; the other is told who holds it.
    Only those who work the queue claim (an auditor reads and never claims)."""
    authorize(conn, workflow, user, "work_queue")
    _locked_item(conn, item_id)
    if queue_claims.claim_if_free(conn, item_id, user, datetime.now(timezone.utc)) != 1:
        holder = queue_claims.holder(conn, item_id)
        if holder is None:
            raise UserError(f"no queue item {item_id}")
        raise Refused(f"queue item {item_id} is {'held by ' + holder.claimed_by if holder.claimed_by else holder.status}"
                      ": one item, one person (区の方針)")


def _held(conn: Connection, workflow: Workflow, item_id: int, user: str):
    role = authorize(conn, workflow, user, "work_queue")
    row = _locked_item(conn, item_id)
    if row.claimed_by != user and not carries(workflow, role, "reassign_work"):
        raise Refused(f"queue item {item_id} is held by {row.claimed_by or 'nobody'}; only its holder or one who "
                      f"reassigns work ({', '.join(workflow.roles[duty(workflow, 'reassign_work')])}) may release "
                      "or close it (区の方針: the workflow file's [roles])")
    return row


def release(conn: Connection, workflow: Workflow, item_id: int, user: str) -> None:
    _held(conn, workflow, item_id, user)
    queue_claims.unclaim(conn, item_id)


def leave(conn: Connection, workflow: Workflow, item_id: int, user: str) -> None:
    """A round's skip or stop: the person lets go of the item only if they hold it. An item another holds
    (taken or reassigned meanwhile, or a supervisor's round passing over a clerk's item) stays theirs:
    leaving is no release of someone else's work, which `release` allows a supervisor on purpose."""
    authorize(conn, workflow, user, "work_queue")
    _locked_item(conn, item_id)
    queue_claims.unclaim_if_held_by(conn, item_id, user)


def reassign(conn: Connection, workflow: Workflow, item_id: int, to_user: str, by_user: str) -> None:
    """A supervisor gives an item to someone who works the queue (never to an auditor)."""
    authorize(conn, workflow, by_user, "reassign_work")
    if not carries(workflow, role_of(conn, to_user), "work_queue"):
        raise Refused(f"{to_user} does not work the queue ({role_of(conn, to_user)}): items go only to "
                      f"{', '.join(workflow.roles[duty(workflow, 'work_queue')])} (区の方針: the workflow file's [roles])")
    _locked_item(conn, item_id)  # refuses an item that does not exist (it used to report success)
    queue_claims.assign_item(conn, item_id, to_user)


def close(conn: Connection, workflow: Workflow, item_id: int, user: str, note: str, on: date) -> None:
    if not note.strip():
        raise UserError("closing an item needs a note saying what was done")
    _held(conn, workflow, item_id, user)
    queue_claims.close_item(conn, item_id, note, on)
