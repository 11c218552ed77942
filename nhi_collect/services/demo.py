"""The README's main job: a synthetic Taisho ward generated, imported and summarised."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, func, select

from ..adapters.db import transaction
from ..adapters.tables import adjustments, assessments, households, payments
from .imports import ImportResult, import_file
from .rates import CollectionRates, collection_rates
from .synthetic import generate_ward

KINDS = ("households", "assessments", "adjustments", "payments")


@dataclass
class DemoSummary:
    imported: dict[str, ImportResult]
    counts: dict[str, int]
    rates: dict[int, CollectionRates]


def run_demo(engine: Engine, out: Path, households_: int, years: range, seed: int,
             progress: Callable[[str], None] = lambda _msg: None) -> DemoSummary:
    ward = out / "ward"
    progress(f"generating {households_:,} households, fiscal years {years[0]}–{years[-1]}")
    generate_ward(households_, years, seed, ward)
    imported = {}
    for kind in KINDS:
        progress(f"importing {kind}")
        with transaction(engine) as conn:
            imported[kind] = import_file(conn, kind, str(ward / f"{kind}.csv"), actor="demo")
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (households, assessments, adjustments, payments)}
        rates = {n: collection_rates(conn, n) for n in years[1:]}
    return DemoSummary(imported, counts, rates)
