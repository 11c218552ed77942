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
from nhi_collect.tools.feed import split_by_day
from nhi_collect.tools.synthetic import generate_ward
from tests.conftest import register_staff
from tests.support.ward import load_ward, snapshot

FROM, TO = date(2023, 7, 3), date(2023, 7, 12)
PRINTS = FROM  # this ward's demand notices of the range go out on its first date


def test_sigkill_then_rerun_equals_a_clean_run(tmp_path):
    generate_ward(300, range(2022, 2024), 31, tmp_path / "ward")
    split_by_day(tmp_path / "ward", tmp_path / "feed")
    engines, args = {}, {}
    for name in ("clean", "killed"):
        engines[name] = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engines[name])
        load_ward(engines[name], tmp_path, until=FROM)
        register_staff(engines[name], {"operator": "operator"})
        args[name] = [sys.executable, "-m", "nhi_collect", "--db", f"sqlite:///{tmp_path / name}.db", "--as", "operator", "--out",
                      str(tmp_path / name), "simulate", "--from", FROM.isoformat(), "--to", TO.isoformat(),
                      "--feed", str(tmp_path / "feed")]
    subprocess.run(args["clean"], check=True, capture_output=True)

    process = subprocess.Popen(args["killed"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Killed as soon as the run is seen mid-way: PRINTS's letters are printed (its checksums are written
    # last), so its jobs have committed and the later dates' have not begun. A file, not a row: polling
    # the SQLite file contends for its lock with the writer, and the reader waited until the run ended.
    printed = tmp_path / "killed" / "letters" / PRINTS.isoformat() / "SHA256SUMS"
    while not printed.exists():
        assert process.poll() is None, "simulate ended before it was seen mid-way"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    runs = {}
    for name, engine in engines.items():
        with engine.connect() as conn:  # closed at once: an open SQLite transaction holds the write lock
            runs[name] = conn.execute(select(func.count()).select_from(batch_runs)).scalar_one()
    assert 1 <= runs["killed"] < runs["clean"]  # it was killed midway

    rerun = subprocess.run(args["killed"], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-1500:]
    assert snapshot(engines["killed"]) == snapshot(engines["clean"])
