"""アクセス記録の点検 (seed 窓3; services/access_review.py): a month's views per person, outside one's own
work and after hours, drilled down to one person's rows, and the supervisor's monthly sign-off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...services.access_review import review_month, sign_off, this_month
from ..guard import Web, needs
from ..render import render

router = APIRouter()


@router.get("/access-review")
def review(request: Request, month: str = "", person: str = "", web: Web = Depends(needs("audit_access"))):
    data = web.services.transact(review_month, web.workflow, month or this_month(), web.user, person or None)
    return render(request, web, "access_review.html", data=data)


@router.post("/access-review/{month}/sign-off")
def sign(month: str, note: str = Form(""), web: Web = Depends(needs("sign_access_review"))):
    web.services.transact(sign_off, web.workflow, month, web.user, note)
    return RedirectResponse(f"/access-review?month={month}", status_code=303)
