"""A decision inbox and a desk of applications as a ward's stand on a morning, for the web benchmark and the
demo's training database: open proposals and applications filed through the clerks' own use cases
(services/decision_proposals, services/applications), never written as rows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from ..adapters.db import transaction
from ..adapters.tables import (LATE_FEE_UNPAID, applications, assessments, decision_proposals, households,
                               seizure_proposals)
from ..domain.calendar import last_office_day
from ..services import applications as desk, decision_proposals as use
from ..workflow.definition import Workflow
from ..workflow.machine import Refused

# What the clerks file, in turn: the ground of a suspension (15条の7第1項第1号・第2号: 第3号 needs a household
# recorded 居所不明) and the facts offered for it; the reason of a late-fee reduction. A seizure is not among
# them: it may be proposed only after the seizure notice (actions.approval_stage_refusal), which a week after
# the first July round no household has reached.
SUSPENSIONS = (("no_property", "財産調査の結果、預金・給与・不動産とも差し押さえる財産なし"),
               ("hardship", "世帯主が失職し、生活保護を申請中（滞納処分で生活を著しく窮迫させるおそれ）"))
REDUCTIONS = ("床上浸水の被災による減免申請（罹災証明書あり）", "世帯主の長期入院による減免申請（区の減免要綱）")
EXTINCTION = "世帯主死亡、相続人は全員相続放棄。徴収できないことが明らかなため即時消滅（15条の7第5項）"


def file_open_proposals(engine: Engine, workflow: Workflow, on: date, clerks: list[str], boss: str | None = None,
                        per: int = 1000, least: int = 20) -> int:
    """One open proposal per `per` households (at least `least`), filed on `on`, each by one of `clerks` in
    turn: half suspensions of households in arrears, a quarter late-fee reductions of booked late fees still
    owed (延滞金減免), and, with a supervisor `boss` to approve the immediate extinction (15条の7第5項) it
    rests on, a quarter write-offs (不納欠損; without one, suspensions instead, so nothing is decided and no
    letter issued). Candidates are read set-based, one query a kind, spread over the ward in household order
    (deterministic); a candidate the law refuses on `on` is passed over. Nothing is filed if any proposal is
    open already; returns the number filed."""
    with transaction(engine) as conn:
        if any(conn.execute(select(func.count()).select_from(t).where(t.c.status == "open")).scalar_one()
               for t in (seizure_proposals, decision_proposals)):
            return 0
        wanted = max(least, conn.execute(select(func.count()).select_from(households)).scalar_one() // per)
        fees = {}  # household_no → its oldest installment with booked late fee still owed
        for no, year, installment, owed in conn.execute(
                select(households.c.household_no, assessments.c.fiscal_year, assessments.c.installment,
                       LATE_FEE_UNPAID).join(assessments, assessments.c.household_id == households.c.id)
                .where(LATE_FEE_UNPAID > 0).order_by(households.c.id, assessments.c.fiscal_year,
                                                     assessments.c.installment)):
            fees.setdefault(no, (year, installment, owed))
        in_arrears = [no for no in conn.execute(
            select(households.c.household_no).where(households.c.stage.in_(workflow.transition("suspend").source))
            .order_by(households.c.id)).scalars() if no not in fees]
        reductions = _spread(list(fees), wanted // 4)
        write_offs = _spread(in_arrears[1::2], wanted // 4 if boss else 0)
        suspensions = _spread(in_arrears[::2], wanted - len(reductions) - len(write_offs))
        filed = 0

        def file(propose) -> None:  # a candidate the law refuses today is passed over, the others filed
            nonlocal filed
            try:
                with conn.begin_nested():
                    propose(clerks[filed % len(clerks)])
                filed += 1
            except Refused:
                pass

        for no in suspensions:
            ground, facts = SUSPENSIONS[filed % len(SUSPENSIONS)]
            file(lambda clerk: use.propose_suspension(conn, workflow, no, on, ground, facts, clerk))
        for no in reductions:
            year, installment, owed = fees[no]
            reason = REDUCTIONS[filed % len(REDUCTIONS)]
            file(lambda clerk: use.propose_late_fee_reduction(conn, workflow, no, on, year, installment, owed,
                                                              reason, clerk))
        for no in write_offs:
            file(lambda clerk: _write_off(conn, workflow, no, on, clerk, boss))
    return filed


def file_open_applications(engine: Engine, workflow: Workflow, on: date, clerks: list[str], count: int = 6) -> int:
    """`count` applications still open on `on`, each recorded by one of `clerks` in turn for a household in
    arrears and owned by them: every other one received so long ago that its period has run out (期限超過: Osaka
    City's inspection found one left two years), the rest received within it. Each kind of application with a
    clock in turn but the yearly suspension review, which the nightly run opens. Nothing is filed if any
    application is open already; returns the number filed."""
    kinds = [k for k in workflow.applications if k != desk.REVIEW]
    with transaction(engine) as conn:
        if not kinds or conn.execute(select(func.count()).select_from(applications)
                                     .where(applications.c.status == "open")).scalar_one():
            return 0
        in_arrears = list(conn.execute(select(households.c.household_no)
                                       .where(households.c.stage.in_(workflow.ladder)).order_by(households.c.id))
                          .scalars())
        chosen = _spread(in_arrears, count)
        for i, no in enumerate(chosen):
            kind, clerk = kinds[i % len(kinds)], clerks[i // 2 % len(clerks)]  # each clerk: one late, one not
            days = workflow.applications[kind].days
            received = last_office_day(on - timedelta(days=days + 5 + 7 * i if i % 2 == 0 else i))  # at the window
            desk.record(conn, workflow, no, kind, received, clerk, clerk, "申請書を窓口で受付", on)
        return len(chosen)


def _write_off(conn, workflow: Workflow, no: str, on: date, clerk: str, boss: str) -> None:
    decided = use.propose_suspension(conn, workflow, no, on, "no_property", EXTINCTION, clerk,
                                     immediate_extinction=True)
    use.approve(conn, workflow, no, decided, on, boss, on)
    use.propose_write_off(conn, workflow, no, on, "即時消滅による不納欠損", clerk)


def _spread(candidates: list[str], k: int) -> list[str]:
    """`k` of the candidates evenly over the list (the ward's towns and ages, not its first numbers)."""
    k = min(k, len(candidates))
    return [candidates[i * len(candidates) // k] for i in range(k)] if k else []
