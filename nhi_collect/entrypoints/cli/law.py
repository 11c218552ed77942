"""The law calculators on the command line: `late-fee` and `seizable` (no database)."""

from __future__ import annotations

from datetime import date

import click

from ...domain.late_fee import late_fee
from ...domain.seizable import seizable_wage
from ...errors import UserError
from .common import JSON, emit, parse_date


@click.command("late-fee")
@click.option("--amount", type=int, required=True, help="Unpaid installment amount in yen.")
@click.option("--due", callback=parse_date, required=True, help="Due date YYYY-MM-DD.")
@click.option("--paid", callback=parse_date, required=True, help="Payment date YYYY-MM-DD.")
@click.option("--band-months", type=click.Choice(["1", "3"]), default="1", show_default=True)
@click.option("--payment", "payments", multiple=True, callback=lambda _c, _p, v: [_partial(x) for x in v],
              help="A partial payment before --paid, DATE:AMOUNT (repeat); the base falls the day after it.")
@JSON
def late_fee_command(amount, due, paid, band_months, payments, as_json):
    """延滞金 on one installment (地方自治法231条の3②, 地方税法附則3条の2), with its partial payments
    (地方税法20条の4の2②: from the day after each, the base is the new remainder)."""
    if amount < 0:
        raise UserError("--amount must not be negative")
    if paid < due:
        raise UserError(f"--paid {paid} is before --due {due}")
    for on, _ in payments:
        if on >= paid:
            raise UserError(f"--payment {on} is not before --paid {paid}: --paid is the day the rest is paid")
    if sum(money for _, money in payments) >= amount > 0:
        raise UserError(f"the partial payments ({sum(m for _, m in payments):,} yen) leave nothing of --amount "
                        f"{amount:,} to pay on --paid {paid}")
    fee = late_fee(amount, due, paid, band_months=int(band_months), payments=payments)
    data = {"late_fee": fee.late_fee, "base": fee.base,
            "segments": [{"from": s.start.isoformat(), "to": s.end.isoformat(), "days": s.days,
                          "rate": str(s.rate), "amount": s.amount} for s in fee.segments]}
    text = "\n".join([f"base {fee.base:,} yen"]
                     + [f"  {s.start} – {s.end}  {s.days:>4} days at {s.rate}%  {s.amount:>8,} yen" for s in fee.segments]
                     + [f"late fee {fee.late_fee:,} yen (segments {sum(s.amount for s in fee.segments):,} yen, "
                        "under 1,000 → 0, else truncated to 100)"])
    emit(data, as_json, text)


def _partial(value: str) -> tuple:
    on, sep, money = value.partition(":")
    try:
        parsed = date.fromisoformat(on), int(money)
    except ValueError:
        parsed = None
    if not sep or parsed is None or parsed[1] <= 0:
        raise click.BadParameter(f"{value!r}: expected DATE:AMOUNT, e.g. 2022-08-31:20000 (a positive amount)",
                                 param_hint="--payment")
    return parsed


@click.command("seizable")
@click.option("--wage", type=int, required=True, help="One month's pay in yen.")
@click.option("--income-tax", type=int, default=0)
@click.option("--resident-tax", type=int, default=0)
@click.option("--social-insurance", type=int, default=0)
@click.option("--relatives", type=int, default=0, help="Relatives sharing the debtor's livelihood.")
@click.option("--months", type=int, default=1, help="Months the pay covers (a public pension pays two at a time).")
@JSON
def seizable_command(wage, income_tax, resident_tax, social_insurance, relatives, months, as_json):
    """差押禁止額 and the seizable part of a period's wage (国税徴収法76条, 施行令34条: per month of the period)."""
    try:
        r = seizable_wage(wage, income_tax=income_tax, resident_tax=resident_tax,
                          social_insurance=social_insurance, relatives=relatives, period_months=months)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    emit({"wage": r.wage, "protected": r.protected, "seizable": r.seizable}, as_json,
         f"wage {r.wage:,} yen, protected {r.protected:,} yen, seizable {r.seizable:,} yen")


COMMANDS = (late_fee_command, seizable_command)
