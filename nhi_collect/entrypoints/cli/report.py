"""`report monthly`: the two collection rates with the series, projection and breakdowns."""

from __future__ import annotations

import click

from ...bootstrap import Services
from ...services.report import monthly_text, monthly_with_files
from .common import JSON, emit, parse_date, pass_services


@click.group()
def report():
    """Reports."""


@report.command("monthly")
@click.option("--fiscal-year", type=int, required=True)
@click.option("--as-of", callback=parse_date, required=True)
@JSON
@click.option("--files/--no-files", default=True, show_default=True,
              help="Also write CSV, XLSX and HTML under OUT/reports/.")
@pass_services
def report_monthly(obj: Services, fiscal_year, as_of, as_json, files):
    """Collection rates (domain.md §5) with the month-by-month series, projection and breakdowns."""
    obj.authorize("report")
    data, written = obj.read(monthly_with_files, fiscal_year, as_of, obj.workflow.targets,
                             obj.out / "reports" if files else None)
    emit(data, as_json, monthly_text(data) + "".join(f"\n  written {p}" for p in written))


COMMANDS = (report,)
