"""The scheduler process: APScheduler 3 in Asia/Tokyo calling the same job code as `run`.

Only one scheduler may drive a database: PostgreSQL holds a session advisory lock for the life of
the process, SQLite an exclusive lock on a file beside the database. On start, and every morning,
it catches up every business date not yet run, in order, through today (services/business_date.py).
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, text

TIMEZONE = "Asia/Tokyo"
LOCK_KEY = 7_115_0044  # any constant shared by every nhi-collect scheduler
log = logging.getLogger("nhi_collect.scheduler")


class SchedulerBusy(RuntimeError):
    pass


class SchedulerLock:
    def __init__(self, engine: Engine):
        self.engine, self._conn, self._file = engine, None, None

    def __enter__(self):
        if self.engine.dialect.name == "postgresql":
            self._conn = self.engine.connect()
            if not self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                self._conn.close()
                raise SchedulerBusy("another nhi-collect scheduler is already running on this database")
            self._conn.commit()
        else:
            # keyed on the database file itself: through a symlink or another relative path the same
            # database used to get a second lock file, and a second scheduler
            path = Path(self.engine.url.database or "nhi_collect.db").resolve().with_suffix(".scheduler.lock")
            self._file = open(path, "w")
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise SchedulerBusy(f"another nhi-collect scheduler holds {path}") from None
        return self

    def __exit__(self, *_exc):
        if self._conn is not None:
            # the pool keeps the session open: a session-level advisory lock must be released by hand
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            self._conn.commit()
            self._conn.close()
        if self._file is not None:
            self._file.close()


def serve(engine: Engine, catch_up: Callable[[], list], at: str = "06:00",
          scheduler_factory: Callable[..., object] | None = None) -> None:
    """Hold the lock, catch up, then call `catch_up` every morning at `at` (Asia/Tokyo) until stopped.
    `scheduler_factory` stands in for APScheduler's BlockingScheduler in tests (no real waiting)."""
    if scheduler_factory is None:
        from apscheduler.schedulers.blocking import BlockingScheduler as scheduler_factory
    hour, minute = (int(x) for x in at.split(":"))
    with SchedulerLock(engine):
        caught = catch_up()
        log.info("caught up %d date(s)", len(caught))
        scheduler = scheduler_factory(timezone=TIMEZONE)
        # A morning missed while the machine was down still runs when it comes back (grace 12 hours),
        # and catch_up covers any longer gap.
        scheduler.add_job(catch_up, "cron", hour=hour, minute=minute, misfire_grace_time=12 * 3600, coalesce=True,
                          max_instances=1)
        scheduler.start()
