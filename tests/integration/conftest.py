"""The web app's route tests: the app and its database over the `url` fixture each module defines (the ward it
seeds: tests/support/webapp.seed_ward, its casework or its case file), its clock on the ward's day."""

from __future__ import annotations

import pytest

from nhi_collect.adapters.db import make_engine
from nhi_collect.bootstrap import Settings
from nhi_collect.web import create_app
from tests.support.webapp import ON


@pytest.fixture
def app(url, tmp_path):
    return create_app(Settings.from_options(url, tmp_path / "out", environ={}, today=lambda: ON))


@pytest.fixture
def db(url):
    engine = make_engine(url)
    yield engine
    engine.dispose()
