"""The fuzz campaign (nhi_collect/tools/fuzz.py) counts what it tries, and its database fingerprint
sees a single changed row, so "held" means what it says."""

from __future__ import annotations

import random
import sys

from sqlalchemy import update

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import households
from nhi_collect.tools.fuzz import KINDS, campaign, fingerprint, mutated
from tests.support.ledger import HOUSEHOLDS, run, write


def test_the_fingerprint_sees_one_changed_field(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS))
    url = engine.url.render_as_string(hide_password=False)
    before = fingerprint(url)
    assert fingerprint(url) == before
    with transaction(engine) as conn:
        conn.execute(update(households).where(households.c.household_no == "H2").values(phone="06-0000-0000"))
    assert fingerprint(url) != before


def test_mutations_are_reproducible_from_the_seed():
    first = [mutated(random.Random(7), kind) for kind in KINDS]
    assert first == [mutated(random.Random(7), kind) for kind in KINDS]
    assert first != [mutated(random.Random(8), kind) for kind in KINDS]


def test_a_campaign_holds_on_the_real_command(tmp_path):
    result = campaign(f"sqlite:///{tmp_path / 'fuzz.db'}", files=3, seconds=120, seed=1)
    assert (result.tried, result.held, result.failed) == (3, 3, 0), result.failures
    assert result.line() == "fuzz: tried 3, held 3, failed 0"


def test_a_campaign_counts_an_internal_error_as_failed(tmp_path):
    """A stand-in command that imports the seed files but fails on everything else, as a crash would."""
    crashing = tmp_path / "crashing.py"
    crashing.write_text("import runpy, sys\n"
                        "if 'seed-' not in sys.argv[-1]:\n"
                        "    sys.exit('Traceback (most recent call last):\\nValueError: boom')\n"
                        "sys.argv[0] = 'nhi-collect'\n"
                        "runpy.run_module('nhi_collect', run_name='__main__')\n", encoding="utf-8")
    keep = tmp_path / "kept"
    keep.mkdir()
    result = campaign(f"sqlite:///{tmp_path / 'fuzz.db'}", files=2, seconds=120, seed=1,
                      command=[sys.executable, str(crashing)], keep=keep)
    assert (result.tried, result.held, result.failed) == (2, 0, 2)
    assert all("ValueError: boom" in f for f in result.failures) and len(list(keep.iterdir())) == 2
