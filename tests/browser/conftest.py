"""Browser fixtures: the app served on a free local port, and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import BASE_CONFIG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's Chromium; CI (REQUIRE_BROWSER=1) fails instead of skipping without it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    return CHROMIUM


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The app on a fresh SQLite file."""
    path = tmp_path / "browser.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app({**BASE_CONFIG, "TESTING": False, "MAIL_URL": None,  # links on screen
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """Serve live_app in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    live_app.config["PUBLIC_BASE_URL"] = base
    yield base
    server.shutdown()
    thread.join(5)


SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES))
def size(request):
    """Each journey is walked on a desktop and on a phone (a test may parametrize its own)."""
    return SIZES[request.param]


@pytest.fixture
def page(chromium_path, size):
    """A fresh browser page (JavaScript on, as most users have it), at the size asked."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                      viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                      "wcag22aa"]},
               "rules": {"target-size": {"enabled": True}, "color-contrast": {"enabled": True}},
               "resultTypes": ["violations"]}


def check_accessible(page, label: str) -> None:
    """Run axe-core (WCAG 2.2 A and AA, target size and contrast included) on the page;
    fail listing each violation. Saves a screenshot if asked (named with the width)."""
    from axe_playwright_python.sync_playwright import Axe

    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        name = label if label.endswith(str(width)) else f"{label}-{width}"
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    page.wait_for_load_state("load")  # measured once the page has settled: the service
    page.wait_for_function(  # navigation folds into its Menu when GOV.UK Frontend starts
        "!document.body.classList.contains('js-enabled')"  # (no script ran: nothing moves)
        " || !document.querySelector('[data-module=govuk-service-navigation]')"
        " || document.querySelector('[data-govuk-service-navigation-init]')")
    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
                f"{[n['target'] for n in v['nodes']][:3]})" for v in results.response["violations"]]
    assert not problems, f"axe on {label}:\n" + "\n".join(problems)


def nav_to(page, label: str) -> None:
    """Follow the service navigation to a section, opening its Menu first on a phone (once
    GOV.UK Frontend has set the menu up: before, the list shows, then folds away), and
    return once the section's page has loaded."""
    page.wait_for_selector("[data-govuk-service-navigation-init]", state="attached")
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    # Wait for the section's page: a click that follows at once would otherwise land on the
    # page being left (seen on CI: "Invite a user" on the home page, lost as it unloaded).
    with page.expect_navigation():
        page.click(f".govuk-service-navigation a:has-text('{label}')")
