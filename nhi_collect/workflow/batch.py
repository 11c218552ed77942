"""Set-based moves: every household of an edge at once, with history, letters and demand notices in bulk.

The candidates of an edge are written to a temporary table first (one INSERT ... SELECT), so what
follows (history, letters, the stage update) works on one fixed set even when a step changes what
the guards would see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (BigInteger, Boolean, Column, Connection, Date, MetaData, String, Table, and_, case, func, insert,
                        literal, or_, select, update)

from ..adapters.db import dialect_insert
from ..adapters.bulk import bulk_insert
from ..adapters.tables import (LATE_FEE_UNPAID, UNPAID, assessments, demand_notices, households, installment_plans, letter_counters,
                               letter_items, letters, seizure_items, seizure_letters, seizures, stage_transitions, suspensions)
from ..domain.calendar import demand_deadline, demand_due_cutoff, fiscal_year, public_notice_served_on
from .definition import RESUME, LetterType, Workflow

batch_ids = Table("batch_ids", MetaData(), Column("household_id", BigInteger, primary_key=True),
                  prefixes=["TEMPORARY"])


def prepare(conn: Connection) -> None:
    batch_ids.create(conn, checkfirst=True)


def select_into_batch(conn: Connection, candidates) -> int:
    """Replace the batch with the household ids `candidates` selects; returns how many."""
    conn.execute(batch_ids.delete())
    conn.execute(insert(batch_ids).from_select(["household_id"], candidates))
    return conn.execute(select(func.count()).select_from(batch_ids)).scalar_one()


def select_locked(conn: Connection, candidates) -> int:
    """select_into_batch, then the batch's households locked and decided again: a staff action (or a
    payments import) that changed one of them while the candidates were read has committed by the time
    its lock is ours, and the household is then left out if it no longer qualifies, to be reconsidered
    next date, instead of being moved over what that person did (a clerk agreed a plan while the
    nightly run moved the household to the next rung). PostgreSQL: SELECT ... FOR UPDATE over the set
    in id order, the order every set-based locker uses, then the candidates again, whose new snapshot
    (READ COMMITTED) sees what committed meanwhile. SQLite has nothing to do: BEGIN IMMEDIATE
    (adapters/db.py) kept every other writer out since the job began."""
    found = select_into_batch(conn, candidates)
    if not found or conn.dialect.name != "postgresql":
        return found
    in_batch = households.c.id.in_(select(batch_ids.c.household_id))
    conn.execute(select(households.c.id).where(in_batch).order_by(households.c.id).with_for_update())
    conn.execute(batch_ids.delete().where(batch_ids.c.household_id.not_in(candidates.where(in_batch))))
    return conn.execute(select(func.count()).select_from(batch_ids)).scalar_one()


def sample(conn: Connection, size: int = 5) -> list[str]:
    """A few household numbers of the batch, for --dry-run and the run report."""
    return conn.execute(select(households.c.household_no).join(batch_ids, batch_ids.c.household_id == households.c.id)
                        .order_by(households.c.household_no).limit(size)).scalars().all()


def fill_batch(conn: Connection, ids: list[int]) -> int:
    conn.execute(batch_ids.delete())
    return bulk_insert(conn, batch_ids, ("household_id",), ((i,) for i in ids))


def reserve_serials(conn: Connection, letter_type: str, year: int, count: int) -> int:
    """Take `count` serial numbers; returns the first. One upsert: the first serial of a fiscal year
    used to be an UPDATE finding no row, then an INSERT that two writers could both attempt (the second
    failed on the key); INSERT ... ON CONFLICT DO UPDATE creates or advances the counter atomically,
    holding its row until commit, so two writers never share a number."""
    upsert = dialect_insert(conn, letter_counters).values(letter_type=letter_type, fiscal_year=year, last_seq=count)
    last = conn.execute(upsert.on_conflict_do_update(
        index_elements=["letter_type", "fiscal_year"], set_={"last_seq": letter_counters.c.last_seq + count})
        .returning(letter_counters.c.last_seq)).scalar_one()
    return last - count + 1


def issue_letters(conn: Connection, workflow: Workflow, letter_type: str, on: date, run_id: int | None) -> int:
    """A letter of `letter_type` to every household in the batch with the installments it lists: the
    statutory demand lists the undemanded ones and records their demand notices, any other letter the
    overdue ones; a seizure's letters go one per seizure executed that day (seizure_letters). Returns how many."""
    letter = workflow.letter_types[letter_type]
    if letter.details == "seizure":
        return write_seizure_letters(conn, letter, on, run_id)
    written = write_letters(conn, letter, on, run_id)
    if letter.demand:
        policy = workflow.policy
        # a public notice is served 7 days after posting (地方税法20条の2③); its deadline runs from then
        served = public_notice_served_on(on) if letter.public_notice else None
        write_demand_notices(conn, letter_type, on, demand_due_cutoff(on, policy.demand_within_days),
                             demand_deadline(served or on, policy.demand_deadline_days), served)
    else:
        write_letter_items(conn, letter_type, on)
    return written


def write_letters(conn: Connection, letter: LetterType, on: date, run_id: int | None) -> int:
    """One letter per household in the batch (never one per debt), serials in household order."""
    ids = conn.execute(select(batch_ids.c.household_id).order_by(batch_ids.c.household_id)).scalars().all()
    insert_letters(conn, letter, on, run_id, ids)
    return len(ids)


def insert_letters(conn: Connection, letter: LetterType, on: date, run_id: int | None,
                   household_ids: list[int]) -> int:
    """One letter per entry of `household_ids` (an id may repeat: one letter per seizure), serials in the
    order given; returns the first serial's sequence number (see letter_ids)."""
    if not household_ids:
        return 0
    year = fiscal_year(on)
    first = reserve_serials(conn, letter.name, year, len(household_ids))
    bulk_insert(conn, letters, ("serial", "letter_type", "fiscal_year", "seq", "household_id", "issued_on", "status",
                                "batch_run_id"),
                ((f"{letter.serial_prefix}{year}-{first + n:06d}", letter.name, year, first + n, hid, on.isoformat(),
                  "generated", run_id) for n, hid in enumerate(household_ids)))
    return first


def letter_ids(conn: Connection, letter: LetterType, on: date, first: int, count: int) -> list[int]:
    """The ids of the `count` letters insert_letters just wrote from sequence number `first`, in order."""
    by_seq = dict(conn.execute(select(letters.c.seq, letters.c.id).where(
        letters.c.letter_type == letter.name, letters.c.fiscal_year == fiscal_year(on),
        letters.c.seq.between(first, first + count - 1))).all())
    return [by_seq[first + n] for n in range(count)]


def _batch_letters(letter_type: str, on: date):
    return (select(letters.c.id, letters.c.household_id)
            .join(batch_ids, batch_ids.c.household_id == letters.c.household_id)
            .where(letters.c.letter_type == letter_type, letters.c.issued_on == on).subquery())


def write_letter_items(conn: Connection, letter_type: str, on: date, *conditions, late_fees: bool = True) -> None:
    """The overdue installments each new letter lists, with the unpaid amount printed on it, and with
    `late_fees` the booked late fees still owed (確定延滞金, domain.md §9), each on its own line."""
    new = _batch_letters(letter_type, on)
    overdue = and_(UNPAID > 0, assessments.c.due_date < on)
    owed = or_(overdue, LATE_FEE_UNPAID > 0) if late_fees else overdue
    conn.execute(insert(letter_items).from_select(
        ["letter_id", "assessment_id", "unpaid", "late_fee"],
        select(new.c.id, assessments.c.id, case((overdue, UNPAID), else_=0),
               case((LATE_FEE_UNPAID > 0, LATE_FEE_UNPAID), else_=0) if late_fees else literal(0, BigInteger))
        .join(assessments, assessments.c.household_id == new.c.household_id)
        .where(owed, *conditions)))


THIRD_PARTY_LESS = ("real_estate",)  # property seized with no third-party debtor to notify (国税徴収法68条, 80条1項本文)


def write_seizure_letters(conn: Connection, letter: LetterType, on: date, run_id: int | None) -> int:
    """差押調書 (国税徴収法54条) for every seizure of the batch executed that day, and 債権差押通知書 (62条)
    to the third-party debtor of each seized claim: a household's deposit at one bank and wage at one employer
    are two seizures, each its own record and its own notice; real estate has no third-party debtor (its
    seizure is registered, 68条), so no notice goes to one."""
    seized = conn.execute(select(seizures.c.id, seizures.c.household_id, seizures.c.property_kind)
                          .join(batch_ids, batch_ids.c.household_id == seizures.c.household_id)
                          .where(seizures.c.executed_on == on).order_by(seizures.c.household_id, seizures.c.id)).all()
    return letters_per_seizure(conn, letter, on, run_id, seized)


def addressed(conn: Connection, workflow: Workflow, letter: LetterType,
              household_ids: list[int]) -> list[tuple[LetterType, list[int]]]:
    """`household_ids` split by where the letter can reach them: a household whose whereabouts are unknown gets
    the letter type's `whereabouts_unknown` in its place (the notice_board letter that serves it by public
    notice, 公示送達 地方税法20条の2, or none: not_sent), never a letter mailed to an address known to be wrong."""
    instead = letter.whereabouts_unknown
    if not instead or not household_ids:
        return [(letter, household_ids)]
    unknown = set(conn.execute(select(households.c.id).where(households.c.whereabouts_unknown.is_(True))).scalars())
    split = [(letter, [h for h in household_ids if h not in unknown])]
    if instead != "not_sent":
        split.append((workflow.letter_types[instead], [h for h in household_ids if h in unknown]))
    return split


def letters_per_seizure(conn: Connection, letter: LetterType, on: date, run_id: int | None, seized) -> int:
    """One letter of `letter` per (seizure id, household id, property kind) of `seized`, but none to a third
    party for property that has none, each linked to its seizure and listing the installments it covers
    (seizure_items: the ripe ones, 47条; an installment that fell due later is not part of it)."""
    chosen = [(sid, hid) for sid, hid, kind in seized if letter.recipient == "household" or kind not in THIRD_PARTY_LESS]
    if not chosen:
        return 0
    first = insert_letters(conn, letter, on, run_id, [hid for _, hid in chosen])
    new = letter_ids(conn, letter, on, first, len(chosen))
    bulk_insert(conn, seizure_letters, ("seizure_id", "letter_id"), ((sid, lid) for (sid, _), lid in zip(chosen, new)))
    conn.execute(insert(letter_items).from_select(
        ["letter_id", "assessment_id", "unpaid"],
        select(seizure_letters.c.letter_id, assessments.c.id, UNPAID)
        .join(seizure_items, seizure_items.c.seizure_id == seizure_letters.c.seizure_id)
        .join(assessments, assessments.c.id == seizure_items.c.assessment_id)
        .where(seizure_letters.c.letter_id.in_(new))))
    return len(new)


def write_demand_notices(conn: Connection, letter_type: str, on: date, demand_cutoff: date,
                         deadline: date, served_on: date | None = None) -> int:
    """督促 (地方自治法231条の3①): each undemanded overdue installment of the batch gets its notice; one served
    by public notice (`served_on`, 地方税法20条の2) records the day it is deemed served."""
    new = _batch_letters(letter_type, on)
    undemanded = and_(assessments.c.due_date <= demand_cutoff,
                      ~select(demand_notices.c.id).where(demand_notices.c.assessment_id == assessments.c.id).exists())
    write_letter_items(conn, letter_type, on, undemanded, late_fees=False)  # 督促 is of the premium itself
    return conn.execute(insert(demand_notices).from_select(
        ["assessment_id", "letter_id", "issued_on", "deadline", "public_notice", "served_on"],
        select(letter_items.c.assessment_id, new.c.id, literal(on, Date),
               literal(deadline, Date), literal(served_on is not None, Boolean), literal(served_on, Date))
        .join(letter_items, letter_items.c.letter_id == new.c.id))).rowcount


def move(conn: Connection, trigger: str, dest: str, on: date, actor: str, run_id: int | None,
         side_stages: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """History rows, then the stage change, for every household in the batch; returns the counts per
    (from, to) pair. Entering a side stage remembers the rung left (from another side stage, the one
    that stage remembered)."""
    in_batch = households.c.id.in_(select(batch_ids.c.household_id))
    to_stage = households.c.resume_stage if dest == RESUME else dest
    target = households.c.resume_stage if dest == RESUME else literal(dest, String)
    counts = {(f, t): n for f, t, n in conn.execute(
        select(households.c.stage, target, func.count()).where(in_batch).group_by(households.c.stage, target))}
    conn.execute(insert(stage_transitions).from_select(
        ["household_id", "on_date", "from_stage", "to_stage", "trigger", "actor", "batch_run_id"],
        select(households.c.id, literal(on, Date), households.c.stage,
               target, literal(trigger, String),
               literal(actor, String), literal(run_id, BigInteger)).where(in_batch)))
    resume = case((households.c.stage.in_(side_stages), households.c.resume_stage),
                  else_=households.c.stage) if dest in side_stages else None
    conn.execute(update(households).where(in_batch)
                 .values(stage=to_stage, stage_since=on, resume_stage=resume))
    return counts


def end_records(conn: Connection, ends: dict, on: date) -> None:
    """What a move ends for every household in the batch (its transition's `ends`): the kept plan is
    completed or broken, the running suspension lifted (seizures: release.end_for_batch)."""
    in_batch = select(batch_ids.c.household_id)
    if "installment_plan" in ends:
        conn.execute(update(installment_plans).values(status=ends["installment_plan"], ended_on=on)
                     .where(installment_plans.c.household_id.in_(in_batch), installment_plans.c.status == "kept"))
    if "suspension" in ends:
        conn.execute(update(suspensions).values(lifted_on=on)
                     .where(suspensions.c.household_id.in_(in_batch), suspensions.c.lifted_on.is_(None)))
