"""Spreadsheet cells that cannot run: OWASP's CSV-injection guidance. A text cell that begins with
=, +, -, @, tab or CR is read by Excel and LibreOffice as a formula (=HYPERLINK(...) sends a click
to any address, a DDE formula starts a program), so in CSV it is prefixed with a single quote, and in
XLSX it is written as a string with Excel's quote-prefix flag, never as a formula. Numbers, and text
that is just a number such as "-1500" or "-0.50", stay as they are."""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def needs_quote(value) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value)


def csv_cell(value):
    """The value as a CSV file carries it safely."""
    return "'" + value if needs_quote(value) else value


def csv_row(row: dict) -> dict:
    return {key: csv_cell(value) for key, value in row.items()}


def xlsx_cell(cell) -> None:
    """Keep an openpyxl cell's text a string: openpyxl itself turns text that begins with = into a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if needs_quote(cell.value):
            cell.quotePrefix = True
