"""What every command module shares: the context object, dates and JSON on the command line."""

from __future__ import annotations

import json
from datetime import date

import click

from ...bootstrap import Services

pass_services = click.make_pass_decorator(Services)


def emit(data, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


def parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def today_or(obj: Services, on: date | None) -> date:
    return on or obj.today()


JSON = click.option("--json", "as_json", is_flag=True)
ON = click.option("--on", callback=parse_date, help="Date of the action (default today).")
