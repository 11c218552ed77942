"""私の仕事: the signed-in person's queue under a filter (services/work.my_work: filtered, sorted and paged in
SQL), counts per kind, saved filters, claim / release / close with a note, a supervisor's reassignment, and
the one-by-one round for phone calls (順に処理: the next item is claimed, its result recorded, then the next).

Forms post and redirect back (303) to the list or the round; the conditions of the filter travel as query
fields (QueueFilter.params), a round's skipped items as `skipped`."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...services import queue, saved_filters
from ...services.identity import carries
from ...services.work import claim_item, my_work, next_in_round, round_item
from ..guard import Web, needs
from ..render import render

router = APIRouter()
PAGE_SIZE = 50
MAX_SKIPPED = 200  # a round remembers this many skipped items (a URL stays short)
FIELDS = ("staff", "kind", "district", "min_amount", "max_amount", "overdue_days")


def conditions(staff: str = "", kind: str = "", district: str = "", min_amount: str = "", max_amount: str = "",
               overdue_days: str = "") -> dict:
    """The filter's fields of a GET (query) as typed."""
    return dict(zip(FIELDS, (staff, kind, district, min_amount, max_amount, overdue_days)))


def posted_conditions(staff: str = Form(""), kind: str = Form(""), district: str = Form(""),
                      min_amount: str = Form(""), max_amount: str = Form(""), overdue_days: str = Form("")) -> dict:
    """The same fields, carried as hidden inputs of a POST."""
    return dict(zip(FIELDS, (staff, kind, district, min_amount, max_amount, overdue_days)))


def _filter(web: Web, raw: dict) -> queue.QueueFilter:
    """Whose items by default: one's own for a clerk; the whole team's for one who reassigns work (a
    supervisor) or who works no queue (an auditor)."""
    role = web.session.role
    mine = carries(web.workflow, role, "work_queue") and not carries(web.workflow, role, "reassign_work")
    return queue.QueueFilter.from_params(raw, web.user if mine else queue.QueueFilter.EVERYONE)


def _skipped(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip().isdigit())[-MAX_SKIPPED:]


def _back(target: str) -> str:
    """Where a form returns: a page of my work only (never another site)."""
    parts = urlsplit(target or "")
    path = parts.path if parts.path.startswith("/work") else "/work"
    return path + (f"?{parts.query}" if parts.query else "")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _round_url(where: queue.QueueFilter, item_id: int | None, skipped: tuple[int, ...]) -> str:
    fields = where.params() | ({"skipped": ",".join(map(str, skipped))} if skipped else {})
    return f"/work/round/{item_id if item_id else 'done'}?{urlencode(fields)}"


@router.get("/work")
def my_work_page(request: Request, page: str = "1", raw: dict = Depends(conditions),
                 web: Web = Depends(needs("read_queue"))):
    where = _filter(web, raw)
    number = max(int(page), 1) if page.isdigit() else 1
    data = web.services.transact(my_work, web.workflow, web.services.today(), web.user, where, PAGE_SIZE,
                                 (number - 1) * PAGE_SIZE)
    saved = web.services.transact(saved_filters.listing, web.workflow, web.user)
    team = web.services.read(queue.workers, web.workflow)
    return render(request, web, "work.html", where=where, params=where.params(), page=number,
                  page_size=PAGE_SIZE, saved=saved, team=team, back=_back(str(request.url)),
                  can_reassign=carries(web.workflow, web.session.role, "reassign_work"), urlencode=urlencode,
                  **data)


@router.post("/work/items/{item_id}/claim")
def claim(request: Request, item_id: int, web: Web = Depends(needs("work_queue"))):
    """htmx: the claim button is replaced by who holds the item and what they may do with it; a lost race is
    a Refused naming the holder."""
    web.services.transact(claim_item, web.workflow, item_id, web.user)
    item = {"id": item_id, "claimed_by": web.user}
    return render(request, web, "_claimed.html", item=item, back=_back(request.headers.get("HX-Current-URL", "")))


@router.post("/work/items/{item_id}/release")
def release(item_id: int, back: str = Form("/work"), web: Web = Depends(needs("work_queue"))):
    web.services.transact(queue.release, web.workflow, item_id, web.user)
    return _see_other(_back(back))


@router.post("/work/items/{item_id}/close")
def close(item_id: int, note: str = Form(""), back: str = Form("/work"), web: Web = Depends(needs("work_queue"))):
    web.services.transact(queue.close, web.workflow, item_id, web.user, note, web.services.today())
    return _see_other(_back(back))


@router.post("/work/items/{item_id}/reassign")
def reassign(item_id: int, to: str = Form(...), back: str = Form("/work"),
             web: Web = Depends(needs("reassign_work"))):
    web.services.transact(queue.reassign, web.workflow, item_id, to, web.user)
    return _see_other(_back(back))


@router.post("/work/filters")
def save_filter(name: str = Form(""), raw: dict = Depends(posted_conditions),
                web: Web = Depends(needs("read_queue"))):
    where = _filter(web, raw)
    web.services.transact(saved_filters.save, web.workflow, web.user, name, where)
    return _see_other(f"/work?{urlencode(where.params())}")


@router.post("/work/filters/{filter_id}/delete")
def delete_filter(filter_id: int, back: str = Form("/work"), web: Web = Depends(needs("read_queue"))):
    web.services.transact(saved_filters.remove, web.workflow, web.user, filter_id)
    return _see_other(_back(back))


def _next(web: Web, where: queue.QueueFilter, skipped: tuple[int, ...]) -> RedirectResponse:
    """The round's next item, claimed in its own transaction (one staff action, one transaction)."""
    item_id = web.services.transact(next_in_round, web.workflow, web.services.today(), web.user, where, skipped)
    return _see_other(_round_url(where, item_id, skipped))


@router.post("/work/round")
def start_round(skipped: str = Form(""), raw: dict = Depends(posted_conditions),
                web: Web = Depends(needs("work_queue"))):
    return _next(web, _filter(web, raw), _skipped(skipped))


@router.get("/work/round/done")
def round_done(request: Request, raw: dict = Depends(conditions), web: Web = Depends(needs("read_queue"))):
    where = _filter(web, raw)
    return render(request, web, "round_done.html", params=where.params(), urlencode=urlencode)


@router.get("/work/round/{item_id}")
def round_page(request: Request, item_id: int, skipped: str = "", raw: dict = Depends(conditions),
               web: Web = Depends(needs("read_queue"))):
    where = _filter(web, raw)
    item = web.services.transact(round_item, web.workflow, item_id, web.user)
    return render(request, web, "round.html", item=item, params=where.params(), skipped=",".join(
        map(str, _skipped(skipped))), urlencode=urlencode)


@router.post("/work/round/{item_id}/close")
def round_close(item_id: int, note: str = Form(""), skipped: str = Form(""),
                raw: dict = Depends(posted_conditions), web: Web = Depends(needs("work_queue"))):
    web.services.transact(queue.close, web.workflow, item_id, web.user, note, web.services.today())
    return _next(web, _filter(web, raw), _skipped(skipped))


@router.post("/work/round/{item_id}/skip")
def round_skip(item_id: int, skipped: str = Form(""), raw: dict = Depends(posted_conditions),
               web: Web = Depends(needs("work_queue"))):
    """Not now (nobody answered): let go for others if the person holds it, and not offered again in this round."""
    web.services.transact(queue.leave, web.workflow, item_id, web.user)
    return _next(web, _filter(web, raw), _skipped(skipped) + (item_id,))


@router.post("/work/round/{item_id}/stop")
def round_stop(item_id: int, raw: dict = Depends(posted_conditions), web: Web = Depends(needs("work_queue"))):
    web.services.transact(queue.leave, web.workflow, item_id, web.user)
    return _see_other(f"/work?{urlencode(_filter(web, raw).params())}")
