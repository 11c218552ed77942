"""The staff's commands: `queue` (list, claim, release, reassign, close), `staff` and `audit access`."""

from __future__ import annotations

import click

from ...bootstrap import Services
from ...services import queue as work_queue
from ...services.signin import set_password
from ...services.staff import ROLES, access_review, add, listing
from ...services.work import claim_item, refresh_queue, todays_queue
from .common import JSON, ON, emit, parse_date, pass_services, today_or


@click.group()
def staff():
    """Staff and their roles; registering and changing them is an administrator's, audited."""


@staff.command("add")
@click.argument("user")
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--district", "districts", multiple=True, help="A town whose queue items this person works (repeat).")
@pass_services
def staff_add(obj: Services, user, full_name, role, districts):
    """Register a person or change their role (an administrator's; on an empty database the first
    administrator registers themself)."""
    obj.transact(add, obj.workflow, obj.actor, user, full_name, role, list(districts))
    click.echo(f"{user}: {role}" + (f" ({', '.join(districts)})" if districts else ""))


@staff.command("set-password")
@click.argument("user")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input "
              "(scripts), instead of a hidden prompt; the default when standard input is no terminal.")
@pass_services
def staff_set_password(obj: Services, user, password_stdin):
    """Set USER's password for the web app: the person themself or an administrator; audited. It ends a
    lockout and every open web session of USER."""
    stdin = click.get_text_stream("stdin")
    password = (stdin.readline().rstrip("\r\n") if password_stdin or not stdin.isatty()  # contract.md: from stdin
                else click.prompt("password", hide_input=True, confirmation_prompt=True))
    obj.transact(set_password, obj.workflow, obj.actor, user, password)
    click.echo(f"{user}: password set")


@staff.command("list")
@JSON
@pass_services
def staff_list(obj: Services, as_json):
    obj.authorize("list_staff")
    rows = obj.read(listing)
    emit(rows, as_json, "\n".join(f"{r['user']:<12}{r['role']:<12}{r['name']}  {', '.join(r['districts'])}"
                                   for r in rows) or "no staff registered")


@click.group(invoke_without_command=True)
@click.option("--date", "on", callback=parse_date, help="Business date (default today).")
@click.option("--staff", "staff_user", help="Only this person's items (assigned or held).")
@click.option("--kind", help="Only this kind of item.")
@JSON
@click.pass_context
def queue(ctx, on, staff_user, kind, as_json):
    """Everything that needs a person today, in priority order; claim, release, reassign, close."""
    if ctx.invoked_subcommand:
        return
    obj: Services = ctx.obj
    rows = obj.transact(todays_queue, obj.workflow, today_or(obj, on), obj.actor,
                        work_queue.QueueFilter(staff_user=staff_user, kind=kind))
    emit(rows, as_json, "\n".join(
        f"{r['id']:>7} {r['kind']:<24}{r['household_no']:<14}{r['amount']:>10,} yen  due {r['due_on']}  "
        f"limitation {r['limitation_on'] or '—':<10}  {r['assigned_to'] or '—'}"
        + (f" (held by {r['claimed_by']})" if r["claimed_by"] else "") for r in rows) or "nothing in the queue")


@queue.command("refresh")
@click.option("--date", "on", callback=parse_date, help="Business date (default today).")
@pass_services
def queue_refresh(obj: Services, on):
    """Recompute the queue now (each business date's run does it at its end; an operator's, e.g. after a
    payment file imported late)."""
    opened = obj.transact(refresh_queue, obj.workflow, today_or(obj, on), obj.actor)
    click.echo(f"queue refreshed as of {today_or(obj, on)}: {opened} items opened")


@queue.command("claim")
@click.argument("item_id", type=int)
@pass_services
def queue_claim(obj: Services, item_id):
    """Take an item (compare-and-set: if someone holds it, you are told who). Opening it is logged."""
    obj.transact(claim_item, obj.workflow, item_id, obj.actor)
    click.echo(f"item {item_id}: held by {obj.actor}")


@queue.command("release")
@click.argument("item_id", type=int)
@pass_services
def queue_release(obj: Services, item_id):
    obj.transact(work_queue.release, obj.workflow, item_id, obj.actor)
    click.echo(f"item {item_id}: released")


@queue.command("reassign")
@click.argument("item_id", type=int)
@click.option("--to", "to_user", required=True)
@pass_services
def queue_reassign(obj: Services, item_id, to_user):
    """Supervisor: give an item to someone else."""
    obj.transact(work_queue.reassign, obj.workflow, item_id, to_user, obj.actor)
    click.echo(f"item {item_id}: assigned to {to_user}")


@queue.command("close")
@click.argument("item_id", type=int)
@click.option("--note", required=True, help="What was done.")
@ON
@pass_services
def queue_close(obj: Services, item_id, note, on):
    obj.transact(work_queue.close, obj.workflow, item_id, obj.actor, note, today_or(obj, on))
    click.echo(f"item {item_id}: closed")


@click.group()
def audit():
    """Reviews of who did and saw what."""


@audit.command("access")
@click.option("--from", "start", callback=parse_date, required=True,
              help="First day, a Tokyo (Asia/Tokyo) office date: views from 00:00 Tokyo time.")
@click.option("--to", "end", callback=parse_date, required=True,
              help="Last day, a Tokyo (Asia/Tokyo) date, included: views until 24:00 Tokyo time.")
@JSON
@pass_services
def audit_access(obj: Services, start, end, as_json):
    """The periodic access-log review (seed 窓3): views per person, outside one's own queue, outside office hours.

    --from and --to are dates in Tokyo time (the office's days), whatever the machine's time zone."""
    obj.authorize("audit_access")
    data = obj.read(access_review, start, end)
    lines = [f"access log {data['from']} – {data['to']}", "views per person:"]
    lines += [f"  {user:<14}{n:>6,}" for user, n in data["views_per_person"].items()]
    for key, title in (("outside_own_queue", "views of households outside the person's own queue"),
                       ("outside_office_hours", "views outside office hours (8:45–17:30 on office days)")):
        lines += [f"{title}: {len(data[key]):,}"]
        lines += [f"  {v['at']}  {v['user']:<12}{v['household_no']}  {v['purpose']}" for v in data[key]]
    emit(data, as_json, "\n".join(lines))


COMMANDS = (queue, staff, audit)
