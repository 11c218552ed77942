"""The casework ward (tests/support/webapp.seed_casework) for the web app of tests/integration/conftest.py."""

from __future__ import annotations

import pytest

from tests.support.webapp import seed_casework, seed_ward


@pytest.fixture
def url(db_url, tmp_path):
    return seed_casework(seed_ward(db_url, tmp_path))


def rows(db, query):
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]
