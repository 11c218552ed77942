"""A simulate process killed with SIGKILL midway, then run again, ends exactly as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

from sqlalchemy import func, select

from nhi_collect.adapters.db import make_engine, upgrade
from nhi_collect.adapters.tables import batch_runs
from nhi_collect.services.feed import split_by_day
from nhi_collect.services.simulation import simulate
from nhi_collect.services.synthetic import generate_ward
from nhi_collect.workflow.definition import load
from tests.integration.test_workflow import load_ward, snapshot

FROM, TO = date(2023, 7, 3), date(2023, 7, 12)


def test_sigkill_then_rerun_equals_a_clean_run(tmp_path):
    root = tmp_path
    generate_ward(120, range(2022, 2024), 31, root / "ward")
    split_by_day(root / "ward", root / "feed")
    engines = {}
    for name in ("clean", "killed"):
        engines[name] = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engines[name])
        load_ward(engines[name], root, until=FROM)
    simulate(engines["clean"], load(), FROM, TO, root / "feed", staff=False)

    args = [sys.executable, "-m", "nhi_collect", "--db", f"sqlite:///{tmp_path / 'killed.db'}", "--out",
            str(tmp_path / "out"), "simulate", "--from", FROM.isoformat(), "--to", TO.isoformat(),
            "--feed", str(root / "feed")]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    with engines["killed"].connect() as conn:
        while time.monotonic() < deadline:
            done = conn.execute(select(func.count()).select_from(batch_runs)).scalar_one()
            conn.rollback()
            if done >= 5:
                break
            time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    runs = {name: e.connect().execute(select(func.count()).select_from(batch_runs)).scalar_one()
            for name, e in engines.items()}
    assert 5 <= runs["killed"] < runs["clean"]  # it was killed midway

    rerun = subprocess.run(args, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(engines["killed"]) == snapshot(engines["clean"])
