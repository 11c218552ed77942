"""Daily input files for simulations: a ward's payments and adjustments split by the day they arrive.

A real ward receives a bank file each day; a simulation must likewise learn of a payment only on
its date, or the workflow would see money from the future.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from ..adapters.db import transaction
from ..services.imports import import_file

DATED = {"payments": "paid_on", "adjustments": "adjusted_on"}


def split_by_day(ward: Path, feed: Path) -> dict[str, int]:
    """Write feed/<kind>/<YYYY-MM-DD>.csv for each dated kind; returns the number of day files."""
    written = {}
    for kind, column in DATED.items():
        with open(ward / f"{kind}.csv", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            at = header.index(column)
            days: dict[str, list[list[str]]] = defaultdict(list)
            for row in reader:
                days[row[at]].append(row)
        (feed / kind).mkdir(parents=True, exist_ok=True)
        for day, rows in days.items():
            with open(feed / kind / f"{day}.csv", "w", encoding="utf-8", newline="") as out:
                w = csv.writer(out, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)
        written[kind] = len(days)
    return written


def import_day(engine: Engine, feed: Path, on: date, actor: str = "feed") -> int:
    """Import the day's files (adjustments first, then payments); re-importing is a no-op. The files arrive
    on `on`, so the import's date windows are placed on that office day, not on the machine's clock."""
    rows = 0
    for kind in ("adjustments", "payments"):
        path = feed / kind / f"{on.isoformat()}.csv"
        if path.exists():
            with transaction(engine) as conn:
                rows += import_file(conn, kind, str(path), actor=actor, today=on).inserted
    return rows


def import_until(engine: Engine, ward: Path, until: date, feed: Path) -> None:
    """Everything dated before `until` at once (the history before a simulation starts)."""
    for kind in ("adjustments", "payments"):
        files = sorted(p for p in (feed / kind).glob("*.csv") if p.stem < until.isoformat())
        if not files:
            continue
        merged = feed / f"{kind}-before-{until.isoformat()}.csv"
        with open(merged, "w", encoding="utf-8", newline="") as out:
            for n, path in enumerate(files):
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                out.writelines(lines if n == 0 else lines[1:])
        with transaction(engine) as conn:
            import_file(conn, kind, str(merged), actor="feed")
