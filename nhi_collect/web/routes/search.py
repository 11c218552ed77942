"""検索: households by number, name or reading (any kana, any width), phone, address, district
(services/search.search_households: the duty checked, every listed household access-logged). Typing in the
box asks again after a pause (htmx, debounced) and only the results are replaced."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...services.search import districts, search_households
from ..guard import Web, needs
from ..render import render

router = APIRouter()


@router.get("/search")
def search(request: Request, q: str = "", district: str = "", web: Web = Depends(needs("read_household"))):
    found = web.services.transact(search_households, web.workflow, q, district, web.services.today(), web.user)
    if request.headers.get("HX-Request"):
        return render(request, web, "_search_results.html", found=found)
    return render(request, web, "search.html", found=found, districts=web.services.transact(districts))
