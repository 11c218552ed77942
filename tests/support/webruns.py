"""The ward of tests/support/webapp.seed_ward with its business date run and printed as an operator does it:
`nhi-collect run --date 2023-09-20` by the OS user unyo (services.business_dates, its print hook included)."""

from __future__ import annotations

from pathlib import Path

from nhi_collect.bootstrap import Services, Settings
from tests.support.webapp import ON


def run_as_operator(url: str, out: Path, user: str = "unyo") -> dict:
    services = Services(Settings.from_options(url, out, environ={}, today=lambda: ON), actor=user)
    try:
        return services.business_dates().run(ON).as_json()
    finally:
        services.dispose()
