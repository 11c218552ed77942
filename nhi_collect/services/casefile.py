"""滞納者カルテ: one household's record as of a date — the ledger of services/households.py, the flags in
force with their end dates, and ONE timeline, newest first, of everything that happened to it (payments,
letters, stage moves, contacts, plans, investigations, seizures, suspensions, write-offs and the staff's
actions), as the case record (滞納整理票・交渉等事績票) prints it. The web's case file and
`household show` call it through services/work.open_household, which checks the duty and logs the opening.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, or_, select

from ..adapters.tables import (adjustments, assessments, audit_log, contacts, inquiries,
                               installment_plans, investigations, letters, payments, plan_schedule, seizures,
                               stage_transitions, suspensions, whereabouts_periods, write_offs)
from ..domain.calendar import in_tokyo
from ..domain.limitation import suspension_extinction_date
from ..workflow.definition import Workflow
from .actions import household_id
from .applications import OUTCOMES, of_household
from .decision_proposals import KINDS
from .households import show_household
from .whereabouts import covers

CHANNELS = {"bank_transfer": "口座振替", "counter": "窓口", "convenience_store": "コンビニ", "seizure": "差押",
            "refund": "還付", "other": "その他", "phone": "電話", "visit": "訪問", "letter": "文書", "email": "メール"}
PROPERTY = {"deposit": "預貯金", "wage": "給与", "pension": "年金", "insurance": "保険", "real_estate": "不動産"}
INQUIRY = {"bank": "金融機関", "employer": "勤務先", "pension": "年金", "insurance": "保険", "real_estate": "不動産登記"}
SUSPENSION = {"no_property": "無財産（15条の7①一）", "hardship": "生活困窮（15条の7①二）",
              "unknown": "所在・財産不明（15条の7①三）"}
WRITE_OFF = {"limitation": "時効", "suspension_3y": "執行停止3年継続", "immediate_extinction": "即時消滅（15条の7⑤）"}
PLAN_STATUS = {"kept": "履行中", "broken": "不履行", "completed": "完了"}
LETTER_STATUS = {"generated": "作成", "printed": "印刷済", "mailed": "発送済", "returned": "返戻"}
# Staff actions whose record is itself in the timeline (a contact, a plan, ...): their audit rows would
# show the same event twice. Every other audited action of the household is listed as it was logged.
RECORDED = {"contact", "agree_plan", "open_investigation", "close_investigation", "approve_seizure",
            "execute_seizure", "suspend", "lift_suspension", "write_off", "record_application", "close_application"}
# The decisions' own words in the timeline (the clerk reads a supervisor's return there).
ACTION_LABELS = {"propose_seizure": "差押の起案", "return_seizure_proposal": "差押の起案を差戻し",
                 "reassign_application": "申請の担当替え",
                 **{f"propose_{k}": f"{name}の起案" for k, (_, _, name) in KINDS.items()},
                 **{f"return_{k}_proposal": f"{name}の起案を差戻し" for k, (_, _, name) in KINDS.items()},
                 **{f"approve_{k}_proposal": f"{name}の起案を決裁" for k, (_, _, name) in KINDS.items()}}
# Within one day: the order things happen in a day's run (money first, letters after the moves).
ORDER = ("payment", "adjustment", "contact", "application", "plan", "investigation", "inquiry", "seizure", "suspension",
         "write_off", "stage", "letter", "action")


def case_file(conn: Connection, workflow: Workflow, household_no: str, as_of: date) -> dict:
    """The case file as of `as_of` (JSON-ready: dates as ISO strings): the ledger, stage, flags and timeline
    as they stood that day; the name, address and phone as they are now."""
    data = show_household(conn, household_no, as_of, workflow.policy.band_months)
    hid = household_id(conn, household_no)
    open_limitations = [i["limitation_date"] for i in data["installments"]
                        if i["limitation_date"] and not i["written_off_on"]]
    stage = _stage_as_of(conn, hid, as_of, data["stage"])  # `stage` stays today's (contract.md)
    data.update(as_of=as_of.isoformat(), stage_as_of=stage, stage_label=workflow.stages.get(stage, stage),
                nearest_limitation_date=min(open_limitations, default=None),
                flags=flags(conn, hid, as_of), applications=of_household(conn, workflow, hid, as_of))
    data["timeline"] = timeline(conn, workflow, hid, household_no, as_of, data["applications"])
    return data


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _stage_as_of(conn: Connection, hid: int, as_of: date, current: str) -> str:
    """The stage on `as_of`: where the last move by then led, else where the first later move started."""
    moves = stage_transitions.c
    last = conn.execute(select(moves.to_stage).where(moves.household_id == hid, moves.on_date <= as_of)
                        .order_by(moves.on_date.desc(), moves.id.desc()).limit(1)).scalar()
    if last is not None:
        return last
    first_later = conn.execute(select(moves.from_stage).where(moves.household_id == hid)
                               .order_by(moves.on_date, moves.id).limit(1)).scalar()
    return first_later or current


def _whereabouts(conn: Connection, hid: int, as_of: date) -> tuple[date | None, date | None] | None:
    """The 居所不明 period in force on `as_of` (services/whereabouts.py): its first day (None: since before the
    household's first record) and its end, or None when the whereabouts were known that day."""
    period = conn.execute(select(whereabouts_periods.c.started_on, whereabouts_periods.c.ended_on).where(
        whereabouts_periods.c.household_id == hid, covers(as_of)).order_by(whereabouts_periods.c.id.desc())).first()
    return None if period is None else (period.started_on, period.ended_on and period.ended_on - timedelta(days=1))


def flags(conn: Connection, hid: int, as_of: date) -> list[dict]:
    """What is in force on `as_of`, each with its start and, where the law or the record sets one, its end."""
    found = []
    unknown = _whereabouts(conn, hid, as_of)
    if unknown:
        found.append({"flag": "whereabouts_unknown", "label": "居所不明", "since": _iso(unknown[0]),
                      "until": _iso(unknown[1]),
                      "note": "郵送による督促・催告はできません（公示送達を検討）"})
    for plan in conn.execute(select(installment_plans, func.max(plan_schedule.c.due_on).label("last_due"))
                             .join(plan_schedule, plan_schedule.c.plan_id == installment_plans.c.id, isouter=True)
                             .where(installment_plans.c.household_id == hid, installment_plans.c.agreed_on <= as_of,
                                    or_(installment_plans.c.ended_on.is_(None), installment_plans.c.ended_on > as_of))
                             .group_by(*installment_plans.c)):
        found.append({"flag": "plan", "label": "分納誓約", "since": _iso(plan.agreed_on), "until": _iso(plan.last_due),
                      "note": f"最終納付予定日まで（{plan.agreed_by}）"})
    for s in conn.execute(select(suspensions).where(
            suspensions.c.household_id == hid, suspensions.c.started_on <= as_of,
            or_(suspensions.c.lifted_on.is_(None), suspensions.c.lifted_on > as_of))):
        found.append({"flag": "suspension", "label": f"執行停止：{SUSPENSION.get(s.ground, s.ground)}",
                      "since": _iso(s.started_on), "until": _iso(suspension_extinction_date(s.started_on)),
                      "note": "3年継続で納付義務が消滅（地方税法15条の7④）"})
    for z in conn.execute(select(seizures).where(
            seizures.c.household_id == hid, seizures.c.approved_on <= as_of,
            or_(seizures.c.released_on.is_(None), seizures.c.released_on > as_of))):
        executed = z.executed_on is not None and z.executed_on <= as_of
        found.append({"flag": "seizure", "label": ("差押中" if executed else "差押決裁済・未執行")
                      + f"：{PROPERTY.get(z.property_kind, z.property_kind)}（{z.third_party}）",
                      "since": _iso(z.executed_on if executed else z.approved_on), "until": None,
                      "note": f"差押額 {z.amount:,}円・取立済 {z.collected:,}円、解除まで"})
    return found


def _event(on: date, kind: str, label: str, summary: str, actor: str | None = None, key: int = 0,
           **extra) -> dict:
    return {"on": on.isoformat(), "kind": kind, "label": label, "summary": summary, "actor": actor,
            "_sort": (on, ORDER.index(kind), key), **extra}


def timeline(conn: Connection, workflow: Workflow, hid: int, household_no: str, as_of: date,
             applications: list[dict] = ()) -> list[dict]:
    """Every event of the household up to `as_of`, newest first; each a dict with on, kind, label (the
    Japanese category), summary, actor, and for a letter its serial (to reopen the PDF as printed)."""
    events = []
    for p in conn.execute(select(payments).where(payments.c.household_id == hid, payments.c.paid_on <= as_of)):
        what = f"（{p.fiscal_year}年度 第{p.installment}期）" if p.installment else ""
        events.append(_event(p.paid_on, "payment", "収納", f"{p.amount:,}円 {CHANNELS.get(p.channel, p.channel)}{what}",
                             key=p.id, amount=p.amount))
    mine = assessments.c.household_id == hid
    for a in conn.execute(select(adjustments, assessments.c.fiscal_year, assessments.c.installment)
                          .join(assessments).where(mine, adjustments.c.adjusted_on <= as_of)):
        events.append(_event(a.adjusted_on, "adjustment", "更正・減免",
                             f"{a.fiscal_year}年度 第{a.installment}期 {a.delta:+,}円（{a.reason}）", key=a.id))
    for w in conn.execute(select(write_offs, assessments.c.fiscal_year, assessments.c.installment)
                          .join(assessments).where(mine, write_offs.c.written_off_on <= as_of)):
        events.append(_event(w.written_off_on, "write_off", "不納欠損",
                             f"{w.fiscal_year}年度 第{w.installment}期 {w.amount:,}円（{WRITE_OFF.get(w.ground, w.ground)}）",
                             w.decided_by, w.id))
    serials = []
    for letter in conn.execute(select(letters).where(letters.c.household_id == hid, letters.c.issued_on <= as_of)):
        kind = workflow.letter_types.get(letter.letter_type)
        serials.append(letter.serial)
        events.append(_event(letter.issued_on, "letter", "発送", f"{kind.title if kind else letter.letter_type} "
                             f"{letter.serial}（{LETTER_STATUS.get(letter.status, letter.status)}）",
                             key=letter.id, serial=letter.serial))
    for t in conn.execute(select(stage_transitions).where(stage_transitions.c.household_id == hid,
                                                          stage_transitions.c.on_date <= as_of)):
        events.append(_event(t.on_date, "stage", "段階", f"{workflow.stages.get(t.from_stage, t.from_stage)} → "
                             f"{workflow.stages.get(t.to_stage, t.to_stage)}（{t.trigger}）", t.actor, t.id))
    for c in conn.execute(select(contacts).where(contacts.c.household_id == hid, contacts.c.contacted_on <= as_of)):
        promise = f" 約束：{c.promise}" if c.promise else ""
        events.append(_event(c.contacted_on, "contact", f"交渉記録（{CHANNELS.get(c.channel, c.channel)}）",
                             c.summary + promise, c.actor, c.id))
    events += _plans(conn, hid, as_of) + _investigations(conn, hid, as_of) + _seizures(conn, hid, as_of)
    events += _suspensions(conn, hid, as_of) + _applications(applications)
    events += _actions(conn, household_no, serials, as_of)
    events.sort(key=lambda e: e.pop("_sort"), reverse=True)
    return events


def _plans(conn: Connection, hid: int, as_of: date) -> list[dict]:
    events = []
    for plan in conn.execute(select(installment_plans, func.count(plan_schedule.c.id).label("payments"),
                                    func.max(plan_schedule.c.cumulative).label("total"),
                                    func.max(plan_schedule.c.due_on).label("last_due"))
                             .join(plan_schedule, plan_schedule.c.plan_id == installment_plans.c.id, isouter=True)
                             .where(installment_plans.c.household_id == hid, installment_plans.c.agreed_on <= as_of)
                             .group_by(*installment_plans.c)):
        events.append(_event(plan.agreed_on, "plan", "分納誓約", f"{plan.payments}回 計{(plan.total or 0):,}円"
                             f"（最終 {_iso(plan.last_due)}）", plan.agreed_by, plan.id))
        if plan.ended_on and plan.ended_on <= as_of:
            events.append(_event(plan.ended_on, "plan", "分納終了", PLAN_STATUS.get(plan.status, plan.status),
                                 key=plan.id))
    return events


def _investigations(conn: Connection, hid: int, as_of: date) -> list[dict]:
    events = []
    for inv in conn.execute(select(investigations).where(investigations.c.household_id == hid,
                                                         investigations.c.opened_on <= as_of)):
        events.append(_event(inv.opened_on, "investigation", "財産調査", "開始（国税徴収法141条）", inv.actor, inv.id))
        if inv.closed_on and inv.closed_on <= as_of:
            result = {"property_found": "財産あり", "none": "財産なし"}.get(inv.result, inv.result)
            events.append(_event(inv.closed_on, "investigation", "財産調査", f"終了：{result}", key=inv.id))
    for q in conn.execute(select(inquiries).join(investigations).where(investigations.c.household_id == hid,
                                                                       inquiries.c.sent_on <= as_of)):
        events.append(_event(q.sent_on, "inquiry", "照会", f"{INQUIRY.get(q.kind, q.kind)}：{q.target}", key=q.id))
        if q.replied_on and q.replied_on <= as_of:
            found = f"{q.found_amount:,}円" if q.found_amount is not None else "該当なし"
            events.append(_event(q.replied_on, "inquiry", "照会回答", f"{q.target}：{found}", key=q.id))
    return events


def _seizures(conn: Connection, hid: int, as_of: date) -> list[dict]:
    events = []
    for z in conn.execute(select(seizures).where(seizures.c.household_id == hid, seizures.c.approved_on <= as_of)):
        what = f"{PROPERTY.get(z.property_kind, z.property_kind)}（{z.third_party}）{z.amount:,}円"
        events.append(_event(z.approved_on, "seizure", "差押決裁", what, z.approved_by, z.id))
        if z.executed_on and z.executed_on <= as_of:
            events.append(_event(z.executed_on, "seizure", "差押執行", what, key=z.id))
        if z.released_on and z.released_on <= as_of:
            events.append(_event(z.released_on, "seizure", "差押解除", what, key=z.id))
    return events


def _suspensions(conn: Connection, hid: int, as_of: date) -> list[dict]:
    events = []
    for s in conn.execute(select(suspensions).where(suspensions.c.household_id == hid,
                                                    suspensions.c.started_on <= as_of)):
        extinction = "（即時消滅）" if s.immediate_extinction else ""
        events.append(_event(s.started_on, "suspension", "執行停止", SUSPENSION.get(s.ground, s.ground) + extinction,
                             s.decided_by, s.id))
        if s.lifted_on and s.lifted_on <= as_of:
            events.append(_event(s.lifted_on, "suspension", "執行停止の取消", "", key=s.id))
    return events


def _applications(rows: list[dict]) -> list[dict]:
    """申請: received (with its due date and owner) and answered (its outcome, and how late), from of_household."""
    events = []
    for a in rows:
        events.append(_event(date.fromisoformat(a["received_on"]), "application", "申請の受付",
                             f"{a['label']}（処理期限 {a['due_on']}、担当 {a['owner']}）{a['note']}", a["recorded_by"],
                             a["id"]))
        if a["closed_on"]:
            late = f"、処理期限から{a['days_over']}日遅れ" if a["overdue"] else ""
            outcome = OUTCOMES.get(a["outcome"], a["outcome"])
            events.append(_event(date.fromisoformat(a["closed_on"]), "application", "申請の処理",
                                 f"{a['label']}：{outcome}{late}　{a['outcome_note'] or ''}", a["closed_by"], a["id"]))
    return events


def _actions(conn: Connection, household_no: str, serials: list[str], as_of: date) -> list[dict]:
    """The audit log's rows of the household and of its letters, but for those recorded above. An action's
    day is the business date it names (detail "on"), else the Tokyo day it was logged: a simulation or a
    late entry acts on a business date other than the clock's."""
    rows = conn.execute(select(audit_log).where(
        or_(and_(audit_log.c.entity == "household", audit_log.c.entity_key == household_no),
            and_(audit_log.c.entity == "letter", audit_log.c.entity_key.in_(serials))),
        audit_log.c.action.not_in(RECORDED))).all()
    events = []
    for r in rows:
        detail = json.loads(r.detail) if r.detail else {}
        detail = detail if isinstance(detail, dict) else {}
        on = date.fromisoformat(str(detail["on"])[:10]) if detail.get("on") else in_tokyo(r.at).date()
        if on > as_of:
            continue
        what = f"{r.entity_key} " if r.entity == "letter" else ""
        text = "、".join(f"{k}: {v}" for k, v in detail.items() if k != "on")
        events.append(_event(on, "action", f"操作：{ACTION_LABELS.get(r.action, r.action)}", what + text, r.actor, r.id))
    return events
