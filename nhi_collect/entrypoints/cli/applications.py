"""`application record|close|list|reassign`: applications with clocks (services/applications.py), as the
operating-system user (contract.md, who acts); `--json` prints the record or the list."""

from __future__ import annotations

import click

from ...bootstrap import Services
from ...services import applications as service
from .common import JSON, ON, emit, parse_date, pass_services, today_or


@click.group()
def application():
    """Applications with a due date: reduction, late-fee reduction, plan, refund claim, seizure release."""


@application.command("record")
@click.argument("household_no")
@click.option("--kind", required=True, help="A kind of the workflow file's [applications], e.g. late_fee_reduction.")
@click.option("--received", "received_on", callback=parse_date, required=True, help="The day it was received.")
@click.option("--owner", help="Who processes it (default: oneself).")
@click.option("--note", default="", help="What is applied for.")
@ON
@JSON
@pass_services
def application_record(obj: Services, household_no, kind, received_on, owner, note, on, as_json):
    day = today_or(obj, on)
    new_id = obj.transact(service.record, obj.workflow, household_no, kind, received_on, owner or obj.actor,
                          obj.actor, note, day)
    due = service.due_on(obj.workflow, kind, received_on)
    data = {"id": new_id, "household_no": household_no, "kind": kind, "received_on": received_on.isoformat(),
            "due_on": due.isoformat(), "owner": owner or obj.actor}
    emit(data, as_json, f"application {new_id}: {kind} of {household_no}, received {received_on}, due {due}, "
                        f"owned by {data['owner']}")


@application.command("close")
@click.argument("application_id", type=int)
@click.option("--outcome", type=click.Choice(tuple(service.OUTCOMES)), required=True)
@click.option("--note", required=True, help="What was decided.")
@ON
@JSON
@pass_services
def application_close(obj: Services, application_id, outcome, note, on, as_json):
    day = today_or(obj, on)
    late = obj.transact(service.close, obj.workflow, application_id, outcome, note, day, obj.actor)
    emit({"id": application_id, "outcome": outcome, "closed_on": day.isoformat(), "late": late}, as_json,
         f"application {application_id}: {outcome} on {day}" + (" (after its due date)" if late else ""))


@application.command("reassign")
@click.argument("application_id", type=int)
@click.option("--to", "to_user", required=True)
@pass_services
def application_reassign(obj: Services, application_id, to_user):
    """Supervisor: give an application to someone else."""
    obj.transact(service.reassign, obj.workflow, application_id, to_user, obj.actor)
    click.echo(f"application {application_id}: owned by {to_user}")


@application.command("list")
@click.option("--overdue", is_flag=True, help="Every open application past its due date (supervisors, auditors).")
@click.option("--owner", help="With --overdue: only this person's.")
@click.option("--date", "on", callback=parse_date, help="As of this date (default today).")
@JSON
@pass_services
def application_list(obj: Services, overdue, owner, on, as_json):
    """One's own applications (open, and closed in the last 30 days), or --overdue the supervisor's list."""
    day = today_or(obj, on)
    if overdue:
        rows = obj.transact(service.overdue_list, obj.workflow, day, obj.actor, owner)["items"]
    else:
        data = obj.transact(service.mine, obj.workflow, day, obj.actor)
        rows = data["open"] + data["closed"]
    emit(rows, as_json, "\n".join(
        f"{r['id']:>6} {r['kind']:<20}{r['household_no']:<14}received {r['received_on']}  due {r['due_on']}  "
        f"{r['owner']:<12}" + (f"{r['outcome']} {r['closed_on']}" if r["status"] == "closed" else "open")
        + (f"  OVERDUE {r['days_over']} days" if r["overdue"] else "") for r in rows) or "no applications")


COMMANDS = (application,)
