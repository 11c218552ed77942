"""Business dates: `run`, `simulate` and the `scheduler` (services/business_date.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...bootstrap import Services
from ...errors import UserError
from ...services.business_date import ALLOW_BACKWARD
from .common import JSON, emit, parse_date, pass_services

allow_backward_option = click.option(ALLOW_BACKWARD, "allow_backward", is_flag=True,
                                     help="Run a date before the last date run (a missed date); refused otherwise.")


def printing_text(reports: list[dict]) -> list[str]:
    lines = []
    for p in reports:
        lines.append(f"  printed {p['date']}: {p['printed']:,} of {p['issued']:,} letters"
                     + ("" if p["status"] == "done" else " — INCOMPLETE (see `letters status`)"))
        lines += [f"      not printed: {f['serial']} (household {f['household_no']}): {f['error']}" for f in p["failed"]]
        lines += [f"      {problem}" for problem in p["problems"]]
    return lines


def warn_incomplete(data: dict) -> None:
    """On stderr too, so that an operator (or the scheduler's log) sees a date that is not complete."""
    for p in data.get("printing", []):
        if p["status"] != "done":
            click.echo(f"nhi-collect: printing of {p['date']} is incomplete: {p['printed']:,} of {p['issued']:,} "
                       f"letters printed; " + "; ".join(f"{f['serial']} (household {f['household_no']}): {f['error']}"
                                                        for f in p["failed"]) + "; the other letters are printed "
                       "and the date's jobs are committed; `nhi-collect letters status` lists such dates", err=True)


def run_text(data: dict) -> str:
    if not data["jobs"]:
        return "\n".join([f"{data['date']}: nothing scheduled (not an office day, or no job on this date)",
                          *printing_text(data.get("printing", []))])
    lines = [data["date"]]
    for job in data["jobs"]:
        moves = ", ".join(f"{k} {v:,}" for k, v in job["transitions"].items()) or "no moves"
        lines.append(f"  {job['name']:<20} {job['status']:<8} {moves}; letters {job['letters']:,}"
                     + (f"; queued {job['queued']:,}" if job["queued"] else ""))
        lines += [f"      e.g. {edge}: {', '.join(nos)}" for edge, nos in job["sample"].items()]
    return "\n".join(lines + printing_text(data.get("printing", [])))


@click.command()
@click.option("--date", "on", callback=parse_date, required=True, help="Business date YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Show what the date would do, change nothing.")
@allow_backward_option
@JSON
@pass_services
def run(obj: Services, on, dry_run, allow_backward, as_json):
    """Run every job the workflow calendar schedules on a business date (safe to repeat)."""
    obj.authorize("run_date")
    data = obj.business_dates().run(on, dry_run=dry_run, allow_backward=allow_backward).as_json()
    warn_incomplete(data)
    emit(data, as_json, run_text(data) + ("\n(dry run: nothing was changed)" if dry_run else ""))


@click.command()
@click.option("--from", "start", callback=parse_date, required=True)
@click.option("--to", "end", callback=parse_date, required=True)
@click.option("--feed", type=click.Path(file_okay=False), help="Folder of daily payments/adjustments files "
              "(see `generate`) imported before each date is run.")
@allow_backward_option
@JSON
@pass_services
def simulate(obj: Services, start, end, feed, allow_backward, as_json):
    """Run each date from --from to --to as `run` would."""
    obj.authorize("run_date")
    days = []
    days_run = obj.business_dates(Path(feed) if feed else None, via="simulate")
    for day in days_run.run_range(start, end, allow_backward=allow_backward):
        warn_incomplete(day.as_json())
        if day.jobs:
            days.append(day.as_json())
            if not as_json:
                click.echo(run_text(days[-1]))
    if as_json:
        click.echo(json.dumps(days, ensure_ascii=False, indent=2))


@click.command()
@click.option("--at", default="06:00", show_default=True, help="Daily run time, Asia/Tokyo.")
@pass_services
def scheduler(obj: Services, at):
    """Run the calendar every morning; first catch up every missed business date. One per database."""
    import logging
    from ...adapters.scheduler import SchedulerBusy, serve
    logging.basicConfig(level=logging.INFO)
    obj.authorize("run_date")
    def catch_up():
        done = dates.catch_up(obj.today)
        for day in done:
            warn_incomplete(day.as_json())
            click.echo(run_text(day.as_json()))
        return done
    dates = obj.business_dates(via="scheduler")
    try:
        serve(obj.engine(), catch_up, at)
    except SchedulerBusy as busy:
        raise UserError(f"{busy}; this one stops") from None


COMMANDS = (run, simulate, scheduler)
