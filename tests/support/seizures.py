"""A seizure approved as the ward approves one: drafted (差押の起案) by one member of staff, approved by another
(決裁規程: 起案者と決裁者の分離; services/proposals.py)."""

from __future__ import annotations

from nhi_collect.services.proposals import approve_proposal, propose_seizure


def approve_drafted(conn, workflow, household_no, on, kind, third_party, amount, actor="boss", drafter="clerk", **screen):
    """`drafter` proposes `amount` of `kind` at `third_party` on `on`; `actor` approves it with the screen's data
    (balance, pension_kind, pay, relatives, inflows). Returns the approval's screen figures."""
    proposal = propose_seizure(conn, workflow, household_no, on, kind, third_party, amount, "", drafter)
    return approve_proposal(conn, workflow, household_no, proposal, on, actor, **screen)
