"""申請 with clocks: reductions, late-fee reductions, installment-plan applications, refund claims, seizure-release
requests and the yearly review of each suspension in force, recorded with the day received, an owner and the due
date the workflow file's [applications] period gives (domain/application_clock.py), closed with an outcome and a
note. Osaka City's own inspection found a late-fee reduction application left two years in one ward: the owner
sees their own list, the supervisor the overdue ones, and the monthly report counts them.

Each action is one transaction under the household's row lock; closing is a compare-and-set on the open row.
Every list of households is access-logged as listed (seed 窓3)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection

from ..adapters import application_rows
from ..adapters.household_locks import lock_household
from ..adapters.staff_rows import active_with_districts, towns_of, user_names
from ..domain.application_clock import due_date, overdue
from ..errors import UserError
from ..workflow.definition import ApplicationKind, Workflow
from ..workflow.machine import Refused
from .actions import household_id
from .identity import audit, authorize, carries, duty, role_of
from .staff import log_shown

OUTCOMES = {"granted": "承認", "refused": "却下・不承認", "withdrawn": "取下げ"}
REVIEW = "suspension_review"


def kind_of(workflow: Workflow, kind: str) -> ApplicationKind:
    try:
        return workflow.applications[kind]
    except KeyError:
        raise UserError(f"unknown kind of application {kind!r}: the workflow file's [applications] has "
                        f"{', '.join(workflow.applications)}") from None


def due_on(workflow: Workflow, kind: str, received_on: date) -> date:
    spec = kind_of(workflow, kind)
    return due_date(received_on, spec.days, spec.closed_day == "next_office_day")


def _check_owner(conn: Connection, workflow: Workflow, owner: str) -> None:
    """An application is owned by someone who works cases (never an auditor, who changes nothing)."""
    if not carries(workflow, role_of(conn, owner), "close_application"):
        holders = ", ".join(workflow.roles[duty(workflow, "close_application")])
        raise Refused(f"{owner} cannot own an application ({role_of(conn, owner)}): owners are {holders} "
                      "(区の方針: the workflow file's [roles])")


def record(conn: Connection, workflow: Workflow, household_no: str, kind: str, received_on: date, owner: str,
           actor: str, note: str, on: date) -> int:
    """An application received on `received_on` (not after the business date `on`), owned by `owner`."""
    authorize(conn, workflow, actor, "record_application")
    if kind == REVIEW:
        raise Refused("執行停止の見直し is opened by the nightly run on each anniversary of a suspension in force "
                      "(地方税法15条の7・15条の8, 区の方針), not recorded by hand")
    due = due_on(workflow, kind, received_on)
    if received_on > on:
        raise UserError(f"受付日 {received_on} is after today ({on}): an application is recorded once received")
    _check_owner(conn, workflow, owner)
    hid = household_id(conn, household_no)
    lock_household(conn, hid)
    new_id = application_rows.insert_application(conn, household_id=hid, kind=kind, received_on=received_on,
                                                 due_on=due, owner=owner, recorded_by=actor, note=note.strip()[:1000])
    audit(conn, actor, "record_application", "household", household_no,
          {"on": on, "application": new_id, "kind": kind, "received_on": received_on, "due_on": due, "owner": owner})
    return new_id


def _locked(conn: Connection, application_id: int):
    """The application, read after locking its household's row and its own (the order staff actions take)."""
    hid = application_rows.application_household(conn, application_id)
    if hid is None:
        raise UserError(f"no application {application_id}")
    lock_household(conn, hid)
    return application_rows.locked_application(conn, application_id)


def close(conn: Connection, workflow: Workflow, application_id: int, outcome: str, note: str, on: date,
          actor: str) -> bool:
    """The outcome and its note, by the owner or one who reassigns work; returns whether it was late."""
    role = authorize(conn, workflow, actor, "close_application")
    if outcome not in OUTCOMES:
        raise UserError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if not note.strip():
        raise UserError("結果の記録には、何をどう決めたかのメモが必要です（区の方針）")
    row = _locked(conn, application_id)
    if row.owner != actor and not carries(workflow, role, "reassign_work"):
        holders = ", ".join(workflow.roles[duty(workflow, "reassign_work")])
        raise Refused(f"application {application_id} is {row.owner}'s: only its owner or one who reassigns work "
                      f"({holders}) may close it (区の方針: the workflow file's [roles])")
    if on < row.received_on:
        raise UserError(f"the outcome on {on} would precede the application's receipt on {row.received_on}")
    done = application_rows.close_if_open(conn, application_id, outcome=outcome, closed_on=on, closed_by=actor,
                                          outcome_note=note.strip()[:1000])
    if done != 1:
        raise Refused(f"application {application_id} was already closed on {row.closed_on} by {row.closed_by} "
                      f"({OUTCOMES.get(row.outcome, row.outcome)}): one outcome per application (区の方針)")
    late = overdue(row.due_on, on, on)
    audit(conn, actor, "close_application", "household", row.household_no,
          {"on": on, "application": application_id, "kind": row.kind, "outcome": outcome, "due_on": row.due_on,
           "late": late})
    return late


def reassign(conn: Connection, workflow: Workflow, application_id: int, to_user: str, actor: str) -> None:
    authorize(conn, workflow, actor, "reassign_work")
    _check_owner(conn, workflow, to_user)
    row = _locked(conn, application_id)
    if row.status != "open":
        raise Refused(f"application {application_id} is closed: only open applications change owner (区の方針)")
    application_rows.set_owner(conn, application_id, to_user)
    audit(conn, actor, "reassign_application", "household", row.household_no,
          {"application": application_id, "from": row.owner, "to": to_user})


def _rows(workflow: Workflow, rows: list, on: date) -> list[dict]:
    result = []
    for r in rows:
        spec = workflow.applications.get(r.kind)
        result.append({
            "id": r.id, "household_id": r.household_id, "household_no": r.household_no, "head_name": r.head_name,
            "district": r.district, "kind": r.kind, "label": spec.label if spec else r.kind,
            "basis": spec.basis if spec else "", "days": spec.days if spec else None,
            "received_on": r.received_on.isoformat(), "due_on": r.due_on.isoformat(), "owner": r.owner,
            "recorded_by": r.recorded_by, "note": r.note, "status": r.status, "outcome": r.outcome,
            "closed_on": r.closed_on.isoformat() if r.closed_on else None, "closed_by": r.closed_by,
            "outcome_note": r.outcome_note, "overdue": overdue(r.due_on, on, r.closed_on),
            "days_over": max((min(r.closed_on or on, on) - r.due_on).days, 0)})
    return result


def _shown(conn: Connection, user: str, rows: list[dict], purpose: str, command: str) -> list[dict]:
    log_shown(conn, user, [r.pop("household_id") for r in rows], purpose, command)
    return rows


def mine(conn: Connection, workflow: Workflow, on: date, user: str, closed_days: int = 30) -> dict:
    """私の申請: one's open applications, the overdue first (by due date), and those closed in the last days."""
    authorize(conn, workflow, user, "read_applications")
    listed = application_rows.owned_by(conn, user, on, on - timedelta(days=closed_days))
    rows = _shown(conn, user, _rows(workflow, listed, on), "私の申請", "application list")
    return {"on": on.isoformat(), "open": [r for r in rows if r["status"] == "open"],
            "closed": [r for r in rows if r["status"] == "closed"]}


def overdue_list(conn: Connection, workflow: Workflow, on: date, user: str, owner: str | None = None) -> dict:
    """処理期限を過ぎた申請, for the supervisor (auditors read it): open applications due before `on`."""
    authorize(conn, workflow, user, "watch_applications")
    listed = application_rows.open_due_before(conn, on, owner)
    rows = _shown(conn, user, _rows(workflow, listed, on), "期限超過の申請", "application overdue")
    return {"on": on.isoformat(), "items": rows,
            "may_reassign": carries(workflow, role_of(conn, user), "reassign_work")}


def of_household(conn: Connection, workflow: Workflow, hid: int, as_of: date) -> list[dict]:
    """The household's applications received by `as_of`, for its case file (opened and logged there)."""
    rows = _rows(workflow, application_rows.of_household(conn, hid, as_of), as_of)
    for r in rows:
        r.pop("household_id")
        if r["closed_on"] and r["closed_on"] > as_of.isoformat():  # as it stood that day
            r.update(status="open", outcome=None, closed_on=None, closed_by=None, outcome_note=None)
    return rows


def counts(conn: Connection, as_of: date, since: date | None = None) -> dict:
    """For the monthly report, as things stood on `as_of` (a closed month's figures do not move when an
    application is closed later): open, of which overdue; and, closed from `since`, how many late."""
    still_open, overdue_open = application_rows.open_counts(conn, as_of)
    data = {"open": still_open, "overdue": overdue_open}
    if since is not None:
        closed, late = application_rows.closed_counts(conn, since, as_of)
        data.update(closed=closed, closed_late=late)
    return data


def anniversary(started_on: date, years: int) -> date:
    """The anniversary `years` after `started_on`; of a 2/29 start, 3/1 in a common year (区の方針: the review
    comes once the year has fully run, never a day early)."""
    try:
        return started_on.replace(year=started_on.year + years)
    except ValueError:
        return date(started_on.year + years, 3, 1)


def open_suspension_reviews(conn: Connection, workflow: Workflow, on: date) -> int:
    """執行停止の見直し: each suspension in force on `on` whose anniversary has come (one, two, three years after it
    began) gets its review, received that day (地方税法15条の7: three years extinguish the debt; 15条の8: a
    suspension whose ground has ended must be cancelled, so the ward looks again each year, 区の方針). Owned by
    the clerk whose districts hold the household, else the supervisor who decided it. Re-running adds nothing
    (one review per suspension and anniversary)."""
    if REVIEW not in workflow.applications:
        return 0
    rows = application_rows.suspensions_in_force(conn, on)
    clerks = district_clerks(conn, workflow)
    new = []
    for r in rows:
        years = on.year - r.started_on.year - (1 if (on.month, on.day) < (r.started_on.month, r.started_on.day) else 0)
        if years < 1:
            continue
        received = anniversary(r.started_on, years)
        owner = clerks.get(r.district) or r.decided_by
        new.append({"household_id": r.household_id, "kind": REVIEW, "received_on": received,
                    "due_on": due_on(workflow, REVIEW, received), "owner": owner, "recorded_by": "calendar",
                    "note": f"{years}年目の見直し（{r.started_on.isoformat()} 執行停止）", "suspension_id": r.id})
    if not new:
        return 0
    known = user_names(conn)
    new = [n for n in new if n["owner"] in known]  # a simulated supervisor since removed owns nothing
    if not new:
        return 0
    return application_rows.insert_new_reviews(conn, new)


def district_clerks(conn: Connection, workflow: Workflow) -> dict[str, str]:
    """Each town's clerk (the first by user name whose districts include it), as the queue assigns items."""
    workers = workflow.roles[duty(workflow, "work_queue")]
    towns: dict[str, str] = {}
    for clerk in active_with_districts(conn, workers):
        for town in towns_of(clerk.districts):
            towns.setdefault(town, clerk.user_name)
    return towns
