"""Staff actions: each one transaction, decided by the transitions Machine, audited with its actor.

The same services serve the CLI now and the web app later. Each action first checks the actor's role
against the workflow file (identity.authorize): a clerk records and agrees; a supervisor approves
seizures, suspends and writes off (決裁: decisions in writing by the 課長 level); an auditor never acts.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from sqlalchemy import Connection, func, or_, select, update

from ..adapters.tables import (UNPAID, assessments, audit_log, contacts, households, installment_plans, inquiries,
                               investigations, letters, plan_schedule, seizures, suspensions)
from ..errors import UserError
from ..workflow import batch, release
from ..workflow.definition import RESUME, Workflow
from ..workflow.facts import load_facts
from ..domain.plans import OUTER_RULE, PLAN_OUTER_MONTHS, plan_end
from ..domain.seizable import PensionKind, seizable_pension, seizable_wage
from ..domain.seizure_limits import NOT_SEIZABLE_PENSIONS, Inflow, seizable_deposit
from ..workflow.guards import Context, extinction, guard, is_ripe
from ..workflow.machine import Refused, not_from_stage, require
from . import promises
from .identity import authorize, carries
from .payments import record_payment

INQUIRY_KINDS = ("bank", "employer", "pension", "insurance", "real_estate")
CONTINUING_KINDS = ("wage", "pension")  # 国税徴収法66条: the seizure reaches each later payment
SUSPENSION_GROUNDS = ("no_property", "hardship", "unknown")  # 地方税法15条の7第1項第1号〜第3号
CONTACT_CHANNELS = ("phone", "counter", "visit", "letter", "email")


def suspension_ground_refusal(ground: str, whereabouts_unknown: bool) -> str | None:
    """第3号 is the ground of a household whose whereabouts are as unknown as its property: only one the ledger
    records as 居所不明; a household at a known address is suspended, if at all, under 第1号 or 第2号."""
    if ground == "unknown" and not whereabouts_unknown:
        return ("執行停止の第3号は滞納者の所在及び財産がともに不明であるときに限られます（地方税法15条の7第1項第3号）。"
                "この世帯は居所不明と記録されていません：所在が分かっていれば第1号（財産なし）か第2号（生活の窮迫）の"
                "事由によるか、先に居所不明を記録してください")
    return None


def household_id(conn: Connection, household_no: str) -> int:
    found = conn.execute(select(households.c.id).where(households.c.household_no == household_no)).scalar()
    if found is None:
        raise UserError(f"unknown household {household_no}")
    return found


def locked_household(conn: Connection, household_no: str) -> int:
    """The household's id, its row locked until the action commits: concurrent actions on one household
    run one after the other, and each reads the household's facts only after taking the lock, so the
    second sees what the first did (eight simultaneous plans gave eight plans and eight letters).
    PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE, but every transaction there begins
    with BEGIN IMMEDIATE (adapters/db.py), which holds the database's write lock from its first
    statement: the same order, proven by tests/integration/test_concurrency.py on both databases."""
    found = conn.execute(select(households.c.id).where(households.c.household_no == household_no)
                         .with_for_update()).scalar()
    if found is None:
        raise UserError(f"unknown household {household_no}")
    return found


def _audit(conn: Connection, actor: str, action: str, household_no: str, detail: dict) -> None:
    conn.execute(audit_log.insert().values(at=datetime.now(timezone.utc), actor=actor, action=action,
                                           entity="household", entity_key=household_no,
                                           detail=json.dumps(detail, ensure_ascii=False, default=str)))


def _letter(conn: Connection, workflow: Workflow, letter_type: str, hid: int, on: date) -> int:
    """One letter of `letter_type` to household `hid` listing its overdue installments; returns its id."""
    batch.prepare(conn)
    batch.fill_batch(conn, [hid])
    batch.issue_letters(conn, workflow, letter_type, on, None)
    return conn.execute(select(letters.c.id).where(letters.c.household_id == hid, letters.c.letter_type == letter_type,
                                                   letters.c.issued_on == on).order_by(letters.c.id.desc())).scalar()


def _transition(conn: Connection, workflow: Workflow, trigger: str, hid: int, on: date, actor: str,
                before_letters=None) -> str:
    """Fire `trigger` for one household through the Machine (refusing with the rule), then record it
    with the letters and the ends the workflow file declares for it; `before_letters` records what the
    letters print once the move is allowed."""
    facts = load_facts(conn, [hid], on)[hid]
    dest = require(workflow, trigger, facts, Context(on, workflow.policy))
    t = workflow.transition(trigger)
    if before_letters is not None:
        before_letters()
    batch.prepare(conn)
    batch.fill_batch(conn, [hid])
    for letter_type in t.letters:
        if facts.whereabouts_unknown:  # never mailed to an address known to be wrong (LetterType.whereabouts_unknown)
            letter_type = workflow.letter_types[letter_type].whereabouts_unknown or letter_type
            if letter_type == "not_sent":
                continue
        batch.issue_letters(conn, workflow, letter_type, on, None)
    batch.end_records(conn, t.ends, on)
    if "seizure" in t.ends:
        release.end_for_batch(conn, workflow, t.ends["seizure"], on, None)
    batch.move(conn, trigger, t.dest if t.dest == RESUME else dest, on, actor, None, workflow.side_stages)
    return dest


def record_contact(conn, workflow: Workflow, household_no: str, on: date, channel: str, summary: str,
                   promise: str | None, actor: str, *, with_whom: str | None = None,
                   promise_to_pay: tuple[date, int] | None = None) -> int:
    """交渉記録, with who was spoken to and a promise to pay (納付誓約: date, amount) made in it, if any;
    `promise` is a free-text note of what was said about paying. Returns the contact's id."""
    authorize(conn, workflow, actor, "record_contact")
    if channel not in CONTACT_CHANNELS:
        raise UserError(f"channel {channel!r} is not one of {', '.join(CONTACT_CHANNELS)}")
    hid = locked_household(conn, household_no)
    contact = conn.execute(contacts.insert().values(household_id=hid, contacted_on=on, channel=channel, summary=summary,
                                                    promise=promise, actor=actor, with_whom=with_whom)
                           .returning(contacts.c.id)).scalar_one()
    if promise_to_pay is not None:
        promises.make(conn, hid, contact, on, *promise_to_pay, actor)
    _audit(conn, actor, "contact", household_no, {"on": on, "channel": channel, "promise_to_pay": promise_to_pay})
    return contact


def arrears(conn: Connection, hid: int, on: date) -> int:
    """What the household owes on installments past their due date on `on` (written-off ones owe nothing)."""
    return int(conn.execute(select(func.coalesce(func.sum(UNPAID), 0))
                            .where(assessments.c.household_id == hid, assessments.c.due_date < on)).scalar_one())


def agree_plan(conn, workflow: Workflow, household_no: str, on: date, schedule: list[tuple[date, int]], actor: str,
               exception: bool = False):
    """分納誓約: a written promise (an acknowledgement, 民法152条, once a payment follows) that pauses
    escalation while kept. `schedule` is (due date, amount) per promised payment; they add up to at least the
    arrears on the day it is agreed: a plan that leaves part of the arrears unscheduled would pause escalation
    for money nobody promised (区の方針). The command line and the case file agree plans through this one rule.
    A plan longer than the ward's standard is a plan exception: agreed only on a supervisor's 決裁
    (decision_proposals.approve passes `exception`), or by a supervisor alone where the ward's file allows it."""
    role = authorize(conn, workflow, actor, "agree_plan")
    problem = plan_schedule_error(schedule, on)
    if problem:
        raise UserError(problem)
    hid = locked_household(conn, household_no)
    refusal = plan_refusal(conn, hid, on, schedule)  # read under the lock the plan is agreed in
    if refusal:
        raise Refused(refusal)
    alone = workflow.policy.direct_decisions and carries(workflow, role, "approve_plan_exception")
    if not (exception or alone):
        refusal = beyond_standard(workflow, on, schedule)
        if refusal:
            raise Refused(refusal)
    dest = _transition(conn, workflow, "agree_plan", hid, on, actor)
    plan_id = conn.execute(installment_plans.insert().values(household_id=hid, agreed_on=on, agreed_by=actor,
                                                             status="kept").returning(installment_plans.c.id)).scalar()
    total = 0
    for due, amount in sorted(schedule):
        total += amount
        conn.execute(plan_schedule.insert().values(plan_id=plan_id, due_on=due, cumulative=total))
    _audit(conn, actor, "agree_plan", household_no, {"on": on, "schedule": schedule})
    return dest


def plan_schedule_error(schedule: list[tuple[date, int]], on: date) -> str | None:
    if not schedule or any(amount <= 0 for _, amount in schedule) or any(d < on for d, _ in schedule):
        return "an installment plan needs promised payments of positive amounts, on or after today"
    return None


def plan_refusal(conn, hid: int, on: date, schedule: list[tuple[date, int]]) -> str | None:
    """The rules no plan is agreed against, exception or not: it covers the arrears of `on` (区の方針), and its last
    payment falls within the outer limit (domain/plans.py)."""
    owed = arrears(conn, hid, on)
    total = sum(amount for _, amount in schedule)
    if total < owed:
        return (f"分納誓約: the schedule promises {total:,} yen but the arrears on {on} are {owed:,} yen; "
                f"{owed - total:,} yen more must be scheduled (区の方針)")
    last, end = max(d for d, _ in schedule), plan_end(on, PLAN_OUTER_MONTHS)
    if last > end:
        return (f"分納誓約の上限: the last payment, {last}, falls after {end}, {PLAN_OUTER_MONTHS} months from the day "
                f"agreed ({on}); no plan runs longer, exception or not ({OUTER_RULE})")
    return None


def beyond_standard(workflow: Workflow, on: date, schedule: list[tuple[date, int]]) -> str | None:
    """A plan longer than the ward's standard, which a clerk does not agree alone (区の方針)."""
    months = workflow.policy.plan_standard_months
    last, end = max(d for d, _ in schedule), plan_end(on, months)
    if last <= end:
        return None
    return (f"分納誓約の標準期間: the last payment, {last}, falls after {end}, {months} months from the day agreed "
            f"({on}) (区の方針: [policy] plan_standard_months, after the one year of a 猶予, 地方税法15条1項・15条の5第1項・15条の6第1項); "
            "a longer plan is a plan exception: propose it (action propose-plan-exception, 分納（例外）の起案) for a "
            "supervisor's 決裁")


def third_party_address(workflow: Workflow, name: str) -> dict:
    """A bank or other third-party debtor receives its letter at its own address, from the workflow's
    directory: a 照会書 or 債権差押通知書 sent to the household's address would reach the debtor instead."""
    if name not in workflow.third_parties:
        raise Refused(f"{name} has no address in the workflow's [third_parties]: a letter to a third party "
                      "(国税徴収法62条・141条) must go to its own address; add it there first")
    return workflow.third_parties[name]


def open_investigation(conn, workflow: Workflow, household_no: str, on: date, actor: str,
                       inquiries_: list[tuple[str, str]] = ()) -> int:
    """財産調査 (国税徴収法141条): inquiries to banks, employers, pension offices, insurers, the registry."""
    authorize(conn, workflow, actor, "open_investigation")
    hid = locked_household(conn, household_no)
    for kind, target in inquiries_:
        if kind == "bank":
            third_party_address(workflow, target)
    # Read after the lock: a second (or simultaneous) opening joins the open investigation, and an
    # inquiry still awaiting its reply is not sent twice.
    inv = conn.execute(select(investigations.c.id).where(investigations.c.household_id == hid,
                                                         investigations.c.closed_on.is_(None))
                       .order_by(investigations.c.id)).scalars().first()
    pending = set(tuple(r) for r in conn.execute(select(inquiries.c.kind, inquiries.c.target).join(investigations)
                               .where(investigations.c.household_id == hid, investigations.c.closed_on.is_(None),
                                      inquiries.c.replied_on.is_(None))).all())
    for kind, target in inquiries_:
        if kind not in INQUIRY_KINDS:
            raise UserError(f"inquiry kind {kind!r} is not one of {', '.join(INQUIRY_KINDS)}")
        if (kind, target) in pending:
            raise Refused(f"a {kind} inquiry to {target} for household {household_no} is already awaiting its "
                          "reply: sending it again would send the same letter twice (区の方針)")
    if inv is None:
        inv = conn.execute(investigations.insert().values(household_id=hid, opened_on=on, actor=actor)
                           .returning(investigations.c.id)).scalar()
    for kind, target in inquiries_:
        letter_id = _letter(conn, workflow, "bank_inquiry", hid, on) if kind == "bank" else None  # 預貯金等照会書, one per bank
        conn.execute(inquiries.insert().values(investigation_id=inv, kind=kind, target=target, sent_on=on,
                                               letter_id=letter_id))
    _audit(conn, actor, "open_investigation", household_no, {"on": on, "inquiries": list(inquiries_)})
    return inv


def record_inquiry_result(conn, workflow: Workflow, household_no: str, kind: str, target: str, on: date,
                          found_amount: int, actor: str) -> None:
    """The reply to an inquiry (a bank balance, a wage, a pension, a policy's surrender value, land)."""
    authorize(conn, workflow, actor, "record_inquiry_result")
    hid = locked_household(conn, household_no)
    row = conn.execute(select(inquiries.c.id).join(investigations)
                       .where(investigations.c.household_id == hid, investigations.c.closed_on.is_(None),
                              inquiries.c.kind == kind, inquiries.c.target == target, inquiries.c.replied_on.is_(None))
                       ).scalar()
    if row is None:
        raise UserError(f"no open {kind} inquiry to {target} for household {household_no}")
    if found_amount < 0:
        raise UserError("the amount found must not be negative")
    conn.execute(update(inquiries).where(inquiries.c.id == row).values(replied_on=on, found_amount=found_amount))
    _audit(conn, actor, "inquiry_result", household_no, {"on": on, "kind": kind, "target": target,
                                                          "found": found_amount})


def close_investigation(conn, workflow: Workflow, household_no: str, on: date, property_found: bool,
                        actor: str) -> None:
    authorize(conn, workflow, actor, "close_investigation")
    hid = locked_household(conn, household_no)
    open_ = conn.execute(select(investigations.c.id).where(investigations.c.household_id == hid,
                                                           investigations.c.closed_on.is_(None))).scalars().all()
    if not open_:  # closed on the spot (e.g. property known from an earlier case), without inquiries
        open_ = [conn.execute(investigations.insert().values(household_id=hid, opened_on=on, actor=actor)
                              .returning(investigations.c.id)).scalar()]
    conn.execute(update(investigations).where(investigations.c.id.in_(open_))
                 .values(closed_on=on, result="property_found" if property_found else "none"))
    _audit(conn, actor, "close_investigation", household_no, {"on": on, "property_found": property_found})


def approval_stage_refusal(stage: str) -> str | None:
    """The ladder's rule for approving a seizure (and proposing one): after the seizure notice. It is the ward's
    policy; the law's own condition is checked when the seizure is executed (has_ripe_installment)."""
    if stage != "seizure_notice":
        return (f"a seizure is approved only after a seizure notice (stage is {stage}): no rung may be skipped "
                "(区の方針: 差押予告 is the ward's practice; the law's own condition, a 督促状 issued more than 10 "
                "days before and past its deadline, 国税徴収法47条1項 and 地方自治法231条の3第3項, is checked at execution)")
    return None


def bank_balance(conn, hid: int, bank: str, on: date) -> int | None:
    """The balance the bank last replied by `on` to the household's inquiry (国税徴収法141条), or None: what the
    approval screens a deposit against when the supervisor gives none, and what the decision inbox shows."""
    return conn.execute(select(inquiries.c.found_amount).join(investigations)
                        .where(investigations.c.household_id == hid, inquiries.c.kind == "bank",
                               inquiries.c.target == bank, inquiries.c.replied_on <= on)
                        .order_by(inquiries.c.replied_on.desc(), inquiries.c.id.desc())).scalars().first()


def record_approval(conn, workflow: Workflow, hid: int, household_no: str, on: date, property_kind: str,
                    third_party: str, amount: int, actor: str, *, pension_kind: str | None = None,
                    pay: dict | None = None, relatives: int = 0, balance: int | None = None,
                    inflows: tuple[Inflow, ...] = ()) -> dict:
    """The seizure a supervisor approves (決裁), within the law's limits (domain/seizure_limits.py), checked on the
    approval screen's data: for a pension its kind; for wages or an old-age pension one period's `pay` (wage,
    income_tax, resident_tax, social_insurance) and the `relatives` sharing the livelihood; for a deposit its
    balance (`balance`, else the bank's recorded reply) and the money paid in lately (`inflows`). Returns the
    screen's figures. 48条 is checked again when the seizure is executed. Only proposals.approve_proposal calls
    it, on an open proposal drafted by another (決裁規程), with the household's row already locked."""
    if amount <= 0:
        raise UserError(f"the amount to seize must be a positive whole number of yen, not {amount}")
    if property_kind not in workflow.property_kinds:
        raise Refused(f"property kind {property_kind!r} is not one the workflow file's [seizure.property_kinds] lists "
                      f"({', '.join(workflow.property_kinds)}; 区の方針)")
    third_party_address(workflow, third_party)
    stage = conn.execute(select(households.c.stage).where(households.c.id == hid)).scalar()
    if refusal := approval_stage_refusal(stage):
        raise Refused(refusal)
    if conn.execute(select(seizures.c.id).where(seizures.c.household_id == hid, seizures.c.property_kind == property_kind,
                                                seizures.c.third_party == third_party, seizures.c.executed_on.is_(None),
                                                seizures.c.released_on.is_(None))).first():
        raise Refused(f"a {property_kind} seizure at {third_party} is already approved for household {household_no} "
                      "and awaits execution: one approval per property (区の方針)")
    if balance is None and property_kind == "deposit":
        balance = bank_balance(conn, hid, third_party, on)
    screen = _within_limits(workflow, property_kind, amount, on, pension_kind, pay, relatives, balance, inflows)
    # real estate is seized whole (it cannot be seized in part): no sum of yen to hold against the debt
    screen["debt"] = None if property_kind == "real_estate" else _not_excessive(conn, workflow, hid, on, amount,
                                                                                  approving=True)
    conn.execute(seizures.insert().values(household_id=hid, property_kind=property_kind, third_party=third_party,
                                          amount=amount, approved_by=actor, approved_on=on))
    _audit(conn, actor, "approve_seizure", household_no, {"on": on, "kind": property_kind, "amount": amount,
                                                          "pension_kind": pension_kind, "screen": screen})
    return screen


def _within_limits(workflow: Workflow, kind: str, amount: int, on: date, pension_kind: str | None, pay: dict | None,
                   relatives: int, balance: int | None, inflows) -> dict:
    """Refuse what the law does not let be seized (国税徴収法75–77条, 国民年金法24条, 厚生年金保険法41条, the
    deposit screen); returns the figures checked."""
    if kind == "pension":
        if pension_kind not in {k.value for k in PensionKind}:
            raise Refused("a pension seizure needs the pension's kind (old_age, disability or survivors): disability "
                          "and survivors' pensions may not be seized at all (国民年金法24条, 厚生年金保険法41条1項)")
        if PensionKind(pension_kind) in NOT_SEIZABLE_PENSIONS:
            raise Refused(f"a {pension_kind} pension may not be seized (国民年金法24条, 厚生年金保険法41条1項: 受給権の"
                          "差押禁止)")
    if kind in ("wage", "pension"):
        article = "国税徴収法77条1項・76条1項 (an old-age pension is protected as wages)" if kind == "pension" \
            else "国税徴収法76条1項"
        if pay is None:
            raise Refused(f"a {kind} seizure needs the period's pay and withholdings (wage, income tax, resident tax, "
                          f"social insurance) and the relatives sharing the livelihood, to leave the protected amount: "
                          f"{article}")
        items = {k: v for k, v in pay.items() if k != "wage"} | {"relatives": relatives}
        figures = (seizable_pension(PensionKind(pension_kind), pay["wage"], **items) if kind == "pension"
                   else seizable_wage(pay["wage"], **items))
        if amount > figures.seizable:
            raise Refused(f"{amount:,} yen exceeds the seizable part of the period's {kind}: {figures.wage:,} yen less "
                          f"the protected {figures.protected:,} leaves {figures.seizable:,} ({article}; 差押禁止額)")
        return {"wage": figures.wage, "protected": figures.protected, "seizable": figures.seizable}
    if kind == "deposit":
        if balance is None:
            raise Refused("a deposit seizure needs the account's balance (the bank's reply to the inquiry, 国税徴収法"
                          "141条, or the balance given) for the deposit screen and for 国税徴収法48条1項")
        if amount > balance:
            raise Refused(f"{amount:,} yen exceeds the deposit's balance of {balance:,} yen: the seized claim is what "
                          "the bank owes the debtor (国税徴収法62条1項)")
        cap = seizable_deposit(balance, list(inflows), on, relatives, workflow.deposit_screen_days)
        if amount > cap:
            raise Refused(f"{amount:,} yen exceeds what the deposit screen leaves seizable, {cap:,} of {balance:,} yen: "
                          f"the balance holds protected income paid in within {workflow.deposit_screen_days} days "
                          "(wages and old-age pensions above 国税徴収法76条・77条's protected amount only; disability "
                          "and survivors' pensions and protected benefits not at all, 国民年金法24条, 厚生年金保険法41条; "
                          "広島高裁松江支部平成25年11月27日)")
        return {"balance": balance, "seizable": cap}
    return {}


def ripe_debt(conn, workflow: Workflow, hid: int, on: date, approving: bool = False) -> int:
    """What a seizure executed on `on` is for: the ripe installments' principal and late-fee estimate. An
    approval comes before the execution, when the installments demanded by then may still be ripening: it
    is measured against those (the execution then against the ripe ones)."""
    return debt_of(load_facts(conn, [hid], on)[hid], workflow, on, approving)


def debt_of(facts, workflow: Workflow, on: date, approving: bool = False) -> int:
    """ripe_debt of a household's facts already loaded (a page listing many households loads them at once): the
    late-fee estimate from each installment's payment history (地方税法20条の4の2②), and the booked late fees
    still owed (確定延滞金: enforcement reaches them like the premium, 地方自治法231条の3③)."""
    band = workflow.policy.band_months
    return sum(i.unpaid + facts.accrued(i, on, band) for i in facts.installments
               if (i.unpaid > 0 and i.demand_issued_on is not None if approving else is_ripe(i, on))) \
        + facts.late_fee_owed()


def seized_in_force(conn, hid: int) -> int:
    """What the household's seizures not released are still for, approved or executed, real estate aside (seized
    whole, its value is no sum of yen against the debt): the yen about to be taken. What a seizure has already
    collected is out of it, as it is already out of the debt (ripe_debt): counted twice, a partly collected wage
    seizure would refuse a second seizure that fits."""
    return seizures_in_force(conn, [hid]).get(hid, 0)


def seizures_in_force(conn, hids: list[int]) -> dict[int, int]:
    """seized_in_force of many households at once (the decision inbox's page); a household with none is absent."""
    return {hid: int(amount) for hid, amount in conn.execute(
        select(seizures.c.household_id, func.sum(seizures.c.amount - seizures.c.collected)).where(
            seizures.c.household_id.in_(hids), seizures.c.released_on.is_(None),
            seizures.c.property_kind != "real_estate").group_by(seizures.c.household_id))}


def _not_excessive(conn, workflow: Workflow, hid: int, on: date, amount: int, approving: bool = False) -> int:
    """超過差押の禁止 (国税徴収法48条1項): the seizures of the household together may not exceed the debt they
    are for (ripe_debt): `amount` (a new approval's; 0 at execution) and every seizure in force (seized_in_force),
    so a second bank's deposit cannot take the debt twice. Returns the debt."""
    debt = ripe_debt(conn, workflow, hid, on, approving)
    others = seized_in_force(conn, hid)
    if amount + others > debt:
        which = "demanded" if approving else "ripe"
        held = f" with the {others:,} yen of the household's seizures in force" if others and amount else ""
        raise Refused(f"超過差押: {amount + others:,} yen{held} exceeds the debt the seizures are for on {on}, "
                      f"{debt:,} yen (the {which} installments' principal and late-fee estimate; 国税徴収法48条1項)")
    return debt


def execute_seizure(conn, workflow: Workflow, household_no: str, on: date, actor: str) -> str:
    """差押: only for a ripe installment, demanded more than ten days ago and past its deadline (国税徴収法47条,
    地方自治法231条の3③: the guard has_ripe_installment)."""
    authorize(conn, workflow, actor, "seize")
    hid = locked_household(conn, household_no)
    approved = conn.execute(select(seizures.c.id).where(seizures.c.household_id == hid, seizures.c.executed_on.is_(None),
                                                        seizures.c.released_on.is_(None))).scalars().all()

    def executed() -> None:  # what the letters (差押調書, 債権差押通知書) list: the installments ripe today
        kinds = set(conn.execute(select(seizures.c.property_kind).where(seizures.c.id.in_(approved))).scalars())
        if kinds - {"real_estate"}:  # the debt may have fallen since the approval: all in force against it
            _not_excessive(conn, workflow, hid, on, 0)
        conn.execute(update(seizures).where(seizures.c.id.in_(approved)).values(executed_on=on))
        release.cover(conn, on, approved)

    dest = _transition(conn, workflow, "seize", hid, on, actor, executed)
    _audit(conn, actor, "execute_seizure", household_no, {"on": on})
    return dest


def collect_from_seizure(conn, workflow: Workflow, household_no: str, on: date, amount: int, actor: str) -> None:
    """Money received from the third-party debtor of an executed seizure (取立て, 国税徴収法67条): a payment
    of channel `seizure`, applied oldest first. A seized deposit or policy is thereby spent and the seizure
    ends (reason collected); a seizure of wages or a pension reaches every later payment (継続収入, 66条) and
    runs on until its installments are paid. Any seizure whose installments are now paid is released."""
    authorize(conn, workflow, actor, "collect_from_seizure")
    if amount <= 0:
        raise UserError(f"the amount collected must be a positive whole number of yen, not {amount}")
    hid = locked_household(conn, household_no)
    seizure = conn.execute(select(seizures).where(seizures.c.household_id == hid, seizures.c.executed_on.isnot(None),
                                                  seizures.c.released_on.is_(None))
                           .order_by(seizures.c.id.desc())).first()
    if seizure is None:
        raise Refused("no executed seizure to collect from: only a seized claim is collected from its third-party "
                      "debtor (国税徴収法67条1項)")
    # principal first, then the late fee booked as the principal is paid (domain.md §9)
    record_payment(conn, hid, f"SZ{seizure.id:08d}-{on:%Y%m%d}", on, amount, "seizure", workflow.policy.band_months)
    ends = {} if seizure.property_kind in CONTINUING_KINDS else {"released_on": on, "release_reason": release.COLLECTED}
    conn.execute(update(seizures).where(seizures.c.id == seizure.id)
                 .values(collected=seizures.c.collected + amount, **ends))
    release.release_due(conn, workflow, on, None, [hid])
    _audit(conn, actor, "collect_from_seizure", household_no, {"on": on, "amount": amount})


def release_seizure(conn, workflow: Workflow, household_no: str, on: date, actor: str, withdraw: bool = False,
                    third_party: str | None = None) -> int:
    """差押解除 now rather than at night: the releases the law requires (国税徴収法79条1項: installments paid or
    extinguished; 地方税法15条の7第3項: suspended), or with `withdraw` the seizures (at `third_party`, or
    all) given up on request (79条2項), approvals not yet executed included. A withdrawal renews no
    limitation (民法148条2項ただし書). Returns how many seizures were released."""
    authorize(conn, workflow, actor, "release_seizure")
    hid = locked_household(conn, household_no)
    if withdraw:
        chosen = select(seizures.c.id).where(seizures.c.household_id == hid, seizures.c.released_on.is_(None),
                                             or_(seizures.c.executed_on.is_(None), seizures.c.executed_on <= on),
                                             *((seizures.c.third_party == third_party,) if third_party else ()))
        released, _ = release.end(conn, workflow, chosen, release.WITHDRAWN, on, None)
        if not released:
            raise Refused(f"household {household_no} has no seizure{' at ' + third_party if third_party else ''} "
                          "to withdraw (国税徴収法79条2項 releases a seizure in force)")
    else:
        released, _ = release.release_due(conn, workflow, on, None, [hid])
        if not released:
            raise Refused(f"no seizure of household {household_no} must be released on {on}: 国税徴収法79条1項 "
                          "requires it once the installments it covers are paid or extinguished, 地方税法15条の7第3項 "
                          "once enforcement is suspended for hardship (第1項第2号; the ward releases on every ground, "
                          "区の方針); to give one up on request, withdraw it (79条2項)")
    _audit(conn, actor, "release_seizure", household_no, {"on": on, "withdraw": withdraw, "third_party": third_party,
                                                          "released": released})
    return released


def suspend(conn, workflow: Workflow, household_no: str, on: date, ground: str, actor: str,
            immediate_extinction: bool = False) -> str:
    """執行停止 (地方税法15条の7): a supervisor's decision; running seizures are released (the transition's ends)."""
    authorize(conn, workflow, actor, "suspend")
    if ground not in SUSPENSION_GROUNDS:
        raise UserError(f"ground {ground!r} is not one of {', '.join(SUSPENSION_GROUNDS)} (15条の7第1項各号)")
    if immediate_extinction and ground != "no_property":
        raise Refused("immediate extinction (15条の7第5項) needs ground no_property with collection clearly impossible")
    hid = locked_household(conn, household_no)
    unknown = conn.execute(select(households.c.whereabouts_unknown).where(households.c.id == hid)).scalar_one()
    if refusal := suspension_ground_refusal(ground, bool(unknown)):
        raise Refused(refusal)
    dest = _transition(conn, workflow, "suspend", hid, on, actor)
    conn.execute(suspensions.insert().values(household_id=hid, ground=ground, decided_by=actor, started_on=on,
                                             immediate_extinction=immediate_extinction))
    _audit(conn, actor, "suspend", household_no, {"on": on, "ground": ground})
    return dest


def lift_suspension(conn, workflow: Workflow, household_no: str, on: date, actor: str) -> str:
    """地方税法15条の8: the supervisor's decision; the household returns to the rung it left."""
    authorize(conn, workflow, actor, "lift_suspension")
    hid = locked_household(conn, household_no)
    dest = _transition(conn, workflow, "lift_suspension", hid, on, actor)
    _audit(conn, actor, "lift_suspension", household_no, {"on": on})
    return dest


def extinguished(facts, on: date) -> list:
    """What a write-off on `on` writes off: each unpaid installment extinguished by then, with (day, ground)
    (guards.extinction: limitation 国保法110条, 地方税法15条の7第4項・第5項). The decision inbox shows the same."""
    return [(i, found) for i in facts.installments if (found := extinction(i, facts, on))]


def write_off(conn, workflow: Workflow, household_no: str, on: date, actor: str, today: date) -> str:
    """不納欠損, per installment: each unpaid installment (principal or booked late fee) extinguished by `on` is
    written off on its own ground (guards.extinction); the others stay open, and the household is closed
    (written_off) only when none is left. The written-off amounts stay visible in reports."""
    from ..adapters.tables import assessments, stage_transitions, write_offs
    authorize(conn, workflow, actor, "write_off")
    if on > today:
        raise Refused(f"write-off of household {household_no} dated {on}, after today ({today}): a write-off "
                      "records a decision already taken (区の方針: 不納欠損 is recorded on the day of the decision)")
    hid = locked_household(conn, household_no)
    last_move = conn.execute(select(func.max(stage_transitions.c.on_date))
                             .where(stage_transitions.c.household_id == hid)).scalar()
    if last_move is not None and on < last_move:
        raise Refused(f"write-off of household {household_no} dated {on}, before its last recorded move "
                      f"({last_move}): the ledger's history is never rewritten backwards (区の方針)")
    facts = load_facts(conn, [hid], on)[hid]
    ids = {(y, n): a for y, n, a in conn.execute(select(assessments.c.fiscal_year, assessments.c.installment,
                                                         assessments.c.id).where(assessments.c.household_id == hid))}
    extinct = extinguished(facts, on)
    if not extinct:
        raise Refused(f"write_off refused for household {household_no} on {on}: no unpaid installment is "
                      "extinguished on that day; 不納欠損 only after limitation (国保法110条, from the day after its "
                      "limitation date), three years of suspension (地方税法15条の7第4項) or immediate extinction "
                      "(同条第5項), both only for installments in arrears when the suspension began")
    if facts.stage not in workflow.transition("write_off").source:
        raise Refused(not_from_stage(workflow, "write_off", facts.stage))
    # the household is closed only when nothing unpaid is left open; otherwise it stays on its stage
    closes = guard("extinguished").python(facts, Context(on, workflow.policy))
    dest = _transition(conn, workflow, "write_off", hid, on, actor) if closes else facts.stage
    # the booked late fee still owed goes with its installment (LATE_FEE_UNPAID is nothing once written off)
    rows = [{"assessment_id": ids[(i.fiscal_year, i.installment)], "written_off_on": on, "amount": i.unpaid,
             "ground": ground, "decided_by": actor, "late_fee": max(i.late_fee_unpaid, 0)}
            for i, (_, ground) in extinct]
    conn.execute(write_offs.insert(), rows)
    release.release_due(conn, workflow, on, None, [hid])  # 国税徴収法79条1項1号: a seizure of nothing owed
    _audit(conn, actor, "write_off", household_no, {
        "on": on, "to": dest, "installments": [{"fiscal_year": i.fiscal_year, "installment": i.installment,
                                                "amount": i.unpaid, "late_fee": max(i.late_fee_unpaid, 0),
                                                "ground": ground, "extinguished_on": d}
                                               for i, (d, ground) in extinct]})
    return dest


def send_reminder(conn, workflow: Workflow, household_no: str, on: date, actor: str) -> str:
    """催告 sent by a person (a supervisor's bulk reminder, services/bulk.py) rather than by the calendar's round:
    the same `send_reminder` transition, its guards and its letter, fired through the Machine with the actor
    recorded. The calendar's edge is `system`'s; a person's is the `bulk_action` duty of the workflow file.
    Never twice in a day: a household that got its reminder today is refused (区の方針: one letter, once)."""
    authorize(conn, workflow, actor, "bulk_action")
    hid = locked_household(conn, household_no)
    letter_types = workflow.transition("send_reminder").letters
    if conn.execute(select(letters.c.id).where(letters.c.household_id == hid, letters.c.issued_on == on,
                                               letters.c.letter_type.in_(letter_types))).first():
        refusal = already_sent(workflow, on)  # the dry run lists it too (services/bulk.py)
        raise Refused(refusal)
    dest = _transition(conn, workflow, "send_reminder", hid, on, actor)
    _audit(conn, actor, "send_reminder", household_no, {"on": on, "to": dest})
    return dest


def already_sent(workflow: Workflow, on: date) -> str:
    titles = "・".join(workflow.letter_types[t].title for t in workflow.transition("send_reminder").letters)
    return f"{titles} already issued to this household on {on}: 区の方針 (a letter is never sent twice)"
