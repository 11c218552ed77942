"""The web benchmark as a smoke test on PostgreSQL (the production database): it builds a small ward, serves
it, signs its clerks and supervisors in and times every page beside its bare SQL; no timings are asserted (the machine is
shared). The figures at city size are measured by hand (README)."""

from __future__ import annotations

import json
import socket

import pytest

from tests.conftest import database_url
from tests.support.cli import cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.postgres
def test_webbench_serves_every_page_to_every_clerk_and_supervisor(tmp_path):
    url = database_url("postgresql", tmp_path, "webbench")
    done = cli("--out", str(tmp_path / "out"), "webbench", "--households", "300", "--db", url, "--staff", "3",
               "--supervisors", "2", "--seconds", "5", "--think", "0.2", "--port", str(free_port()), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    pages = {p["page"]: p for p in result["pages"]}
    assert list(pages) == ["my work", "search", "case file", "decisions", "runs", "run date", "report"]
    assert result["households"] == 300 and result["supervisors"] == 2
    for page in pages.values():
        assert page["requests"] > 0 and page["failed"] == 0, page
        assert page["p95_ms"] >= page["p50_ms"] > 0 and page["bare_p50_ms"] > 0
