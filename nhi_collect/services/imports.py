"""`nhi-collect import KIND FILE`: all-or-nothing, every bad row listed, idempotent by natural key.

Rows stream from the file into a temporary staging table (COPY on PostgreSQL); duplicates, unknown
households and conflicts with what is already stored are found with set-based SQL on that table;
then new rows are inserted with INSERT ... SELECT. Any error raises ImportRejected inside the
transaction, so nothing is stored.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from itertools import chain
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import (BigInteger, Boolean, Column, Connection, Date, Index, Integer, MetaData, String, Table, and_,
                        case, cast, exists, func, literal, or_, select, update)
from sqlalchemy.schema import AddConstraint, DropConstraint

from ..adapters import whereabouts_periods as whereabouts
from ..adapters.bulk import bulk_insert
from ..adapters.db import analyze_after_bulk
from ..adapters.tables import adjustments, allocations, assessments, audit_log, household_changes, households, payments
from ..domain.calendar import TOKYO, is_office_day, next_office_day
from ..domain.refunds import surplus_returns
from ..errors import ImportRejected, RowError
from . import csv_input as f
from .late_fees import book_settled
from .payments import add_to_paid, allocate_new_payments, new_payments_table
from .search import refresh_search_keys

CHANNELS = ("bank_transfer", "counter", "convenience_store", "seizure", "refund", "other")


@dataclass
class ImportResult:
    kind: str
    inserted: int = 0
    unchanged: int = 0
    updated: int = 0
    rejected: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"kind": self.kind, "inserted": self.inserted, "unchanged": self.unchanged,
                "updated": self.updated, "rejected": [{"line": e.line, "error": e.error} for e in self.rejected]}


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    fields: tuple[tuple[str, object, Callable], ...]  # (column, staging SQL type, parser), in file order
    check: Callable[[dict], str | None] = lambda row: None

    def parsers(self, today: date) -> dict[str, Callable]:
        """Each column's parser; a date column's window is placed around the import's own day."""
        return {name: parser.parser(today) if isinstance(parser, f.DayWindow) else parser
                for name, _, parser in self.fields}

    def staging_columns(self) -> list[Column]:
        return [Column(name, sql_type) for name, sql_type, _ in self.fields]


def _payment_check(row: dict) -> str | None:
    if row["channel"] not in CHANNELS:
        return f"channel {row['channel']!r} is not one of {', '.join(CHANNELS)}"
    if row["amount"] == 0:
        return "amount is zero"
    if row["amount"] < 0 and row["channel"] != "refund":
        return "a negative amount is only allowed on a refund row (channel refund)"
    if row["amount"] > 0 and row["channel"] == "refund":
        return "a refund row carries a negative amount"
    if (row["fiscal_year"] is None) != (row["installment"] is None):
        return "fiscal_year and installment must be given together or both left empty"
    return None


def _assessment_check(row: dict) -> str | None:
    return "amount must not be negative" if row["amount"] < 0 else None


def _adjustment_check(row: dict) -> str | None:
    return "delta is zero" if row["delta"] == 0 else None


HOUSEHOLD_NO = ("household_no", String(20), f.household_no)
# Nobody alive was born before 1900, and nobody in the future.
BIRTH = f.DayWindow(date(1900, 1, 1), 0, "a birth date from 1900 to today")
# Ledger dates run from fiscal year 1990, the oldest fiscal_year accepted, to a year after today: a
# year's ten installments fall due within a year of being assessed, and a receipt or an adjustment
# is not dated later even in a simulation ahead of the clock; 2999 or 2204 is a typing error.
LEDGER_DAY = f.DayWindow(date(1990, 4, 1), 1, "fiscal year 1990 to a year after today")
FISCAL_YEAR = ("fiscal_year", Integer, f.fiscal_year)
INSTALLMENT = ("installment", Integer, f.installment)

KINDS: dict[str, Kind] = {
    "households": Kind(
        ("household_no", "head_name", "head_name_kana", "head_birth_date", "postal_code", "address", "district"),
        ("phone", "whereabouts_unknown", "language", "whereabouts_changed_on"),
        (HOUSEHOLD_NO, ("head_name", String(100), f.name), ("head_name_kana", String(200), f.name),
         ("head_birth_date", Date, BIRTH), ("postal_code", String(8), f.postal_code),
         ("address", String(200), f.text), ("district", String(40), lambda v, c: f.text(v, c, 40)),
         ("phone", String(20), f.optional(lambda v, c: f.text(v, c, 20))), ("whereabouts_unknown", Boolean, f.flag),
         ("language", String(8), f.language),
         # the day the flag changed (adapters/whereabouts_periods.py); empty: the import's own day
         ("whereabouts_changed_on", Date, replace(LEDGER_DAY, may_be_empty=True)))),
    "assessments": Kind(
        ("household_no", "fiscal_year", "installment", "due_date", "amount"), (),
        (HOUSEHOLD_NO, FISCAL_YEAR, INSTALLMENT, ("due_date", Date, LEDGER_DAY), ("amount", BigInteger, f.yen)),
        _assessment_check),
    "adjustments": Kind(
        ("adjustment_id", "household_no", "fiscal_year", "installment", "adjusted_on", "delta", "reason"), (),
        (("adjustment_id", String(40), lambda v, c: f.text(v, c, 40)), HOUSEHOLD_NO, FISCAL_YEAR, INSTALLMENT,
         ("adjusted_on", Date, LEDGER_DAY), ("delta", BigInteger, f.yen), ("reason", String(200), f.text)),
        _adjustment_check),
    "payments": Kind(
        ("payment_id", "household_no", "paid_on", "amount", "channel"), ("fiscal_year", "installment"),
        (("payment_id", String(40), lambda v, c: f.text(v, c, 40)), HOUSEHOLD_NO,
         ("fiscal_year", Integer, f.optional(f.fiscal_year)), ("installment", Integer, f.optional(f.installment)),
         ("paid_on", Date, LEDGER_DAY), ("amount", BigInteger, f.yen), ("channel", String(20), f.text)),
        _payment_check),
}

NATURAL_KEYS = {
    "households": ("household_no",),
    "assessments": ("household_no", "fiscal_year", "installment"),
    "adjustments": ("adjustment_id",),
    "payments": ("payment_id",),
}


BULK_LOAD_ROWS = 100_000
KEYED_TABLES = {"assessments": (assessments,), "adjustments": (adjustments, allocations),
                "payments": (payments, allocations)}
CHANGED_TABLES = {"households": ("households",), "assessments": ("assessments",),
                  "adjustments": ("adjustments", "assessments", "allocations"),
                  "payments": ("assessments", "allocations")}


def import_file(conn: Connection, kind: str, path: str, *, encoding: str = "utf-8", actor: str = "system",
                now: datetime | None = None, today: date | None = None, band_months: int = 1) -> ImportResult:
    """Import one file inside the caller's transaction; raises ImportRejected with every bad row.
    `today`, the office's day (by default the Tokyo day of `now`), places the date windows; `band_months`,
    the policy's lower late-fee band, computes the late fees booked by payments and reductions."""
    spec = KINDS[kind]
    now = now or datetime.now(timezone.utc)
    day = today or now.astimezone(TOKYO).date()
    parsers = spec.parsers(day)
    source = f.CsvSource(path, encoding, spec.required, spec.optional)
    stage = Table(f"stage_{kind}", MetaData(), Column("line", Integer), Column("fresh", Boolean),
                  *spec.staging_columns(), prefixes=["TEMPORARY"])
    stage.create(conn)
    columns = ["line", *parsers]
    errors = source.errors

    def valid_rows():
        rows = source.rows()
        first = next(rows, None)  # reading the first row has checked the header
        if first is None:
            return
        parse = f.row_parser(source.header, parsers)
        names = list(parsers)
        for line, fields in chain([first], rows):
            try:
                values = parse(fields)
            except f.BadField as bad:
                errors.append(RowError(line, str(bad)))
                continue
            problem = spec.check(dict(zip(names, values)))
            if problem:
                errors.append(RowError(line, problem))
                continue
            yield (line, *values)

    total = bulk_insert(conn, stage, columns, valid_rows())
    # The set-based checks and merges join on the natural key; without an index they are quadratic.
    Index(f"ix_stage_{kind}_key", *(stage.c[k] for k in NATURAL_KEYS[kind])).create(conn)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {stage.name}")  # autovacuum never analyzes temporary tables
    if not errors:
        errors.extend(_duplicates(conn, stage, NATURAL_KEYS[kind]))
    result = ImportResult(kind)
    if not errors:
        merge = {"households": _merge_households, "assessments": _merge_assessments,
                 "adjustments": _merge_adjustments, "payments": _merge_payments}[kind]
        with _foreign_keys_checked_once(conn, KEYED_TABLES.get(kind, ()), total):
            merge(conn, stage, result, errors, actor, now, day, band_months)
    if errors:
        raise ImportRejected(kind, path, errors)
    result.unchanged = total - result.inserted - result.updated
    analyze_after_bulk(conn, CHANGED_TABLES[kind], result.inserted + result.updated)
    conn.execute(audit_log.insert().values(
        at=now, actor=actor, action="import", entity=kind,
        entity_key=Path(path).name[:60],
        detail=json.dumps({"inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged})))
    stage.drop(conn)
    return result


@contextmanager
def _foreign_keys_checked_once(conn: Connection, tables: tuple[Table, ...], rows: int):
    """A large load on PostgreSQL drops the foreign keys of the tables it fills and adds them back at the
    end, as the PostgreSQL manual advises for populating a database (14.4.4): adding a key checks all
    rows with one join, where a kept key checks each inserted row with its own lookup (3 per allocation
    row). Adding a key that some row breaks fails, so the transaction rolls back and nothing is stored.
    The cost: until commit the load holds these tables and the ones they refer to exclusively, so staff
    wait for it; the daily files stay under BULK_LOAD_ROWS and keep the per-row checks."""
    keys = [key for table in tables for key in sorted(table.foreign_key_constraints, key=lambda k: k.name)]
    if conn.dialect.name != "postgresql" or rows < BULK_LOAD_ROWS:
        yield
        return
    for key in keys:
        conn.execute(DropConstraint(key))
    yield
    for key in keys:
        conn.execute(AddConstraint(key))


def _lines(conn: Connection, query, message: Callable[[object], str]) -> list[RowError]:
    return [RowError(row.line, message(row)) for row in conn.execute(query)]


def _duplicates(conn: Connection, stage: Table, key: tuple[str, ...]) -> list[RowError]:
    """Every line whose natural key appears more than once in the file."""
    cols = [stage.c[k] for k in key]
    dup = select(*cols).group_by(*cols).having(func.count() > 1).subquery()
    query = select(stage.c.line, *cols).join(dup, and_(*(stage.c[k] == dup.c[k] for k in key)))
    return _lines(conn, query, lambda r: "duplicate key " + "/".join(str(getattr(r, k)) for k in key)
                  + " appears more than once in the file")


def _unknown_households(conn: Connection, stage: Table) -> list[RowError]:
    query = select(stage.c.line, stage.c.household_no).where(
        ~exists().where(households.c.household_no == stage.c.household_no))
    return _lines(conn, query, lambda r: f"unknown household {r.household_no} (import households first)")


def _mark_fresh(conn: Connection, stage: Table, *stored) -> int:
    """Flag the staged rows whose natural key is not stored yet (`stored` correlates a stored row with
    the staged one) and return how many; the adjustments' later checks read the flag."""
    return conn.execute(update(stage).values(fresh=True).where(~exists().where(*stored))).rowcount


def _inserted(conn: Connection, statement) -> int:
    """Run an INSERT ... SELECT and return how many rows it inserted (SQLAlchemy keeps the driver's
    count for an INSERT only when asked)."""
    return conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _differs(a, b):
    return a.is_distinct_from(b)


def _merge_households(conn, stage, result, errors, actor, now, day, band_months):
    fields = [c.name for c in stage.c if c.name not in ("line", "fresh", "household_no", "whereabouts_changed_on")]
    match = households.c.household_no == stage.c.household_no
    errors.extend(RowError(r.line, f"whereabouts_changed_on: the household's whereabouts have been unknown since "
                                   f"{r.started_on}; they cannot be found again on or before that day")
                  for r in whereabouts.problems(conn, stage, day))
    errors.extend(RowError(r.line, f"whereabouts_changed_on: the household's whereabouts were found again on "
                                   f"{r.ended_on}; they cannot be lost again before that day")
                  for r in whereabouts.overlaps(conn, stage, day))
    if errors:
        return
    whereabouts.record_changes(conn, stage, day)
    changed = or_(*(_differs(households.c[n], stage.c[n]) for n in fields))
    # History first (old and new values), then the update, then the new households.
    for n in fields:
        conn.execute(household_changes.insert().from_select(
            ["household_id", "changed_at", "field", "old_value", "new_value", "actor"],
            select(households.c.id, literal(now), literal(n), cast(households.c[n], String),
                   cast(stage.c[n], String), literal(actor))
            .select_from(stage.join(households, match)).where(_differs(households.c[n], stage.c[n]))))
    # A changed household's search keys are cleared with the change and, like a new one's, recomputed
    # below (services/search.py: the fold is Python, so not part of these set-based statements).
    result.updated = conn.execute(update(households).values({**{n: stage.c[n] for n in fields}, "name_key": None})
                                  .where(match).where(changed)).rowcount
    cols = ["household_no", *fields]
    before = conn.execute(select(func.coalesce(func.max(households.c.id), 0))).scalar_one()
    result.inserted = _inserted(conn, households.insert().from_select(
        cols, select(*(stage.c[c] for c in cols)).where(~exists().where(match))))
    whereabouts.record_new(conn, stage, before)
    refresh_search_keys(conn, households.c.name_key.is_(None))


def _merge_assessments(conn, stage, result, errors, actor, now, day, band_months):
    errors.extend(_unknown_households(conn, stage))
    if errors:
        return
    joined = stage.join(households, households.c.household_no == stage.c.household_no)
    same_key = and_(assessments.c.household_id == households.c.id,
                    assessments.c.fiscal_year == stage.c.fiscal_year,
                    assessments.c.installment == stage.c.installment)
    conflicts = select(stage.c.line, assessments.c.nominal_due_date, assessments.c.amount).select_from(
        joined.join(assessments, same_key)).where(or_(assessments.c.nominal_due_date != stage.c.due_date,
                                                      assessments.c.amount != stage.c.amount))
    errors.extend(_lines(conn, conflicts, lambda r: (
        f"this installment is already assessed (due {r.nominal_due_date}, {r.amount} yen); "
        "a change of amount is an adjustment, not a new assessment")))
    if errors:
        return
    result.inserted = _inserted(conn, assessments.insert().from_select(
        ["household_id", "fiscal_year", "installment", "nominal_due_date", "due_date", "amount"],
        select(households.c.id, stage.c.fiscal_year, stage.c.installment, stage.c.due_date,
               legal_due_date_sql(conn, stage.c.due_date, select(stage.c.due_date).distinct()), stage.c.amount)
        .select_from(joined).where(~exists().where(same_key))))


def legal_due_date_sql(conn: Connection, nominal, nominal_dates):
    """The legal due date (納期限) of a nominal one, as SQL: a due date on a Saturday, Sunday, holiday or
    12/29–1/3 is the next office day (地方自治法4条の2④, the city's holiday ordinance: domain.md §9). The
    calendar is Python, so the few distinct dates (`nominal_dates` selects them) are moved here, once each."""
    moved = {d: next_office_day(d) for d in conn.execute(nominal_dates).scalars() if not is_office_day(d)}
    if not moved:
        return nominal
    return case(*((nominal == d, literal(legal, Date)) for d, legal in sorted(moved.items())), else_=nominal)


def _stage_assessment_join(stage: Table):
    return (stage.join(households, households.c.household_no == stage.c.household_no)
            .outerjoin(assessments, and_(assessments.c.household_id == households.c.id,
                                         assessments.c.fiscal_year == stage.c.fiscal_year,
                                         assessments.c.installment == stage.c.installment)))


def _merge_adjustments(conn, stage, result, errors, actor, now, day, band_months):
    errors.extend(_unknown_households(conn, stage))
    joined = _stage_assessment_join(stage)
    errors.extend(_lines(conn, select(stage.c.line, stage.c.fiscal_year, stage.c.installment).select_from(joined)
                         .where(assessments.c.id.is_(None)),
                         lambda r: f"no assessment for fiscal year {r.fiscal_year} installment {r.installment}"))
    existing = adjustments.c.adjustment_no == stage.c.adjustment_id
    conflicts = (select(stage.c.line).select_from(joined.join(adjustments, existing))
                 .where(or_(adjustments.c.assessment_id != assessments.c.id,
                            adjustments.c.adjusted_on != stage.c.adjusted_on,
                            adjustments.c.delta != stage.c.delta, adjustments.c.reason != stage.c.reason)))
    errors.extend(_lines(conn, conflicts, lambda r: "adjustment_id already recorded with different values"))
    if errors:
        return
    _lock_paid_households(conn, stage)  # the surplus returned to credit is read from `paid` and the allocations
    result.inserted = _mark_fresh(conn, stage, existing)
    fresh = select(assessments.c.id.label("assessment_id"), func.sum(stage.c.delta).label("delta")).select_from(
        joined).where(stage.c.fresh.is_(True)).group_by(assessments.c.id).subquery()
    negative = (select(stage.c.line, stage.c.fiscal_year, stage.c.installment)
                .select_from(joined.join(fresh, fresh.c.assessment_id == assessments.c.id))
                .where(assessments.c.amount + assessments.c.adjusted + fresh.c.delta < 0))
    errors.extend(_lines(conn, negative, lambda r: (
        f"the adjustment would make fiscal year {r.fiscal_year} installment {r.installment} negative")))
    if errors:
        return
    conn.execute(adjustments.insert().from_select(
        ["adjustment_no", "assessment_id", "adjusted_on", "delta", "reason"],
        select(stage.c.adjustment_id, assessments.c.id, stage.c.adjusted_on, stage.c.delta, stage.c.reason)
        .select_from(joined).where(stage.c.fresh.is_(True))))
    _return_surplus_to_credit(conn, stage)  # reads `adjusted` as it was before this file
    conn.execute(update(assessments).values(adjusted=assessments.c.adjusted + fresh.c.delta)
                 .where(assessments.c.id == fresh.c.assessment_id))
    # a reduction down to what was paid settles the principal: its final late fee is booked (domain.md §9)
    book_settled(conn, select(fresh.c.assessment_id), band_months)


def _return_surplus_to_credit(conn: Connection, stage: Table) -> None:
    """A reduction below what was already paid turns the surplus into credit (過誤納金), on the reduction's own
    day: the file's adjustments of one installment are taken in date order, and after each the installment
    keeps paid = min(paid, lowest amount due so far), returning the difference (domain.md §9)."""
    step = dict(partition_by=adjustments.c.assessment_id, order_by=(adjustments.c.adjusted_on, adjustments.c.id),
                rows=(None, 0))
    due = (select(adjustments.c.id, adjustments.c.assessment_id, adjustments.c.adjusted_on, assessments.c.fiscal_year,
                  assessments.c.paid,
                  (assessments.c.amount + assessments.c.adjusted + func.sum(adjustments.c.delta).over(**step))
                  .label("due"))
           .select_from(adjustments.join(assessments, assessments.c.id == adjustments.c.assessment_id)
                        .join(stage, stage.c.adjustment_id == adjustments.c.adjustment_no))
           .where(stage.c.fresh.is_(True)).subquery())
    lowest = func.min(due.c.due).over(partition_by=due.c.assessment_id,
                                      order_by=(due.c.adjusted_on, due.c.id), rows=(None, 0))
    kept = select(due, case((lowest < 0, 0), (lowest < due.c.paid, lowest), else_=due.c.paid).label("kept")).subquery()
    returned = (func.lag(kept.c.kept, 1, kept.c.paid).over(partition_by=kept.c.assessment_id,
                                                            order_by=(kept.c.adjusted_on, kept.c.id))
                - kept.c.kept).label("returned")
    steps = select(kept.c.id, kept.c.assessment_id, kept.c.adjusted_on, kept.c.fiscal_year, kept.c.kept,
                   returned).subquery()
    rows = conn.execute(select(steps).where(steps.c.returned > 0)
                        .order_by(steps.c.assessment_id, steps.c.adjusted_on, steps.c.id)).all()
    if not rows:
        return
    allocated = conn.execute(select(allocations.c.assessment_id, allocations.c.received_on, allocations.c.amount,
                                    allocations.c.prior_year_refund)
                             .where(allocations.c.assessment_id.in_(  # a subquery: no bound value per installment
                                 select(steps.c.assessment_id).where(steps.c.returned > 0)))).all()
    returns = surplus_returns(rows, allocated)
    bulk_insert(conn, allocations, ("adjustment_id", "assessment_id", "amount", "fiscal_year", "received_on",
                                    "prior_year_refund"), returns)
    add_to_paid(conn, [(None, a, amount) for _adj, a, amount, *_rest in returns])


def _merge_payments(conn, stage, result, errors, actor, now, day, band_months):
    errors.extend(_unknown_households(conn, stage))
    existing = payments.c.payment_no == stage.c.payment_id
    conflicts = (select(stage.c.line).select_from(
        stage.join(payments, existing).join(households, households.c.id == payments.c.household_id))
        .where(or_(households.c.household_no != stage.c.household_no, payments.c.paid_on != stage.c.paid_on,
                   payments.c.amount != stage.c.amount, payments.c.channel != stage.c.channel,
                   _differs(payments.c.fiscal_year, stage.c.fiscal_year),
                   _differs(payments.c.installment, stage.c.installment))))
    errors.extend(_lines(conn, conflicts, lambda r: "payment_id already recorded with different values"))
    if errors:
        return
    _lock_paid_households(conn, stage)
    # New payments are inserted with one anti-join; they are then the rows of this file whose stored id is
    # above the largest id before the insert. Their keys are resolved once into a second staging table
    # (no UPDATE of millions of staged rows), which the allocation then reads chunk by chunk.
    before = conn.execute(select(func.coalesce(func.max(payments.c.id), 0))).scalar_one()
    conn.execute(payments.insert().from_select(
        ["payment_no", "household_id", "fiscal_year", "installment", "paid_on", "amount", "channel"],
        select(stage.c.payment_id, households.c.id, stage.c.fiscal_year, stage.c.installment, stage.c.paid_on,
               stage.c.amount, stage.c.channel)
        .join(households, households.c.household_no == stage.c.household_no)
        .where(~exists().where(existing)).order_by(stage.c.line)))
    if conn.dialect.name == "postgresql":
        # statistics for the rows just inserted: without them the allocation's per-chunk lookups by
        # household choose sequential scans of the whole payments table
        conn.exec_driver_sql("ANALYZE payments")
    fresh = new_payments_table()
    fresh.create(conn)
    conn.execute(fresh.insert().from_select(
        ["line", "payment_pk", "household_id", "fiscal_year", "installment", "paid_on", "amount"],
        select(stage.c.line, payments.c.id, payments.c.household_id, payments.c.fiscal_year, payments.c.installment,
               payments.c.paid_on, payments.c.amount).join(payments, existing).where(payments.c.id > before)))
    Index("ix_stage_new_payments_household", fresh.c.household_id).create(conn)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {fresh.name}")
    result.inserted = conn.execute(select(func.count()).select_from(fresh)).scalar_one()
    errors.extend(allocate_new_payments(conn, fresh, band_months))
    fresh.drop(conn)


def _lock_paid_households(conn: Connection, stage: Table) -> None:
    """The households the file pays or adjusts, locked before their ledgers are read: a staff action on one of them
    (a seizure's money collected, a plan agreed) then commits before the allocation reads its installments,
    or waits until the import has committed, and neither allocates against the other's stale `paid`.
    PostgreSQL: SELECT ... FOR UPDATE over the set in id order, as the batch locks each move's set
    (workflow/batch.select_locked), so two imports never deadlock; an import and a batch job can only
    when a later move of the job comes back to a lower id, and PostgreSQL then rolls one back whole, to
    be run again. SQLite: nothing, BEGIN IMMEDIATE (adapters/db.py) keeps every other writer out already."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(select(households.c.id).where(households.c.household_no.in_(select(stage.c.household_no)))
                 .order_by(households.c.id).with_for_update())
