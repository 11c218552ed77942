"""`letters ...`: the letter register: list, print a date's batches, reprint one, record returned mail."""

from __future__ import annotations

from pathlib import Path

import click

from ...bootstrap import Services
from ...services.letters import list_letters, mark_returned, reprint
from .common import JSON, emit, parse_date, pass_services, today_or


@click.group()
def letters():
    """The letter register: list, print batches, reprint, returned mail."""


@letters.command("list")
@click.option("--date", "on", callback=parse_date, required=True)
@JSON
@pass_services
def letters_list(obj: Services, on, as_json):
    rows = obj.read(list_letters, on)
    emit(rows, as_json, "\n".join(f"{r['serial']}  {r['type']:<20} {r['household_no']}  {r['status']}" for r in rows)
         or f"no letters issued on {on}")


@letters.command("print")
@click.option("--date", "on", callback=parse_date, required=True)
@pass_services
def letters_print(obj: Services, on):
    """(Re)write a date's PDF batches, manifest and checksums under OUT/letters/DATE/."""
    manifest = obj.print_date(on)
    click.echo(f"{len(manifest):,} letters written to {obj.out / 'letters' / on.isoformat()}")


@letters.command("reprint")
@click.argument("serial")
@click.option("--to", "path", type=click.Path(dir_okay=False), help="PDF file (default OUT/reprints/SERIAL.pdf).")
@pass_services
def letters_reprint(obj: Services, serial, path):
    """Render one letter again from the data as it was on its issue date."""
    target = Path(path) if path else obj.out / "reprints" / f"{serial}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    obj.read(reprint, obj.workflow, serial, target)
    click.echo(str(target))


@letters.command("mark-returned")
@click.argument("serial")
@click.option("--reason", required=True, help="e.g. 宛所不明")
@click.option("--on", callback=parse_date)
@pass_services
def letters_mark_returned(obj: Services, serial, reason, on):
    """Record undelivered mail; a non-residence check is queued for staff."""
    obj.transact(mark_returned, serial, reason, today_or(obj, on))
    click.echo(f"{serial}: returned ({reason}); non-residence check queued")


COMMANDS = (letters,)
