"""A generated ward loaded up to a date, and a snapshot of what its runs wrote (for comparing runs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import (applications, demand_notices, households, letter_items, letters,
                                         stage_transitions)
from nhi_collect.services.imports import import_file
from nhi_collect.tools.feed import import_until

START, END = date(2023, 4, 1), date(2024, 5, 31)


def load_ward(engine, root: Path, until: date = START):
    for kind in ("households", "assessments"):
        with transaction(engine) as conn:
            import_file(conn, kind, str(root / "ward" / f"{kind}.csv"))
    import_until(engine, root / "ward", until, root / "feed")


def snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {
            "stages": conn.execute(select(households.c.household_no, households.c.stage, households.c.stage_since,
                                          households.c.resume_stage).order_by(households.c.household_no)).all(),
            "letters": conn.execute(select(letters.c.serial, letters.c.letter_type, letters.c.household_id,
                                           letters.c.issued_on).order_by(letters.c.serial)).all(),
            "items": conn.execute(select(letters.c.serial, letter_items.c.assessment_id, letter_items.c.unpaid)
                                  .join(letters).order_by(letters.c.serial, letter_items.c.assessment_id)).all(),
            "history": conn.execute(select(stage_transitions.c.household_id, stage_transitions.c.on_date,
                                           stage_transitions.c.from_stage, stage_transitions.c.to_stage,
                                           stage_transitions.c.trigger, stage_transitions.c.actor)
                                    .order_by(stage_transitions.c.household_id, stage_transitions.c.id)).all(),
            "applications": conn.execute(select(applications.c.household_id, applications.c.kind,
                                                applications.c.received_on, applications.c.status,
                                                applications.c.closed_on).order_by(applications.c.id)).all(),
            "demands": conn.execute(select(demand_notices.c.assessment_id, demand_notices.c.issued_on,
                                           demand_notices.c.deadline).order_by(demand_notices.c.assessment_id)).all(),
        }
