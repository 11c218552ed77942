"""Refusals the user can act on (exit status 2, contract.md); anything else is an internal error."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """Bad input or an impossible action: reported in one paragraph, nothing changed."""


@dataclass(frozen=True)
class RowError:
    line: int
    error: str


class ImportRejected(UserError):
    def __init__(self, kind: str, path: str, errors: list[RowError]):
        self.kind, self.path = kind, path
        self.errors = sorted(errors, key=lambda e: (e.line, e.error))
        lines = "; ".join(f"line {e.line}: {e.error}" for e in self.errors)
        super().__init__(f"{path}: {kind} import rejected, nothing was stored "
                         f"({len(self.errors)} bad row(s)): {lines}")
