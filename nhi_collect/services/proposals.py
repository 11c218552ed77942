"""差押の起案 and its 決裁: a clerk proposes a seizure (property, third party, amount, a note); a supervisor who
did not draft it approves it (approve_proposal, the one approval the CLI and the web app call) with the proposal's
data. One who drafts a decision never approves it (決裁: 起案者と決裁者の分離), whatever their role, and nothing is
approved that was not drafted: a seizure has no approval without its proposal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select, update

from ..adapters.tables import households, seizure_proposals
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.machine import Refused
from ..domain.seizure_limits import Inflow
from .actions import approval_stage_refusal, locked_household, record_approval, third_party_address
from .identity import audit, authorize

SEPARATION = ("決裁: 起案者と決裁者の分離 — the supervisor who approves a seizure must not be the one who proposed "
              "it (a decision in writing is checked by a second person; 区の方針 (決裁規程))")
NO_PROPOSAL = ("決裁: 起案者と決裁者の分離 — a seizure is approved only on an open proposal drafted by another member "
               "of staff (差押の起案: `action propose-seizure` or the case file); 区の方針 (決裁規程)")


def propose_seizure(conn: Connection, workflow: Workflow, household_no: str, on: date, property_kind: str,
                    third_party: str, amount: int, note: str, actor: str) -> int:
    authorize(conn, workflow, actor, "propose_seizure")
    if property_kind not in workflow.property_kinds:
        raise Refused(f"property kind {property_kind!r} is not one the workflow file's [seizure.property_kinds] "
                      f"lists ({', '.join(workflow.property_kinds)}; 区の方針)")
    if amount <= 0:
        raise UserError(f"the amount to seize must be a positive whole number of yen, not {amount}")
    third_party_address(workflow, third_party)
    hid = locked_household(conn, household_no)
    stage = conn.execute(select(households.c.stage).where(households.c.id == hid)).scalar()
    if refusal := approval_stage_refusal(stage):  # a proposal follows the approval's rule of the ladder
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
        raise Refused(f"no seizure proposal {proposal_id} for household {household_no}: {NO_PROPOSAL}")
    if p.status != "open":
        raise Refused(f"seizure proposal {proposal_id} is already {p.status} by {p.decided_by}: one decision each "
                      "(区の方針)")
    if p.proposed_by == actor:
        raise Refused(SEPARATION)
    return p


def approve_proposal(conn: Connection, workflow: Workflow, household_no: str, proposal_id: int, on: date,
                     actor: str, balance: int | None = None, comment: str = "", *, pension_kind: str | None = None,
                     pay: dict | None = None, relatives: int = 0, inflows: tuple[Inflow, ...] = ()) -> dict:
    """The supervisor's approval of an open proposal drafted by another: the seizure approved with the proposal's
    data and the screen's (for a deposit the balance the supervisor read, else the bank's recorded reply; for
    wages or a pension the period's pay; actions.record_approval). Returns the screen's figures."""
    authorize(conn, workflow, actor, "approve_seizure")
    p = open_proposal(conn, household_no, proposal_id, actor)
    screen = record_approval(conn, workflow, p.household_id, household_no, on, p.property_kind, p.third_party,
                             p.amount, actor, pension_kind=pension_kind, pay=pay, relatives=relatives,
                             balance=balance, inflows=inflows)
    conn.execute(update(seizure_proposals).where(seizure_proposals.c.id == proposal_id)
                 .values(status="approved", decided_by=actor, decided_on=on, decision_comment=comment.strip()[:1000]))
    return screen


def approve_named(conn: Connection, workflow: Workflow, household_no: str, proposal_id: int | None,
                  property_kind: str, third_party: str, amount: int, on: date, actor: str, **screen) -> dict:
    """The CLI's approval: the proposal given by its id, else the household's one open proposal of `property_kind`
    at `third_party`; what the supervisor typed must be what was drafted (a change is a 差戻し and a new draft)."""
    authorize(conn, workflow, actor, "approve_seizure")
    if proposal_id is None:
        found = conn.execute(select(seizure_proposals.c.id).join(households)
                             .where(households.c.household_no == household_no, seizure_proposals.c.status == "open",
                                    seizure_proposals.c.property_kind == property_kind,
                                    seizure_proposals.c.third_party == third_party)
                             .order_by(seizure_proposals.c.id)).scalars().all()
        if not found:
            raise Refused(f"no open {property_kind} seizure proposal at {third_party} for household {household_no}: "
                          f"{NO_PROPOSAL}")
        if len(found) > 1:
            raise UserError(f"household {household_no} has {len(found)} open {property_kind} proposals at "
                            f"{third_party} (ids {', '.join(map(str, found))}): name one with --proposal")
        proposal_id = found[0]
    p = open_proposal(conn, household_no, proposal_id, actor)
    if (p.property_kind, p.third_party, p.amount) != (property_kind, third_party, amount):
        raise Refused(f"seizure proposal {proposal_id} drafts {p.amount:,} yen of {p.property_kind} at {p.third_party}, "
                      f"not {amount:,} yen of {property_kind} at {third_party}: the supervisor approves what was "
                      "drafted, or returns it to be drafted again (差戻し); 区の方針 (決裁規程)")
    return approve_proposal(conn, workflow, household_no, proposal_id, on, actor, **screen)


def open_proposals(conn: Connection, household_id: int) -> list[dict]:
    rows = conn.execute(select(seizure_proposals).where(seizure_proposals.c.household_id == household_id,
                                                        seizure_proposals.c.status == "open")
                        .order_by(seizure_proposals.c.id)).all()
    return [{"id": r.id, "proposed_on": r.proposed_on, "proposed_by": r.proposed_by, "property_kind": r.property_kind,
             "third_party": r.third_party, "amount": r.amount, "note": r.note} for r in rows]
