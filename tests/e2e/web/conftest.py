"""Browser tests of the staff web app: Playwright for Python driving the Debian Chromium (never a browser
download), against the app served by uvicorn on a free loopback port over a seeded SQLite ward.

Fixtures: `server` (the base URL; the ward of tests/webapp.py, staff with webapp.PASSWORD), `page` (a fresh
browser page that FAILS its test if any request goes to a host other than the server), `check` (`check(page,
"name")`: a full-page screenshot to the artefact folder, then axe-core asserting no WCAG 2.1 AA violation).
Screenshots go to $NHI_COLLECT_ARTEFACTS, else tests/artefacts/ (git-ignored). axe.min.js is axe-core 4.14.1
from the npm package `axe-core` (licence MPL-2.0), vendored here.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nhi_collect.bootstrap import Settings
from tests.support.webapp import ON, seed_ward

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).with_name("axe.min.js")
ARTEFACTS = Path(os.environ.get("NHI_COLLECT_ARTEFACTS") or Path(__file__).resolve().parents[2] / "artefacts")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    """Chromium is installed by `make` (the fonts target); CI (NHI_COLLECT_REQUIRE_PG=1) must run these."""
    if shutil.which(CHROMIUM) or os.environ.get("NHI_COLLECT_REQUIRE_PG") == "1":
        return
    for item in items:
        if "tests/e2e/web" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (`make fonts` installs it)"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(url: str, folder):
    """The app on `url` served by uvicorn on a free loopback port: yields its base URL."""
    import uvicorn

    from nhi_collect.web import create_app
    app = create_app(Settings.from_options(url, folder / "out", environ={}, today=lambda: ON))
    port = _free_port()
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The ward of tests/webapp.py (a module may override this fixture with another ward, through serve)."""
    folder = tmp_path_factory.mktemp("web")
    yield from serve(seed_ward(f"sqlite:///{folder / 'ward.db'}", folder), folder)


@pytest.fixture(scope="module")
def browser():  # per module: the driver's threads end with the browser tests instead of living through the run
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, locale="ja-JP", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(request.url))
    yield page
    context.close()
    ours = urlsplit(server).netloc
    elsewhere = [u for u in hosts if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != ours]
    assert not elsewhere, f"the page asked another host (a ward office has no internet): {elsewhere}"


@pytest.fixture
def check(request):
    """check(page, name): the screenshot of the page as it is now, then the axe-core WCAG 2.1 AA audit."""
    folder = ARTEFACTS / "screens"
    folder.mkdir(parents=True, exist_ok=True)

    def check(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{request.node.name}-{name}.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert not violations, f"{name}: WCAG 2.1 AA violations {violations}"
    return check
