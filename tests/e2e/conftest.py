"""End-to-end fixtures: nscal served by a real server on loopback, driven by Debian's
Chromium through Playwright, with axe-core checking every page a test visits.

The server runs ``flask run`` in a subprocess on a temporary SQLite database, migrated
with ``flask db upgrade`` and seeded with ``flask seed-demo``, exactly as a newcomer's
``make run`` does. Without Chromium, Playwright or axe-core the tests are skipped, except
in CI (the CI variable set), where a missing tool is a failure.
"""

import os

import pytest

from tests.e2e.browser import AXE_JS, CHROMIUM, CHROMIUM_ARGS, ROOT, serve_demo

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None


def _missing_tools() -> list[str]:
    missing = []
    if sync_playwright is None:
        missing.append("the Python package playwright (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.exists():
        missing.append(f"axe-core at {AXE_JS.relative_to(ROOT)} (npm ci)")
    return missing


@pytest.fixture(scope="session")
def e2e_tools():
    """Skip the browser tests without their tools; in CI that is a failure instead."""
    missing = _missing_tools()
    if missing:
        reason = "end-to-end tests need " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"CI failure: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(e2e_tools, tmp_path_factory):
    """The base URL of nscal served by ``flask run`` on a migrated, seeded demo database."""
    with serve_demo(tmp_path_factory.mktemp("e2e-instance")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(e2e_tools):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (separate cookie jars) on the live server; closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
