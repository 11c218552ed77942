"""The command line run as a subprocess, as a registered supervisor of the database."""

from __future__ import annotations

import subprocess
import sys

from nhi_collect.adapters.db import make_engine, upgrade
from tests.conftest import register_staff

_registered: set[str] = set()  # databases whose tester is registered (once per run)
TESTER = "tester"  # a supervisor, who may import, run dates and read (workflows/taisho.toml [roles])


def cli(*args, db=None, cwd=None):
    prefix = ["--db", db, "--as", TESTER] if db else []
    if db and db not in _registered:
        engine = make_engine(db)
        upgrade(engine)
        register_staff(engine, {TESTER: "supervisor"})
        engine.dispose()
        _registered.add(db)
    return subprocess.run([sys.executable, "-m", "nhi_collect", *prefix, *args], capture_output=True, text=True,
                          cwd=cwd)
