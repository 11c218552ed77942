"""What a person can do next for one household, and why not (the case file's 次にできること).

Each staff action is decided as its use case would decide it: the person's duty (identity.carries, the
workflow file's [roles]), then for a transition the transitions Machine (its source stages, each guard of
workflow/guards.py in the workflow file's order, and the Machine's own decision), and for the other
actions the record they need (an inquiry awaiting its reply, an open proposal, a letter to mark). A refused
action lists every rule that blocks it; where a rule is only a matter of time (the demand's ten days and
deadline, 国税徴収法47条; the reply period; limitation), the day it stops blocking, and when every block
is such a date, the day from which the action becomes possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from sqlalchemy import Connection, select

from ..adapters.tables import inquiries, investigations, letters
from ..domain.calendar import earliest_seizure_date
from ..domain.plans import PLAN_OUTER_MONTHS, plan_end
from ..workflow.definition import Workflow
from ..workflow.facts import load_facts
from ..workflow.guards import Context, Facts, extinction, guard
from ..workflow.machine import NO_RUNG, Refused, decide, not_from_stage
from . import promises, proposals
from .actions import approval_stage_refusal, arrears, household_id
from .decision_proposals import direct
from .identity import authorize, carries, role_of
from .staff import log_access
from .work import ReasonNeeded, opened_with_reason, own_item

# The staff actions of the case file, in the order a clerk meets them, with their Japanese names.
LABELS = {
    "record_contact": "交渉記録",
    "agree_plan": "分納誓約",
    "propose_plan_exception": "分納（例外）の起案",
    "open_investigation": "財産調査の開始（照会）",
    "record_inquiry_result": "照会回答の記録",
    "close_investigation": "財産調査の終了",
    "propose_seizure": "差押の起案",
    "approve_seizure": "差押の決裁",
    "seize": "差押の執行",
    "propose_suspension": "執行停止の起案",
    "suspend": "執行停止",
    "lift_suspension": "執行停止の解除",
    "propose_write_off": "不納欠損の起案",
    "write_off": "不納欠損",
    "mark_returned": "返戻郵便の記録",
}

# a proposal → the decision whose rules it follows; of those, the ones decided alone only where the ward's file says
PROPOSES = {"propose_suspension": "suspend", "propose_write_off": "write_off", "propose_plan_exception": "agree_plan"}
DIRECT = {"suspend": "suspension", "write_off": "write_off"}


@dataclass(frozen=True)
class Block:
    rule: str
    clears_on: date | None = None  # the first day this rule no longer blocks, when only time is missing


@dataclass
class NextAction:
    action: str
    label: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def possible_from(self) -> date | None:
        """The day every block has cleared, when each is a date."""
        if self.blocks and all(b.clears_on for b in self.blocks):
            return max(b.clears_on for b in self.blocks)
        return None


def _reply_period_ends(f: Facts, c: Context) -> date | None:
    return f.stage_since + timedelta(days=c.policy.reply_days) if f.stage_since else None


def _first_ripe_day(f: Facts, c: Context) -> date | None:
    """The first day an unpaid, demanded installment is ripe: ten days after its demand (国税徴収法47条1項)
    and past the demand's designated deadline (地方自治法231条の3第3項)."""
    days = [max(earliest_seizure_date(i.demand_issued_on), i.demand_deadline + timedelta(days=1))
            for i in f.installments if i.unpaid > 0 and i.demand_issued_on is not None]
    return min(days) if days else None


# Guards that only time can satisfy: the first day each is true for these facts (tests check the guard itself).
CLEARS_ON: dict[str, Callable[[Facts, Context], date | None]] = {
    "reply_period_passed": _reply_period_ends,
    "has_ripe_installment": _first_ripe_day,
}


def _transition_blocks(workflow: Workflow, trigger: str, facts: Facts, ctx: Context) -> list[Block]:
    """machine.require's checks, every one of them: the stage, each guard, then the Machine's decision."""
    t = workflow.transition(trigger)
    if facts.stage not in t.source:
        return [Block(not_from_stage(workflow, trigger, facts.stage, labels=True))]
    blocks = [Block(guard(name).rule, CLEARS_ON[name](facts, ctx) if name in CLEARS_ON else None)
              for name in t.guards if not guard(name).python(facts, ctx)]
    if not blocks and decide(workflow, trigger, facts, ctx) is None:
        blocks.append(Block(f"{trigger} {NO_RUNG}"))
    return blocks


def _write_off_blocks(workflow: Workflow, facts: Facts, ctx: Context) -> list[Block]:
    """actions.write_off: per installment, so possible once one unpaid installment is extinguished."""
    t = workflow.transition("write_off")
    if facts.stage not in t.source:
        return _transition_blocks(workflow, "write_off", facts, ctx)
    if any(extinction(i, facts, ctx.on) for i in facts.installments):
        return []
    first = [found[0] for i in facts.installments if (found := extinction(i, facts, date.max))]
    return [Block(guard("extinguished").rule, min(first) if first else None)]


def next_actions(conn: Connection, workflow: Workflow, household_no: str, on: date, user: str) -> dict:
    """The actions `user` may take for the household on `on`, and those refused with their rules; the
    records the forms need. Reading it opens the household's data: the reading is access-logged."""
    authorize(conn, workflow, user, "read_household")
    hid = household_id(conn, household_no)
    item = own_item(conn, user, hid)
    deciding = carries(workflow, role_of(conn, user), "approve_seizure") and proposals.open_proposals(conn, hid)
    if deciding:  # a proposal awaiting the supervisor's decision (決裁) is the supervisor's work
        item = f"決裁: seizure proposal {deciding[0]['id']}"
    if item is None and not opened_with_reason(conn, user, hid):
        raise ReasonNeeded(f"{household_no} is not in {user}'s work: open its case file first and say why "
                           "(access log, seed 窓3)")
    log_access(conn, user, hid, "次にできること (case file opened)" if item is None else
               item if deciding else f"queue item {item}", "next actions")
    role = role_of(conn, user)
    facts = load_facts(conn, [hid], on)[hid]
    ctx = Context(on, workflow.policy)
    awaiting = conn.execute(select(inquiries.c.kind, inquiries.c.target, inquiries.c.sent_on).join(investigations)
                            .where(investigations.c.household_id == hid, investigations.c.closed_on.is_(None),
                                   inquiries.c.replied_on.is_(None)).order_by(inquiries.c.id)).all()
    household_types = [name for name, t in workflow.letter_types.items() if t.recipient == "household"]
    mail = conn.execute(select(letters.c.serial, letters.c.letter_type, letters.c.issued_on)
                        .where(letters.c.household_id == hid, letters.c.status != "returned",
                               letters.c.letter_type.in_(household_types))
                        .order_by(letters.c.issued_on.desc(), letters.c.serial)).all()
    open_proposals = proposals.open_proposals(conn, hid)
    stage_rule = approval_stage_refusal(facts.stage)  # a proposal follows it too
    needs = {  # the record each non-transition action needs, as its use case refuses without it
        "record_inquiry_result": None if awaiting else "no inquiry awaits its reply: open an investigation with "
                                                       "inquiries first",
        "propose_seizure": stage_rule,
        "approve_seizure": stage_rule or (None if open_proposals else "no seizure proposal awaits a decision: a "
                                                                      "clerk proposes the seizure first (差押の起案; 区の方針 (決裁規程))"),
        "mark_returned": None if mail else "no letter to this household is on record as sent and not returned",
    }
    found = []
    for action, label in LABELS.items():
        item = NextAction(action, label)
        if not carries(workflow, role, action):
            try:
                authorize(conn, workflow, user, action)
            except Refused as exc:
                item.blocks.append(Block(str(exc)))
        elif (decided := PROPOSES.get(action, action)) == "write_off":  # a proposal follows its decision's rules
            item.blocks += _write_off_blocks(workflow, facts, ctx)
        elif decided in (t.trigger for t in workflow.transitions):
            item.blocks += _transition_blocks(workflow, decided, facts, ctx)
        elif needs.get(action):
            item.blocks.append(Block(needs[action]))
        if action in DIRECT and carries(workflow, role, action):
            try:  # 区の方針 (決裁規程): decided on another person's proposal, in the decision inbox
                direct(workflow, DIRECT[action])
            except Refused as exc:
                item.blocks.append(Block(str(exc)))
        found.append(item)
    for p in open_proposals:  # 決裁: never by the one who drafted it
        p["refusal"] = proposals.SEPARATION if p["proposed_by"] == user else None
    standard = workflow.policy.plan_standard_months
    return {"household_no": household_no, "stage": facts.stage, "actions": found, "awaiting": awaiting,
            "letters": mail, "proposals": open_proposals, "arrears": arrears(conn, hid, on),
            "plan_months": {"standard": standard, "standard_end": plan_end(on, standard),
                            "outer": PLAN_OUTER_MONTHS, "outer_end": plan_end(on, PLAN_OUTER_MONTHS)},
            "promises": promises.of_household(conn, hid)}
