"""一括処理 (a supervisor's bulk actions over 私の仕事's filtered list, services/bulk.py): closing returned-mail
items and sending a reminder, each a dry run (GET) whose button posts exactly its ids; the filter's conditions
travel as query fields, then as hidden inputs (QueueFilter.params), and what was done comes back as `done`."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...services import bulk, queue
from ..guard import Web, needs
from ..render import render
from .work import conditions, posted_conditions

router = APIRouter()


def _where(raw: dict) -> queue.QueueFilter:
    return queue.QueueFilter.from_params(raw, queue.QueueFilter.EVERYONE)  # a supervisor's list: the team's


def _ids(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip().isdigit()]


def _done(path: str, where: queue.QueueFilter, done: dict) -> RedirectResponse:
    fields = where.params() | {"done": ",".join(str(done[k]) for k in sorted(done))}
    return RedirectResponse(f"{path}?{urlencode(fields)}", status_code=303)


def _reported(done: str, keys: tuple[str, ...]) -> dict | None:
    parts = done.split(",")
    return dict(zip(sorted(keys), map(int, parts))) if len(parts) == len(keys) and all(
        p.isdigit() for p in parts) else None


@router.get("/bulk/returned-mail")
def close_dry_run(request: Request, done: str = "", raw: dict = Depends(conditions),
                  web: Web = Depends(needs("bulk_action"))):
    plan = web.services.transact(bulk.close_plan, web.workflow, web.services.today(), _where(raw), web.user)
    return render(request, web, "bulk_returned.html", plan=plan, done=_reported(done, ("households", "items")),
                  urlencode=urlencode)


@router.post("/bulk/returned-mail")
def close(item_ids: str = Form(""), note: str = Form(""), raw: dict = Depends(posted_conditions),
          web: Web = Depends(needs("bulk_action"))):
    where = _where(raw)
    done = web.services.transact(bulk.close_returned, web.workflow, web.services.today(), where, _ids(item_ids),
                                 note, web.user)
    return _done("/bulk/returned-mail", where, done)


@router.get("/bulk/reminders")
def remind_dry_run(request: Request, done: str = "", raw: dict = Depends(conditions),
                   web: Web = Depends(needs("bulk_action"))):
    plan = web.services.transact(bulk.reminder_plan, web.workflow, web.services.today(), _where(raw), web.user)
    return render(request, web, "bulk_reminders.html", plan=plan, done=_reported(done, ("households", "yen")),
                  urlencode=urlencode)


@router.post("/bulk/reminders")
def remind(household_ids: str = Form(""), raw: dict = Depends(posted_conditions),
           web: Web = Depends(needs("bulk_action"))):
    where = _where(raw)
    done = web.services.transact(bulk.send_reminders, web.workflow, web.services.today(), where,
                                 _ids(household_ids), web.user)
    return _done("/bulk/reminders", where, done)
