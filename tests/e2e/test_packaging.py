"""What a user installs: the built wheel, in a fresh virtual environment, with no source tree on the path.

An editable install once hid a wheel that lacked a package (nhi_collect.workflow): every command that ran a date
failed with ModuleNotFoundError. This test builds the wheel, installs it with its dependencies into a new virtual
environment and runs the main commands from a folder that holds no source.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ("migrations", "workflows", "letter_templates")
ROUND = "2023-07-05"  # the July round: demand notices, reminders and special reminders go out


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's nhi-collect, its python, the wheel) after `pip install WHEEL` into a new virtual environment."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(work / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((work / "dist").glob("nhi_collect-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return venv / "bin" / "nhi-collect", venv / "bin" / "python", wheel


def test_the_wheel_carries_every_package_of_the_source_tree(installed):
    _, _, wheel = installed
    in_wheel = {name.rsplit("/", 1)[0] for name in zipfile.ZipFile(wheel).namelist() if name.endswith("__init__.py")}
    in_tree = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "nhi_collect").rglob("__init__.py")}
    assert in_tree <= in_wheel, in_tree - in_wheel


def test_the_wheel_carries_the_web_apps_templates_and_assets(installed):
    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    web = ROOT / "nhi_collect" / "web"
    shipped = {str(p.relative_to(ROOT)) for folder in ("templates", "static") for p in (web / folder).rglob("*")
               if p.is_file()}  # the templates' subfolders too (act/: the forms of 次にできること)
    assert shipped and shipped <= names, shipped - names


def test_installed_data_folders_are_complete(installed, tmp_path):
    _, python, _ = installed
    probe = f"from nhi_collect.resources import data_dir\nfor n in {DATA!r}: print(data_dir(n))"
    found = [Path(p) for p in subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=_clean_env(),
                                             capture_output=True, text=True, check=True).stdout.split()]
    for name, there in zip(DATA, found):
        assert ROOT not in there.parents, there  # from the venv, not from this checkout
        shipped = {p.relative_to(ROOT / name) for p in (ROOT / name).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
        assert shipped <= {p.relative_to(there) for p in there.rglob("*") if p.is_file()}, name


def test_installed_commands_run_a_ward(installed, tmp_path):
    """generate → import → run a date → household show → letters print → report, from the installed command."""
    command, _, _ = installed
    env = _clean_env() | {"NHI_COLLECT_ALLOW_AS": "1"}  # a training database: the test acts as its staff

    def run(*args, actor: str | None = "tester") -> subprocess.CompletedProcess:
        done = subprocess.run([str(command), "--db", f"sqlite:///{tmp_path / 'ward.db'}",
                               *(("--as", actor) if actor else ()), *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
        return done

    # on an empty database the first administrator registers themself; they register the staff
    run("staff", "add", "admin", "--name", "管理 者", "--role", "administrator", actor="admin")
    run("staff", "add", "tester", "--name", "試験 太郎", "--role", "supervisor", actor="admin")
    run("generate", "--households", "60", "--fiscal-years", "2022-2023", "--seed", "3", "--out", "ward")
    for kind in ("households", "assessments", "adjustments", "payments"):
        assert json.loads(run("import", kind, f"ward/{kind}.csv", "--json").stdout)["rejected"] == []
    ran = json.loads(run("run", "--date", ROUND, "--json").stdout)
    letters = sum(job["letters"] for job in ran["jobs"])
    assert letters > 0, ran

    with open(tmp_path / "ward" / "households.csv", encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))["household_no"]
    shown = json.loads(run("household", "show", first, "--as-of", ROUND, "--json").stdout)
    assert shown["household_no"] == first and shown["installments"]

    run("letters", "print", "--date", ROUND)
    batch = tmp_path / "out" / "letters" / ROUND
    with open(batch / "manifest.csv", encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == letters
    assert list(batch.glob("*.pdf")) and all(p.read_bytes().startswith(b"%PDF") for p in batch.glob("*.pdf"))

    report = json.loads(run("report", "monthly", "--fiscal-year", "2023", "--as-of", "2023-07-31", "--json").stdout)
    assert report["fiscal_year"] == 2023 and report["current_year"]["assessed"] > 0


def _clean_env() -> dict:
    """No PYTHONPATH and no source tree: what a user's shell would have."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "NHI_COLLECT"))}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env
