"""納付誓約: a promise to pay (a date and an amount) made in a contact, kept or broken against the payment files.

A promise is kept once the household's own payments from the contact's day through the promised date reach
the amount promised; it is broken when `promise_grace_days` (the workflow file's policy: payments still in
transit between the bank and the ward) have passed after the promised date without that. The check is
set-based and runs in the nightly queue computation (services/queue.refresh), so a broken promise is a
queue item the next morning.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, func, select, update

from ..adapters.tables import contacts, payments, promises
from ..errors import UserError
from ..workflow.definition import Workflow
from ..workflow.facts import NOT_ACKNOWLEDGEMENTS


def make(conn: Connection, household_id: int, contact_id: int, contacted_on: date, promised_on: date, amount: int,
         actor: str) -> int:
    if amount <= 0:
        raise UserError(f"a promise to pay needs a positive whole number of yen, not {amount}")
    if promised_on < contacted_on:
        raise UserError(f"a promise to pay on {promised_on} is dated before the contact it was made in "
                        f"({contacted_on})")
    return conn.execute(promises.insert().values(household_id=household_id, contact_id=contact_id,
                                                 promised_on=promised_on, amount=amount, made_by=actor)
                        .returning(promises.c.id)).scalar_one()


def _paid_toward(on: date):
    """What the household itself paid from the contact's day through the promised date, as known on `on`
    (money taken by seizure or given back is no payment of the household's: facts.NOT_ACKNOWLEDGEMENTS)."""
    return (select(func.coalesce(func.sum(payments.c.amount), 0))
            .where(payments.c.household_id == promises.c.household_id,
                   payments.c.channel.not_in(NOT_ACKNOWLEDGEMENTS),
                   payments.c.paid_on >= select(contacts.c.contacted_on)
                   .where(contacts.c.id == promises.c.contact_id).scalar_subquery(),
                   payments.c.paid_on <= promises.c.promised_on, payments.c.paid_on <= on)
            .correlate(promises).scalar_subquery())


def settle(conn: Connection, workflow: Workflow, on: date) -> tuple[int, int]:
    """Open promises found kept, then those broken, on business date `on`: (kept, broken). Kept is decided
    first, so a payment made in time that arrives within the grace days keeps the promise."""
    kept = conn.execute(update(promises).where(promises.c.status == "open", _paid_toward(on) >= promises.c.amount)
                        .values(status="kept", settled_on=on)).rowcount
    last_open = on - timedelta(days=workflow.policy.promise_grace_days + 1)
    broken = conn.execute(update(promises).where(promises.c.status == "open", promises.c.promised_on <= last_open)
                          .values(status="broken", settled_on=on)).rowcount
    return kept, broken


def of_household(conn: Connection, household_id: int) -> list[dict]:
    rows = conn.execute(select(promises).where(promises.c.household_id == household_id)
                        .order_by(promises.c.promised_on.desc(), promises.c.id.desc())).all()
    return [{"id": r.id, "promised_on": r.promised_on, "amount": r.amount, "made_by": r.made_by, "status": r.status,
             "settled_on": r.settled_on} for r in rows]
