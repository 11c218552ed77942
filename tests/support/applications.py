"""Applications with clocks on the ward of tests/support/webapp.seed_ward (ON = 2023-09-20), for route, service
and browser tests: one overdue, one open in time, one closed late."""

from __future__ import annotations

from datetime import date

from nhi_collect.adapters.db import make_engine, transaction
from nhi_collect.services import applications
from nhi_collect.workflow.definition import load
from tests.support.webapp import ON

# late_fee_reduction received Tue 2023-08-01: 30 days end Thu 8/31, so overdue from 9/1 (20 days on ON, 9/20).
# reduction received Fri 9/08: 30 days end Sun 10/8, Mon 10/9 is スポーツの日, so due Tue 10/10 (in time on ON).
# refund_claim received Mon 7/03: 30 days end Wed 8/2; granted on 8/20, 18 days late.
OVERDUE, IN_TIME, CLOSED_LATE = ("H1", "late_fee_reduction", date(2023, 8, 1), "tanaka"), \
    ("H2", "reduction", date(2023, 9, 8), "tanaka"), ("H2", "refund_claim", date(2023, 7, 3), "sato")


def seed_applications(url: str) -> dict[str, int]:
    engine, workflow = make_engine(url), load()
    ids = {}
    with transaction(engine) as conn:
        for name, (hno, kind, received, owner) in (("overdue", OVERDUE), ("in_time", IN_TIME),
                                                   ("closed_late", CLOSED_LATE)):
            ids[name] = applications.record(conn, workflow, hno, kind, received, owner, "boss", "申請書受付", ON)
        applications.close(conn, workflow, ids["closed_late"], "granted", "過誤納金を還付", date(2023, 8, 20), "sato")
    engine.dispose()
    return ids
