"""The household case file (services/work.open_household: the duty is checked and the opening logged)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...services.work import open_household
from ..guard import Web, needs
from ..render import render

router = APIRouter()


@router.get("/households/{household_no}")
def household(request: Request, household_no: str, reason: str = "世帯の表示",
              web: Web = Depends(needs("read_household"))):
    """`reason` is written to the access log (why the record was opened: e.g. the queue item)."""
    data = web.services.transact(open_household, web.workflow, household_no, web.services.today(), web.user,
                                 reason[:200])
    return render(request, web, "household.html", household=data)
