"""`import KIND FILE` and `db upgrade`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...bootstrap import Services
from ...errors import ImportRejected, UserError
from ...services.imports import KINDS, ImportResult, import_file
from .common import JSON, emit, pass_services


@click.group()
def db():
    """Database maintenance."""


@db.command("upgrade")
@pass_services
def db_upgrade(obj: Services):
    """Bring the schema to the latest migration."""
    obj.engine()
    click.echo(f"schema is up to date ({obj.url.split('@')[-1]})")


@click.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--encoding", default="utf-8", show_default=True, help="utf-8 (BOM or not) or cp932.")
@JSON
@pass_services
def import_command(obj: Services, kind, file, encoding, as_json):
    """Import one CSV file: all rows or none."""
    if not Path(file).is_file():
        raise UserError(f"{file}: no such file")
    obj.authorize("import")
    try:
        result = obj.transact(import_file, kind, file, encoding=encoding, actor=obj.actor, today=obj.today(),
                              band_months=obj.workflow.policy.band_months)
    except ImportRejected as rejected:
        if as_json:
            click.echo(json.dumps(ImportResult(kind, rejected=rejected.errors).as_json(), ensure_ascii=False))
        raise
    emit(result.as_json(), as_json,
         f"{kind}: {result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged")


COMMANDS = (db, import_command)
