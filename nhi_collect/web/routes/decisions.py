"""決裁待ち, the decision inbox (services/decisions.py): supervisors approve or return a proposal (a seizure, a
suspension, a write-off, a late-fee reduction) with a comment; auditors read the same page without the buttons;
a clerk is refused by the workflow file's duty (read_decisions). Each POST is one transaction of the use case the case file's form calls; a refusal shows
its rule (the app's Refused handler)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...errors import UserError
from ...services.casefile import PROPERTY
from ...services import decision_proposals
from ...services.decisions import LABELS as KIND_LABELS, PAGE_SIZE, decision_inbox, return_proposal
from ...services.proposals import approve_proposal
from ..guard import Web, needs
from ..render import render
from .act import LABELS

router = APIRouter()
DONE = {"approved": "差押を決裁しました。", "returned": "起案を差し戻しました。起案者の滞納者カルテに表示されます。",
        "decided": "決裁しました（承認した内容を実行しました）。"}
WRITE_OFF_GROUNDS = {"limitation": "時効の完成（国保法110条）", "suspension_3y": "執行停止の3年継続（地方税法15条の7第4項）",
                     "immediate_extinction": "即時消滅（地方税法15条の7第5項）"}


@router.get("/decisions")
def inbox(request: Request, done: str = "", kind: str = "", page: int = 1,
          web: Web = Depends(needs("read_decisions"))):
    """One page of the open proposals (`page`, of one `kind` if given: seizure, suspension, …)."""
    data = web.services.transact(decision_inbox, web.workflow, web.services.today(), web.user, kind or None, page)
    return render(request, web, "decisions.html", data=data, property_labels=PROPERTY, notice=DONE.get(done),
                  grounds=LABELS["suspension_grounds"], write_off_grounds=WRITE_OFF_GROUNDS,
                  kind_labels=KIND_LABELS, page_size=PAGE_SIZE)


def _balance(text: str) -> int | None:
    try:
        return int(text.strip().replace(",", "")) if text.strip() else None
    except ValueError:
        raise UserError("預金残高を円単位の整数で入力してください。") from None


@router.post("/decisions/{household_no}/{proposal_id}/approve")
def approve(household_no: str, proposal_id: int, balance: str = Form(""), comment: str = Form(""),
            web: Web = Depends(needs("approve_seizure"))):
    web.services.transact(approve_proposal, web.workflow, household_no, proposal_id, web.services.today(), web.user,
                          balance=_balance(balance), comment=comment)
    return RedirectResponse("/decisions?done=approved", status_code=303)


@router.post("/decisions/{household_no}/{proposal_id}/return")
def send_back(household_no: str, proposal_id: int, comment: str = Form(""),
              web: Web = Depends(needs("approve_seizure"))):
    web.services.transact(return_proposal, web.workflow, household_no, proposal_id, web.services.today(), web.user,
                          comment)
    return RedirectResponse("/decisions?done=returned", status_code=303)


# The other decisions (services/decision_proposals): the duty is the kind's own (suspend, write_off,
# reduce_late_fee), checked by the use case; the route needs only a reader of the inbox and its CSRF token.
@router.post("/decisions/{household_no}/proposals/{proposal_id}/approve")
def approve_other(household_no: str, proposal_id: int, comment: str = Form(""),
                  web: Web = Depends(needs("read_decisions"))):
    today = web.services.today()
    web.services.transact(decision_proposals.approve, web.workflow, household_no, proposal_id, today, web.user, today,
                          comment=comment)
    return RedirectResponse("/decisions?done=decided", status_code=303)


@router.post("/decisions/{household_no}/proposals/{proposal_id}/return")
def send_back_other(household_no: str, proposal_id: int, comment: str = Form(""),
                    web: Web = Depends(needs("read_decisions"))):
    web.services.transact(decision_proposals.send_back, web.workflow, household_no, proposal_id,
                          web.services.today(), web.user, comment)
    return RedirectResponse("/decisions?done=returned", status_code=303)
