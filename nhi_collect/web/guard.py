"""Every route's guard: the signed-in person, the CSRF check of every POST, the duty (services/identity)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, Request

from ..bootstrap import Services
from ..services.freshness import Freshness, payments_freshness
from ..services.identity import Actor, carries, check_duty
from ..services.signin import WebSession, session_of
from ..workflow.machine import Refused

SESSION_COOKIE = "nhi_session"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD")
CSRF_REFUSAL = ("フォームの確認用トークン（CSRFトークン）が一致しないため、この送信を受け付けませんでした。"
                "画面を開き直してから、もう一度操作してください（別のサイトからの送信を防ぐための確認です）。")


class SignInNeeded(Exception):
    """No session, or it ended (signed out, idle too long): the app sends the person to /signin."""


@dataclass(frozen=True)
class Web:
    """What a route gets: the services acting as the signed-in person, their session, the data freshness."""
    services: Services
    session: WebSession
    freshness: Freshness

    @property
    def user(self) -> str:
        return self.session.user

    @property
    def workflow(self):
        return self.services.workflow

    def may(self, action: str) -> bool:
        """Whether the signed-in person's role carries `action`: a page offers only what they may do (an
        auditor reads the queue and is shown no claim button); the route checks it again."""
        return carries(self.workflow, self.session.role, action)


async def submitted_csrf(request: Request) -> str | None:
    """The token a POST carries: htmx's header, else the form's hidden input."""
    if request.method in SAFE_METHODS:
        return None
    return request.headers.get(CSRF_HEADER) or (await request.form()).get(CSRF_FIELD)


def _session_and_freshness(conn, workflow, token: str | None, today, action: str | None):
    """One transaction per request for who is signed in, whether their role carries the page's duty (the
    session row carries the role, read with the staff row) and how fresh the payments are."""
    session = session_of(conn, token)
    if session is None:
        return None, None, None
    refusal = None
    if action is not None:
        try:
            check_duty(workflow, session.user, session.role, action)
        except Refused as refused:  # raised once the session's touch is committed and the CSRF token checked
            refusal = refused
    return session, payments_freshness(conn, today), refusal


def needs(action: str | None):
    """The dependency of a route that needs the duty of `action` (None: only a signed-in person, e.g. to
    sign out). Sync, so that FastAPI runs its database calls in its thread pool."""
    def guard(request: Request, csrf: str | None = Depends(submitted_csrf)) -> Web:
        base: Services = request.app.state.services
        session, freshness, refusal = base.transact(_session_and_freshness, base.workflow,
                                                    request.cookies.get(SESSION_COOKIE), base.today(), action)
        if session is None:
            raise SignInNeeded()
        web = Web(base.acting_as(Actor(session.user, login="web")), session, freshness)
        request.state.web = web  # the refusal page shows who is signed in
        if request.method not in SAFE_METHODS and not hmac.compare_digest(csrf or "", session.csrf_token):
            raise Refused(CSRF_REFUSAL)
        if refusal is not None:
            raise refusal
        return web
    return guard
