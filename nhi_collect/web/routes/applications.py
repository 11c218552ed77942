"""申請 with clocks (services/applications.py) and the team view (services/team.py): an application recorded from
the case file, 私の申請 (one's own), the supervisor's overdue list, closing with an outcome, reassigning one or
all of a person's work after a dry run. Each POST is one transaction of a use case; refusals show their rule."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...errors import UserError
from ...services import applications, queue
from ...services.team import reassign_all, reassignment_plan, team_view
from ..guard import Web, needs
from ..render import render

router = APIRouter()
DONE = {"closed": "申請の結果を記録しました。", "late": "申請の結果を記録しました（処理期限を過ぎての処理です）。",
        "reassigned": "申請の担当を替えました。"}


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{what}を日付（例 2023-09-20）で入力してください。") from None


def _back(target: str, default: str) -> str:
    """Where a form returns: a page of this app only (never another site)."""
    parts = urlsplit(target or "")
    if not parts.path.startswith(("/applications", "/households/", "/team")) or parts.netloc:
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.post("/households/{household_no}/applications")
def record(household_no: str, kind: str = Form(...), received_on: str = Form(...), owner: str = Form(""),
           note: str = Form(""), back: str = Form(""), web: Web = Depends(needs("record_application"))):
    today = web.services.today()
    web.services.transact(applications.record, web.workflow, household_no, kind, _day(received_on, "受付日"),
                          owner.strip() or web.user, web.user, note, today)
    target = _back(back, f"/households/{quote(household_no)}?reason={quote('申請の受付')}")
    return _see_other(target + ("&" if "?" in target else "?") + "recorded=1#applications")


@router.get("/applications")
def mine(request: Request, done: str = "", web: Web = Depends(needs("read_applications"))):
    data = web.services.transact(applications.mine, web.workflow, web.services.today(), web.user)
    return render(request, web, "applications.html", data=data, outcomes=applications.OUTCOMES,
                  notice=DONE.get(done), back="/applications")


@router.post("/applications/{application_id}/close")
def close(application_id: int, outcome: str = Form(""), note: str = Form(""), back: str = Form(""),
          web: Web = Depends(needs("close_application"))):
    late = web.services.transact(applications.close, web.workflow, application_id, outcome, note,
                                 web.services.today(), web.user)
    target = _back(back, "/applications")
    return _see_other(target + ("&" if "?" in target else "?") + f"done={'late' if late else 'closed'}")


@router.get("/applications/overdue")
def overdue(request: Request, owner: str = "", done: str = "", web: Web = Depends(needs("watch_applications"))):
    data = web.services.transact(applications.overdue_list, web.workflow, web.services.today(), web.user,
                                 owner or None)
    team = web.services.read(queue.workers, web.workflow)
    return render(request, web, "applications_overdue.html", data=data, team=team, owner=owner,
                  outcomes=applications.OUTCOMES, notice=DONE.get(done), back="/applications/overdue")


@router.post("/applications/{application_id}/reassign")
def reassign(application_id: int, to: str = Form(...), back: str = Form(""),
             web: Web = Depends(needs("reassign_work"))):
    web.services.transact(applications.reassign, web.workflow, application_id, to, web.user)
    target = _back(back, "/applications/overdue")
    return _see_other(target + ("&" if "?" in target else "?") + "done=reassigned")


@router.get("/team")
def team(request: Request, done: str = "", web: Web = Depends(needs("watch_applications"))):
    data = web.services.transact(team_view, web.workflow, web.services.today(), web.user)
    parts = done.split(",")
    moved = ({"items": int(parts[0]), "applications": int(parts[1])}
             if len(parts) == 2 and all(p.isdigit() for p in parts) else None)  # what the bulk move reported
    return render(request, web, "team.html", data=data, moved=moved)


@router.get("/team/reassign")
def dry_run(request: Request, from_user: str = "", to_user: str = "", district: str = "",
            web: Web = Depends(needs("reassign_work"))):
    """The dry run of a bulk reassignment: what it would move, and the button that moves exactly that."""
    plan = web.services.transact(reassignment_plan, web.workflow, web.services.today(), from_user, to_user,
                                 district.strip() or None, web.user)
    return render(request, web, "team_reassign.html", plan=plan)


def _ids(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip().isdigit()]


@router.post("/team/reassign")
def bulk(from_user: str = Form(...), to_user: str = Form(...), district: str = Form(""), item_ids: str = Form(""),
         application_ids: str = Form(""), web: Web = Depends(needs("reassign_work"))):
    done = web.services.transact(reassign_all, web.workflow, web.services.today(), from_user, to_user,
                                 district.strip() or None, _ids(item_ids), _ids(application_ids), web.user)
    return _see_other("/team?" + urlencode({"done": f"{done['items']},{done['applications']}"}))
