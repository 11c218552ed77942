"""The clock, read in Asia/Tokyo; NHI_COLLECT_TODAY pins it for simulations and tests."""

from __future__ import annotations

import os
from datetime import date, datetime

from ..domain.calendar import TOKYO


def today() -> date:
    pinned = os.environ.get("NHI_COLLECT_TODAY")
    return date.fromisoformat(pinned) if pinned else datetime.now(TOKYO).date()
