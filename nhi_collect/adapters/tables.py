"""The ledger, as SQLAlchemy Core tables (the nightly batch is set-based SQL, so no ORM classes).

Money is whole yen in BigInteger; dates are Date. The alembic migrations in migrations/ create
exactly these tables, and a test checks that they agree.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData,
                        String, Table, Text, UniqueConstraint, case, exists, text)

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite only auto-increments INTEGER PRIMARY KEY


def search_key(length: int):
    """A folded search key: in the "C" collation on PostgreSQL, so that a prefix is a byte range of the
    index whatever the database's collation (SQLite's default BINARY is one already)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


households = Table(
    "households", metadata,
    Column("id", Id, primary_key=True),
    Column("household_no", String(20), nullable=False, unique=True),
    Column("head_name", String(100), nullable=False),
    Column("head_name_kana", String(200), nullable=False),
    Column("head_birth_date", Date, nullable=False),
    Column("postal_code", String(8), nullable=False),
    Column("address", String(200), nullable=False),
    Column("district", String(40), nullable=False),
    Column("phone", String(20)),
    Column("language", String(8), nullable=False, server_default="ja"),
    Column("whereabouts_unknown", Boolean, nullable=False, server_default=text("false")),
    # The workflow stage (contract.md stage identifiers) and, while on an installment plan or
    # suspended, the rung to return to.
    Column("stage", String(24), nullable=False, server_default="clear", index=True),
    Column("stage_since", Date),
    Column("resume_stage", String(24)),
    # Search keys (domain/search_keys.py: kana of any width, variant kanji, digits of the phone, the address
    # from its town on), kept by the household import; a search is an index range scan on a key's prefix.
    Column("name_key", search_key(200), index=True),
    Column("kana_key", search_key(200), index=True),
    Column("phone_key", search_key(20), index=True),
    Column("address_key", search_key(200), index=True),
)
# a district's households by reading (the search screen's district alone), and the walk of its districts
Index("ix_households_district_kana_key", households.c.district, households.c.kana_key)

household_changes = Table(
    "household_changes", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("field", String(40), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("actor", String(60), nullable=False),
)

# 居所不明 as dated periods (domain.md §9): unknown from `started_on` (None: before the household's first
# record) until the day before `ended_on` (None: still unknown). `households.whereabouts_unknown` is the
# current state the workflow reads; the collection rates read the period covering the year's reference day.
whereabouts_periods = Table(
    "whereabouts_periods", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("started_on", Date),
    Column("ended_on", Date),
)

assessments = Table(
    "assessments", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("installment", Integer, nullable=False),
    # 納期限: the legal due date every calculation runs from (late fee, demand timing, limitation, overdue).
    # A nominal due date imported on a Saturday, Sunday, holiday or 12/29–1/3 is moved to the next office day
    # (地方自治法4条の2④ with the city's holiday ordinance); the nominal one is kept as it was imported.
    Column("due_date", Date, nullable=False, index=True),
    Column("nominal_due_date", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    # Running totals kept in the same transaction as the rows they sum (adjustments.delta,
    # allocations.amount): the nightly batch selects overdue installments of a whole city by
    # `amount + adjusted - paid > 0` without aggregating millions of allocation rows each night.
    Column("adjusted", BigInteger, nullable=False, server_default="0"),
    Column("paid", BigInteger, nullable=False, server_default="0"),
    # 確定延滞金 (domain.md §9): the final late fee booked as this installment's receivable on the day its
    # principal became fully paid after the due date (地方自治法231条の3②); NULL until then. What paid, reduced
    # (延滞金減免, late_fee_reductions) or wrote it off (write_offs.late_fee) is kept beside it.
    Column("late_fee_booked", BigInteger, nullable=False, server_default="0"),
    Column("late_fee_booked_on", Date),
    Column("late_fee_paid", BigInteger, nullable=False, server_default="0"),
    Column("late_fee_reduced", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("household_id", "fiscal_year", "installment"),
)

adjustments = Table(
    "adjustments", metadata,
    Column("id", Id, primary_key=True),
    Column("adjustment_no", String(40), nullable=False, unique=True),
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, index=True),
    Column("adjusted_on", Date, nullable=False),
    Column("delta", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
)

payments = Table(
    "payments", metadata,
    Column("id", Id, primary_key=True),
    Column("payment_no", String(40), nullable=False, unique=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("fiscal_year", Integer),
    Column("installment", Integer),
    Column("paid_on", Date, nullable=False, index=True),  # the data-freshness banner reads the latest
    Column("amount", BigInteger, nullable=False),
    Column("channel", String(20), nullable=False),
)

# 充当 (地方税法17条の2 as applied to premiums by 地方自治法231条の3④): a household's credit (過誤納金) applied on a
# business date to its installments then due, oldest first; its allocations name it (allocations.appropriation_id)
# and were received that day. One per household and date; its 充当通知書 (17条の2⑤) is `letter_id`.
appropriations = Table(
    "appropriations", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False),
    Column("appropriated_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("letter_id", ForeignKey("letters.id"), unique=True),
    UniqueConstraint("household_id", "appropriated_on"),
)

# 還付通知書 (地方税法17条): credit no installment due or assessed can take, noticed once. `refundable` is the
# whole credit awaiting refund after this notice, `amount` the part it newly tells of; `payments_through` the
# last payment row then recorded, so that refunds paid since (negative rows after it) lower what is covered.
refund_notices = Table(
    "refund_notices", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False),
    Column("noticed_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("refundable", BigInteger, nullable=False),
    Column("payments_through", BigInteger, nullable=False),
    Column("letter_id", ForeignKey("letters.id"), unique=True),
    UniqueConstraint("household_id", "noticed_on"),
)

# Money applied to installments. A household's credit is its payments less its allocations.
# A reduction that leaves an installment overpaid moves the surplus back to credit with a negative
# allocation that names the adjustment instead of a payment.
allocations = Table(
    "allocations", metadata,
    Column("id", Id, primary_key=True),
    Column("payment_id", ForeignKey("payments.id"), index=True),
    Column("adjustment_id", ForeignKey("adjustments.id")),
    Column("appropriation_id", ForeignKey("appropriations.id"), index=True),  # credit appropriated (充当)
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    # copied from the installment and the payment (or adjustment) so the collection rates read this table
    # alone: joining every allocation to find them was two thirds of the report's time at city scale
    Column("fiscal_year", Integer, nullable=False),
    Column("received_on", Date, nullable=False),
    # a reduction's surplus returned after the closing period of the year whose accounts received the money:
    # repaid from this year's expenditure (過年度還付, 地方自治法施行令165条の7), not negative collection
    Column("prior_year_refund", Boolean, nullable=False, server_default=text("false")),
    # what the money paid: the installment's principal, or its booked late fee (money goes to principal
    # first, domain.md §9); the collection rates count principal only, as the ward reports them
    Column("part", String(10), nullable=False, server_default="principal"),
)

batch_runs = Table(
    "batch_runs", metadata,
    Column("id", Id, primary_key=True),
    Column("job", String(60), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("detail", Text),
    # who started it (the OS login, or the signed-in staff member) and through what (run, scheduler, ...)
    Column("started_by", String(60)),
    Column("started_via", String(30)),
    UniqueConstraint("job", "business_date"),
)

letters = Table(
    "letters", metadata,
    Column("id", Id, primary_key=True),
    Column("serial", String(30), nullable=False, unique=True),
    Column("letter_type", String(30), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("issued_on", Date, nullable=False, index=True),
    Column("status", String(20), nullable=False, server_default="generated"),
    Column("batch_run_id", ForeignKey("batch_runs.id")),
    UniqueConstraint("letter_type", "fiscal_year", "seq"),
)
# The nightly batch's letters go once to a household per type and date (OCA credit-control: one letter
# per debtor per run); a second one from a raced or repeated run is refused by the database itself.
# Letters of staff actions are left out: one bank inquiry per bank, one garnishment notice per seizure.
BATCH_LETTERS = ("demand_notice", "reminder", "special_reminder", "seizure_notice")
_batch_letter = letters.c.letter_type.in_(BATCH_LETTERS)
Index("uq_letters_batch_letter_once", letters.c.household_id, letters.c.letter_type, letters.c.issued_on,
      unique=True, sqlite_where=_batch_letter, postgresql_where=_batch_letter)

demand_notices = Table(
    "demand_notices", metadata,
    Column("id", Id, primary_key=True),
    # 地方自治法231条の3①: one statutory demand per installment; only the first renews limitation.
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, unique=True),
    Column("letter_id", ForeignKey("letters.id")),
    Column("issued_on", Date, nullable=False),  # mailed; for a public notice, the day its posting began
    Column("deadline", Date, nullable=False),
    # 公示送達 (地方自治法231条の3④ → 地方税法20条の2): posted on the office notice board, deemed served 7 days later
    Column("public_notice", Boolean, nullable=False, server_default=text("false")),
    Column("served_on", Date),  # a public notice's service date (20条の2③); NULL for a mailed notice
)

# 不納欠損: an installment's unpaid amount extinguished (limitation, three years of suspension, or an
# immediate extinction under 地方税法15条の7第5項), with the decision behind it.
write_offs = Table(
    "write_offs", metadata,
    Column("id", Id, primary_key=True),
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, unique=True),
    Column("written_off_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("ground", String(20), nullable=False),
    Column("decided_by", String(60), nullable=False),
    Column("late_fee", BigInteger, nullable=False, server_default="0"),  # booked late fee extinguished with it
)
# What is still owed on an installment (negative when overpaid before a reduction's surplus is returned);
# nothing once written off: the claim is extinguished (国保法110条, 地方税法15条の7第4項・第5項), so it is
# neither demanded, listed, nor paid any more, while its household may keep other installments open.
UNPAID = case((exists().where(write_offs.c.assessment_id == assessments.c.id), 0),
              else_=assessments.c.amount + assessments.c.adjusted - assessments.c.paid)

# What is still owed of an installment's booked late fee; nothing once the installment is written off.
LATE_FEE_UNPAID = case((exists().where(write_offs.c.assessment_id == assessments.c.id), 0),
                       else_=assessments.c.late_fee_booked - assessments.c.late_fee_paid
                       - assessments.c.late_fee_reduced)

# 延滞金減免 (the city's rules, 地方税法 late-fee articles applied by the ordinance): a supervisor's decision
# with its reason; assessments.late_fee_reduced is the running total.
late_fee_reductions = Table(
    "late_fee_reductions", metadata,
    Column("id", Id, primary_key=True),
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(60), nullable=False),
    Column("decided_on", Date, nullable=False),
)

stage_transitions = Table(
    "stage_transitions", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("on_date", Date, nullable=False),
    Column("from_stage", String(24), nullable=False),
    Column("to_stage", String(24), nullable=False),
    Column("trigger", String(40), nullable=False),
    Column("actor", String(60), nullable=False),
    Column("batch_run_id", ForeignKey("batch_runs.id")),
)

# Append-only: the code never updates or deletes these rows.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Id, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(60), nullable=False),
    Column("action", String(60), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_key", String(60)),
    Column("detail", Text),
)
# the case file's timeline reads a household's rows (entity "household", key its number)
Index("ix_audit_log_entity_entity_key", audit_log.c.entity, audit_log.c.entity_key)

# --- the workflow's records -------------------------------------------------------------------

# The installments a letter concerns, with the amounts printed on it (a reprint shows the same).
letter_items = Table(
    "letter_items", metadata,
    Column("id", Id, primary_key=True),
    Column("letter_id", ForeignKey("letters.id"), nullable=False, index=True),
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, index=True),
    Column("unpaid", BigInteger, nullable=False),
    Column("late_fee", BigInteger, nullable=False, server_default="0"),  # booked late fee still owed, its own line
)

# Serial numbers per letter type and fiscal year, taken with one row-locking UPDATE so concurrent
# writers never hand out the same number.
letter_counters = Table(
    "letter_counters", metadata,
    Column("letter_type", String(30), primary_key=True),
    Column("fiscal_year", Integer, primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

investigations = Table(
    "investigations", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("result", String(20)),  # property_found | none
    Column("actor", String(60), nullable=False),
)

# 国税徴収法141条: inquiries to banks, employers, pension offices, insurers and the land registry.
inquiries = Table(
    "inquiries", metadata,
    Column("id", Id, primary_key=True),
    Column("investigation_id", ForeignKey("investigations.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # bank | employer | pension | insurance | real_estate
    Column("target", String(100), nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("replied_on", Date),
    Column("found_amount", BigInteger),
    Column("letter_id", ForeignKey("letters.id")),
)

seizures = Table(
    "seizures", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("property_kind", String(20), nullable=False),  # deposit | wage | pension | insurance | real_estate
    Column("third_party", String(100), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("approved_by", String(60), nullable=False),
    Column("approved_on", Date, nullable=False),
    Column("executed_on", Date),
    Column("collected", BigInteger, nullable=False, server_default="0"),
    Column("released_on", Date),
    # why it ended (RELEASE_REASONS in workflow/release.py): limitation renews when a seizure ends, except
    # when it is withdrawn (取下げ・取消し), which only postpones completion (民法148条1項かっこ書・2項ただし書)
    Column("release_reason", String(20)),
)

# The installments a seizure is for: only those ripe on its day (国税徴収法47条, 地方自治法231条の3③).
# Its limitation effects (民法148条) and its release (国税徴収法79条) concern these installments alone.
seizure_items = Table(
    "seizure_items", metadata,
    Column("id", Id, primary_key=True),
    Column("seizure_id", ForeignKey("seizures.id"), nullable=False, index=True),
    Column("assessment_id", ForeignKey("assessments.id"), nullable=False, index=True),
    UniqueConstraint("seizure_id", "assessment_id"),
)

# The letters of one seizure (差押解除通知書 to its third party and to the household): a household may have
# seizures at several third parties, each released on its own.
seizure_letters = Table(
    "seizure_letters", metadata,
    Column("id", Id, primary_key=True),
    Column("seizure_id", ForeignKey("seizures.id"), nullable=False, index=True),
    Column("letter_id", ForeignKey("letters.id"), nullable=False, unique=True),
)

installment_plans = Table(
    "installment_plans", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("agreed_on", Date, nullable=False),
    Column("agreed_by", String(60), nullable=False),
    Column("status", String(12), nullable=False),  # kept | broken | completed
    Column("ended_on", Date),
)

# The promised payments of a plan, cumulative: by `due_on` the household has promised `cumulative` yen.
plan_schedule = Table(
    "plan_schedule", metadata,
    Column("id", Id, primary_key=True),
    Column("plan_id", ForeignKey("installment_plans.id"), nullable=False, index=True),
    Column("due_on", Date, nullable=False),
    Column("cumulative", BigInteger, nullable=False),
)

# 執行停止 (地方税法15条の7): ground no_property (①), hardship (②), unknown (③).
suspensions = Table(
    "suspensions", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("ground", String(20), nullable=False),
    Column("decided_by", String(60), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("lifted_on", Date),
    Column("immediate_extinction", Boolean, nullable=False, server_default=text("false")),  # 15条の7⑤
)

# 交渉記録: every contact with the household.
contacts = Table(
    "contacts", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("contacted_on", Date, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("promise", Text),
    Column("actor", String(60), nullable=False),
    Column("with_whom", String(100)),  # 本人, 配偶者, 勤務先, ...: who was spoken to
)

# 納付誓約: a promise to pay made in a contact, checked by the nightly queue computation (services/promises.py):
# kept once the household's payments from the contact's day through `promised_on` reach `amount`, broken
# when the grace days after `promised_on` have passed without (the workflow file's policy).
promises = Table(
    "promises", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("contact_id", ForeignKey("contacts.id"), nullable=False),
    Column("promised_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("made_by", String(60), nullable=False),
    Column("status", String(8), nullable=False, server_default="open", index=True),  # open | kept | broken
    Column("settled_on", Date),  # the business date found kept or broken
)

# 差押の起案: a clerk's proposal of a seizure, decided by a supervisor who did not draft it (決裁).
seizure_proposals = Table(
    "seizure_proposals", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("proposed_on", Date, nullable=False),
    Column("proposed_by", String(60), nullable=False),
    Column("property_kind", String(20), nullable=False),
    Column("third_party", String(100), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("status", String(10), nullable=False, server_default="open"),  # open | approved | returned
    Column("decided_by", String(60)),
    Column("decided_on", Date),
    Column("decision_comment", Text, nullable=False, server_default=""),  # the supervisor's, read by the clerk
)

# The other decisions' 起案 (執行停止, 不納欠損, 延滞金減免), decided like a seizure proposal: `detail` is the
# JSON of what the decision's use case takes (a suspension's ground and facts, a reduction's installment and
# amount); a write-off's installments are those extinguished on the day it is decided (guards.extinction).
decision_proposals = Table(
    "decision_proposals", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # suspension | write_off | late_fee_reduction
    Column("proposed_on", Date, nullable=False),
    Column("proposed_by", String(60), nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("note", Text, nullable=False, server_default=""),
    Column("status", String(10), nullable=False, server_default="open", index=True),  # open | approved | returned
    Column("decided_by", String(60)),
    Column("decided_on", Date),
    Column("decision_comment", Text, nullable=False, server_default=""),
)

# Work for a person: whereabouts-unknown households, returned mail, eligibility checks, ...
queue_items = Table(
    "queue_items", metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("created_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(12), nullable=False, server_default="open"),
    Column("assigned_to", String(60)),
    Column("note", Text),
    # who holds the item: set by a compare-and-set UPDATE, so two people never hold one item
    Column("claimed_by", String(60)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("closed_on", Date),
    # the priority's keys, refreshed each morning: nearest limitation date, then amount, then age of arrears
    Column("limitation_on", Date),
    Column("amount", BigInteger, nullable=False, server_default="0"),
    Column("oldest_due", Date),
    UniqueConstraint("kind", "household_id", "created_on"),
)

# A person's queue (my work) reads the open items assigned to or held by them: indexes on the open ones only,
# so the closed history of years does not slow the morning's list.
_open_item = queue_items.c.status == "open"
Index("ix_queue_items_open_assigned", queue_items.c.assigned_to, sqlite_where=_open_item, postgresql_where=_open_item)
Index("ix_queue_items_open_claimed", queue_items.c.claimed_by, sqlite_where=_open_item, postgresql_where=_open_item)

# Who may act: clerks work queues and record actions, supervisors decide (決裁), auditors read the access log.
staff = Table(
    "staff", metadata,
    Column("user_name", String(60), primary_key=True),
    Column("full_name", String(100), nullable=False),
    Column("role", String(20), nullable=False),  # services/staff.py ROLES
    Column("districts", Text, nullable=False, server_default=""),  # comma-separated towns this person's queue covers
    Column("active", Boolean, nullable=False, server_default=text("true")),
    # web sign-in (services/signin.py): an argon2 hash, never the password; lockout after repeated failures
    Column("password_hash", String(200)),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
)

# Server-side web sessions: only a hash of the cookie's token is stored, so a copy of the database signs
# nobody in; all session state is here, so any number of web workers serve one database.
web_sessions = Table(
    "web_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", ForeignKey("staff.user_name"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("client", String(60)),
)

# A person's saved filters of the work queue (私の仕事: "泉尾, over 50,000 yen"): the filter's conditions as
# the JSON of services/queue.QueueFilter.params, one name per person.
saved_filters = Table(
    "saved_filters", metadata,
    Column("id", Id, primary_key=True),
    Column("user_name", ForeignKey("staff.user_name"), nullable=False),
    Column("name", String(60), nullable=False),
    Column("conditions", Text, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_name", "name"),
)

# Every web sign-in attempt, successful or not, with the user name as typed (append-only).
sign_in_log = Table(
    "sign_in_log", metadata,
    Column("id", Id, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(60), nullable=False, index=True),
    Column("success", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),  # signed_in | unknown_user | bad_password | locked | ...
    Column("client", String(60)),
)

# Every opening of a household's record by a person (seed 窓3: periodic access-log review).
access_log = Table(
    "access_log", metadata,
    Column("id", Id, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(60), nullable=False, index=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("purpose", String(200), nullable=False),  # why (the person's reason)
    Column("command", String(60)),  # what was read: household show, letters reprint, queue, ...
)

# The supervisor's monthly sign-off of the access-log review (seed 窓3), with the counts they saw.
access_reviews = Table(
    "access_reviews", metadata,
    Column("month", String(7), primary_key=True),  # YYYY-MM, a Tokyo month
    Column("signed_by", ForeignKey("staff.user_name"), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("views", Integer, nullable=False),
    Column("outside_own", Integer, nullable=False),
    Column("after_hours", Integer, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

# 申請: applications with a clock (services/applications.py): received on a day, owned by a member of staff, due
# on the day the workflow file's [applications] period gives, closed with an outcome and a note. The yearly review
# of a suspension (執行停止の見直し) names its suspension, once per anniversary.
applications = Table(
    "applications", metadata,
    Column("id", Id, primary_key=True),
    Column("household_id", ForeignKey("households.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("owner", ForeignKey("staff.user_name"), nullable=False),
    Column("recorded_by", String(60), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("status", String(12), nullable=False, server_default="open"),  # open | closed
    Column("outcome", String(12)),  # granted | refused | withdrawn
    Column("closed_on", Date),
    Column("closed_by", String(60)),
    Column("outcome_note", Text),
    Column("suspension_id", ForeignKey("suspensions.id")),
    UniqueConstraint("suspension_id", "received_on"),  # one review a year per suspension, however often the run
)
_open_application = applications.c.status == "open"
Index("ix_applications_open_owner", applications.c.owner, applications.c.due_on,
      sqlite_where=_open_application, postgresql_where=_open_application)
Index("ix_applications_open_due", applications.c.due_on,
      sqlite_where=_open_application, postgresql_where=_open_application)

# Month-end figures as recorded at the time, so later corrections are visible rather than silent.
rate_snapshots = Table(
    "rate_snapshots", metadata,
    Column("id", Id, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("figures", Text, nullable=False),
    UniqueConstraint("fiscal_year", "as_of"),
)

# The monthly report as a business date's run computed it (services/business_date.py): what the report page shows,
# since recomputing it over a city's ledger takes seconds per request.
nightly_reports = Table(
    "nightly_reports", metadata,
    Column("id", Id, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("figures", Text, nullable=False),
    UniqueConstraint("fiscal_year", "as_of"),
)
