"""The ward of tests/support/webapp.seed_ward made ready for bulk actions: both households demanded on
2023-07-20 (their 1st installments, due 06-30; deadline 07-30, a Sunday, so 07-31: a reminder may follow
from 08-10), H2 then at a seizure notice (a reminder is no rung back: refused), and a returned-mail item each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from nhi_collect.adapters.db import make_engine, transaction
from nhi_collect.adapters.queue_items import open_items
from nhi_collect.adapters.tables import households
from nhi_collect.services import queue
from nhi_collect.services.business_date import run_date
from nhi_collect.workflow.definition import load
from tests.support.webapp import ON

DEMANDED = date(2023, 7, 20)  # the last lawful day for installments due 06-30 (20 days: domain.md §9)
RETURNED = "返戻 JT-TEST: 宛所不明; 不現住調査 with the resident-records team"


def seed_bulk(url: str) -> str:
    engine = make_engine(url)
    workflow = load()
    run_date(engine, workflow, DEMANDED)
    with transaction(engine) as conn:
        conn.execute(households.update().where(households.c.household_no == "H2")
                     .values(stage="seizure_notice", stage_since=date(2023, 9, 1)))
        open_items(conn, "returned_mail", ON, RETURNED, select(households.c.id), 14)
        queue.refresh(conn, workflow, ON)
    engine.dispose()
    return url
