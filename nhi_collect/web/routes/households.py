"""The household case file, 滞納者カルテ (services/work.open_household: the duty checked, the opening logged,
a reason asked outside one's own work), as of any date, and its letters' PDFs as printed."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...errors import UserError
from ...services import queue
from ...services.applications import OUTCOMES
from ...services.work import OPENING_REASONS, ReasonNeeded, open_household, reprint_letter
from ..guard import Web, needs
from ..render import render

router = APIRouter()


def _day(text: str | None, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        raise UserError(f"基準日 {text[:20]!r} は日付（YYYY-MM-DD）ではありません") from None


@router.get("/households/{household_no}")
def household(request: Request, household_no: str, as_of: str | None = None, reason: str = "", detail: str = "",
              recorded: str = "", web: Web = Depends(needs("read_household"))):
    """`reason` (a common one) and `detail` (free text) say why a household outside one's work is opened."""
    today = web.services.today()
    on = _day(as_of, today)
    why = " ".join(part for part in (reason.strip(), detail.strip()) if part)[:200]
    try:
        data = web.services.transact(open_household, web.workflow, household_no, on, web.user, why)
    except ReasonNeeded:
        return render(request, web, "reason.html", household_no=household_no, as_of=as_of or "",
                      reasons=OPENING_REASONS, again="reason" in request.query_params)
    back = f"/households/{quote(household_no)}" + (f"?reason={quote(why)}" if why else "")
    return render(request, web, "casefile.html", household=data, as_of=on, today=today, reason=why,
                  team=web.services.read(queue.workers, web.workflow), outcomes=OUTCOMES, back=back,
                  recorded=bool(recorded))


@router.get("/letters/{serial}.pdf")
def letter_pdf(serial: str, web: Web = Depends(needs("read_household"))):
    """The letter as printed, rendered again from its record (services/work.reprint_letter logs the reading)."""
    with tempfile.TemporaryDirectory(prefix="nhi-reprint-") as folder:
        target = Path(folder) / f"{serial}.pdf"
        web.services.transact(reprint_letter, web.workflow, serial, web.user)(target)
        content = target.read_bytes()
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{serial}.pdf"', "Cache-Control": "no-store"})
