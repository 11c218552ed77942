"""A supervisor's bulk actions over a filtered list of the work queue (私の仕事's filter, a saved filter's
conditions): closing its returned-mail items, and sending a reminder (催告) to its households. Each is first a
dry run showing what it would do (households, items; letters by type and the yen they would demand, and the
households the guards refuse with the rule), then done on exactly the dry run's ids in one transaction under
the households' row locks, refused if the selection has changed since (services/team.py's pattern)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import Connection, select, update

from ..adapters.tables import households, letters, queue_items
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.facts import load_facts
from ..workflow.guards import Context
from ..workflow.machine import Refused, require
from . import actions, queue
from .identity import audit, authorize
from .staff import log_shown

RETURNED = "returned_mail"  # the item services/letters.mark_returned opens (不現住調査)
REMINDER = "send_reminder"
MOST = 500  # 区の方針: one bulk action takes at most this many items; a longer list is narrowed first


def _listed(conn: Connection, on: date, where: queue.QueueFilter) -> list:
    rows = queue.selection(conn, on, where, MOST)
    if len(rows) > MOST:
        raise Refused(f"the list has more than {MOST} items: narrow the filter (区の方針: a bulk action is looked "
                      "at before it is done, and a longer list cannot be)")
    return rows


def _locked(conn: Connection, on: date, where: queue.QueueFilter) -> list:
    """The list, read again after locking its households in id order (as every staff action locks them)."""
    hids = sorted({r.household_id for r in _listed(conn, on, where)})
    if hids:
        conn.execute(select(households.c.id).where(households.c.id.in_(hids)).order_by(households.c.id)
                     .with_for_update())
    return _listed(conn, on, where)


def _returned(where: queue.QueueFilter) -> queue.QueueFilter:
    return replace(where, kind=RETURNED)


def close_plan(conn: Connection, workflow: Workflow, on: date, where: queue.QueueFilter, user: str) -> dict:
    """The dry run of closing the list's returned-mail items; nothing changes but the access log."""
    authorize(conn, workflow, user, "bulk_action")
    items = _listed(conn, on, _returned(where))
    log_shown(conn, user, [r.household_id for r in items], "返戻郵便の一括完了の確認", "bulk close returned")
    return {"params": _returned(where).params(), "households": len({r.household_id for r in items}),
            "items": [{"id": r.id, "reason": r.reason, "household_no": r.household_no, "head_name": r.head_name,
                       "district": r.district, "due_on": r.due_on.isoformat()} for r in items]}


def close_returned(conn: Connection, workflow: Workflow, on: date, where: queue.QueueFilter, item_ids: list[int],
                   note: str, user: str) -> dict:
    """Closes exactly the dry run's items with the note, each household's access logged, or nothing."""
    authorize(conn, workflow, user, "bulk_action")
    if not note.strip():
        raise UserError("closing items needs a note saying what was done")
    items = _locked(conn, on, _returned(where))
    if sorted(r.id for r in items) != sorted(item_ids):
        raise Refused(f"the returned-mail items have changed since the dry run ({len(items)} now, {len(item_ids)} "
                      "shown): nothing was closed; look at the dry run again "
                      "(区の方針: a bulk action does what it showed)")
    hids = sorted({r.household_id for r in items})
    if item_ids:
        conn.execute(update(queue_items).where(queue_items.c.id.in_(item_ids), queue_items.c.status == "open")
                     .values(status="closed", note=note.strip()[:1000], closed_on=on))
    log_shown(conn, user, hids, "返戻郵便の一括完了", "bulk close returned")
    done = {"households": len(hids), "items": len(item_ids)}
    audit(conn, user, "bulk_close_returned", "queue", RETURNED,
          {**done, "on": on, "conditions": where.params(), "item_ids": sorted(item_ids)})
    return done


def _reminders(conn: Connection, workflow: Workflow, on: date, rows: list) -> list[dict]:
    """Per household of the list: what its reminder would demand, or the rule that refuses it."""
    first = {}
    for r in rows:
        first.setdefault(r.household_id, r)
    hids = sorted(first)
    facts = load_facts(conn, hids, on) if hids else {}
    types = workflow.transition(REMINDER).letters
    sent = set(conn.execute(select(letters.c.household_id).where(
        letters.c.household_id.in_(hids), letters.c.issued_on == on, letters.c.letter_type.in_(types))).scalars())
    out = []
    for hid in hids:
        refusal = actions.already_sent(workflow, on) if hid in sent else None
        if refusal is None:
            try:
                require(workflow, REMINDER, facts[hid], Context(on, workflow.policy))
            except Refused as refused:
                refusal = str(refused)
        r = first[hid]
        out.append({"household_id": hid, "household_no": r.household_no, "head_name": r.head_name,
                    "district": r.district, "yen": sum(i.unpaid for i in facts[hid].overdue(on)),
                    "refused": refusal})
    return out


def reminder_plan(conn: Connection, workflow: Workflow, on: date, where: queue.QueueFilter, user: str) -> dict:
    """The dry run of a reminder to the list's households: those it would reach with the letters (type, count)
    and the yen they demand (the overdue unpaid premium each letter lists), and those refused, with the rule."""
    authorize(conn, workflow, user, "bulk_action")
    each = _reminders(conn, workflow, on, _listed(conn, on, where))
    log_shown(conn, user, [h["household_id"] for h in each], "一括催告の確認", "bulk reminder")
    going = [h for h in each if not h["refused"]]
    return {"params": where.params(), "send": going, "refused": [h for h in each if h["refused"]],
            "letters": [{"type": t, "title": workflow.letter_types[t].title, "count": len(going)}
                        for t in workflow.transition(REMINDER).letters],
            "yen": sum(h["yen"] for h in going)}


def send_reminders(conn: Connection, workflow: Workflow, on: date, where: queue.QueueFilter,
                   household_ids: list[int], user: str) -> dict:
    """Sends the reminder to exactly the dry run's households (actions.send_reminder, one after the other in
    this one transaction), or to none if the list or a household's standing has changed since."""
    authorize(conn, workflow, user, "bulk_action")
    going = [h for h in _reminders(conn, workflow, on, _locked(conn, on, where)) if not h["refused"]]
    if sorted(h["household_id"] for h in going) != sorted(household_ids):
        raise Refused(f"the households a reminder would reach have changed since the dry run ({len(going)} now, "
                      f"{len(household_ids)} shown): nothing was sent; look at the dry run again "
                      "(区の方針: a bulk action does what it showed)")
    for h in going:
        actions.send_reminder(conn, workflow, h["household_no"], on, user)
    log_shown(conn, user, [h["household_id"] for h in going], "一括催告", "bulk reminder")
    done = {"households": len(going), "yen": sum(h["yen"] for h in going)}
    audit(conn, user, "bulk_reminder", "queue", REMINDER,
          {**done, "on": on, "conditions": where.params(), "household_ids": sorted(household_ids)})
    return done
