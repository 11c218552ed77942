"""A plain, non-editable `pip install .` still finds migrations/ (and the other data folders)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ("migrations", "workflows", "letter_templates")


@pytest.mark.slow
def test_installed_package_carries_its_data_folders(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(ROOT)],
                   check=True, capture_output=True)
    probe = ("import sys\n"
             "from nhi_collect.resources import data_dir\n"
             "from nhi_collect.adapters.db import make_engine, upgrade\n"
             f"for name in {DATA!r}:\n"
             "    print(data_dir(name))\n"
             "upgrade(make_engine('sqlite:///' + sys.argv[1]))\n")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "x.db")], cwd=tmp_path,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = [Path(line) for line in done.stdout.split()]
    assert all(str(p).startswith(str(target)) for p in found), found
    for name, installed in zip(DATA, found):
        shipped = {p.relative_to(ROOT / name) for p in (ROOT / name).rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts}
        assert shipped <= {p.relative_to(installed) for p in installed.rglob("*") if p.is_file()}, name
