"""Sign-in and sign-out. The sign-in form has no session yet: its CSRF token is a double-submit cookie."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ...services.signin import IDLE_TIMEOUT, LOCKOUT, sign_in, sign_out
from ...workflow.machine import Refused
from ..guard import CSRF_REFUSAL, SESSION_COOKIE, Web, needs
from ..render import render

router = APIRouter()
SIGNIN_CSRF_COOKIE = "nhi_signin_csrf"
REFUSALS = {  # unknown user, wrong password, no password set: one message, so names cannot be probed
    "locked": f"このアカウントは続けて失敗したためロックされています。{int(LOCKOUT.total_seconds() // 60)}分後に"
              "もう一度試すか、管理者にパスワードの再設定を依頼してください。",
}
REFUSALS["locked_out"] = REFUSALS["locked"]
WRONG = "ユーザー名またはパスワードが違います。"


def _next(target: str | None) -> str:
    """Only a path of this site (never //host or a URL: an open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/work"


def _form(request: Request, message: str | None = None, status_code: int = 200, next_: str | None = None):
    token = secrets.token_urlsafe(32)
    response = render(request, None, "signin.html", message=message, csrf=token, next=_next(next_),
                      idle_minutes=int(IDLE_TIMEOUT.total_seconds() // 60), status_code=status_code)
    response.set_cookie(SIGNIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/signin")
    return response


@router.get("/signin")
def signin_form(request: Request, next: str | None = None):
    return _form(request, next_=next)


@router.post("/signin")
def signin(request: Request, user: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
           next: str = Form("/work")):
    if not hmac.compare_digest(csrf_token, request.cookies.get(SIGNIN_CSRF_COOKIE, "")) or not csrf_token:
        raise Refused(CSRF_REFUSAL)
    services = request.app.state.services
    outcome = services.transact(sign_in, user.strip(), password, request.client.host if request.client else None)
    if isinstance(outcome, str):
        return _form(request, REFUSALS.get(outcome, WRONG), 401, next)
    token, _csrf = outcome
    response = RedirectResponse(_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/signin")
    return response


@router.post("/signout")
def signout(request: Request, web: Web = Depends(needs(None))):
    web.services.transact(sign_out, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
