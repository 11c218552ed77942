"""The other decisions' 起案 and 決裁, as a seizure's (services/proposals.py): a clerk proposes a suspension of
enforcement (執行停止, 地方税法15条の7), a write-off (不納欠損), a late-fee reduction (延滞金減免) or a plan exception
(分納の例外: a plan longer than the ward's standard, domain/plans.py); a supervisor who did not draft it approves
it, which runs the decision's own use case (actions.suspend, actions.write_off, late_fee_reductions.reduce_late_fee,
actions.agree_plan) in the same transaction as the approver, or returns it with a comment the
clerk reads in the case file. The ward's 決裁規程 lets nobody decide these alone unless its workflow file says
so ([policy] direct_decisions, for a one-person office): `direct` refuses otherwise."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, select, update

from ..adapters.tables import LATE_FEE_UNPAID, assessments, decision_proposals, seizures
from ..domain.limitation import Acknowledgement, limitation, suspension_extinction_date
from ..domain.plans import PLAN_OUTER_MONTHS, months_spanned, plan_end
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.facts import load_facts
from ..workflow.guards import Context
from ..workflow.machine import Refused, not_from_stage, require
from . import actions
from .identity import audit, authorize
from .late_fee_reductions import reduce_late_fee

# kind → (the duty that proposes it, the duty that decides it, its Japanese name)
KINDS = {"suspension": ("propose_suspension", "suspend", "執行停止"),
         "write_off": ("propose_write_off", "write_off", "不納欠損"),
         "late_fee_reduction": ("propose_late_fee_reduction", "reduce_late_fee", "延滞金減免"),
         "plan_exception": ("propose_plan_exception", "approve_plan_exception", "分納（例外）")}
SEPARATION = ("決裁: 起案者と決裁者の分離 — the supervisor who decides a proposal must not be the one who drafted "
              "it (区の方針: 決裁規程, a decision in writing is checked by a second person)")


def direct(workflow: Workflow, kind: str) -> None:
    """A supervisor's decision without a proposal (the CLI's `action suspend` and the like): only where the ward's
    file allows it (a one-person office); otherwise it goes through 起案 and 決裁."""
    if not workflow.policy.direct_decisions:
        raise Refused(f"{KINDS[kind][2]} is decided only on a clerk's proposal, by a supervisor who did not draft it "
                      f"(区の方針: 決裁規程): propose it (action propose-{kind.replace('_', '-')}) and decide it in the "
                      "decision inbox (決裁待ち)")


def decide_alone(conn: Connection, workflow: Workflow, kind: str, actor: str) -> None:
    """`direct` for a person: first who may decide it at all (the duty), then whether alone (決裁規程)."""
    authorize(conn, workflow, actor, KINDS[kind][1])
    direct(workflow, kind)


def _propose(conn: Connection, workflow: Workflow, kind: str, household_no: str, on: date, detail: dict, note: str,
             actor: str, audited: dict | None = None) -> int:
    """`audited`: what the audit row (and so the case file's timeline) says of `detail`, where that is long."""
    hid = actions.locked_household(conn, household_no)
    refusal = refusal_of(conn, workflow, kind, hid, detail, on)
    if refusal:
        raise Refused(refusal)
    proposal = conn.execute(decision_proposals.insert().values(
        household_id=hid, kind=kind, proposed_on=on, proposed_by=actor, detail=json.dumps(detail, ensure_ascii=False),
        note=note.strip()[:2000]).returning(decision_proposals.c.id)).scalar_one()
    audit(conn, actor, f"propose_{kind}", "household", household_no,
          {"on": on, "proposal": proposal, **(detail if audited is None else audited)})
    return proposal


def propose_suspension(conn: Connection, workflow: Workflow, household_no: str, on: date, ground: str, facts: str,
                       actor: str, immediate_extinction: bool = False) -> int:
    """The ground (15条の7第1項第1号〜第3号) and the facts offered for it, which the decision rests on."""
    authorize(conn, workflow, actor, "propose_suspension")
    if ground not in actions.SUSPENSION_GROUNDS:
        raise UserError(f"ground {ground!r} is not one of {', '.join(actions.SUSPENSION_GROUNDS)} (15条の7第1項各号)")
    if not facts.strip():
        raise UserError("執行停止の起案には、その号に当たる事実（財産調査の結果、生活の状況など）を書きます（地方税法15条の7第1項）")
    return _propose(conn, workflow, "suspension", household_no, on,
                    {"ground": ground, "immediate_extinction": immediate_extinction}, facts, actor)


def propose_write_off(conn: Connection, workflow: Workflow, household_no: str, on: date, note: str, actor: str) -> int:
    authorize(conn, workflow, actor, "propose_write_off")
    return _propose(conn, workflow, "write_off", household_no, on, {}, note, actor)


def propose_late_fee_reduction(conn: Connection, workflow: Workflow, household_no: str, on: date, fiscal_year: int,
                               installment: int, amount: int, reason: str, actor: str) -> int:
    authorize(conn, workflow, actor, "propose_late_fee_reduction")
    if amount <= 0:
        raise UserError(f"the reduction must be a positive whole number of yen, not {amount}")
    if not reason.strip():
        raise UserError("a reduction of late fee (延滞金減免) records its reason: give --reason")
    return _propose(conn, workflow, "late_fee_reduction", household_no, on,
                    {"fiscal_year": fiscal_year, "installment": installment, "amount": amount}, reason, actor)


def propose_plan_exception(conn: Connection, workflow: Workflow, household_no: str, on: date,
                           schedule: list[tuple[date, int]], reason: str, actor: str) -> int:
    """A plan beyond the ward's standard months (分納の例外), with why the household cannot pay within them."""
    authorize(conn, workflow, actor, "propose_plan_exception")
    problem = actions.plan_schedule_error(schedule, on)
    if problem:
        raise UserError(problem)
    if not reason.strip():
        raise UserError("分納（例外）の起案には、標準の期間で完納できない理由（収入・生活の状況など）を書きます（区の方針）")
    if actions.beyond_standard(workflow, on, schedule) is None:
        raise Refused(f"the plan ends within the standard {workflow.policy.plan_standard_months} months (区の方針: "
                      "[policy] plan_standard_months): it is no exception; agree it (action plan, 分納誓約)")
    schedule = sorted(schedule)
    return _propose(conn, workflow, "plan_exception", household_no, on,
                    {"schedule": [[d.isoformat(), amount] for d, amount in schedule]}, reason, actor,
                    {"payments": len(schedule), "total": sum(a for _, a in schedule), "last": schedule[-1][0]})


def _schedule(detail: dict) -> list[tuple[date, int]]:
    return [(date.fromisoformat(d), amount) for d, amount in detail["schedule"]]


def refusal_of(conn: Connection, workflow: Workflow, kind: str, hid: int, detail: dict, on: date,
               facts=None) -> str | None:
    """What the decision's use case would refuse on `on` (proposing and the inbox read it the same way); `facts`
    the household's as of `on` if already loaded (the inbox loads a page's households at once)."""
    if facts is None:
        facts = load_facts(conn, [hid], on)[hid]
    if kind == "suspension":
        if detail["immediate_extinction"] and detail["ground"] != "no_property":
            return "immediate extinction (15条の7第5項) needs ground no_property with collection clearly impossible"
        if refusal := actions.suspension_ground_refusal(detail["ground"], facts.whereabouts_unknown):
            return refusal
        try:
            require(workflow, "suspend", facts, Context(on, workflow.policy))
        except Refused as exc:
            return str(exc)
    elif kind == "write_off":
        if not actions.extinguished(facts, on):
            return ("no unpaid installment is extinguished on that day; 不納欠損 only after limitation (国保法110条), "
                    "three years of suspension (地方税法15条の7第4項) or immediate extinction (同条第5項)")
        if facts.stage not in workflow.transition("write_off").source:
            return not_from_stage(workflow, "write_off", facts.stage)
    elif kind == "plan_exception":  # agree_plan's own rules on `on`, the standard months aside (the exception)
        schedule = _schedule(detail)
        refusal = actions.plan_schedule_error(schedule, on) or actions.plan_refusal(conn, hid, on, schedule)
        if refusal:
            return refusal
        try:
            require(workflow, "agree_plan", facts, Context(on, workflow.policy))
        except Refused as exc:
            return str(exc)
    elif kind == "late_fee_reduction":
        owed = _late_fee(conn, hid, detail)
        if owed is None:
            return f"no installment {detail['installment']} of fiscal year {detail['fiscal_year']}"
        if detail["amount"] > owed["owed"]:
            return (f"延滞金減免 of {detail['amount']:,} yen exceeds the booked late fee still owed, {owed['owed']:,} "
                    "yen (確定延滞金, 地方自治法231条の3第2項; 区の方針)")
    return None


def _late_fee(conn: Connection, hid: int, detail: dict) -> dict | None:
    row = conn.execute(select(assessments.c.late_fee_booked, LATE_FEE_UNPAID.label("owed"))
                       .where(assessments.c.household_id == hid, assessments.c.fiscal_year == detail["fiscal_year"],
                              assessments.c.installment == detail["installment"])).first()
    return {"booked": row.late_fee_booked, "owed": row.owed} if row else None


def held_seizures(conn: Connection, hids: list[int]) -> dict[int, list[dict]]:
    """The seizures not released of each household, which a suspension would release (15条の7第3項)."""
    held: dict[int, list[dict]] = {}
    for hid, kind, third_party in conn.execute(
            select(seizures.c.household_id, seizures.c.property_kind, seizures.c.third_party)
            .where(seizures.c.household_id.in_(hids), seizures.c.released_on.is_(None)).order_by(seizures.c.id)):
        held.setdefault(hid, []).append({"property_kind": kind, "third_party": third_party})
    return held


def facts_of(conn: Connection, workflow: Workflow, kind: str, hid: int, detail: dict, on: date, f,
             held: list[dict]) -> dict:
    """The facts the law asks the decision to rest on, as of `on`, from the household's facts `f` as of `on`
    and its seizures `held` (held_seizures), loaded for a page of proposals at once."""
    if kind == "suspension":
        return {"installments": [_line(i) for i in f.installments if i.unpaid > 0 and i.due_date < on],
                "seizures": held, "extinction_on": suspension_extinction_date(on).isoformat()}
    if kind == "write_off":
        lines = [_line(i) | {"extinguished_on": d.isoformat(), "ground": ground}
                 for i, (d, ground) in actions.extinguished(f, on)]
        return {"installments": lines, "principal": sum(x["unpaid"] for x in lines),
                "late_fee": sum(x["late_fee"] for x in lines)}
    if kind == "plan_exception":
        return _plan_facts(conn, workflow, hid, _schedule(detail), on, f)
    return _late_fee(conn, hid, detail) or {}


def _plan_facts(conn: Connection, workflow: Workflow, hid: int, schedule: list[tuple[date, int]], on: date,
                f) -> dict:
    """The arrears, the schedule with its running total, the months it spans against the standard and the outer
    limit, and the installments it covers with their limitation dates, as they are and as the plan agreed on
    `on` renews them: a signed plan is an acknowledgement (承認, 民法152条1項), a new period from the next day."""
    total, lines = 0, []
    for d, amount in schedule:
        total += amount
        lines.append({"due_on": d.isoformat(), "amount": amount, "cumulative": total})
    standard = workflow.policy.plan_standard_months
    covered = [_line(i) | {"limitation_date": _iso(i.limitation_date()),
                           "renewed_to": _iso(limitation(i.due_date, i.limitation_events()
                                                         + [Acknowledgement(on, "plan")])[0])}
               for i in f.overdue(on)]
    return {"arrears": actions.arrears(conn, hid, on), "schedule": lines, "total": total,
            "months": months_spanned(on, schedule[-1][0]), "standard_months": standard,
            "standard_end": plan_end(on, standard).isoformat(), "outer_months": PLAN_OUTER_MONTHS,
            "outer_end": plan_end(on, PLAN_OUTER_MONTHS).isoformat(), "installments": covered}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _line(i) -> dict:
    return {"fiscal_year": i.fiscal_year, "installment": i.installment, "due_date": i.due_date.isoformat(),
            "unpaid": i.unpaid, "late_fee": max(i.late_fee_unpaid, 0)}


def _decide(conn: Connection, household_no: str, proposal_id: int, actor: str, status: str, on: date,
            comment: str):
    """The proposal moved from open to `status` under a compare-and-set, after the household's lock: two
    decisions at once decide it once, the second is refused; never by the one who drafted it."""
    hid = actions.locked_household(conn, household_no)
    p = conn.execute(select(decision_proposals).where(decision_proposals.c.id == proposal_id,
                                                      decision_proposals.c.household_id == hid)).first()
    if p is None:
        raise UserError(f"no proposal {proposal_id} for household {household_no}")
    if p.proposed_by == actor:
        raise Refused(SEPARATION)
    done = conn.execute(update(decision_proposals).where(decision_proposals.c.id == proposal_id,
                                                         decision_proposals.c.status == "open")
                        .values(status=status, decided_by=actor, decided_on=on, decision_comment=comment[:1000]))
    if done.rowcount != 1:
        raise Refused(f"proposal {proposal_id} is already {p.status} by {p.decided_by}: one decision each (区の方針)")
    return p


def approve(conn: Connection, workflow: Workflow, household_no: str, proposal_id: int, on: date, actor: str,
            today: date, comment: str = "") -> None:
    """決裁 (approval): the decision's use case runs with the proposal's data, the approver as its actor."""
    kind = _kind(conn, proposal_id)
    authorize(conn, workflow, actor, KINDS[kind][1])
    p = _decide(conn, household_no, proposal_id, actor, "approved", on, comment.strip())
    detail = json.loads(p.detail)
    if kind == "suspension":
        actions.suspend(conn, workflow, household_no, on, detail["ground"], actor, detail["immediate_extinction"])
    elif kind == "write_off":
        actions.write_off(conn, workflow, household_no, on, actor, today)
    elif kind == "plan_exception":
        actions.agree_plan(conn, workflow, household_no, on, _schedule(detail), actor, exception=True)
    else:
        reduce_late_fee(conn, workflow, household_no, detail["fiscal_year"], detail["installment"], detail["amount"],
                        p.note, on, actor)
    audit(conn, actor, f"approve_{kind}_proposal", "household", household_no,
          {"on": on, "proposal": proposal_id, "proposed_by": p.proposed_by, "comment": comment.strip()[:1000]})


def send_back(conn: Connection, workflow: Workflow, household_no: str, proposal_id: int, on: date, actor: str,
              comment: str) -> None:
    """差戻し: returned with a comment, which the clerk reads in the case file's timeline (the audit row)."""
    kind = _kind(conn, proposal_id)
    authorize(conn, workflow, actor, KINDS[kind][1])
    comment = comment.strip()
    if not comment:
        raise UserError("差戻しの理由（コメント）を入力してください。起案者が読んで直せるように書きます。")
    p = _decide(conn, household_no, proposal_id, actor, "returned", on, comment)
    audit(conn, actor, f"return_{kind}_proposal", "household", household_no,
          {"on": on, "proposal": proposal_id, "comment": comment[:1000], "proposed_by": p.proposed_by})


def _kind(conn: Connection, proposal_id: int) -> str:
    kind = conn.execute(select(decision_proposals.c.kind).where(decision_proposals.c.id == proposal_id)).scalar()
    if kind is None:
        raise UserError(f"no proposal {proposal_id}")
    return kind
