"""Record and act (web/routes/act.py) with FastAPI's test client on SQLite and PostgreSQL: 次にできること with
the rule and the date of each refusal, and each form: success, the role's refusal with its rule, the CSRF
refusal, the refusal in place beside its form, the access-log and audit rows."""

from __future__ import annotations

from sqlalchemy import select

from nhi_collect.adapters.tables import (access_log, audit_log, contacts, households, inquiries, installment_plans,
                                         investigations, letters, promises, queue_items, seizure_proposals, seizures)
from nhi_collect.services import decision_proposals
from nhi_collect.workflow.definition import load
from tests.support.signin import signed_in
from tests.support.webapp import ON, csrf_of
from tests.support.webact import rows, url  # noqa: F401 (url: a fixture)

HTMX = {"HX-Request": "true"}


def person(app, user):
    """A signed-in client and the headers of its htmx requests (the session's CSRF token)."""
    client = signed_in(app, user)
    for hno in ("H1", "H2"):  # opened with a reason, as a person outside their own work must (seed 窓3)
        assert client.get(f"/households/{hno}", params={"reason": "窓口への来庁"}).status_code == 200
    return client, {**HTMX, "X-CSRF-Token": csrf_of(client.get("/households/H1/act").text)}


def audited(db, action):
    return rows(db, select(audit_log.c.actor, audit_log.c.entity_key).where(audit_log.c.action == action))


def test_the_fragment_shows_a_refused_seizure_with_its_rule_and_date_and_is_logged(app, db):
    client, _ = person(app, "tanaka")
    page = client.get("/households/H2/actions", headers=HTMX)
    assert page.status_code == 200 and "<html" not in page.text and "次にできること" in page.text
    # H2's installment was demanded on 2023-09-20: 47条's ten days end on 10-01, its deadline (09-30, a Saturday,
    # moved to Monday 10-02) has passed on 10-03, so the approved seizure is possible from 10-03
    refused = page.text.split("いまはできないこと", 1)[1]
    assert "差押の執行" in refused and "国税徴収法47条1項" in refused
    assert "令和5年10月3日（2023-10-03）から可能" in refused
    assert "差押の決裁" in refused and "approve_seizure is the supervisor&#39;s duty" in refused
    assert 'hx-post="/households/H2/contacts"' in page.text  # an allowed action opens its form
    assert ("tanaka", "next actions") in rows(db, select(access_log.c.user_name, access_log.c.command)
                                            .join(households).where(households.c.household_no == "H2"))


def test_a_contact_with_a_promise_to_pay(app, db):
    client, headers = person(app, "tanaka")
    done = client.post("/households/H1/contacts", headers=headers, data={
        "contacted_on": "2023-09-20", "channel": "phone", "with_whom": "本人", "summary": "月末に2万円を約束",
        "promised_on": "2023-09-30", "promised_amount": "20,000"})
    assert done.status_code == 200 and "交渉記録を登録しました" in done.text and "約束中" in done.text
    assert rows(db, select(contacts.c.channel, contacts.c.with_whom, contacts.c.summary, contacts.c.actor)) == [
        ("phone", "本人", "月末に2万円を約束", "tanaka")]
    assert rows(db, select(promises.c.promised_on, promises.c.amount, promises.c.status, promises.c.made_by)) == [
        (ON.replace(day=30), 20_000, "open", "tanaka")]
    assert audited(db, "contact") == [("tanaka", "H1")]
    without_htmx = client.post("/households/H1/contacts", data={
        "csrf_token": headers["X-CSRF-Token"], "contacted_on": "2023-09-20", "channel": "counter", "summary": "来庁"},
        follow_redirects=False)
    assert without_htmx.status_code == 303 and without_htmx.headers["location"] == "/households/H1/act"


def test_a_contact_dated_after_today_is_refused_beside_its_form(app, db):
    client, headers = person(app, "tanaka")
    refused = client.post("/households/H1/contacts", headers=headers, data={
        "contacted_on": "2023-09-21", "channel": "phone", "summary": "x"})
    assert refused.status_code == 400 and "今日より後" in refused.text
    assert refused.headers["HX-Retarget"] == "#msg-record_contact"
    promise_too_early = client.post("/households/H1/contacts", headers=headers, data={
        "contacted_on": "2023-09-20", "channel": "phone", "summary": "x", "promised_on": "2023-09-19",
        "promised_amount": "1000"})
    assert promise_too_early.status_code == 400 and "dated before the contact" in promise_too_early.text
    assert rows(db, select(contacts.c.id)) == []  # one transaction: the contact went with its promise


def test_a_plan_must_cover_the_arrears(app, db):
    client, headers = person(app, "tanaka")
    short = client.post("/households/H1/plans", headers=headers,
                        data={"due_on": ["2023-10-31", ""], "amount": ["10000", ""]})
    # H1 owes installments 1 and 2 (10,000 yen each, due 06-30 and 07-31): 20,000 yen of arrears on 09-20
    assert short.status_code == 403 and short.headers["HX-Retarget"] == "#msg-agree_plan"
    assert "10,000 yen more must be scheduled" in short.text
    done = client.post("/households/H1/plans", headers=headers,
                       data={"due_on": ["2023-10-31", "2023-11-30"], "amount": ["10000", "10,000"]})
    assert done.status_code == 200 and "分納誓約を登録しました" in done.text
    assert rows(db, select(installment_plans.c.agreed_on, installment_plans.c.agreed_by)) == [(ON, "tanaka")]
    assert rows(db, select(households.c.stage).where(households.c.household_no == "H1")) == [("installment_plan",)]
    assert audited(db, "agree_plan") == [("tanaka", "H1")]


def test_an_investigation_opened_answered_and_closed(app, db):
    client, headers = person(app, "tanaka")
    opened = client.post("/households/H1/investigations", headers=headers,
                         data={"kind": ["bank", "employer", "bank"], "target": ["大正銀行", "大正造船", ""]})
    assert opened.status_code == 200 and "照会2件" in opened.text and "大正銀行" in opened.text
    assert rows(db, select(letters.c.letter_type).where(letters.c.letter_type == "bank_inquiry")) == [("bank_inquiry",)]
    answered = client.post("/households/H1/inquiry-replies", headers=headers,
                           data={"inquiry": "bank:大正銀行", "replied_on": "2023-09-20", "found_amount": "50000"})
    assert answered.status_code == 200
    assert sorted(rows(db, select(inquiries.c.target, inquiries.c.found_amount))) == [("大正造船", None),
                                                                                     ("大正銀行", 50_000)]
    closed = client.post("/households/H1/investigations/close", headers=headers, data={"result": "property_found"})
    assert closed.status_code == 200
    assert rows(db, select(investigations.c.result, investigations.c.closed_on)) == [("property_found", ON)]
    assert [a for a, _ in audited(db, "open_investigation") + audited(db, "inquiry_result")
            + audited(db, "close_investigation")] == ["tanaka"] * 3


def test_a_proposal_is_approved_by_a_supervisor_who_did_not_draft_it(app, db):
    # H2 owes 30,000 yen, which the seed's approval at 大正銀行 already takes whole: it is given up first, or
    # any further approval would seize the debt twice (超過差押, 国税徴収法48条1項). Then 20,000 + 10,000 below.
    with db.begin() as conn:
        conn.execute(seizures.update().where(seizures.c.third_party == "大正銀行")
                     .values(released_on=ON, release_reason="withdrawn"))
    clerk, clerk_headers = person(app, "tanaka")
    proposed = clerk.post("/households/H2/seizure-proposals", headers=clerk_headers, data={
        "property_kind": "deposit", "third_party": "大正銀行 泉尾支店", "amount": "20000", "note": "回答で残高判明"})
    assert proposed.status_code == 200 and "決裁待ち" in proposed.text
    drafted_here = seizure_proposals.c.third_party != "大正銀行"  # the seed's own proposal, approved, aside
    (proposal,) = rows(db, select(seizure_proposals.c.id).where(drafted_here))
    approve = f"/households/H2/seizure-proposals/{proposal[0]}/approve"
    refused = clerk.post(approve, headers=clerk_headers)
    assert refused.status_code == 403 and "approve_seizure is the supervisor&#39;s duty" in refused.text
    boss, boss_headers = person(app, "boss")
    fragment = boss.get("/households/H2/actions", headers=HTMX).text
    assert "この起案を決裁する" in fragment and 'name="balance"' in fragment  # no bank reply recorded: asked
    without = boss.post(approve, headers=boss_headers)  # a deposit's balance is the deposit screen's first fact
    assert "国税徴収法48条" in without.text and rows(db, select(seizure_proposals.c.status).where(drafted_here)) == \
        [("open",)]
    assert boss.post(approve, headers=boss_headers, data={"balance": "100000"}).status_code == 200
    assert rows(db, select(seizures.c.third_party, seizures.c.amount, seizures.c.approved_by)
                .where(seizures.c.third_party == "大正銀行 泉尾支店")) == [("大正銀行 泉尾支店", 20_000, "boss")]
    assert rows(db, select(seizure_proposals.c.status, seizure_proposals.c.decided_by).where(drafted_here)) == \
        [("approved", "boss")]
    own = boss.post("/households/H2/seizure-proposals", headers=boss_headers, data={
        "property_kind": "deposit", "third_party": "大正みなと信用金庫 泉尾支店", "amount": "10000", "note": ""})
    assert own.status_code == 200
    mine = max(r[0] for r in rows(db, select(seizure_proposals.c.id)))
    page = boss.get("/households/H2/actions", headers=HTMX)
    assert "起案者と決裁者の分離" in page.text and f"/seizure-proposals/{mine}/approve" not in page.text
    refused = boss.post(f"/households/H2/seizure-proposals/{mine}/approve", headers=boss_headers)
    assert refused.status_code == 403 and "起案者と決裁者の分離" in refused.text
    assert refused.headers["HX-Retarget"] == f"#msg-approve-{mine}"
    kacho, kacho_headers = person(app, "kacho")
    assert kacho.post(f"/households/H2/seizure-proposals/{mine}/approve", headers=kacho_headers,
                      data={"balance": "100000"}).status_code == 200


def test_a_seizure_before_its_lawful_day_is_refused_in_place_with_the_rule(app, db):
    client, headers = person(app, "tanaka")
    refused = client.post("/households/H2/seizure", headers=headers)
    assert refused.status_code == 403 and "国税徴収法47条1項" in refused.text
    assert refused.headers["HX-Retarget"] == "#msg-seize"
    assert rows(db, select(seizures.c.executed_on)) == [(None,)]


def test_a_returned_letter(app, db):
    client, headers = person(app, "tanaka")
    serials = dict(rows(db, select(households.c.household_no, letters.c.serial).join(households)))
    wrong = client.post("/households/H1/returned-letters", headers=headers,
                        data={"serial": serials["H2"], "reason": "宛所不明"})
    assert wrong.status_code == 400 and "was not sent to household H1" in wrong.text
    done = client.post("/households/H1/returned-letters", headers=headers,
                       data={"serial": serials["H1"], "reason": "宛所不明"})
    assert done.status_code == 200 and "返戻として記録しました" in done.text
    assert rows(db, select(letters.c.status).where(letters.c.serial == serials["H1"])) == [("returned",)]
    assert rows(db, select(queue_items.c.kind).join(households).where(
        households.c.household_no == "H1", queue_items.c.kind == "returned_mail")) == [("returned_mail",)]
    assert audited(db, "mark_returned") == [("tanaka", serials["H1"])]


def test_a_supervisor_suspends_and_lifts(app, db):
    """Suspended on tanaka's proposal (区の方針: 決裁規程, the direct form is refused), lifted by the supervisor."""
    boss, headers = person(app, "boss")
    alone = boss.post("/households/H1/suspension", headers=headers, data={"ground": "hardship"})
    assert alone.status_code == 403 and "決裁規程" in alone.text
    with db.begin() as conn:
        proposal = decision_proposals.propose_suspension(conn, load(), "H1", ON, "hardship", "失職", "tanaka")
        decision_proposals.approve(conn, load(), "H1", proposal, ON, "boss", ON)
    assert rows(db, select(households.c.stage).where(households.c.household_no == "H1")) == [("suspended",)]
    assert boss.post("/households/H1/suspension/lift", headers=headers).status_code == 200
    assert rows(db, select(households.c.stage).where(households.c.household_no == "H1")) == [("demanded",)]


FORMS = {  # each form's path (on H2), the duty it needs, and what it sends
    "contacts": ("record_contact", {"contacted_on": "2023-09-20", "channel": "phone", "summary": "x"}),
    "plans": ("agree_plan", {"due_on": "2023-10-31", "amount": "30000"}),
    "investigations": ("open_investigation", {"kind": "bank", "target": "大正銀行"}),
    "inquiry-replies": ("record_inquiry_result", {"inquiry": "bank:大正銀行", "replied_on": "2023-09-20",
                                                  "found_amount": "0"}),
    "investigations/close": ("close_investigation", {"result": "none"}),
    "seizure-proposals": ("propose_seizure", {"property_kind": "deposit", "third_party": "大正銀行", "amount": "1"}),
    "seizure-proposals/1/approve": ("approve_seizure", {}),
    "seizure": ("seize", {}),
    "suspension": ("suspend", {"ground": "hardship"}),
    "suspension/lift": ("lift_suspension", {}),
    "write-off": ("write_off", {}),
    "returned-letters": ("mark_returned", {"serial": "TS2023-000001", "reason": "宛所不明"}),
}


def test_every_form_refuses_a_post_without_the_csrf_token_and_a_person_without_the_duty(app, db):
    before = rows(db, select(audit_log.c.id))
    clerk, _ = person(app, "tanaka")
    auditor, auditor_headers = person(app, "kansa")
    for path, (action, data) in FORMS.items():
        forged = clerk.post(f"/households/H2/{path}", data=data, headers={**HTMX, "X-CSRF-Token": "forged"})
        assert forged.status_code == 403 and "CSRFトークン" in forged.text, path
        refused = auditor.post(f"/households/H2/{path}", data=data, headers=auditor_headers)
        assert refused.status_code == 403 and f"{action} is the" in refused.text, path
    assert rows(db, select(audit_log.c.id)) == before  # nothing done, nothing audited
