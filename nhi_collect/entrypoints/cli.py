"""The `nhi-collect` command. Parses options, calls services, prints text or JSON (contract.md)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from ..adapters.db import database_url, make_engine, transaction, upgrade
from ..errors import ImportRejected, UserError


class Context:
    def __init__(self, db: str | None, out: str, actor: str | None):
        from ..services.identity import resolve
        self.url = database_url(db)
        self.out = Path(out)
        self.identity = resolve(actor)  # the OS user; --as only where NHI_COLLECT_ALLOW_AS=1
        self.actor = self.identity.user
        self._engine = None

    def engine(self, migrate: bool = True):
        """The database, brought to the latest migration first (contract.md: no separate step)."""
        if self._engine is None:
            from ..services.identity import record_as
            self._engine = make_engine(self.url)
            if migrate:
                upgrade(self._engine)
            if self.identity.via_as:  # each use of --as is recorded, with the command it ran
                with transaction(self._engine) as conn:
                    record_as(conn, self.identity, click.get_current_context().command_path)
        return self._engine

    def authorize(self, action: str) -> None:
        """Refused (exit 2, naming the rule) unless the acting person's role carries `action`."""
        from ..services.identity import authorize
        with transaction(self.engine()) as conn:
            authorize(conn, _workflow(self), self.actor, action)


def emit(data, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


def parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


@click.group()
@click.option("--db", help="Database URL (else NHI_COLLECT_DB, else sqlite:///nhi_collect.db).")
@click.option("--out", default="out", show_default=True, help="Folder for letters and reports.")
@click.option("--as", "actor", help="Act as this staff member: only where NHI_COLLECT_ALLOW_AS=1 (simulations, "
              "tests, training databases), recorded; else the operating-system user acts.")
@click.option("--workflow", type=click.Path(dir_okay=False, exists=True),
              help="The ward's workflow file (default: workflows/taisho.toml).")
@click.pass_context
def cli(ctx, db, out, actor, workflow):
    """nhi-collect: collections workflow for delinquent National Health Insurance premiums."""
    ctx.obj = Context(db, out, actor)
    ctx.obj.workflow = workflow


@cli.group()
def db():
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: Context):
    """Bring the schema to the latest migration."""
    obj.engine()
    click.echo(f"schema is up to date ({obj.url.split('@')[-1]})")


@cli.command("import")
@click.argument("kind", type=click.Choice(["households", "assessments", "adjustments", "payments"]))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--encoding", default="utf-8", show_default=True, help="utf-8 (BOM or not) or cp932.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_command(obj: Context, kind, file, encoding, as_json):
    """Import one CSV file: all rows or none."""
    from ..services.imports import ImportResult, import_file
    if not Path(file).is_file():
        raise UserError(f"{file}: no such file")
    obj.authorize("import")
    try:
        with transaction(obj.engine()) as conn:
            result = import_file(conn, kind, file, encoding=encoding, actor=obj.actor)
    except ImportRejected as rejected:
        if as_json:
            click.echo(json.dumps(ImportResult(kind, rejected=rejected.errors).as_json(), ensure_ascii=False))
        raise
    emit(result.as_json(), as_json,
         f"{kind}: {result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged")


def parse_years(_ctx, _param, value: str) -> range:
    try:
        first, _, last = value.partition("-")
        years = range(int(first), int(last or first) + 1)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a year or a range such as 2022-2024") from None
    if not years:
        raise click.BadParameter(f"{value!r} is an empty range")
    return years


@cli.command()
@click.option("--households", type=click.IntRange(1), required=True)
@click.option("--fiscal-years", callback=parse_years, required=True, help="e.g. 2022-2024")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
@click.option("--json", "as_json", is_flag=True)
def generate(households, fiscal_years, seed, out_dir, as_json):
    """Write a synthetic Taisho ward as the four import CSV files."""
    from ..services.synthetic import generate_ward
    counts = generate_ward(households, fiscal_years, seed, Path(out_dir))
    emit(counts, as_json, ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" written to {out_dir}")


@cli.command()
@click.option("--households", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--seed", type=int, default=2023, show_default=True)
@click.pass_obj
def demo(obj: Context, households, seed):
    """The demo fiscal year: a synthetic Taisho ward run through FY2023 by the calendar (README)."""
    from tqdm import tqdm
    from ..services.demo import days, run_demo
    with tqdm(total=days(), unit="day", desc="FY2023", file=sys.stderr, disable=None) as bar:
        summary = run_demo(obj.engine(), _workflow(obj), obj.out, households, seed,
                           progress=lambda msg: tqdm.write(f"… {msg}", file=sys.stderr),
                           on_day=lambda _on: bar.update())
    click.echo(_demo_text(obj, summary))


@cli.command()
@click.option("--households", type=click.IntRange(100), default=10_000, show_default=True)
@click.option("--db", "url", help="An empty database (default: a new SQLite file under OUT/bench/).")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--pdf-letters", type=click.IntRange(1), default=1000, show_default=True,
              help="Letters of the July round rendered to PDF.")
@click.option("--naive-letters", type=click.IntRange(1), default=50, show_default=True,
              help="Letters rendered one WeasyPrint document each (the PDF baseline).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def bench(obj: Context, households, url, seed, pdf_letters, naive_letters, as_json):
    """Measure imports, the July round, a quiet day, letters and the report, each beside its baseline."""
    import shutil
    from ..services.bench import bench as run_bench, table
    work = obj.out / "bench" / f"{households}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    engine = make_engine(url or f"sqlite:///{work / 'bench.db'}")
    upgrade(engine)
    result = run_bench(engine, _workflow(obj), households, work, seed, pdf_letters, naive_letters,
                       progress=lambda msg: click.echo(f"… {msg}", err=True))
    path = obj.out / "bench" / f"bench-{households}-{engine.dialect.name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    emit(result, as_json, table(result) + f"\n(written to {path})")


def _demo_text(obj: Context, summary) -> str:
    workflow = _workflow(obj)
    stages = list(workflow.stages)
    head = "month end " + "".join(f"{workflow.stages[s]:>8}" for s in stages)
    lines = [f"database: {obj.url}", "", "households per stage (段階別世帯数)", head]
    for on, counts in summary.monthly_stages.items():
        lines.append(f"{on:%Y-%m-%d}" + "".join(f"{counts.get(s, 0):>9,}" for s in stages))
    r = summary.rates
    lines += ["", f"collection rates FY{r.fiscal_year} as of {r.as_of} (収納率)",
              f"  current year (現年度分)  {r.current_year.rate or '—':>6} %   target 92.13 %   "
              f"collected {r.current_year.collected:,} of {r.current_year.assessed - r.current_year.whereabouts_unknown:,} yen",
              f"  arrears (滞納繰越分)     {r.arrears.rate or '—':>6} %   target 27.78 %   "
              f"collected {r.arrears.collected:,} of {r.arrears.carried_over:,} yen",
              "", "letters (通知書) issued in the year"]
    lines += [f"  {t:<20} {n:>8,}" for t, n in sorted(summary.letters.items())]
    lines += ["", f"seizures executed {summary.seizures:,}, collected by seizure {summary.collected_by_seizure:,} yen",
              f"printed {summary.printed_letters:,} letters on {summary.printed_pages:,} pages to {obj.out}/letters/ "
              f"while the calendar ran ({summary.run_seconds:,.0f} s in all, {summary.print_wait_seconds:,.0f} s of it "
              f"waiting for PDFs; {summary.printed_pages / max(summary.run_seconds, 1e-9):,.1f} pages/s overall)",
              f"monthly reports (CSV, XLSX, HTML) for {len(summary.monthly_stages)} month ends in {obj.out}/reports/"]
    return "\n".join(lines)


def _workflow(obj: "Context"):
    from ..workflow.definition import load
    return load(obj.workflow)


def _run_one(obj: "Context", on: date, dry_run: bool = False, one_at_a_time: bool = False) -> dict:
    from ..services.letters import printed_in_full, write_batches
    from ..workflow.jobs import run_date
    reports = run_date(obj.engine(), _workflow(obj), on, dry_run=dry_run, one_at_a_time=one_at_a_time)
    if reports and not dry_run:
        with obj.engine().connect() as conn:
            if printed_in_full(conn, on, obj.out):  # a finished date's files are left as they are
                return {"date": on.isoformat(), "jobs": [r.as_json() for r in reports]}
        _log_letters_read(obj, on, "run")
        with obj.engine().connect() as conn:
            write_batches(conn, _workflow(obj), on, obj.out)
    return {"date": on.isoformat(), "jobs": [r.as_json() for r in reports]}


def _log_letters_read(obj: "Context", on: date, command: str) -> None:
    """A date's letters are read (listed, printed) by the acting person: one access-log row per household."""
    from sqlalchemy import select
    from ..adapters.tables import letters
    from ..services.staff import log_reads
    with transaction(obj.engine()) as conn:
        log_reads(conn, obj.actor, select(letters.c.household_id).where(letters.c.issued_on == on),
                  f"letters of {on}", command)


def _run_text(data: dict) -> str:
    if not data["jobs"]:
        return f"{data['date']}: nothing scheduled (not an office day, or no job on this date)"
    lines = [data["date"]]
    for job in data["jobs"]:
        moves = ", ".join(f"{k} {v:,}" for k, v in job["transitions"].items()) or "no moves"
        lines.append(f"  {job['name']:<20} {job['status']:<8} {moves}; letters {job['letters']:,}"
                     + (f"; queued {job['queued']:,}" if job["queued"] else ""))
        lines += [f"      e.g. {edge}: {', '.join(nos)}" for edge, nos in job["sample"].items()]
    return "\n".join(lines)


@cli.command()
@click.option("--date", "on", callback=parse_date, required=True, help="Business date YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Show what the date would do, change nothing.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def run(obj: Context, on, dry_run, as_json):
    """Run every job the workflow calendar schedules on a business date (safe to repeat)."""
    obj.authorize("run_date")
    data = _run_one(obj, on, dry_run=dry_run)
    if dry_run:
        data["dry_run"] = True
    emit(data, as_json, _run_text(data) + ("\n(dry run: nothing was changed)" if dry_run else ""))


@cli.command()
@click.option("--from", "start", callback=parse_date, required=True)
@click.option("--to", "end", callback=parse_date, required=True)
@click.option("--feed", type=click.Path(file_okay=False), help="Folder of daily payments/adjustments files "
              "(see `generate`) imported before each date is run.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def simulate(obj: Context, start, end, feed, as_json):
    """Run each date from --from to --to as `run` would."""
    from datetime import timedelta
    from ..services.feed import import_day
    if end < start:
        raise UserError(f"--to {end} is before --from {start}")
    obj.authorize("run_date")
    days, on = [], start
    while on <= end:
        if feed:
            import_day(obj.engine(), Path(feed), on)
        data = _run_one(obj, on)
        if data["jobs"]:
            days.append(data)
            if not as_json:
                click.echo(_run_text(data))
        on += timedelta(days=1)
    if as_json:
        click.echo(json.dumps(days, ensure_ascii=False, indent=2))


@cli.command()
@click.option("--at", default="06:00", show_default=True, help="Daily run time, Asia/Tokyo.")
@click.pass_obj
def scheduler(obj: Context, at):
    """Run the calendar every morning; first catch up every missed business date. One per database."""
    import logging
    from ..adapters.scheduler import SchedulerBusy, serve
    from .clock import today
    logging.basicConfig(level=logging.INFO)
    obj.authorize("run_date")
    try:
        serve(obj.engine(), lambda on: click.echo(_run_text(_run_one(obj, on))), today, at)
    except SchedulerBusy as busy:
        raise UserError(f"{busy}; this one stops") from None


def parse_schedule(_ctx, _param, value):
    if value is None:
        return None
    try:
        return [(date.fromisoformat(d), int(a)) for d, a in (part.split(":") for part in value.split(","))]
    except ValueError:
        raise click.BadParameter("expected DATE:AMOUNT,DATE:AMOUNT,... e.g. 2023-08-31:10000") from None


@cli.group()
def action():
    """Staff actions on one household (each one transaction, audited with --as)."""


def _act(obj: Context, fn, *args, **kwargs):
    """One staff action in one transaction; the service checks the actor's role (services/identity.py)."""
    with transaction(obj.engine()) as conn:
        return fn(conn, _workflow(obj), *args, **kwargs)


ON = click.option("--on", callback=parse_date, help="Date of the action (default today).")


def _today(on):
    from .clock import today
    return on or today()


@action.command("contact")
@click.argument("household_no")
@ON
@click.option("--channel", type=click.Choice(["phone", "counter", "visit", "letter", "email"]), required=True)
@click.option("--summary", required=True)
@click.option("--promise")
@click.pass_obj
def action_contact(obj, household_no, on, channel, summary, promise):
    """交渉記録: record a contact with the household."""
    from ..services.actions import record_contact
    _act(obj, record_contact, household_no, _today(on), channel, summary, promise, obj.actor)
    click.echo(f"{household_no}: contact recorded")


@action.command("plan")
@click.argument("household_no")
@ON
@click.option("--schedule", callback=parse_schedule, required=True, help="DATE:AMOUNT,... promised payments.")
@click.pass_obj
def action_plan(obj, household_no, on, schedule):
    """分納誓約: agree an installment plan (pauses escalation while kept)."""
    from ..services.actions import agree_plan
    dest = _act(obj, agree_plan, household_no, _today(on), schedule, obj.actor)
    click.echo(f"{household_no}: {dest}")


def parse_inquiries(_ctx, _param, values):
    try:
        return [tuple(v.split(":", 1)) for v in values if v.split(":", 1)[1]]
    except IndexError:
        raise click.BadParameter("expected KIND:TARGET, e.g. bank:大正銀行 泉尾支店") from None


@action.command("open-investigation")
@click.argument("household_no")
@ON
@click.option("--inquiry", "inquiries", multiple=True, callback=parse_inquiries,
              help="KIND:TARGET (bank, employer, pension, insurance, real_estate); repeatable.")
@click.pass_obj
def action_open_investigation(obj, household_no, on, inquiries):
    """財産調査: send inquiries (国税徴収法141条); a bank inquiry produces a 預貯金等照会書."""
    from ..services.actions import open_investigation
    _act(obj, open_investigation, household_no, _today(on), obj.actor, inquiries)
    click.echo(f"{household_no}: investigation opened with {len(inquiries)} inquiry(ies)")


@action.command("inquiry-result")
@click.argument("household_no")
@ON
@click.option("--kind", type=click.Choice(["bank", "employer", "pension", "insurance", "real_estate"]), required=True)
@click.option("--target", required=True)
@click.option("--found", "found_amount", type=int, required=True, help="Amount found in yen (0: nothing).")
@click.pass_obj
def action_inquiry_result(obj, household_no, on, kind, target, found_amount):
    """Record the reply to an inquiry."""
    from ..services.actions import record_inquiry_result
    _act(obj, record_inquiry_result, household_no, kind, target, _today(on), found_amount, obj.actor)
    click.echo(f"{household_no}: {kind} inquiry to {target} answered ({found_amount:,} yen)")


@action.command("collect")
@click.argument("household_no")
@ON
@click.option("--amount", type=click.IntRange(1), required=True)
@click.pass_obj
def action_collect(obj, household_no, on, amount):
    """Money received from an executed seizure (取立て), applied oldest first."""
    from ..services.actions import collect_from_seizure
    _act(obj, collect_from_seizure, household_no, _today(on), amount, obj.actor)
    click.echo(f"{household_no}: {amount:,} yen collected from the seizure")


@action.command("close-investigation")
@click.argument("household_no")
@ON
@click.option("--found/--none", "found", required=True, help="Property found, or none.")
@click.pass_obj
def action_close_investigation(obj, household_no, on, found):
    """Close the property investigation with its result."""
    from ..services.actions import close_investigation
    _act(obj, close_investigation, household_no, _today(on), found, obj.actor)
    click.echo(f"{household_no}: investigation closed ({'property found' if found else 'nothing found'})")


@action.command("approve-seizure")
@click.argument("household_no")
@ON
@click.option("--kind", type=click.Choice(["deposit", "wage", "pension", "insurance", "real_estate"]), required=True)
@click.option("--third-party", required=True)
@click.option("--amount", type=click.IntRange(1), required=True)
@click.pass_obj
def action_approve_seizure(obj, household_no, on, kind, third_party, amount):
    """Supervisor: approve a seizure proposal."""
    from ..services.actions import approve_seizure
    _act(obj, approve_seizure, household_no, _today(on), kind, third_party, amount, obj.actor)
    click.echo(f"{household_no}: seizure approved")


@action.command("seize")
@click.argument("household_no")
@ON
@click.pass_obj
def action_seize(obj, household_no, on):
    """Record an executed seizure (refused before the legal date or without demand notices)."""
    from ..services.actions import execute_seizure
    click.echo(f"{household_no}: {_act(obj, execute_seizure, household_no, _today(on), obj.actor)}")


@action.command("suspend")
@click.argument("household_no")
@ON
@click.option("--ground", type=click.Choice(["no_property", "hardship", "unknown"]), required=True)
@click.option("--immediate-extinction", is_flag=True)
@click.pass_obj
def action_suspend(obj, household_no, on, ground, immediate_extinction):
    """Supervisor: suspend enforcement (地方税法15条の7)."""
    from ..services.actions import suspend
    dest = _act(obj, suspend, household_no, _today(on), ground, obj.actor, immediate_extinction)
    click.echo(f"{household_no}: {dest}")


@action.command("lift-suspension")
@click.argument("household_no")
@ON
@click.pass_obj
def action_lift(obj, household_no, on):
    """Supervisor: lift a suspension; the household returns to the rung it left."""
    from ..services.actions import lift_suspension
    dest = _act(obj, lift_suspension, household_no, _today(on), obj.actor)
    click.echo(f"{household_no}: {dest}")


@action.command("write-off")
@click.argument("household_no")
@ON
@click.pass_obj
def action_write_off(obj, household_no, on):
    """Supervisor: write off an extinguished debt (不納欠損)."""
    from ..services.actions import write_off
    click.echo(f"{household_no}: {_act(obj, write_off, household_no, _today(on), obj.actor)}")


@cli.group()
def letters():
    """The letter register: list, print batches, reprint, returned mail."""


@letters.command("list")
@click.option("--date", "on", callback=parse_date, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def letters_list(obj: Context, on, as_json):
    from ..services.letters import list_letters
    obj.authorize("read_letters")
    _log_letters_read(obj, on, "letters list")
    with obj.engine().connect() as conn:
        rows = list_letters(conn, on)
    emit(rows, as_json, "\n".join(f"{r['serial']}  {r['type']:<20} {r['household_no']}  {r['status']}" for r in rows)
         or f"no letters issued on {on}")


@letters.command("print")
@click.option("--date", "on", callback=parse_date, required=True)
@click.pass_obj
def letters_print(obj: Context, on):
    """(Re)write a date's PDF batches, manifest and checksums under OUT/letters/DATE/."""
    from ..services.letters import write_batches
    obj.authorize("print_letters")
    _log_letters_read(obj, on, "letters print")
    with obj.engine().connect() as conn:
        manifest = write_batches(conn, _workflow(obj), on, obj.out)
    click.echo(f"{len(manifest):,} letters written to {obj.out / 'letters' / on.isoformat()}")


@letters.command("reprint")
@click.argument("serial")
@click.option("--to", "path", type=click.Path(dir_okay=False), help="PDF file (default OUT/reprints/SERIAL.pdf).")
@click.pass_obj
def letters_reprint(obj: Context, serial, path):
    """Render one letter again from the data as it was on its issue date."""
    from ..services.letters import find_letter, reprint
    from ..services.staff import log_access
    obj.authorize("read_household")
    target = Path(path) if path else obj.out / "reprints" / f"{serial}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    with transaction(obj.engine()) as conn:
        log_access(conn, obj.actor, find_letter(conn, serial).household_id, f"reprint {serial}", "letters reprint")
        reprint(conn, _workflow(obj), serial, target)
    click.echo(str(target))


@letters.command("mark-returned")
@click.argument("serial")
@click.option("--reason", required=True, help="e.g. 宛所不明")
@click.option("--on", callback=parse_date)
@click.pass_obj
def letters_mark_returned(obj: Context, serial, reason, on):
    """Record undelivered mail; a non-residence check is queued for staff."""
    from ..services.letters import mark_returned
    obj.authorize("mark_returned")
    with transaction(obj.engine()) as conn:
        mark_returned(conn, serial, reason, _today(on))
    click.echo(f"{serial}: returned ({reason}); non-residence check queued")


@cli.group()
def report():
    """Reports."""


@report.command("monthly")
@click.option("--fiscal-year", type=int, required=True)
@click.option("--as-of", callback=parse_date, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("--files/--no-files", default=True, show_default=True,
              help="Also write CSV, XLSX and HTML under OUT/reports/.")
@click.pass_obj
def report_monthly(obj: Context, fiscal_year, as_of, as_json, files):
    """Collection rates (domain.md §5) with the month-by-month series, projection and breakdowns."""
    from ..adapters.report_files import write_all
    from ..services.report import monthly, monthly_text
    obj.authorize("report")
    with obj.engine().connect() as conn:
        data = monthly(conn, fiscal_year, as_of, _workflow(obj).targets)
    written = write_all(data, obj.out / "reports") if files else []
    emit(data, as_json, monthly_text(data) + "".join(f"\n  written {p}" for p in written))


@cli.group()
def staff():
    """Staff and their roles; registering and changing them is an administrator's, audited."""


@staff.command("add")
@click.argument("user")
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(["clerk", "supervisor", "auditor", "operator", "administrator"]),
              required=True)
@click.option("--district", "districts", multiple=True, help="A town whose queue items this person works (repeat).")
@click.pass_obj
def staff_add(obj: Context, user, full_name, role, districts):
    """Register a person or change their role (an administrator's; on an empty database the first
    administrator registers themself)."""
    from ..services.staff import add
    _act(obj, add, obj.actor, user, full_name, role, list(districts))
    click.echo(f"{user}: {role}" + (f" ({', '.join(districts)})" if districts else ""))


@staff.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def staff_list(obj: Context, as_json):
    from ..services.staff import listing
    with obj.engine().connect() as conn:
        rows = listing(conn)
    emit(rows, as_json, "\n".join(f"{r['user']:<12}{r['role']:<12}{r['name']}  {', '.join(r['districts'])}"
                                   for r in rows) or "no staff registered")


@cli.group(invoke_without_command=True)
@click.option("--date", "on", callback=parse_date, help="Business date (default today).")
@click.option("--staff", "staff_user", help="Only this person's items (assigned or held).")
@click.option("--kind", help="Only this kind of item.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def queue(ctx, on, staff_user, kind, as_json):
    """Everything that needs a person today, in priority order; claim, release, reassign, close."""
    if ctx.invoked_subcommand:
        return
    from ..services.queue import items, listed_households, refresh
    from ..services.staff import log_reads
    obj = ctx.obj
    obj.authorize("read_queue")
    with transaction(obj.engine()) as conn:
        refresh(conn, _workflow(obj), _today(on))
        rows = items(conn, _today(on), staff_user, kind)
        log_reads(conn, obj.actor, listed_households(_today(on), staff_user, kind), "work queue", "queue")
    emit(rows, as_json, "\n".join(
        f"{r['id']:>7} {r['kind']:<24}{r['household_no']:<14}{r['amount']:>10,} yen  due {r['due_on']}  "
        f"limitation {r['limitation_on'] or '—':<10}  {r['assigned_to'] or '—'}"
        + (f" (held by {r['claimed_by']})" if r["claimed_by"] else "") for r in rows) or "nothing in the queue")


def _queue_item_household(conn, item_id: int) -> int:
    from ..adapters.tables import queue_items
    from sqlalchemy import select
    hid = conn.execute(select(queue_items.c.household_id).where(queue_items.c.id == item_id)).scalar()
    if hid is None:
        raise UserError(f"no queue item {item_id}")
    return hid


@queue.command("claim")
@click.argument("item_id", type=int)
@click.pass_obj
def queue_claim(obj: Context, item_id):
    """Take an item (compare-and-set: if someone holds it, you are told who). Opening it is logged."""
    from ..services.queue import claim
    from ..services.staff import log_access
    with transaction(obj.engine()) as conn:
        claim(conn, _workflow(obj), item_id, obj.actor)
        log_access(conn, obj.actor, _queue_item_household(conn, item_id), f"queue item {item_id}", "queue claim")
    click.echo(f"item {item_id}: held by {obj.actor}")


@queue.command("release")
@click.argument("item_id", type=int)
@click.pass_obj
def queue_release(obj: Context, item_id):
    from ..services.queue import release
    _act(obj, release, item_id, obj.actor)
    click.echo(f"item {item_id}: released")


@queue.command("reassign")
@click.argument("item_id", type=int)
@click.option("--to", "to_user", required=True)
@click.pass_obj
def queue_reassign(obj: Context, item_id, to_user):
    """Supervisor: give an item to someone else."""
    from ..services.queue import reassign
    _act(obj, reassign, item_id, to_user, obj.actor)
    click.echo(f"item {item_id}: assigned to {to_user}")


@queue.command("close")
@click.argument("item_id", type=int)
@click.option("--note", required=True, help="What was done.")
@ON
@click.pass_obj
def queue_close(obj: Context, item_id, note, on):
    from ..services.queue import close
    _act(obj, close, item_id, obj.actor, note, _today(on))
    click.echo(f"item {item_id}: closed")


@cli.group()
def audit():
    """Reviews of who did and saw what."""


@audit.command("access")
@click.option("--from", "start", callback=parse_date, required=True,
              help="First day, a Tokyo (Asia/Tokyo) office date: views from 00:00 Tokyo time.")
@click.option("--to", "end", callback=parse_date, required=True,
              help="Last day, a Tokyo (Asia/Tokyo) date, included: views until 24:00 Tokyo time.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit_access(obj: Context, start, end, as_json):
    """The periodic access-log review (seed 窓3): views per person, outside one's own queue, outside office hours.

    --from and --to are dates in Tokyo time (the office's days), whatever the machine's time zone."""
    from ..services.staff import access_review
    obj.authorize("audit_access")
    with obj.engine().connect() as conn:
        data = access_review(conn, start, end)
    lines = [f"access log {data['from']} – {data['to']}", "views per person:"]
    lines += [f"  {user:<14}{n:>6,}" for user, n in data["views_per_person"].items()]
    for key, title in (("outside_own_queue", "views of households outside the person's own queue"),
                       ("outside_office_hours", "views outside office hours (8:45–17:30 on office days)")):
        lines += [f"{title}: {len(data[key]):,}"]
        lines += [f"  {v['at']}  {v['user']:<12}{v['household_no']}  {v['purpose']}" for v in data[key]]
    emit(data, as_json, "\n".join(lines))


@cli.group()
def household():
    """One household."""


@household.command("show")
@click.argument("household_no")
@click.option("--as-of", callback=parse_date, help="Balances as of this date (default today).")
@click.option("--reason", default="照会", show_default=True, help="Why the record is opened (access log).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def household_show(obj: Context, household_no, as_of, reason, as_json):
    """A household's installments, balance, stage, letters and history (the opening is logged)."""
    from ..services.actions import household_id
    from ..services.households import show_household
    from ..services.staff import log_access
    from .clock import today
    obj.authorize("read_household")
    with transaction(obj.engine()) as conn:
        data = show_household(conn, household_no, as_of or today())
        log_access(conn, obj.actor, household_id(conn, household_no), reason, "household show")
    emit(data, as_json, _household_text(data))


def _household_text(d: dict) -> str:
    lines = [f"{d['household_no']}  {d['head_name']} ({d['head_name_kana']})  stage: {d['stage']}",
             f"  {d['postal_code']} {d['address']}" + ("  [居所不明]" if d["whereabouts_unknown"] else ""),
             f"  balance: current year {d['balance']['current_year']:,} yen, arrears {d['balance']['arrears']:,} yen, "
             f"credit {d['balance']['credit']:,} yen"]
    for i in d["installments"]:
        lines.append(f"  FY{i['fiscal_year']} #{i['installment']:>2} due {i['due_date']}  {i['amount']:>9,}  "
                     f"paid {i['paid']:>9,}  unpaid {i['unpaid']:>9,}"
                     + (f"  limitation {i['limitation_date']}" if i["limitation_date"] else ""))
    return "\n".join(lines)


@cli.command("late-fee")
@click.option("--amount", type=int, required=True, help="Unpaid installment amount in yen.")
@click.option("--due", callback=parse_date, required=True, help="Due date YYYY-MM-DD.")
@click.option("--paid", callback=parse_date, required=True, help="Payment date YYYY-MM-DD.")
@click.option("--band-months", type=click.Choice(["1", "3"]), default="1", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def late_fee_command(amount, due, paid, band_months, as_json):
    """延滞金 on one installment (地方自治法231条の3②, 地方税法附則3条の2)."""
    from ..domain.late_fee import late_fee
    if amount < 0:
        raise UserError("--amount must not be negative")
    if paid < due:
        raise UserError(f"--paid {paid} is before --due {due}")
    fee = late_fee(amount, due, paid, band_months=int(band_months))
    data = {"late_fee": fee.late_fee, "base": fee.base,
            "segments": [{"from": s.start.isoformat(), "to": s.end.isoformat(), "days": s.days,
                          "rate": str(s.rate), "amount": s.amount} for s in fee.segments]}
    text = "\n".join([f"base {fee.base:,} yen"]
                     + [f"  {s.start} – {s.end}  {s.days:>4} days at {s.rate}%  {s.amount:>8,} yen" for s in fee.segments]
                     + [f"late fee {fee.late_fee:,} yen (segments {sum(s.amount for s in fee.segments):,} yen, "
                        "under 1,000 → 0, else truncated to 100)"])
    emit(data, as_json, text)


@cli.command("seizable")
@click.option("--wage", type=int, required=True, help="One month's pay in yen.")
@click.option("--income-tax", type=int, default=0)
@click.option("--resident-tax", type=int, default=0)
@click.option("--social-insurance", type=int, default=0)
@click.option("--relatives", type=int, default=0, help="Relatives sharing the debtor's livelihood.")
@click.option("--json", "as_json", is_flag=True)
def seizable_command(wage, income_tax, resident_tax, social_insurance, relatives, as_json):
    """差押禁止額 and the seizable part of a month's wage (国税徴収法76条)."""
    from ..domain.seizable import seizable_wage
    try:
        r = seizable_wage(wage, income_tax=income_tax, resident_tax=resident_tax,
                          social_insurance=social_insurance, relatives=relatives)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    emit({"wage": r.wage, "protected": r.protected, "seizable": r.seizable}, as_json,
         f"wage {r.wage:,} yen, protected {r.protected:,} yen, seizable {r.seizable:,} yen")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except UserError as exc:
        click.echo(f"nhi-collect: {exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception:
        import traceback
        traceback.print_exc()
        click.echo("nhi-collect: internal error (the traceback above is for the developers); nothing was "
                   "committed by the failed step", err=True)
        sys.exit(1)
