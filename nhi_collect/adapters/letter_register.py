"""The letters register read by date: letters per day and type, a date's serials, the households a date's
letters or print file name, a dry run's letters and its first of a type (services/runs.py, work.py), a date's
letters to print or list and the letters per issue date (services/letters.py, printing.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from .tables import households, letters


def letters_per_day(conn: Connection, first: date, last: date) -> dict[date, int]:
    return dict(conn.execute(select(letters.c.issued_on, func.count()).where(letters.c.issued_on.between(first, last))
                             .group_by(letters.c.issued_on)).all())


def letters_per_type(conn: Connection, on: date) -> list[tuple[str, bool, int]]:
    """(type, issued by a batch run, letters) of a date."""
    return [tuple(r) for r in conn.execute(
        select(letters.c.letter_type, letters.c.batch_run_id.is_not(None), func.count())
        .where(letters.c.issued_on == on).group_by(letters.c.letter_type, letters.c.batch_run_id.is_not(None))
        .order_by(letters.c.letter_type))]


def serials_of(conn: Connection, on: date) -> set[str]:
    return set(conn.execute(select(letters.c.serial).where(letters.c.issued_on == on)).scalars())


def households_of_date(on: date):
    """A SELECT of the households of a date's letters (for the access log's INSERT ... SELECT)."""
    return select(letters.c.household_id).where(letters.c.issued_on == on)


def households_of_print_file(on: date, letter_type: str | None):
    """A SELECT of the households of a date's letters of one type, or of all (the manifest)."""
    which = letters.c.letter_type == letter_type if letter_type else letters.c.id.is_not(None)
    return select(letters.c.household_id).where(letters.c.issued_on == on, which)


def letters_and_households_per_type(conn: Connection, on: date) -> list[tuple[str, int, int]]:
    return [tuple(r) for r in conn.execute(
        select(letters.c.letter_type, func.count(), func.count(letters.c.household_id.distinct()))
        .where(letters.c.issued_on == on).group_by(letters.c.letter_type).order_by(letters.c.letter_type))]


def first_letters(conn: Connection, on: date, letter_type: str, limit: int):
    """The first letter of a type on a date by postal code (then serial): its id, serial and household."""
    return conn.execute(select(letters.c.id, letters.c.serial, letters.c.household_id)
                        .join(households, households.c.id == letters.c.household_id)
                        .where(letters.c.issued_on == on, letters.c.letter_type == letter_type)
                        .order_by(households.c.postal_code, letters.c.serial).limit(limit)).first()


def letters_to_print(conn: Connection, on: date) -> list:
    """A date's letters (id, serial, type, household number, postal code) by type, postal code, serial."""
    return conn.execute(select(letters.c.id, letters.c.serial, letters.c.letter_type, households.c.household_no,
                               households.c.postal_code)
                        .join(households, households.c.id == letters.c.household_id)
                        .where(letters.c.issued_on == on)
                        .order_by(letters.c.letter_type, households.c.postal_code, letters.c.serial)).all()


def letters_listed(conn: Connection, on: date) -> list:
    """A date's letters (serial, type, household number, issue date, status) by serial."""
    return conn.execute(select(letters.c.serial, letters.c.letter_type, households.c.household_no, letters.c.issued_on,
                               letters.c.status)
                        .join(households, households.c.id == letters.c.household_id)
                        .where(letters.c.issued_on == on).order_by(letters.c.serial)).all()


def letters_per_issue_date(conn: Connection) -> dict[date, int]:
    """Letters per issue date, over the whole register."""
    return dict(conn.execute(select(letters.c.issued_on, func.count()).group_by(letters.c.issued_on)).all())
