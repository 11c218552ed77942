"""差押の起案 and its 決裁: a clerk proposes a seizure (property, third party, amount, a note); a supervisor who
did not draft it approves it through services/actions.approve_seizure with the proposal's data. One who drafts
a decision never approves it (決裁: 起案者と決裁者の分離), whatever their role."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select, update

from ..adapters.tables import households, seizure_proposals
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from .actions import approval_stage_refusal, approve_seizure, locked_household, third_party_address
from .identity import audit, authorize

SEPARATION = ("決裁: 起案者と決裁者の分離 — the supervisor who approves a seizure must not be the one who proposed "
              "it (a decision in writing is checked by a second person; 区の方針, internal control)")


def propose_seizure(conn: Connection, workflow: Workflow, household_no: str, on: date, property_kind: str,
                    third_party: str, amount: int, note: str, actor: str) -> int:
    authorize(conn, workflow, actor, "propose_seizure")
    if property_kind not in workflow.property_kinds:
        raise UserError(f"property kind {property_kind!r} is not one the workflow file's [seizure.property_kinds] "
                        f"lists ({', '.join(workflow.property_kinds)}; 区の方針)")
    if amount <= 0:
        raise UserError(f"the amount to seize must be a positive whole number of yen, not {amount}")
    third_party_address(workflow, third_party)
    hid = locked_household(conn, household_no)
    stage = conn.execute(select(households.c.stage).where(households.c.id == hid)).scalar()
    if refusal := approval_stage_refusal(stage):  # a proposal follows approve_seizure's rule of the ladder
        raise Refused(refusal)
    proposal = conn.execute(seizure_proposals.insert().values(
        household_id=hid, proposed_on=on, proposed_by=actor, property_kind=property_kind, third_party=third_party,
        amount=amount, note=note).returning(seizure_proposals.c.id)).scalar_one()
    audit(conn, actor, "propose_seizure", "household", household_no, {"on": on, "proposal": proposal,
          "kind": property_kind, "third_party": third_party, "amount": amount})
    return proposal


def open_proposal(conn: Connection, household_no: str, proposal_id: int, actor: str):
    """The open proposal a supervisor decides (approve or return), under the household's row lock: one decision
    each, and never by the one who drafted it."""
    hid = locked_household(conn, household_no)
    p = conn.execute(select(seizure_proposals).where(seizure_proposals.c.id == proposal_id,
                                                     seizure_proposals.c.household_id == hid)).first()
    if p is None:
        raise UserError(f"no seizure proposal {proposal_id} for household {household_no}")
    if p.status != "open":
        raise Refused(f"seizure proposal {proposal_id} is already {p.status} by {p.decided_by}: one decision each "
                      "(区の方針)")
    if p.proposed_by == actor:
        raise Refused(SEPARATION)
    return p


def approve_proposal(conn: Connection, workflow: Workflow, household_no: str, proposal_id: int, on: date,
                     actor: str, balance: int | None = None, comment: str = "") -> None:
    """The supervisor's approval of an open proposal: the seizure approved with the proposal's data and, for a
    deposit, the balance the supervisor read (else the bank's recorded reply; actions.approve_seizure)."""
    authorize(conn, workflow, actor, "approve_seizure")
    p = open_proposal(conn, household_no, proposal_id, actor)
    approve_seizure(conn, workflow, household_no, on, p.property_kind, p.third_party, p.amount, actor,
                    balance=balance)
    conn.execute(update(seizure_proposals).where(seizure_proposals.c.id == proposal_id)
                 .values(status="approved", decided_by=actor, decided_on=on, decision_comment=comment.strip()[:1000]))


def open_proposals(conn: Connection, household_id: int) -> list[dict]:
    rows = conn.execute(select(seizure_proposals).where(seizure_proposals.c.household_id == household_id,
                                                        seizure_proposals.c.status == "open")
                        .order_by(seizure_proposals.c.id)).all()
    return [{"id": r.id, "proposed_on": r.proposed_on, "proposed_by": r.proposed_by, "property_kind": r.property_kind,
             "third_party": r.third_party, "amount": r.amount, "note": r.note} for r in rows]
