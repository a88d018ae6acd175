"""``make screenshots``: the main pages of the demo, on a desktop and on a phone, into
docs/screenshots/<page>-<width>.png; the event page also in each language
(event-<lang>-<width>.png).

Serves the demo exactly as the end-to-end tests do (``flask run`` on a fresh SQLite
database, migrated and seeded) and photographs it with Debian's Chromium.

    .venv/bin/python -m tests.e2e.screenshots [--out docs/screenshots]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from nscal.i18n import LANGUAGES
from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COORDINATOR,
    DEMO_PASSWORD,
    MEMBER,
    ROOT,
    serve_demo,
)

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
# Very long pages are cut at this height (CSS pixels) to keep the PNGs small.
MAX_HEIGHT = {"desktop": 1600, "phone": 1800}

# (file name, who is logged in, path or a callable finding it, full page?)
PAGES = [
    ("front-page", MEMBER, "/", True),
    ("event-list", MEMBER, "/events/", True),
    ("event-page", MEMBER, "kickoff", True),
    ("month-view", MEMBER, "/calendar/2027/1", True),
    ("year-view", MEMBER, "/calendar/2027", True),
    ("login", None, "/auth/login", False),
    ("account", MEMBER, "/account", True),
    ("manage-home", COORDINATOR, "/manage/", True),
    ("event-form", COORDINATOR, "/manage/events/new", True),
    ("manage-calendar", COORDINATOR, "/manage/calendar/2027", True),
    ("statistics", COORDINATOR, "/manage/statistics?year_from=2023&year_to=2026", True),
    # The event page in each language (last: ?lang= stays with the browser's session).
    *((f"event-{language}", MEMBER, f"kickoff?lang={language}", True) for language in LANGUAGES),
]


def log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def kickoff_path(page) -> str:
    page.goto("/events/?q=Kick-off")
    return page.get_by_role("link", name="Kick-off City Meeting (online)").get_attribute("href")


def shoot(browser, base_url: str, out: Path) -> list[Path]:
    written = []
    for device, (width, height) in WIDTHS.items():
        contexts = {}
        for name, who, path, full_page in PAGES:
            if who not in contexts:
                contexts[who] = browser.new_context(
                    base_url=base_url,
                    viewport={"width": width, "height": height},
                    timezone_id="Europe/Helsinki",
                    device_scale_factor=1,
                    bypass_csp=True,  # only for the style below that freezes transitions
                )
                if who:
                    log_in(contexts[who].new_page(), who)
            page = contexts[who].new_page()
            if path.startswith("kickoff"):
                path = kickoff_path(page) + path.removeprefix("kickoff")
            page.goto(path)
            # No text cursor blinking or transitions caught half-way.
            page.add_style_tag(
                content="*{transition:none!important;caret-color:transparent!important}"
            )
            target = out / f"{name}-{device}.png"
            page_height = page.evaluate("document.documentElement.scrollHeight")
            clip = None
            if full_page and page_height > MAX_HEIGHT[device]:
                clip = {"x": 0, "y": 0, "width": width, "height": MAX_HEIGHT[device]}
            page.screenshot(path=str(target), full_page=full_page, clip=clip)
            page.close()
            written.append(target)
        for context in contexts.values():
            context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(
            f"screenshots need Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr
        )
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="nscal-screenshots-") as instance,
        serve_demo(Path(instance)) as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        written = shoot(browser, base_url, args.out)
        browser.close()
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
