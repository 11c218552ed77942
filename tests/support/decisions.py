"""Many open proposals in the casework ward (tests/support/webapp.seed_casework), for the decision inbox's pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nhi_collect.adapters.tables import assessments, households
from nhi_collect.services import decision_proposals as use
from nhi_collect.services.proposals import propose_seizure
from nhi_collect.workflow.definition import load
from tests.support.webapp import ON


def suspensions(conn, n: int, first: int = 0) -> None:
    """`n` suspensions of H1 proposed by tanaka, the k-th dated 30 - k days before ON (the oldest first)."""
    for k in range(first, first + n):
        use.propose_suspension(conn, load(), "H1", ON - timedelta(days=30 - k), "hardship", f"事実{k}", "tanaka")


def file_many(engine) -> None:
    """45 open proposals: 25 suspensions of H1 dated 08-21 to 09-14, then on ON 18 late-fee reductions of H2's
    booked 1,200 yen and two seizures of H2's deposits."""
    workflow = load()
    with engine.begin() as conn:
        conn.execute(assessments.update().where(assessments.c.household_id == select(households.c.id).where(
            households.c.household_no == "H2").scalar_subquery()).values(late_fee_booked=1_200))
        suspensions(conn, 25)
        for k in range(18):
            use.propose_late_fee_reduction(conn, workflow, "H2", ON, 2023, 1, 100, f"減免申請{k}", "tanaka")
        for bank in ("大正銀行 泉尾支店", "大正みなと信用金庫 泉尾支店"):
            propose_seizure(conn, workflow, "H2", ON, "deposit", bank, 1_000, "", "tanaka")
