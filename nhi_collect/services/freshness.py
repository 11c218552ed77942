"""Data freshness: is the latest payment file in? Staff must not phone a household whose payment is only in
transit (staff-app.md: OCA asks "payments up to date?" before reminders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from ..adapters.tables import payments
from ..domain.calendar import last_office_day


@dataclass(frozen=True)
class Freshness:
    latest_payment: date | None  # the latest payment date imported
    expected: date  # the last business day before today: its payments should be in

    @property
    def stale(self) -> bool:
        return self.latest_payment is None or self.latest_payment < self.expected


def payments_freshness(conn: Connection, today: date) -> Freshness:
    latest = conn.execute(select(func.max(payments.c.paid_on))).scalar()  # ix_payments_paid_on: no scan
    return Freshness(latest, last_office_day(today - timedelta(days=1)))
