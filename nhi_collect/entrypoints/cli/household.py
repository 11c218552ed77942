"""`household show`: one household's ledger as of a date (contract.md); the opening is access-logged."""

from __future__ import annotations

import click

from ...bootstrap import Services
from ...services.work import open_household
from .common import JSON, emit, parse_date, pass_services, today_or


@click.group()
def household():
    """One household."""


@household.command("show")
@click.argument("household_no")
@click.option("--as-of", callback=parse_date, help="Balances as of this date (default today).")
@click.option("--reason", default="照会", show_default=True, help="Why the record is opened (access log).")
@JSON
@pass_services
def household_show(obj: Services, household_no, as_of, reason, as_json):
    """A household's installments, balance, stage, letters and history (the opening is logged)."""
    data = obj.transact(open_household, obj.workflow, household_no, today_or(obj, as_of), obj.actor, reason)
    emit(data, as_json, household_text(data))


def household_text(d: dict) -> str:
    lines = [f"{d['household_no']}  {d['head_name']} ({d['head_name_kana']})  stage: {d['stage']}",
             f"  {d['postal_code']} {d['address']}" + ("  [居所不明]" if d["whereabouts_unknown"] else ""),
             f"  balance: current year {d['balance']['current_year']:,} yen, arrears {d['balance']['arrears']:,} yen, "
             f"credit {d['balance']['credit']:,} yen, booked late fee owed {d['late_fee_owed']:,} yen"]
    for i in d["installments"]:
        lines.append(f"  FY{i['fiscal_year']} #{i['installment']:>2} due {i['legal_due_date']}  {i['amount']:>9,}  "
                     f"paid {i['paid']:>9,}  unpaid {i['unpaid']:>9,}"
                     f"  late fee accrued {i['late_fee']['accrued']:,} booked {i['late_fee']['booked']:,} "
                     f"paid {i['late_fee']['paid']:,}"
                     + (f"  limitation {i['limitation_date']}" if i["limitation_date"] else ""))
    return "\n".join(lines)


COMMANDS = (household,)
