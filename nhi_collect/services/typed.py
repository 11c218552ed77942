"""What a person types (contact summaries and promises, notes, reasons, names and districts given to
`staff add`, inquiry targets, household numbers) is screened as imported files are (csv_input.UNPRINTABLE):
control and bidirectional-override characters reach the register, the audit log and the printed or shown
record unseen, or reorder what a reader sees ("Trojan Source", CVE-2021-42574). One place for every entry
point: bootstrap.Services hands each use case's arguments here before the use case runs, so the command
line and the web app refuse the same text, naming the field. A password is never shown or stored as typed
(only its argon2 hash), so it is not screened: a guess holding such a character is a wrong password, counted
towards the lockout and logged like any other.
"""

from __future__ import annotations

import inspect
from typing import Callable

from ..workflow.machine import Refused
from .csv_input import UNPRINTABLE, unprintable


NOT_SCREENED = {"password"}


def screen(use_case: Callable, args: tuple, kwargs: dict) -> None:
    """Refused (exit 2) when a text argument of `use_case(conn, *args, **kwargs)` holds such a character.
    A line break is allowed: a note written over several lines is shown as typed (LF, or CR LF as an HTML
    form sends its text area's lines); a CR alone is refused."""
    try:
        bound = inspect.signature(use_case).bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return  # the call itself then fails the same way, or takes no named arguments to screen
    for name, value in bound.arguments.items():
        if name in NOT_SCREENED:
            continue
        for text in _texts(value):
            lines = text.replace("\r\n", " ").replace("\n", " ")
            if UNPRINTABLE.search(lines):
                raise Refused(unprintable(lines, name.rstrip("_")))


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    return []
