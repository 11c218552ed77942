"""`letters ...`: the letter register: list, print a date's batches, reprint one, record returned mail."""

from __future__ import annotations

from pathlib import Path

import click

from ...bootstrap import Services
from ...services.printing import incomplete
from ...services.work import letters_of_date, reprint_letter, return_letter
from .common import JSON, emit, parse_date, pass_services, today_or
from .dates import warn_incomplete


@click.group()
def letters():
    """The letter register: list, print batches, their status, reprint, returned mail."""


@letters.command("list")
@click.option("--date", "on", callback=parse_date, required=True)
@JSON
@pass_services
def letters_list(obj: Services, on, as_json):
    rows = obj.transact(letters_of_date, obj.workflow, on, obj.actor)
    emit(rows, as_json, "\n".join(f"{r['serial']}  {r['type']:<20} {r['household_no']}  {r['status']}" for r in rows)
         or f"no letters issued on {on}")


@letters.command("print")
@click.option("--date", "on", callback=parse_date, required=True)
@pass_services
def letters_print(obj: Services, on):
    """(Re)write a date's PDF batches, manifest and checksums under OUT/letters/DATE/, verified."""
    obj.authorize("print_letters")
    report = obj.print_date(on)
    warn_incomplete({"printing": [report.as_json()]})
    click.echo(f"{report.printed:,} letters written to {obj.out / 'letters' / on.isoformat()}")


@letters.command("status")
@JSON
@pass_services
def letters_status(obj: Services, as_json):
    """Dates whose printing is incomplete: never written, died midway, a letter failed, or a letter issued
    since. `run` and the scheduler print them again; so does `letters print --date D`."""
    obj.authorize("print_letters")
    rows = obj.read(incomplete)
    emit(rows, as_json, "\n".join(
        f"{r['date']}  {r['status']:<12} {r['printed']:>7,} of {r['issued']:>7,} letters printed"
        + "".join(f"\n    not printed: {f['serial']} (household {f['household_no']}): {f['error']}" for f in r["failed"])
        for r in rows) or "every date's letters are printed and verified")


@letters.command("reprint")
@click.argument("serial")
@click.option("--to", "path", type=click.Path(dir_okay=False), help="PDF file (default OUT/reprints/SERIAL.pdf).")
@pass_services
def letters_reprint(obj: Services, serial, path):
    """Render one letter again from the data as it was on its issue date."""
    target = Path(path) if path else obj.out / "reprints" / f"{serial}.pdf"
    obj.transact(reprint_letter, obj.workflow, serial, obj.actor)(target)
    click.echo(str(target))


@letters.command("mark-returned")
@click.argument("serial")
@click.option("--reason", required=True, help="e.g. 宛所不明")
@click.option("--on", callback=parse_date)
@pass_services
def letters_mark_returned(obj: Services, serial, reason, on):
    """Record undelivered mail; a non-residence check is queued for staff."""
    obj.transact(return_letter, obj.workflow, serial, reason, today_or(obj, on), obj.actor)
    click.echo(f"{serial}: returned ({reason}); non-residence check queued")


COMMANDS = (letters,)
