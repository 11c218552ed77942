"""The web app over the casework ward (tests/support/webapp.seed_casework) and its database."""

from __future__ import annotations

import pytest

from nhi_collect.adapters.db import make_engine
from nhi_collect.bootstrap import Settings
from nhi_collect.web import create_app
from tests.support.webapp import ON, seed_casework, seed_ward


@pytest.fixture
def url(db_url, tmp_path):
    return seed_casework(seed_ward(db_url, tmp_path))


@pytest.fixture
def app(url, tmp_path):
    return create_app(Settings.from_options(url, tmp_path / "out", environ={}, today=lambda: ON))


@pytest.fixture
def db(url):
    engine = make_engine(url)
    yield engine
    engine.dispose()


def rows(db, query):
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]
