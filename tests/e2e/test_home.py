"""Members see what is theirs, coordinators what needs them: at 1280 px and on a 390 px
phone, each page through axe-core."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.browser import COORDINATOR, MAYOR, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

KICKOFF = "Kick-off City Meeting (online)"  # for practitioners
SUMMIT = "Nordic Safe Cities Summit 2027"  # for mayors, politicians and leaders; approval
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def card(page, title: str):
    return page.locator(".event-card").filter(has=page.get_by_role("link", name=title, exact=True))


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_mayor_asks_for_a_place_and_the_coordinator_sees_it(new_context, viewport):
    mayor = new_context(viewport=viewport).new_page()
    log_in(mayor, MAYOR)

    # The home page marks what is not for him, and why, on the card.
    visit(mayor, "/")
    expect(card(mayor, KICKOFF).locator(".card-fit")).to_have_text("For practitioners")
    no_horizontal_scroll(mayor)
    mayor.get_by_role("link", name="For me: events I can register for").click()
    check_a11y(mayor)
    expect(mayor.get_by_role("link", name=KICKOFF, exact=True)).to_have_count(0)
    # For him (or, on the second width, already asked for).
    expect(card(mayor, SUMMIT).locator(".card-fit")).to_have_text(
        re.compile(r"^(For you · Registration open|You are awaiting approval)$")
    )

    # The event page: places per role, the deadline, the calendar buttons.
    mayor.get_by_role("link", name=SUMMIT, exact=True).click()
    check_a11y(mayor)
    no_horizontal_scroll(mayor)
    panel = mayor.locator(".registration")
    expect(panel).to_contain_text(re.compile(r"Places for mayors: \d+ of 25 left"))
    expect(panel).to_contain_text("Registration closes")
    expect(mayor.locator(".key-facts")).not_to_contain_text("Status")
    expect(mayor.locator(".key-facts")).not_to_contain_text("Who can see it")
    buttons = mayor.locator(".add-to-calendar")
    expect(buttons.get_by_role("link", name="Apple Calendar or Outlook (.ics)")).to_have_attribute(
        "href", re.compile(r"^/events/\d+\.ics$")
    )
    google = buttons.get_by_role("link", name=re.compile("^Google Calendar"))
    expect(google).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE&")
    )
    assert parse_qs(urlsplit(google.get_attribute("href")).query)["text"] == [SUMMIT]
    expect(buttons.get_by_role("link", name=re.compile("^Outlook on the web"))).to_have_attribute(
        "href", re.compile(r"^https://outlook\.live\.com/calendar/0/deeplink/compose\?")
    )
    if mayor.get_by_role("button", name="Ask for a place").count():
        mayor.get_by_role("button", name="Ask for a place").click()
        expect(mayor.locator(".flash-success")).to_contain_text("a coordinator will confirm")
        check_a11y(mayor)
    expect(panel).to_contain_text("awaiting approval")

    # The coordinator's home says someone waits, with the way to the roster.
    coordinator = new_context(viewport=viewport).new_page()
    log_in(coordinator, COORDINATOR)
    visit(coordinator, "/manage/")
    no_horizontal_scroll(coordinator)
    waiting = coordinator.locator(".pending-requests")
    expect(waiting).to_contain_text(f"Mats Mayor, mayor, Malmö asks for a place at {SUMMIT}")
    expect(
        coordinator.locator(".home-tile.is-waiting").get_by_role(
            "link", name=re.compile(r"^\d+ requests? for a place waiting for a decision$")
        )
    ).to_be_visible()
    waiting.get_by_role("link", name=SUMMIT).first.click()
    check_a11y(coordinator)
    assert re.search(r"/manage/events/\d+/registrations$", coordinator.url)
