"""決裁待ち, the decision inbox: the seizure proposals awaiting a supervisor (services/proposals.py), each with
the facts the law asks the decision to rest on — the installments demanded and which are ripe (国税徴収法47条1項:
a 督促状 issued more than ten days before; 地方自治法231条の3第3項: past its deadline), the property, the debt the
seizure may not exceed (48条1項) and, for a deposit, the balance the bank replied and the deposit screen — and
the rule that would refuse it. Supervisors decide (approve or return with a comment); auditors read. Every
household listed is access-logged, as the queue list is (seed 窓3). Beside them, the other decisions proposed
by a clerk (執行停止, 不納欠損, 延滞金減免: services/decision_proposals.py) with their own facts."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import Connection, func, literal, select, true, union_all, update

from ..adapters.tables import decision_proposals, households, seizure_proposals
from ..domain.calendar import earliest_seizure_date
from ..domain.seizure_limits import seizable_deposit
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.facts import load_facts
from ..workflow.guards import is_ripe
from .actions import approval_stage_refusal, bank_balance, debt_of, seizures_in_force
from .decision_proposals import KINDS, SEPARATION as DECISION_SEPARATION, facts_of, held_seizures, refusal_of
from .identity import audit, authorize, carries, role_of
from .proposals import SEPARATION, open_proposal
from .staff import log_shown

INBOX_COMMAND = "decision inbox"
WAGE_SCREEN = ("給与・年金の差押禁止額は、決裁時に当期の支給額・源泉徴収税・住民税・社会保険料と生計を一にする親族の数から"
               "計算します（国税徴収法76条1項・77条1項）。起案には支給額の記録がありません。")


PAGE_SIZE = 20
LABELS = {"seizure": "差押", **{kind: name for kind, (_p, _d, name) in KINDS.items()}}  # the inbox's kinds


def decision_inbox(conn: Connection, workflow: Workflow, on: date, user: str, kind: str | None = None,
                   page: int = 1) -> dict:
    """One page of the open proposals of every kind (or of `kind`), oldest first as the law's clocks run
    (a suspension's three years, a limitation date), with the counts per kind; each with its facts as of `on`,
    loaded for the page's households only. `may_decide` is false for an auditor; a page past the last is the last."""
    authorize(conn, workflow, user, "read_decisions")
    if kind is not None and kind not in LABELS:
        raise UserError(f"kind {kind!r} is not one of {', '.join(LABELS)}")
    role = role_of(conn, user)
    may_decide = carries(workflow, role, "approve_seizure")
    listed = union_all(
        select(literal("seizure").label("kind"), seizure_proposals.c.id, seizure_proposals.c.proposed_on)
        .where(seizure_proposals.c.status == "open"),
        select(decision_proposals.c.kind, decision_proposals.c.id, decision_proposals.c.proposed_on)
        .where(decision_proposals.c.status == "open")).subquery()
    counts = {k: 0 for k in LABELS} | dict(conn.execute(select(listed.c.kind, func.count()).group_by(listed.c.kind)).all())
    total = counts[kind] if kind else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = conn.execute(select(listed.c.kind, listed.c.id).where(listed.c.kind == kind if kind else true())
                         .order_by(listed.c.proposed_on, listed.c.kind, listed.c.id)
                         .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    seizure_ids = [i for k, i in shown if k == "seizure"]
    other_ids = [i for k, i in shown if k != "seizure"]
    rows = {("seizure", r.id): r for r in conn.execute(
        select(seizure_proposals, households.c.household_no, households.c.head_name, households.c.stage)
        .join(households, households.c.id == seizure_proposals.c.household_id)
        .where(seizure_proposals.c.id.in_(seizure_ids)))} if seizure_ids else {}
    rows |= {(r.kind, r.id): r for r in conn.execute(
        select(decision_proposals, households.c.household_no, households.c.head_name, households.c.stage)
        .join(households, households.c.id == decision_proposals.c.household_id)
        .where(decision_proposals.c.id.in_(other_ids)))} if other_ids else {}
    hids = sorted({r.household_id for r in rows.values()})
    facts = load_facts(conn, hids, on) if hids else {}
    in_force = seizures_in_force(conn, hids)
    held = held_seizures(conn, hids)
    log_shown(conn, user, hids, "決裁待ち", INBOX_COMMAND)  # the households listed, as listed
    items = []
    for key in map(tuple, shown):
        r = rows[key]
        f = facts[r.household_id]
        items.append(_item(conn, workflow, r, f, in_force.get(r.household_id, 0), on, user, may_decide)
                     if key[0] == "seizure" else _other(conn, workflow, r, f, held.get(r.household_id, []), on,
                                                        user, role))
    return {"on": on.isoformat(), "may_decide": may_decide, "items": items, "counts": counts, "kind": kind,
            "total": total, "page": page, "pages": pages, "first": (page - 1) * PAGE_SIZE + 1 if items else 0,
            "last": (page - 1) * PAGE_SIZE + len(items)}


def _other(conn, workflow: Workflow, r, f, held: list[dict], on: date, user: str, role: str) -> dict:
    """A suspension, a write-off or a late-fee reduction proposed (services/decision_proposals) with its facts and
    the rule its use case would refuse it by."""
    detail = json.loads(r.detail)
    may_decide = carries(workflow, role, KINDS[r.kind][1])
    refusal = (DECISION_SEPARATION if r.proposed_by == user
               else refusal_of(conn, workflow, r.kind, r.household_id, detail, on, f)) if may_decide else None
    return {"id": r.id, "kind": r.kind, "label": KINDS[r.kind][2], "household_no": r.household_no,
            "name": r.head_name, "stage": r.stage, "proposed_on": r.proposed_on.isoformat(),
            "proposed_by": r.proposed_by, "note": r.note, "detail": detail, "may_decide": may_decide,
            "facts": facts_of(conn, workflow, r.kind, r.household_id, detail, on, f, held), "refusal": refusal}


def _item(conn, workflow: Workflow, r, f, in_force: int, on: date, user: str, may_decide: bool) -> dict:
    demanded = [{"fiscal_year": i.fiscal_year, "installment": i.installment, "due_date": i.due_date.isoformat(),
                 "unpaid": i.unpaid, "demand_issued_on": i.demand_issued_on.isoformat(),
                 "demand_deadline": i.demand_deadline.isoformat() if i.demand_deadline else None,
                 "ripe_from": _ripe_from(i).isoformat(),
                 "ripe": is_ripe(i, on)}
                for i in f.installments if i.unpaid > 0 and i.demand_issued_on is not None]
    debt = debt_of(f, workflow, on, approving=True)
    room = max(debt - in_force, 0) if r.property_kind != "real_estate" else None  # real estate is seized whole
    refusal = approval_stage_refusal(r.stage)
    if refusal is None and r.proposed_by == user:
        refusal = SEPARATION
    if refusal is None and room is not None and r.amount > room:  # what the approval would refuse
        refusal = (f"超過差押: {r.amount:,} yen with the {in_force:,} yen of the household's seizures in force exceeds "
                   f"the debt of {debt:,} yen (国税徴収法48条1項)")
    return {"id": r.id, "kind": "seizure", "household_no": r.household_no, "name": r.head_name, "stage": r.stage,
            "proposed_on": r.proposed_on.isoformat(), "proposed_by": r.proposed_by, "property_kind": r.property_kind,
            "third_party": r.third_party, "amount": r.amount, "note": r.note, "installments": demanded,
            "debt": debt, "in_force": in_force, "room": room,
            "screen": _screen(conn, workflow, r, on), "refusal": refusal if may_decide else None}


def _ripe_from(i) -> date:
    """The first day a seizure may be executed for it: the 11th day after the demand (47条1項) and past the
    demand's deadline (地方自治法231条の3第3項), as is_ripe reads them."""
    first = earliest_seizure_date(i.demand_issued_on)
    return max(first, i.demand_deadline + timedelta(days=1)) if i.demand_deadline else first


def _screen(conn, workflow: Workflow, r, on: date) -> dict:
    """The limit of what may be seized, as the approval will check it (services/actions.record_approval)."""
    if r.property_kind == "deposit":
        balance = bank_balance(conn, r.household_id, r.third_party, on)
        if balance is None:
            return {"kind": "deposit", "balance": None, "seizable": None}
        # No inflows are recorded with a bank's reply: the screen leaves the whole balance; the supervisor reads
        # the account's history before approving (広島高裁松江支部平成25年11月27日).
        return {"kind": "deposit", "balance": balance,
                "seizable": seizable_deposit(balance, [], on, 0, workflow.deposit_screen_days),
                "window_days": workflow.deposit_screen_days}
    if r.property_kind in ("wage", "pension"):
        return {"kind": r.property_kind, "note": WAGE_SCREEN}
    return {"kind": r.property_kind}


def return_proposal(conn: Connection, workflow: Workflow, household_no: str, proposal_id: int, on: date,
                    actor: str, comment: str) -> None:
    """差戻し: the supervisor sends the proposal back with a comment, which the clerk reads in the case file's
    timeline (the audit row). A decision like the approval: never by the one who drafted it."""
    authorize(conn, workflow, actor, "approve_seizure")
    comment = comment.strip()
    if not comment:
        raise UserError("差戻しの理由（コメント）を入力してください。起案者が読んで直せるように書きます。")
    p = open_proposal(conn, household_no, proposal_id, actor)
    conn.execute(update(seizure_proposals).where(seizure_proposals.c.id == proposal_id,
                                                 seizure_proposals.c.status == "open")
                 .values(status="returned", decided_by=actor, decided_on=on, decision_comment=comment[:1000]))
    audit(conn, actor, "return_seizure_proposal", "household", household_no,
          {"on": on, "proposal": proposal_id, "comment": comment[:1000], "proposed_by": p.proposed_by})
