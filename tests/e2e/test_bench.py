"""The benchmark at ward size (10,000 households) as a smoke test: every step runs and reports; no timings
are asserted (the machine is shared). The figures at city size are measured by hand (README)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import BACKENDS, database_url
from tests.support.cli import cli

STEPS = ["generate ward", "import households", "import assessments", "import adjustments", "import payments",
         "catch-up date 2024-06-03", "July round 2024-07-05", "quiet day 2024-07-08", "work queue refresh 2024-07-08",
         "letters to HTML (context + template)",
         "letters to PDF, chromium (40 letters)", "letters to PDF, weasyprint (40 letters)",
         "monthly report (the two rates)", "monthly report (with series, breakdowns)"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_bench_at_ward_size(backend, tmp_path):
    url = database_url(backend, tmp_path, "bench")
    done = cli("--out", str(tmp_path / "out"), "bench", "--households", "10000", "--db", url,
               "--pdf-letters", "40", "--naive-letters", "4", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    steps = {s["name"]: s for s in result["steps"]}
    has_chromium = shutil.which("chromium") is not None  # the set-up installs it; the bench measures what is there
    assert list(steps) == [s for s in STEPS if has_chromium or "chromium" not in s]
    assert all(s["seconds"] > 0 for s in steps.values())
    assert steps["import assessments"]["count"] == 10_000 * 3 * 10
    assert steps["July round 2024-07-05"]["count"] > 0 and steps["July round 2024-07-05"]["baseline_seconds"] > 0
    assert steps["letters to HTML (context + template)"]["count"] >= 40
    for engine in ("chromium", "weasyprint") if has_chromium else ("weasyprint",):
        step = steps[f"letters to PDF, {engine} (40 letters)"]
        assert step["count"] >= 40 and step["ratio_to_baseline"] is not None  # pages: at least one per letter
    # the report and the hand-written aggregate agree on both rates, and they are near the seed's
    report, bare = result["rates"]["report"], result["rates"]["bare_sql"]
    assert [float(r) for r in report] == bare
    assert 88 < bare[0] < 96 and 15 < bare[1] < 40
    assert (tmp_path / "out" / "bench" / f"bench-10000-{result['database']}.json").exists()


def test_bench_refuses_a_database_with_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'used.db'}"
    first = cli("--out", str(tmp_path / "o"), "bench", "--households", "100", "--db", url, "--pdf-letters", "1",
                "--naive-letters", "1")
    assert first.returncode == 0, first.stderr
    again = cli("--out", str(tmp_path / "o"), "bench", "--households", "100", "--db", url)
    assert again.returncode == 2 and "empty database" in again.stderr and "Traceback" not in again.stderr
