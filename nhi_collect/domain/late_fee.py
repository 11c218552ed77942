"""延滞金 (late fee) on one installment.

地方自治法231条の3第2項 lets the ordinance charge a late fee; Osaka's ordinance follows the local-tax
scheme (地方税法附則3条の2 rates, 2 bands). Rules, domain.md §3:
- base: the unpaid amount, nothing under 2,000 yen, otherwise truncated to 1,000 yen; after a partial
  payment the later days use the new remainder, truncated again (地方税法20条の4の2第1項・第2項);
- days: from the day after the due date through the payment date; a leap day counts, divisor 365;
- bands: the lower rate until `band_months` months have passed (民法143条), the higher rate after;
- each segment (band × calendar year × base) truncated to 1 yen; a total under 1,000 yen is 0,
  otherwise truncated to 100 yen (地方税法20条の4の2第3項・第5項);
- days of a suspension of enforcement (執行停止) are exempted (地方税法15条の9①).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from .calendar import ONE_DAY, period_end

BASE_MINIMUM = 2_000
BASE_UNIT = 1_000
FEE_MINIMUM = 1_000
FEE_UNIT = 100
DAYS_IN_YEAR = 365  # 地方税法附則3条の2: the yearly rate is applied per 365 days, leap years too


@dataclass(frozen=True)
class Rate:
    from_year: int
    lower: Decimal
    higher: Decimal


@lru_cache(maxsize=1)
def rate_table() -> tuple[Rate, ...]:
    """The yearly rates of 地方税法附則3条の2 (延滞金特例基準割合), read from late_fee_rates.toml."""
    text = resources.files(__package__).joinpath("late_fee_rates.toml").read_text("utf-8")
    rows = tomllib.loads(text)["rates"]
    return tuple(sorted((Rate(r["from"], Decimal(r["lower"]), Decimal(r["higher"])) for r in rows),
                        key=lambda r: r.from_year))


def rate_for(year: int, higher: bool, table: Sequence[Rate] | None = None) -> Decimal:
    """The yearly rate in percent for a calendar year and band (地方税法附則3条の2第1項・第2項); the
    rate changes on 1 January, so a period crossing 31 December uses each year's own rate."""
    chosen = None
    for row in table or rate_table():
        if row.from_year <= year:
            chosen = row
    if chosen is None:
        raise ValueError(f"no late-fee rate for {year}")
    return chosen.higher if higher else chosen.lower


@dataclass(frozen=True)
class Segment:
    start: date
    end: date
    days: int
    rate: Decimal
    base: int
    amount: int


@dataclass(frozen=True)
class LateFee:
    late_fee: int
    base: int
    segments: tuple[Segment, ...]


def truncate_base(unpaid: int) -> int:
    """Base of the fee: nothing under 2,000 yen, else truncated to 1,000 yen (地方税法20条の4の2①)."""
    return 0 if unpaid < BASE_MINIMUM else unpaid // BASE_UNIT * BASE_UNIT


def round_total(total: int) -> int:
    """A total under 1,000 yen is not charged; otherwise truncated to 100 yen (地方税法20条の4の2③⑤)."""
    return 0 if total < FEE_MINIMUM else total // FEE_UNIT * FEE_UNIT


def lower_band_end(due: date, band_months: int) -> date:
    """Last day of the lower-rate band: `band_months` months from the day after the due date (民法143条)."""
    return period_end(due + ONE_DAY, band_months)


def late_fee(amount: int, due: date, paid: date, *, band_months: int = 1,
             payments: Iterable[tuple[date, int]] = (), count_from: date | None = None,
             exempt: Iterable[tuple[date, date | None]] = (), table: Sequence[Rate] | None = None) -> LateFee:
    """Late fee on an installment of `amount` yen due on `due`, settled in full on `paid`.

    `payments` are earlier partial payments (date, yen): from the day after each, the base is the new
    remainder (地方税法20条の4の2第2項). `count_from` starts counting later than the day after the due date,
    for ordinances that charge from the day after the demand notice's deadline; the bands still run
    from the due date. `exempt` are periods (first day, last day or None: still running) whose days carry no
    late fee: a suspension of enforcement (地方税法15条の9①). Implements 地方自治法231条の3② with the local-tax
    rules of 地方税法附則3条の2.
    """
    if band_months not in (1, 3):
        raise ValueError("band_months must be 1 or 3")
    start = max(due + ONE_DAY, count_from or due + ONE_DAY)
    band_end = lower_band_end(due, band_months)
    # Base changes take effect the day after a payment; the payment day still carries the old base.
    changes: list[tuple[date, int]] = []
    unpaid = amount
    for on, paid_amount in sorted(payments):
        if on >= paid:
            break
        unpaid -= paid_amount
        changes.append((on + ONE_DAY, max(unpaid, 0)))
    cuts = {start, band_end + ONE_DAY, paid + ONE_DAY}
    cuts.update(date(y, 1, 1) for y in range(start.year + 1, paid.year + 1))
    cuts.update(on for on, _ in changes)
    exempt = [(first, last or paid) for first, last in exempt]
    cuts.update(c for first, last in exempt for c in (first, last + ONE_DAY))
    edges = sorted(c for c in cuts if start <= c <= paid + ONE_DAY)
    segments = []
    for first, after in zip(edges, edges[1:]):
        base = truncate_base(_unpaid_on(first, amount, changes))
        if base == 0 or any(lo <= first <= hi for lo, hi in exempt):
            continue
        days = (after - first).days
        rate = rate_for(first.year, first > band_end, table)
        fee = int(base * rate * days // (100 * DAYS_IN_YEAR))
        segments.append(Segment(first, after - ONE_DAY, days, rate, base, fee))
    total = sum(s.amount for s in segments)
    return LateFee(round_total(total), truncate_base(amount), tuple(segments))


def _unpaid_on(day: date, amount: int, changes: list[tuple[date, int]]) -> int:
    unpaid = amount
    for effective, remainder in changes:
        if effective <= day:
            unpaid = remainder
    return unpaid


def late_fee_estimate(amount: int, due: date, as_of: date, *, band_months: int = 1,
                      payments: Iterable[tuple[date, int]] = (),
                      exempt: Iterable[tuple[date, date | None]] = ()) -> int:
    """Late fee accrued on a still-unpaid installment if it were paid on `as_of` (shown on letters as
    an estimate; 地方自治法231条の3第2項 with the rules of late_fee). `amount` is the installment's whole
    principal, `payments` what paid it so far (the base falls from the day after each)."""
    if as_of <= due:
        return 0
    payments, exempt = tuple(payments), tuple(exempt)
    if payments or exempt:
        return late_fee(amount, due, as_of, band_months=band_months, payments=payments, exempt=exempt).late_fee
    return _estimate_on_base(truncate_base(amount), due, as_of, band_months)


@lru_cache(maxsize=65_536)
def _estimate_on_base(base: int, due: date, as_of: date, band_months: int) -> int:
    """Without partial payments the fee depends on the amount only through its truncated base, so the
    letters of one day, sharing due dates and bases, share the computation."""
    return late_fee(base, due, as_of, band_months=band_months).late_fee


def suspension_exempt(periods: Iterable[tuple[date, date | None]], due: date) -> list[tuple[date, date | None]]:
    """The suspensions of enforcement (first day, last day or None) that exempt an installment's late fee: those
    begun after it fell due, a suspension covering the arrears of its day (地方税法15条の7, 15条の9①)."""
    return [p for p in periods if p[0] > due]
