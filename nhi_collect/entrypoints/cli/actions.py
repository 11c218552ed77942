"""`action ...`: staff actions on one household, each one transaction, audited as the acting person."""

from __future__ import annotations

from datetime import date

import click

from ...bootstrap import Services
from ...services import actions as use, proposals
from ...services import decision_proposals as decisions
from ...domain.seizure_limits import Inflow, InflowKind
from ...services.actions import CONTACT_CHANNELS, INQUIRY_KINDS, SUSPENSION_GROUNDS
from .common import ON, pass_services, today_or


def parse_schedule(_ctx, _param, value):
    if value is None:
        return None
    try:
        return [(date.fromisoformat(d), int(a)) for d, a in (part.split(":") for part in value.split(","))]
    except ValueError:
        raise click.BadParameter("expected DATE:AMOUNT,DATE:AMOUNT,... e.g. 2023-08-31:10000") from None


def parse_promise(ctx, param, value):
    schedule = parse_schedule(ctx, param, value)
    if schedule is not None and len(schedule) != 1:
        raise click.BadParameter("expected one DATE:AMOUNT, e.g. 2023-10-31:20000")
    return schedule[0] if schedule else None


def parse_inquiries(_ctx, _param, values):
    try:
        return [tuple(v.split(":", 1)) for v in values if v.split(":", 1)[1]]
    except IndexError:
        raise click.BadParameter("expected KIND:TARGET, e.g. bank:大正銀行 泉尾支店") from None


def parse_inflows(_ctx, _param, values):
    try:
        parsed = [(date.fromisoformat(d), InflowKind(k), int(a)) for k, d, a in (v.split(":") for v in values)]
    except ValueError:
        raise click.BadParameter(f"expected KIND:DATE:AMOUNT with KIND one of {', '.join(k.value for k in InflowKind)}, "
                                 "e.g. old_age_pension:2023-10-13:120000") from None
    try:
        return tuple(Inflow(*fields) for fields in parsed)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group()
def action():
    """Staff actions on one household (each one transaction, audited with --as)."""


@action.command("contact")
@click.argument("household_no")
@ON
@click.option("--channel", type=click.Choice(CONTACT_CHANNELS), required=True)
@click.option("--summary", required=True)
@click.option("--promise", help="What was said about paying (a note).")
@click.option("--with-whom", help="Who was spoken to (本人, 配偶者, ...).")
@click.option("--promise-to-pay", callback=parse_promise, help="DATE:AMOUNT promised (納付誓約), checked nightly.")
@pass_services
def action_contact(obj: Services, household_no, on, channel, summary, promise, with_whom, promise_to_pay):
    """交渉記録: record a contact with the household."""
    obj.transact(use.record_contact, obj.workflow, household_no, today_or(obj, on), channel, summary, promise, obj.actor,
                 with_whom=with_whom, promise_to_pay=promise_to_pay)
    click.echo(f"{household_no}: contact recorded" + (" with a promise to pay" if promise_to_pay else ""))


@action.command("plan")
@click.argument("household_no")
@ON
@click.option("--schedule", callback=parse_schedule, required=True, help="DATE:AMOUNT,... promised payments.")
@pass_services
def action_plan(obj: Services, household_no, on, schedule):
    """分納誓約: agree an installment plan (pauses escalation while kept)."""
    dest = obj.transact(use.agree_plan, obj.workflow, household_no, today_or(obj, on), schedule, obj.actor)
    click.echo(f"{household_no}: {dest}")


@action.command("open-investigation")
@click.argument("household_no")
@ON
@click.option("--inquiry", "inquiries", multiple=True, callback=parse_inquiries,
              help=f"KIND:TARGET ({', '.join(INQUIRY_KINDS)}); repeatable.")
@pass_services
def action_open_investigation(obj: Services, household_no, on, inquiries):
    """財産調査: send inquiries (国税徴収法141条); a bank inquiry produces a 預貯金等照会書."""
    obj.transact(use.open_investigation, obj.workflow, household_no, today_or(obj, on), obj.actor, inquiries)
    click.echo(f"{household_no}: investigation opened with {len(inquiries)} inquiry(ies)")


@action.command("inquiry-result")
@click.argument("household_no")
@ON
@click.option("--kind", type=click.Choice(INQUIRY_KINDS), required=True)
@click.option("--target", required=True)
@click.option("--found", "found_amount", type=int, required=True, help="Amount found in yen (0: nothing).")
@pass_services
def action_inquiry_result(obj: Services, household_no, on, kind, target, found_amount):
    """Record the reply to an inquiry."""
    obj.transact(use.record_inquiry_result, obj.workflow, household_no, kind, target, today_or(obj, on), found_amount, obj.actor)
    click.echo(f"{household_no}: {kind} inquiry to {target} answered ({found_amount:,} yen)")


@action.command("collect")
@click.argument("household_no")
@ON
@click.option("--amount", type=click.IntRange(1), required=True)
@pass_services
def action_collect(obj: Services, household_no, on, amount):
    """Money received from an executed seizure (取立て), applied oldest first."""
    obj.transact(use.collect_from_seizure, obj.workflow, household_no, today_or(obj, on), amount, obj.actor)
    click.echo(f"{household_no}: {amount:,} yen collected from the seizure")


@action.command("close-investigation")
@click.argument("household_no")
@ON
@click.option("--found/--none", "found", required=True, help="Property found, or none.")
@pass_services
def action_close_investigation(obj: Services, household_no, on, found):
    """Close the property investigation with its result."""
    obj.transact(use.close_investigation, obj.workflow, household_no, today_or(obj, on), found, obj.actor)
    click.echo(f"{household_no}: investigation closed ({'property found' if found else 'nothing found'})")


@action.command("propose-seizure")
@click.argument("household_no")
@ON
@click.option("--kind", required=True, help="A property kind of the workflow file's [seizure.property_kinds].")
@click.option("--third-party", required=True)
@click.option("--amount", type=click.IntRange(1), required=True, help="Yen to seize.")
@click.option("--note", default="", help="What the proposal rests on (e.g. the bank's reply).")
@pass_services
def action_propose_seizure(obj: Services, household_no, on, kind, third_party, amount, note):
    """Draft a seizure (差押の起案) for a supervisor who did not draft it to approve."""
    proposal = obj.transact(proposals.propose_seizure, obj.workflow, household_no, today_or(obj, on), kind,
                            third_party, amount, note, obj.actor)
    click.echo(f"{household_no}: seizure proposal {proposal} drafted (awaiting a supervisor's decision)")


@action.command("approve-seizure")
@click.argument("household_no")
@ON
@click.option("--kind", required=True, help="A property kind of the workflow file's [seizure.property_kinds].")
@click.option("--third-party", required=True)
@click.option("--amount", type=click.IntRange(1), required=True,
              help="Yen to seize (for wages or a pension: from one period's pay); the proposal's amount.")
@click.option("--proposal", "proposal_id", type=int,
              help="The open proposal approved (else the household's one open proposal of --kind at --third-party).")
@click.option("--pension-kind", type=click.Choice(["old_age", "disability", "survivors"]),
              help="A pension's kind (disability and survivors' pensions may not be seized).")
@click.option("--wage", type=click.IntRange(0), help="Wages or pension: one period's gross pay.")
@click.option("--months", type=click.IntRange(1),
              help="Months the pay covers (default: 1 for wages, 2 for a public pension, paid two months at a time).")
@click.option("--income-tax", type=click.IntRange(0), default=0)
@click.option("--resident-tax", type=click.IntRange(0), default=0)
@click.option("--social-insurance", type=click.IntRange(0), default=0)
@click.option("--relatives", type=click.IntRange(0), default=0, help="Relatives sharing the debtor's livelihood.")
@click.option("--balance", type=click.IntRange(0), help="Deposit: the balance (else the bank's recorded reply).")
@click.option("--inflow", "inflows", multiple=True, callback=parse_inflows,
              help="Deposit: money paid in lately, KIND:DATE:AMOUNT; repeatable.")
@pass_services
def action_approve_seizure(obj: Services, household_no, on, kind, third_party, amount, proposal_id, pension_kind, wage,
                           months, income_tax, resident_tax, social_insurance, relatives, balance, inflows):
    """Supervisor: approve a seizure proposal drafted by another (決裁規程) within the law's limits (国税徴収法48・76・
    77条, 国民年金法24条)."""
    pay = None if wage is None else {"wage": wage, "income_tax": income_tax, "resident_tax": resident_tax,
                                     "social_insurance": social_insurance} | ({"period_months": months} if months else {})
    screen = obj.transact(proposals.approve_named, obj.workflow, household_no, proposal_id, kind, third_party, amount,
                          today_or(obj, on), obj.actor, pension_kind=pension_kind, pay=pay, relatives=relatives,
                          balance=balance, inflows=inflows)
    figures = ", ".join(f"{k} {v:,}" for k, v in screen.items() if v is not None)
    click.echo(f"{household_no}: seizure approved" + (f" ({figures})" if figures else ""))


@action.command("seize")
@click.argument("household_no")
@ON
@pass_services
def action_seize(obj: Services, household_no, on):
    """Record an executed seizure (refused before the legal date or without demand notices)."""
    dest = obj.transact(use.execute_seizure, obj.workflow, household_no, today_or(obj, on), obj.actor)
    click.echo(f"{household_no}: {dest}")


@action.command("release-seizure")
@click.argument("household_no")
@ON
@click.option("--withdraw", is_flag=True, help="Give the seizure up on request (国税徴収法79条2項); renews no limitation.")
@click.option("--third-party", help="With --withdraw: only the seizure at this third party.")
@pass_services
def action_release_seizure(obj: Services, household_no, on, withdraw, third_party):
    """Supervisor: release seizures now (差押解除): those the law requires released (79条1項, 地方税法15条の7③),
    or with --withdraw those given up on request."""
    if third_party and not withdraw:
        raise click.UsageError("--third-party chooses the seizure to withdraw: use it with --withdraw")
    released = obj.transact(use.release_seizure, obj.workflow, household_no, today_or(obj, on), obj.actor, withdraw,
                            third_party)
    click.echo(f"{household_no}: {released} seizure(s) released")


@action.command("suspend")
@click.argument("household_no")
@ON
@click.option("--ground", type=click.Choice(SUSPENSION_GROUNDS), required=True)
@click.option("--immediate-extinction", is_flag=True)
@pass_services
def action_suspend(obj: Services, household_no, on, ground, immediate_extinction):
    """Supervisor, where the ward's file allows deciding alone: suspend enforcement (地方税法15条の7); else
    propose-suspension and a second person's approval."""
    obj.transact(decisions.decide_alone, obj.workflow, "suspension", obj.actor)
    dest = obj.transact(use.suspend, obj.workflow, household_no, today_or(obj, on), ground, obj.actor,
                        immediate_extinction)
    click.echo(f"{household_no}: {dest}")


@action.command("reduce-late-fee")
@click.argument("household_no")
@ON
@click.option("--fiscal-year", type=int, required=True)
@click.option("--installment", type=int, required=True)
@click.option("--amount", type=int, required=True, help="Yen of the booked late fee reduced.")
@click.option("--reason", required=True, help="Why (recorded with the decision).")
@pass_services
def action_reduce_late_fee(obj: Services, household_no, on, fiscal_year, installment, amount, reason):
    """Supervisor, where the ward's file allows deciding alone: reduce an installment's booked late fee (延滞金減免),
    a recorded decision with its reason; else propose-late-fee-reduction and a second person's approval."""
    obj.transact(decisions.decide_alone, obj.workflow, "late_fee_reduction", obj.actor)
    from ...services.late_fee_reductions import reduce_late_fee
    owed = obj.transact(reduce_late_fee, obj.workflow, household_no, fiscal_year, installment, amount, reason,
                        today_or(obj, on), obj.actor)
    click.echo(f"{household_no}: FY{fiscal_year} #{installment} late fee still owed {owed:,} yen")


@action.command("lift-suspension")
@click.argument("household_no")
@ON
@pass_services
def action_lift(obj: Services, household_no, on):
    """Supervisor: lift a suspension; the household returns to the rung it left."""
    dest = obj.transact(use.lift_suspension, obj.workflow, household_no, today_or(obj, on), obj.actor)
    click.echo(f"{household_no}: {dest}")


@action.command("write-off")
@click.argument("household_no")
@ON
@pass_services
def action_write_off(obj: Services, household_no, on):
    """Supervisor, where the ward's file allows deciding alone: write off the installments whose debt is
    extinguished (不納欠損), never dated after today; else propose-write-off and a second person's approval."""
    obj.transact(decisions.decide_alone, obj.workflow, "write_off", obj.actor)
    dest = obj.transact(use.write_off, obj.workflow, household_no, today_or(obj, on), obj.actor, obj.today())
    click.echo(f"{household_no}: {dest}")


@action.command("propose-suspension")
@click.argument("household_no")
@ON
@click.option("--ground", type=click.Choice(SUSPENSION_GROUNDS), required=True)
@click.option("--facts", required=True, help="The facts offered for the ground (地方税法15条の7第1項各号).")
@click.option("--immediate-extinction", is_flag=True, help="15条の7第5項: collection clearly impossible.")
@pass_services
def action_propose_suspension(obj: Services, household_no, on, ground, facts, immediate_extinction):
    """Clerk: propose a suspension of enforcement (執行停止の起案), decided by a supervisor who did not draft it."""
    proposal = obj.transact(decisions.propose_suspension, obj.workflow, household_no, today_or(obj, on), ground,
                            facts, obj.actor, immediate_extinction)
    click.echo(f"{household_no}: suspension proposed (proposal {proposal})")


@action.command("propose-write-off")
@click.argument("household_no")
@ON
@click.option("--note", default="", help="What the supervisor should know.")
@pass_services
def action_propose_write_off(obj: Services, household_no, on, note):
    """Clerk: propose the write-off of the installments extinguished (不納欠損の起案)."""
    proposal = obj.transact(decisions.propose_write_off, obj.workflow, household_no, today_or(obj, on), note,
                            obj.actor)
    click.echo(f"{household_no}: write-off proposed (proposal {proposal})")


@action.command("propose-late-fee-reduction")
@click.argument("household_no")
@ON
@click.option("--fiscal-year", type=int, required=True)
@click.option("--installment", type=int, required=True)
@click.option("--amount", type=int, required=True, help="Yen of the booked late fee to reduce.")
@click.option("--reason", required=True, help="Why (recorded with the decision).")
@pass_services
def action_propose_late_fee_reduction(obj: Services, household_no, on, fiscal_year, installment, amount, reason):
    """Clerk: propose a late-fee reduction (延滞金減免の起案)."""
    proposal = obj.transact(decisions.propose_late_fee_reduction, obj.workflow, household_no, today_or(obj, on),
                            fiscal_year, installment, amount, reason, obj.actor)
    click.echo(f"{household_no}: late-fee reduction proposed (proposal {proposal})")


@action.command("propose-plan-exception")
@click.argument("household_no")
@ON
@click.option("--schedule", callback=parse_schedule, required=True, help="DATE:AMOUNT,... promised payments.")
@click.option("--reason", required=True, help="Why the household cannot pay within the standard months.")
@pass_services
def action_propose_plan_exception(obj: Services, household_no, on, schedule, reason):
    """Clerk: propose a plan longer than the ward's standard (分納（例外）の起案), decided by a supervisor who did not
    draft it; the supervisor's approval agrees the plan."""
    proposal = obj.transact(decisions.propose_plan_exception, obj.workflow, household_no, today_or(obj, on),
                            schedule, reason, obj.actor)
    click.echo(f"{household_no}: plan exception proposed (proposal {proposal})")


@action.command("approve-proposal")
@click.argument("household_no")
@click.argument("proposal_id", type=int)
@click.option("--comment", default="")
@pass_services
def action_approve_proposal(obj: Services, household_no, proposal_id, comment):
    """Supervisor: approve a suspension, write-off, late-fee reduction or plan exception proposed by someone else
    (決裁), today."""
    today = obj.today()
    obj.transact(decisions.approve, obj.workflow, household_no, proposal_id, today, obj.actor, today, comment=comment)
    click.echo(f"{household_no}: proposal {proposal_id} approved")


@action.command("return-proposal")
@click.argument("household_no")
@click.argument("proposal_id", type=int)
@click.option("--comment", required=True, help="What the clerk should mend (read in the case file).")
@pass_services
def action_return_proposal(obj: Services, household_no, proposal_id, comment):
    """Supervisor: return a proposal to its clerk with a comment (差戻し)."""
    obj.transact(decisions.send_back, obj.workflow, household_no, proposal_id, obj.today(), obj.actor, comment)
    click.echo(f"{household_no}: proposal {proposal_id} returned")


COMMANDS = (action,)
