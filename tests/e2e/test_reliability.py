"""The reliability script (nhi_collect/tools/reliability.py): loopback only, and its campaigns count."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from nhi_collect.tools import reliability
from tests.conftest import PG_URL, database_url


def test_a_server_off_this_machine_is_refused(capsys):
    assert reliability.main(["--server", "postgresql+psycopg://postgres@db.example.org:5432"]) == 2
    assert "on this machine" in capsys.readouterr().err


@pytest.mark.postgres
def test_the_concurrency_campaign_races_and_holds(tmp_path):
    database_url("postgresql", tmp_path)  # skips, with the reason, when the test server is unreachable
    server = make_url(PG_URL).set(database="postgres").render_as_string(hide_password=False)
    tally = reliability.concurrency(server, f"{make_url(PG_URL).database}_rel", processes=4, rounds=2, seconds=60)
    assert (tally.tried, tally.held, tally.failed) == (4, 4, 0), tally.failures
