"""`create_app(settings)`: the web app of one process. All session state is in the database, so several
processes (`nhi-collect serve` on several ports behind one proxy) serve one database."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ..bootstrap import Services, Settings
from ..errors import UserError
from ..workflow.machine import Refused
from .guard import SESSION_COOKIE, SignInNeeded
from .render import render
from .routes import act, applications, bulk, decisions, households, reports, review, runs, search, signin, work

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings) -> FastAPI:
    services = Services(settings)
    services.engine()  # migrated once at start, and the one pool of the process (Services.acting_as)

    @asynccontextmanager
    async def lifespan(_app):
        yield
        services.dispose()

    app = FastAPI(title="nhi-collect 収納管理", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.services = services
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, work, search, households, act, decisions, review, runs, reports, applications, bulk):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/work", status_code=303)

    @app.exception_handler(SignInNeeded)
    def to_sign_in(request: Request, _exc: SignInNeeded):
        target = "/signin?next=" + request.url.path
        response = (Response(headers={"HX-Redirect": target})  # htmx loads the sign-in page in full
                    if request.headers.get("HX-Request") else RedirectResponse(target, status_code=303))
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.exception_handler(Refused)
    def refused(request: Request, exc: Refused):
        """The rule that refused, shown to the person (403); an htmx request gets it in place."""
        name = "_refused.html" if request.headers.get("HX-Request") else "refused.html"
        return render(request, getattr(request.state, "web", None), name, rule=str(exc), status_code=403)

    @app.exception_handler(UserError)
    def user_error(request: Request, exc: UserError):
        name = "_refused.html" if request.headers.get("HX-Request") else "error.html"
        return render(request, getattr(request.state, "web", None), name, rule=str(exc), status_code=400)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException):
        rule = "ページが見つかりません。" if exc.status_code == 404 else str(exc.detail)
        return render(request, None, "error.html", rule=rule, status_code=exc.status_code)
    return app
