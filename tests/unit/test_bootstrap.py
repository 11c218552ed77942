"""Settings from options and the environment (contract.md), and nothing made before it is needed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nhi_collect.bootstrap import DEFAULT_URL, Settings, bootstrap, tokyo_clock
from nhi_collect.errors import UserError


def test_option_then_environment_then_the_embedded_default():
    env = {"NHI_COLLECT_DB": "sqlite:///env.db"}
    assert Settings.from_options("sqlite:///opt.db", environ=env).database_url == "sqlite:///opt.db"
    assert Settings.from_options(environ=env).database_url == "sqlite:///env.db"
    assert Settings.from_options(environ={}).database_url == DEFAULT_URL
    assert Settings.from_options(environ={}).out == Path("out")


def test_nothing_is_made_at_construction(tmp_path):
    services = bootstrap(f"sqlite:///{tmp_path / 'x.db'}", environ={})
    assert services._engine is None and "workflow" not in vars(services)
    assert not (tmp_path / "x.db").exists()
    services.engine()
    assert (tmp_path / "x.db").exists()
    services.dispose()


def test_a_sqlite_file_in_a_folder_not_yet_made_gets_its_folder(tmp_path):
    services = bootstrap(f"sqlite:///{tmp_path / 'new' / 'ward' / 'x.db'}", environ={})
    services.engine()
    assert (tmp_path / "new" / "ward" / "x.db").exists()
    services.dispose()


def test_the_clock_is_tokyo_or_pinned():
    assert tokyo_clock({"NHI_COLLECT_TODAY": "2023-07-05"})() == date(2023, 7, 5)
    with pytest.raises(UserError, match="NHI_COLLECT_TODAY"):
        tokyo_clock({"NHI_COLLECT_TODAY": "July"})()
    assert bootstrap(environ={}, today=lambda: date(2024, 1, 5)).today() == date(2024, 1, 5)


def test_a_bad_pdf_engine_is_refused_when_letters_are_printed():
    assert bootstrap(environ={"NHI_COLLECT_PDF_ENGINE": "weasyprint"}).pdf_engine == "weasyprint"
    services = bootstrap(environ={"NHI_COLLECT_PDF_ENGINE": "wkhtmltopdf"})
    with pytest.raises(UserError, match="chromium or weasyprint"):
        services.pdf_engine
