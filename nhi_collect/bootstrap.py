"""Settings → services: the one place where the CLI, the scheduler and the web app are wired.

Everything is made on first use, never at import time: no engine, no workflow file read, no clock
read. Each entry point builds its Settings from its own options and the environment (contract.md),
then asks the Services object for what it needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Callable, Mapping

from .domain.calendar import TOKYO
from .errors import UserError

DEFAULT_URL = "sqlite:///nhi_collect.db"
PDF_ENGINES = ("chromium", "weasyprint")


def tokyo_clock(environ: Mapping[str, str] = os.environ) -> Callable[[], date]:
    """Today in Asia/Tokyo (the office's day, whatever the host's zone); NHI_COLLECT_TODAY pins it for
    simulations and tests. Read when asked, so that a bad pin stops only the commands that read it."""
    def today() -> date:
        pinned = environ.get("NHI_COLLECT_TODAY")
        if not pinned:
            return datetime.now(TOKYO).date()
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise UserError(f"NHI_COLLECT_TODAY={pinned!r} is not a date YYYY-MM-DD") from None
    return today


@dataclass(frozen=True)
class Settings:
    database_url: str
    out: Path
    workflow_file: str | None  # None: the shipped workflows/taisho.toml
    pdf_engine: str | None  # None: Chromium for large batches when installed, else WeasyPrint
    today: Callable[[], date] = field(compare=False)

    @classmethod
    def from_options(cls, db: str | None = None, out: str | Path | None = None, workflow: str | None = None,
                     environ: Mapping[str, str] = os.environ, today: Callable[[], date] | None = None) -> "Settings":
        """contract.md: `--db URL`, else NHI_COLLECT_DB, else sqlite:///nhi_collect.db here; `--out DIR`,
        else ./out; NHI_COLLECT_PDF_ENGINE chooses the PDF engine."""
        return cls(db or environ.get("NHI_COLLECT_DB") or DEFAULT_URL, Path(out or "out"), workflow,
                   environ.get("NHI_COLLECT_PDF_ENGINE") or None, today or tokyo_clock(environ))


class Services:
    """One object of services per process (or per web request's app). The engine and the workflow are
    made on first use; `engine()` brings the schema to the latest migration first (contract.md)."""

    def __init__(self, settings: Settings, actor: str | None = None,
                 command: Callable[[], str] = lambda: "nhi-collect", identity=None):
        from .services.identity import resolve
        self.settings = settings
        # the login; --as only where NHI_COLLECT_ALLOW_AS=1 (services/identity.py); or a proven `identity`
        self.identity = identity or resolve(actor)
        self.actor = self.identity.user
        self.command = command  # what is being run, for the record of an --as
        self._engine = None

    def acting_as(self, identity) -> "Services":
        """The same services acting as `identity`, a person proven otherwise than by the OS login (the web
        app's signed-in staff member: Actor(user, login="web")). The view shares this object's engine and
        workflow, made here first so that every view of a process uses one pool (dispose this object, not
        its views)."""
        view = Services(self.settings, command=self.command, identity=identity)
        view._engine, view.workflow = self.engine(), self.workflow
        return view

    @property
    def url(self) -> str:
        return self.settings.database_url

    @property
    def out(self) -> Path:
        return self.settings.out

    def today(self) -> date:
        return self.settings.today()

    @property
    def pdf_engine(self) -> str | None:
        """Checked when letters are printed, so that a bad value stops only the commands that print."""
        chosen = self.settings.pdf_engine
        if chosen not in (None, *PDF_ENGINES):
            raise UserError(f"NHI_COLLECT_PDF_ENGINE={chosen!r}: expected chromium or weasyprint")
        return chosen

    def engine(self, migrate: bool = True):
        from .adapters.db import make_engine, upgrade
        if self._engine is None:
            self._engine = make_engine(self.url)
            if migrate:
                upgrade(self._engine)
            if self.identity.via_as:  # each use of --as is recorded, with the command it ran
                from .services.identity import record_as
                self.transact(record_as, self.identity, self.command())
        return self._engine

    def authorize(self, action: str) -> None:
        """Refused (exit 2, naming the rule) unless the acting person's role carries `action` (the workflow
        file's [roles] and [actions], checked in services/identity.py)."""
        from .services.identity import authorize
        self.transact(authorize, self.workflow, self.actor, action)

    @cached_property
    def workflow(self):
        from .workflow.definition import load
        return load(self.settings.workflow_file)

    def transact(self, use_case: Callable, *args, **kwargs):
        """One unit of work: `use_case(conn, *args)` commits as a whole or not at all. What was typed is
        screened first (services/typed.py), so every entry point refuses the same text."""
        from .adapters.db import transaction
        from .services.typed import screen
        screen(use_case, args, kwargs)
        with transaction(self.engine()) as conn:
            return use_case(conn, *args, **kwargs)

    def read(self, use_case: Callable, *args, **kwargs):
        """`use_case(conn, *args)` on a connection that writes nothing (its typed text screened as above)."""
        from .services.typed import screen
        screen(use_case, args, kwargs)
        with self.engine().connect() as conn:
            return use_case(conn, *args, **kwargs)

    def print_date(self, on: date, command: str = "letters print"):
        """A date's batches, manifest and checksums written again from the register under OUT/letters/DATE/,
        verified and recorded (services/printing.py); printing reads every household's letter, so each is
        access-logged for the person printing."""
        from .services.printing import print_date
        from .services.work import log_letters_read
        self.transact(log_letters_read, on, self.actor, command)
        return print_date(self.engine(), self.workflow, on, self.out, self.pdf_engine, (self.actor, command))

    def print_pending(self, through: date, command: str = "run") -> list:
        """The print hook of `run`, `simulate` and the scheduler: every date up to `through` whose printing
        is incomplete (never written, died midway, a letter failed, a letter issued since), oldest first."""
        from .services.printing import pending
        return [self.print_date(on, command) for on in self.read(pending, through)]

    def business_dates(self, feed: Path | None = None, via: str = "run", **hooks):
        """The day loop of `run`, `simulate` and the scheduler (`via`, recorded with the acting person on each
        job's row), printing each date's letters; with `feed`, each day's payments and adjustments files are
        imported first (a simulation)."""
        from .services.business_date import BusinessDates
        self.pdf_engine  # a bad choice is refused before any date runs, not after its letters are issued
        if feed is not None:
            from .tools.feed import import_day
            hooks["before"] = lambda on: import_day(self.engine(), feed, on)
        return BusinessDates(self.engine(), self.workflow, print_date=lambda on: self.print_pending(on, via),
                             started=(self.actor, via), **hooks)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def bootstrap(db: str | None = None, out: str | Path | None = None, workflow: str | None = None,
              actor: str | None = None, environ: Mapping[str, str] = os.environ,
              today: Callable[[], date] | None = None,
              command: Callable[[], str] = lambda: "nhi-collect") -> Services:
    return Services(Settings.from_options(db, out, workflow, environ, today), actor, command)
