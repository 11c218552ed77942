"""Templates rendered on the server, with the filters every screen shares."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..domain.calendar import in_tokyo
from ..domain.wareki import wareki as _wareki
from .guard import CSRF_FIELD

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def wareki(day: date | str | None) -> str:
    """和暦 with 西暦 beside it: 令和5年7月20日（2023-07-20）; an ISO string (the use cases' JSON shapes) too."""
    if day is None or day == "":
        return "—"
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{_wareki(day)}（{day.isoformat()}）"


def yen(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}円"


def kind_label(reason: str) -> str:
    """A queue item's kind in Japanese: its reason reads "照会回答待ち: ..." (services/queue.py, the workflow file)."""
    return reason.split(":", 1)[0]


ROLE_LABELS = {"clerk": "徴収担当", "supervisor": "係長・課長", "auditor": "監査担当", "operator": "運用担当",
               "administrator": "管理者"}  # services/staff.py ROLES


def tokyo_time(at) -> str:
    """A recorded moment in Tokyo time, to the minute."""
    return "—" if at is None else in_tokyo(at).strftime("%Y-%m-%d %H:%M")


def csrf_input(web) -> Markup:
    """The hidden input every form carries (checked by guard.needs on every POST)."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(web.session.csrf_token)}">')


templates.env.filters.update(wareki=wareki, yen=yen, kind_label=kind_label, tokyo_time=tokyo_time)
templates.env.globals.update(csrf_input=csrf_input, role_labels=ROLE_LABELS)


def render(request: Request, web, name: str, status_code: int = 200, **context):
    """`web` is the route's guard.Web (None on the sign-in page): the layout shows who is signed in."""
    stages = web.workflow.stages if web else {}
    return templates.TemplateResponse(request, name, {"web": web, "stages": stages, **context},
                                      status_code=status_code)
