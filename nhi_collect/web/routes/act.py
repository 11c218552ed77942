"""Record and act: 次にできること (services/next_actions) and its forms, each POST one transaction calling the
use case the CLI's `action` commands call. An htmx form gets the fragment back, with a notice, when the use
case succeeds, and the refusal with its rule in place (beside the form) when it refuses; without htmx, a
redirect to the page, or the refusal page."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...errors import UserError
from ...services import actions, decision_proposals
from ...services.casework import return_household_letter
from ...services.next_actions import next_actions
from ...services.proposals import approve_proposal, propose_seizure
from ...workflow.machine import Refused
from ..guard import Web, needs
from ..render import render

router = APIRouter()
BASE = "/households/{household_no}"
LABELS = {  # the use cases' codes in Japanese, for the forms' choices
    "channels": {"phone": "電話", "counter": "窓口", "visit": "訪問", "letter": "文書", "email": "メール"},
    "inquiry_kinds": {"bank": "預貯金（金融機関）", "employer": "給与（勤務先）", "pension": "年金", "insurance": "保険",
                      "real_estate": "不動産"},
    "suspension_grounds": {"no_property": "滞納処分できる財産がない（第1号）", "hardship": "生活を著しく窮迫させるおそれ（第2号）",
                           "unknown": "所在と財産がともに不明（第3号）"},
    "promise_status": {"open": "約束中", "kept": "履行", "broken": "不履行"},
}


def _day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"{what}を日付（例 2023-10-31）で入力してください。") from None


def _yen(value: str, what: str) -> int:
    try:
        return int(value.strip().replace(",", ""))
    except ValueError:
        raise UserError(f"{what}を円単位の整数で入力してください。") from None


def _fragment(request: Request, web: Web, household_no: str, notice: str | None = None):
    data = web.services.transact(next_actions, web.workflow, household_no, web.services.today(), web.user)
    return render(request, web, "_next_actions.html", data=data, today=web.services.today(), notice=notice,
                  labels=_labels(web))


def _labels(web: Web) -> dict:
    """The forms' choices; what may be seized is the workflow file's ([seizure.property_kinds])."""
    return {**LABELS, "property_kinds": web.workflow.property_kinds}


@router.get(BASE + "/actions")
def fragment(request: Request, household_no: str, web: Web = Depends(needs("read_household"))):
    """次にできること, loaded by the case file (its section #next-actions)."""
    return _fragment(request, web, household_no)


@router.get(BASE + "/act")
def page(request: Request, household_no: str, web: Web = Depends(needs("read_household"))):
    """The fragment on a page of its own (a household's actions without the whole case file)."""
    data = web.services.transact(next_actions, web.workflow, household_no, web.services.today(), web.user)
    return render(request, web, "act.html", data=data, today=web.services.today(), notice=None, labels=_labels(web))


def _act(request: Request, web: Web, household_no: str, form: str, done: str, call):
    """`call()` reads the form and runs its use case in one transaction (web.services.transact). htmx: a
    refusal, or a form that cannot be read, goes beside form `form` (HX-Retarget), the fragment stays."""
    htmx = bool(request.headers.get("HX-Request"))
    try:
        call()
    except UserError as exc:
        if not htmx:
            raise
        response = render(request, web, "_refused.html", rule=str(exc),
                          status_code=403 if isinstance(exc, Refused) else 400)
        response.headers.update({"HX-Retarget": f"#msg-{form}", "HX-Reswap": "innerHTML"})
        return response
    if not htmx:
        return RedirectResponse(f"/households/{household_no}/act", status_code=303)
    return _fragment(request, web, household_no, done)


@router.post(BASE + "/contacts")
def contact(request: Request, household_no: str, contacted_on: str = Form(""), channel: str = Form(""),
            with_whom: str = Form(""), summary: str = Form(""), promised_on: str = Form(""),
            promised_amount: str = Form(""), web: Web = Depends(needs("record_contact"))):
    def call():
        on = _day(contacted_on, "交渉日")
        if on > web.services.today():
            raise UserError("交渉日に今日より後の日は入力できません（交渉記録は行った交渉の記録です）。")
        if not summary.strip():
            raise UserError("交渉の内容を入力してください。")
        promise = None
        if promised_on.strip() or promised_amount.strip():
            promise = (_day(promised_on, "納付約束の日"), _yen(promised_amount, "納付約束の金額"))
        web.services.transact(actions.record_contact, web.workflow, household_no, on, channel, summary.strip(), None,
                              web.user, with_whom=with_whom.strip() or None, promise_to_pay=promise)
    return _act(request, web, household_no, "record_contact", "交渉記録を登録しました。", call)


def _schedule(due_on: list[str], amount: list[str]) -> list[tuple[date, int]]:
    schedule = [(_day(d, f"{n}回目の納付日"), _yen(a, f"{n}回目の金額"))
                for n, (d, a) in enumerate(zip(due_on, amount), 1) if d.strip() or a.strip()]
    if not schedule:
        raise UserError("分納の納付日と金額を1行以上入力してください。")
    return schedule


@router.post(BASE + "/plans")
def plan(request: Request, household_no: str, due_on: list[str] = Form([]), amount: list[str] = Form([]),
         web: Web = Depends(needs("agree_plan"))):
    return _act(request, web, household_no, "agree_plan", "分納誓約を登録しました。",
                lambda: web.services.transact(actions.agree_plan, web.workflow, household_no, web.services.today(),
                                              _schedule(due_on, amount), web.user))


@router.post(BASE + "/plan-exception-proposals")
def propose_plan_exception(request: Request, household_no: str, due_on: list[str] = Form([]),
                           amount: list[str] = Form([]), reason: str = Form(""),
                           web: Web = Depends(needs("propose_plan_exception"))):
    return _act(request, web, household_no, "propose_plan_exception", "分納（例外）を起案しました（決裁待ち）。",
                lambda: web.services.transact(decision_proposals.propose_plan_exception, web.workflow, household_no,
                                              web.services.today(), _schedule(due_on, amount), reason, web.user))


@router.post(BASE + "/investigations")
def open_investigation(request: Request, household_no: str, kind: list[str] = Form([]),
                       target: list[str] = Form([]), web: Web = Depends(needs("open_investigation"))):
    inquiries = [(k, t.strip()) for k, t in zip(kind, target) if t.strip()]
    return _act(request, web, household_no, "open_investigation", f"財産調査を開始しました（照会{len(inquiries)}件）。",
                lambda: web.services.transact(actions.open_investigation, web.workflow, household_no,
                                              web.services.today(), web.user, inquiries))


@router.post(BASE + "/inquiry-replies")
def inquiry_reply(request: Request, household_no: str, inquiry: str = Form(""), replied_on: str = Form(""),
                  found_amount: str = Form(""), web: Web = Depends(needs("record_inquiry_result"))):
    def call():
        kind, _, target = inquiry.partition(":")
        on = _day(replied_on, "回答日")
        if on > web.services.today():
            raise UserError("回答日に今日より後の日は入力できません。")
        web.services.transact(actions.record_inquiry_result, web.workflow, household_no, kind, target, on,
                              _yen(found_amount, "判明した金額"), web.user)
    return _act(request, web, household_no, "record_inquiry_result", "照会の回答を記録しました。", call)


@router.post(BASE + "/investigations/close")
def close_investigation(request: Request, household_no: str, result: str = Form(""),
                        web: Web = Depends(needs("close_investigation"))):
    def call():
        if result not in ("property_found", "none"):
            raise UserError("調査の結果（財産あり・財産なし）を選んでください。")
        web.services.transact(actions.close_investigation, web.workflow, household_no, web.services.today(),
                              result == "property_found", web.user)
    return _act(request, web, household_no, "close_investigation", "財産調査を終了しました。", call)


@router.post(BASE + "/seizure-proposals")
def propose(request: Request, household_no: str, property_kind: str = Form(""), third_party: str = Form(""),
            amount: str = Form(""), note: str = Form(""), web: Web = Depends(needs("propose_seizure"))):
    return _act(request, web, household_no, "propose_seizure", "差押を起案しました（決裁待ち）。",
                lambda: web.services.transact(propose_seizure, web.workflow, household_no, web.services.today(),
                                              property_kind, third_party, _yen(amount, "差押の金額"), note.strip(),
                                              web.user))


@router.post(BASE + "/seizure-proposals/{proposal_id}/approve")
def approve(request: Request, household_no: str, proposal_id: int, balance: str = Form(""),
            web: Web = Depends(needs("approve_seizure"))):
    return _act(request, web, household_no, f"approve-{proposal_id}", "差押を決裁しました。",
                lambda: web.services.transact(approve_proposal, web.workflow, household_no, proposal_id,
                                              web.services.today(), web.user,
                                              balance=_yen(balance, "預金残高") if balance.strip() else None))


@router.post(BASE + "/seizure")
def seize(request: Request, household_no: str, web: Web = Depends(needs("seize"))):
    return _act(request, web, household_no, "seize", "差押を執行しました。",
                lambda: web.services.transact(actions.execute_seizure, web.workflow, household_no,
                                              web.services.today(), web.user))


@router.post(BASE + "/suspension")
def suspend(request: Request, household_no: str, ground: str = Form(""), web: Web = Depends(needs("suspend"))):
    def call():
        decision_proposals.direct(web.workflow, "suspension")
        web.services.transact(actions.suspend, web.workflow, household_no, web.services.today(), ground, web.user)
    return _act(request, web, household_no, "suspend", "執行停止を決定しました。", call)


@router.post(BASE + "/suspension-proposals")
def propose_suspension(request: Request, household_no: str, ground: str = Form(""), facts: str = Form(""),
                       immediate_extinction: str = Form(""), web: Web = Depends(needs("propose_suspension"))):
    return _act(request, web, household_no, "propose_suspension", "執行停止を起案しました（決裁待ち）。",
                lambda: web.services.transact(decision_proposals.propose_suspension, web.workflow, household_no,
                                              web.services.today(), ground, facts, web.user,
                                              immediate_extinction == "yes"))


@router.post(BASE + "/write-off-proposals")
def propose_write_off(request: Request, household_no: str, note: str = Form(""),
                      web: Web = Depends(needs("propose_write_off"))):
    return _act(request, web, household_no, "propose_write_off", "不納欠損を起案しました（決裁待ち）。",
                lambda: web.services.transact(decision_proposals.propose_write_off, web.workflow, household_no,
                                              web.services.today(), note, web.user))


@router.post(BASE + "/suspension/lift")
def lift(request: Request, household_no: str, web: Web = Depends(needs("lift_suspension"))):
    return _act(request, web, household_no, "lift_suspension", "執行停止を解除しました。",
                lambda: web.services.transact(actions.lift_suspension, web.workflow, household_no,
                                              web.services.today(), web.user))


@router.post(BASE + "/write-off")
def write_off(request: Request, household_no: str, web: Web = Depends(needs("write_off"))):
    def call():
        decision_proposals.direct(web.workflow, "write_off")
        today = web.services.today()
        web.services.transact(actions.write_off, web.workflow, household_no, today, web.user, today)
    return _act(request, web, household_no, "write_off", "不納欠損を決定しました。", call)


@router.post(BASE + "/returned-letters")
def returned(request: Request, household_no: str, serial: str = Form(""), reason: str = Form(""),
             web: Web = Depends(needs("mark_returned"))):
    def call():
        if not reason.strip():
            raise UserError("返戻の理由を入力してください。")
        web.services.transact(return_household_letter, web.workflow, household_no, serial, reason.strip(),
                              web.services.today(), web.user)
    return _act(request, web, household_no, "mark_returned", f"{serial} を返戻として記録しました。", call)
