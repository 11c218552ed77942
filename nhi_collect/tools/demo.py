"""The README's main job: a synthetic Taisho ward run through fiscal year 2023 by the calendar.

Three years of history (FY2021–2023) are generated; households and assessments are imported, and
payments and adjustments dated before 2023-04-01 too; from then on each day's files arrive on their
day, the calendar's jobs run, simulated staff act and the day's letters are printed to PDF under
out/letters/ (laid out on the other cores while the next days run), and each month's collection-rate
report is written under out/reports/, until the closing period ends on 2024-05-31.
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Engine, func, select

from ..adapters.db import transaction
from ..adapters.report_files import write_all
from ..adapters.tables import applications, audit_log, households, letters, seizures, staff
from ..domain.calendar import month_end
from ..services.households import current_accounting_year
from ..services.imports import import_file
from ..services.letters import Printing, start_batches
from ..services.printing import complete
from ..services.rates import CollectionRates, collection_rates, late_fees
from ..services.report import monthly
from ..workflow.definition import Workflow
from .feed import import_until, split_by_day
from .inbox import file_open_applications, file_open_proposals
from ..services.identity import ALLOW_AS, login_name
from ..services.signin import set_password
from ..services.staff import register_simulated
from ..workflow.machine import Refused
from .simulation import SIMULATED_STAFF, simulate
from .synthetic import TOWNS, generate_ward

FISCAL_YEAR = 2023
START, END = date(2023, 4, 1), date(2024, 5, 31)
PRINT_BACKLOG_LETTERS = 10_000
DEMO_IMPORTERS = ("demo", "feed")  # the actors of the demo's own imports (here and tools/feed.py)
# The staff app's accounts on the demo's training database (README): clerks working the ward's towns between
# them, so the nightly queue is assigned to them, a supervisor and an auditor. Their password is public:
# refuse_real_database keeps the demo, and with it these accounts, off any database with real staff.
DEMO_PASSWORD = "demo-password"
DEMO_ACCOUNTS = {"demo-tanaka": ("田中 一郎", "clerk"), "demo-sato": ("佐藤 花子", "clerk"),
                 "demo-suzuki": ("鈴木 課長", "supervisor"), "demo-kansa": ("監査 次郎", "auditor")}
DEMO_CLERKS = [user for user, (_name, role) in DEMO_ACCOUNTS.items() if role == "clerk"]


@dataclass
class DemoSummary:
    monthly_stages: dict[date, Counter] = field(default_factory=dict)
    letters: Counter = field(default_factory=Counter)
    seizures: int = 0
    collected_by_seizure: int = 0
    rates: CollectionRates | None = None
    late_fees: dict = field(default_factory=dict)  # rates.late_fees: collected and booked in the year
    printed_letters: int = 0
    printed_pages: int = 0
    run_seconds: float = 0.0  # the calendar's run, with every letter printed
    print_wait_seconds: float = 0.0  # of which spent waiting for PDFs
    reports: list[Path] = field(default_factory=list)
    open_proposals: int = 0  # left in the decision inbox on the last day, for the staff app's supervisor
    open_applications: int = 0  # and the applications open then, some past their period


def stage_counts(engine: Engine) -> Counter:
    with engine.connect() as conn:
        return Counter(dict(conn.execute(select(households.c.stage, func.count()).group_by(households.c.stage)).all()))


def refuse_real_database(engine: Engine) -> None:
    """The demo imports a synthetic ward and lets its simulated staff act as others (NHI_COLLECT_ALLOW_AS):
    only on a fresh database or one an earlier demo made (re-running `make demo` stays possible), never
    over real staff or real files (contract.md, who acts: --as only in simulations and training)."""
    with engine.connect() as conn:
        people = set(conn.execute(select(staff.c.user_name)).scalars()) - set(SIMULATED_STAFF) - set(DEMO_ACCOUNTS)
        importers = set(conn.execute(select(audit_log.c.actor).where(audit_log.c.action == "import")).scalars())
    foreign = sorted(people | (importers - set(DEMO_IMPORTERS)))
    if foreign:
        raise Refused(f"the demo runs only on a fresh database or one an earlier demo made: this one has staff "
                      f"or imports by {', '.join(foreign[:5])}, and the demo's simulated staff act as others "
                      f"({ALLOW_AS}, allowed only in simulations and training, contract.md). Give it its own "
                      "database with --db")


def register_demo_accounts(engine: Engine, workflow: Workflow) -> None:
    """The staff app's demo accounts, each with DEMO_PASSWORD; the clerks split the ward's towns."""
    with transaction(engine) as conn:
        register_simulated(conn, {user: role for user, (_name, role) in DEMO_ACCOUNTS.items()}, "demo")
        for user, (name, _role) in DEMO_ACCOUNTS.items():
            towns = [town for i, (town, *_rest) in enumerate(TOWNS) if user in DEMO_CLERKS
                     and DEMO_CLERKS[i % len(DEMO_CLERKS)] == user]
            conn.execute(staff.update().where(staff.c.user_name == user)
                         .values(full_name=name, districts=",".join(towns)))
            set_password(conn, workflow, user, user, DEMO_PASSWORD)


@contextmanager
def acting_as_allowed_here() -> Iterator[None]:
    """NHI_COLLECT_ALLOW_AS for the demo's own simulation only, then as it was."""
    before = os.environ.get(ALLOW_AS)
    os.environ[ALLOW_AS] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[ALLOW_AS]
        else:
            os.environ[ALLOW_AS] = before


def run_demo(engine: Engine, workflow: Workflow, out: Path, households_: int = 10_000, seed: int = 2023,
             progress: Callable[[str], None] = lambda _m: None,
             on_day: Callable[[date], None] = lambda _d: None, pdf_engine: str | None = None) -> DemoSummary:
    refuse_real_database(engine)
    ward, feed = out / "ward", out / "feed"
    progress(f"generating {households_:,} households with fiscal years 2021–2023")
    generate_ward(households_, range(FISCAL_YEAR - 2, FISCAL_YEAR + 1), seed, ward)
    split_by_day(ward, feed)
    progress("importing households, assessments and the history before 2023-04-01")
    for kind in ("households", "assessments"):
        with transaction(engine) as conn:
            import_file(conn, kind, str(ward / f"{kind}.csv"), actor="demo")
    import_until(engine, ward, START, feed)
    summary = DemoSummary()
    printing: deque[tuple[date, Printing]] = deque()

    def printed(on: date, day: Printing) -> None:
        started = time.perf_counter()
        manifest = complete(engine, on, out, day, (login_name(), "demo")).manifest  # verified against the register and recorded
        summary.print_wait_seconds += time.perf_counter() - started
        summary.printed_letters += len(manifest)
        summary.printed_pages += sum(int(m["pages"].split("-")[1]) - int(m["pages"].split("-")[0]) + 1
                                     for m in manifest)

    def print_date(on: date) -> None:
        with engine.connect() as conn:  # every letter of the day, as the print vendor gets it
            printing.append((on, start_batches(conn, workflow, on, out, pdf_engine=pdf_engine)))
        # the PDFs are laid out on the other cores while the next days run; the letters waiting for them
        # are bounded (about 4 kB of HTML each), so memory is too
        while sum(day.letters for _on, day in printing) > PRINT_BACKLOG_LETTERS:
            printed(*printing.popleft())

    def after_day(on: date, _reports) -> None:
        on_day(on)
        if on == month_end(on.year, on.month):
            summary.monthly_stages[on] = stage_counts(engine)
            with engine.connect() as conn:  # the month's report, as the section head gets it
                report = monthly(conn, current_accounting_year(on), on, workflow.targets)
            summary.reports += write_all(report, out / "reports")

    progress("running fiscal year 2023 through the calendar, 2023-04-01 to 2024-05-31")
    started = time.perf_counter()
    # The demo's database is a training database (refuse_real_database): its simulated staff act as others,
    # which is allowed only explicitly; the simulation records their registration in the audit log.
    with acting_as_allowed_here():
        register_demo_accounts(engine, workflow)
        simulate(engine, workflow, START, END, feed, after_day=after_day, print_date=print_date,
                 started=(login_name(), "demo"))
    while printing:
        printed(*printing.popleft())
    summary.run_seconds = time.perf_counter() - started
    with engine.connect() as conn:
        summary.letters = Counter(dict(conn.execute(select(letters.c.letter_type, func.count())
                                                    .where(letters.c.issued_on.between(START, END))
                                                    .group_by(letters.c.letter_type)).all()))
        summary.seizures, summary.collected_by_seizure = conn.execute(
            select(func.count(), func.coalesce(func.sum(seizures.c.collected), 0))
            .where(seizures.c.executed_on.between(START, END))).one()
        summary.rates = collection_rates(conn, FISCAL_YEAR, END)
        summary.late_fees = late_fees(conn, FISCAL_YEAR, END)
    # The simulated supervisor decides every proposal on its day and the simulated clerks answer every
    # application; the training database gets a few of each left open on the last day, by the demo's clerks,
    # after every figure above was taken: an open proposal or application changes no stage, rate or letter.
    summary.open_proposals = file_open_proposals(engine, workflow, END, DEMO_CLERKS, per=500, least=6)
    file_open_applications(engine, workflow, END, DEMO_CLERKS)  # none if the simulated clerks left some open
    with engine.connect() as conn:
        summary.open_applications = conn.execute(select(func.count()).select_from(applications)
                                                 .where(applications.c.status == "open")).scalar_one()
    return summary


def days(start: date = START, end: date = END) -> int:
    return (end - start).days + 1
