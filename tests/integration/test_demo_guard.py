"""The demo lets its simulated staff act as others (NHI_COLLECT_ALLOW_AS) only on a database of its own
(issue 15): a fresh one, or one an earlier demo made; never over real staff or real files, and the
setting ends with its simulation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from nhi_collect.adapters.db import transaction
from nhi_collect.adapters.tables import households, staff
from nhi_collect.services.identity import ALLOW_AS
from nhi_collect.services.staff import register_simulated
from nhi_collect.services.signin import sign_in
from nhi_collect.tools.demo import DEMO_PASSWORD, acting_as_allowed_here, refuse_real_database, register_demo_accounts
from nhi_collect.workflow.definition import load
from nhi_collect.tools.simulation import SIMULATED_STAFF
from nhi_collect.workflow.machine import Refused
from tests.conftest import register_staff
from tests.support.ledger import HOUSEHOLDS, run, write


def test_a_fresh_database_and_an_earlier_demos_are_the_demos_own(engine, tmp_path, monkeypatch):
    refuse_real_database(engine)  # fresh
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS), actor="demo")
    monkeypatch.setenv(ALLOW_AS, "1")
    with transaction(engine) as conn:
        register_simulated(conn, SIMULATED_STAFF, "simulation")
    register_demo_accounts(engine, load())
    refuse_real_database(engine)  # what a first `make demo` left: re-running it stays possible
    with transaction(engine) as conn:  # the staff app's demo accounts sign in with the README's password
        assert isinstance(sign_in(conn, "demo-tanaka", DEMO_PASSWORD, None), tuple)
        towns = dict(conn.execute(select(staff.c.user_name, staff.c.districts)).all())
    assert towns["demo-tanaka"] and towns["demo-sato"] and not set(towns["demo-tanaka"].split(",")) & set(
        towns["demo-sato"].split(","))


def test_real_staff_or_a_real_import_make_it_refuse(engine, tmp_path):
    register_staff(engine, {"tanaka": "clerk"})
    with pytest.raises(Refused, match=f"admin, tanaka.*{ALLOW_AS}"):
        refuse_real_database(engine)


def test_a_file_imported_by_a_person_makes_it_refuse(engine, tmp_path):
    run(engine, "households", write(tmp_path, "h.csv", HOUSEHOLDS), actor="tanaka")
    with pytest.raises(Refused, match="imports by tanaka"):
        refuse_real_database(engine)


def test_the_setting_ends_with_the_demos_simulation(monkeypatch):
    monkeypatch.delenv(ALLOW_AS, raising=False)
    with acting_as_allowed_here():
        assert os.environ[ALLOW_AS] == "1"
    assert ALLOW_AS not in os.environ
    monkeypatch.setenv(ALLOW_AS, "0")
    with pytest.raises(RuntimeError), acting_as_allowed_here():
        raise RuntimeError("the simulation failed")
    assert os.environ[ALLOW_AS] == "0"


def test_the_demo_command_over_real_staff_exits_2_and_imports_nothing(engine, tmp_path):
    register_staff(engine, {"tanaka": "clerk"})
    env = {k: v for k, v in os.environ.items() if k != ALLOW_AS}
    done = subprocess.run([sys.executable, "-m", "nhi_collect", "--db", engine.url.render_as_string(hide_password=False),
                           "--out", str(tmp_path / "out"), "demo", "--households", "20"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "the demo runs only on a fresh database" in done.stderr, done.stderr[-800:]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(households)).scalar_one() == 0
