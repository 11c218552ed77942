"""`--workflow FILE`: another ward's file is read everywhere the shipped one would be."""

from __future__ import annotations

import json
import subprocess
import sys

from nhi_collect.adapters.db import make_engine, upgrade
from nhi_collect.workflow.definition import default_path
from tests.conftest import register_staff


def cli(*args, db):
    """As a registered supervisor (conftest allows --as for the tests)."""
    return subprocess.run([sys.executable, "-m", "nhi_collect", "--db", db, "--as", "boss", *args],
                          capture_output=True, text=True)


def test_a_changed_copy_of_the_ward_file_changes_what_a_date_does_and_the_targets(tmp_path):
    shipped = default_path().read_text("utf-8")
    daily_demands = 'job = "demand_notices"\nlabel = "督促状の発行"\nevery = "business_day"\ntriggers = ["issue_demand"]'
    assert daily_demands in shipped and 'current_year = "92.13"' in shipped
    ward_file = tmp_path / "other-ward.toml"  # a ward whose daily demand job fires nothing, with its own target
    ward_file.write_text(shipped.replace(daily_demands, daily_demands.replace('["issue_demand"]', "[]"))
                         .replace('current_year = "92.13"', 'current_year = "95.50"'), encoding="utf-8")
    ward = tmp_path / "ward"
    assert cli("generate", "--households", "60", "--fiscal-years", "2023-2023", "--seed", "4", "--out", str(ward),
               db="sqlite://").returncode == 0
    results = {}
    for name, extra in (("shipped", []), ("other", ["--workflow", str(ward_file)])):
        db = f"sqlite:///{tmp_path / name}.db"
        engine = make_engine(db)
        upgrade(engine)
        register_staff(engine, {"boss": "supervisor"})
        engine.dispose()
        for kind in ("households", "assessments"):
            assert cli("import", kind, str(ward / f"{kind}.csv"), db=db).returncode == 0
        done = cli(*extra, "--out", str(tmp_path / name), "run", "--date", "2023-08-21", "--json", db=db)
        assert done.returncode == 0, done.stderr
        report = cli(*extra, "report", "monthly", "--fiscal-year", "2023", "--as-of", "2023-08-31", "--no-files",
                     "--json", db=db)
        assert report.returncode == 0, report.stderr
        demands = next(j for j in json.loads(done.stdout)["jobs"] if j["name"] == "demand_notices")
        results[name] = demands["letters"], json.loads(report.stdout)["targets"]["current_year"]
    assert results["shipped"][0] > 0 and results["shipped"][1] == "92.13"
    assert results["other"] == (0, "95.50")
