"""私の仕事: the signed-in person's queue (services/work.todays_queue) and claiming an item (claim_item)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Request

from ...services.work import claim_item, todays_queue
from ..guard import Web, needs
from ..render import kind_label, render

router = APIRouter()


@router.get("/work")
def my_work(request: Request, web: Web = Depends(needs("read_queue"))):
    items = web.services.transact(todays_queue, web.workflow, web.services.today(), web.user, web.user)
    counts = Counter(kind_label(i["reason"]) for i in items).most_common()
    return render(request, web, "work.html", items=items, counts=counts)


@router.post("/work/items/{item_id}/claim")
def claim(request: Request, item_id: int, web: Web = Depends(needs("work_queue"))):
    """htmx: the claim button is replaced by who holds the item; a lost race is a Refused naming the holder."""
    web.services.transact(claim_item, web.workflow, item_id, web.user)
    return render(request, web, "_claimed.html", item_id=item_id)
