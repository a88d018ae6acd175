"""A coordinator builds the Malmö meeting's programme in the browser; a member in Helsinki
reads it: parallel workshops side by side on a desktop, stacked on a 390 px phone, never
wider than the screen, and accessible (axe-core) on both."""

import pytest

from tests.e2e.browser import (
    COORDINATOR,
    MEMBER,
    check_a11y,
    event_id_by_title,
    expect,
    log_in,
    visit,
)

pytestmark = pytest.mark.e2e

MALMO = "City network meeting in Malmö"
ITEMS = [
    # kind, title, start, end, room
    ("talk", "Welcome to Malmö (e2e)", "09:00", "09:30", "Main hall"),
    ("workshop", "Schools and youth work (e2e)", "11:15", "12:30", "Room A"),
    ("workshop", "Hate online (e2e)", "11:15", "12:30", "Room B"),
]


def no_overflow(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a {width}px screen"


def test_a_coordinator_builds_the_programme_and_a_member_reads_it(new_context):
    coordinator = new_context().new_page()
    log_in(coordinator, COORDINATOR)
    event_id = event_id_by_title(coordinator, MALMO)
    visit(coordinator, f"/manage/events/{event_id}/edit")
    coordinator.get_by_role("link", name="Programme", exact=True).click()
    expect(coordinator.get_by_role("heading", name="Add an item")).to_be_visible()
    check_a11y(coordinator)
    for kind, title, start, end, room in ITEMS:
        coordinator.get_by_label("Kind").select_option(kind)
        coordinator.get_by_label("Title").fill(title)
        coordinator.get_by_label("Day", exact=True).fill("2027-03-29")
        coordinator.get_by_label("Start time").fill(start)
        coordinator.get_by_label("End time").fill(end)
        coordinator.get_by_label("Room").fill(room)
        coordinator.get_by_role("button", name="Save the item").click()
        expect(coordinator.locator(".flash-success")).to_contain_text(f"“{title}” is added")
    check_a11y(coordinator)
    # An item after the event's last day is refused, naming the event's dates.
    coordinator.get_by_label("Title").fill("Too late (e2e)")
    coordinator.get_by_label("Day", exact=True).fill("2027-03-31")
    coordinator.get_by_label("Start time").fill("10:00")
    coordinator.get_by_label("End time").fill("11:00")
    coordinator.get_by_role("button", name="Save the item").click()
    expect(coordinator.locator(".form-errors")).to_contain_text("The item was not saved.")
    expect(coordinator.locator("main")).to_contain_text(
        "ends after the event does: the event is 29–30 March 2027"
    )
    check_a11y(coordinator)

    # Room B before Room A: the order of items that start together.
    coordinator.goto(f"/manage/events/{event_id}/programme")
    coordinator.get_by_role("button", name="Move up “Hate online (e2e)”").click()
    expect(coordinator.locator(".flash-success")).to_contain_text("is moved up")

    for width in (1280, 390):
        member = new_context(viewport={"width": width, "height": 900}).new_page()
        log_in(member, MEMBER)
        visit(member, f"/events/{event_id}")
        programme = member.locator("#programme")
        expect(programme).to_contain_text("Times in Helsinki time, with Malmö time")
        expect(programme).to_contain_text("10:00–10:30 EEST · 09:00–09:30 CEST in Malmö")
        rooms = programme.locator(".is-parallel .programme-room")
        expect(rooms).to_have_text(["Room B", "Room A"])
        no_overflow(member, width)
        first, second = (rooms.nth(n).bounding_box() for n in (0, 1))
        if width == 1280:
            assert first["y"] == second["y"] and first["x"] < second["x"], (first, second)
        else:
            assert first["x"] == second["x"] and first["y"] < second["y"], (first, second)
        member.emulate_media(media="print")
        expect(member.locator(".site-header")).to_be_hidden()
        expect(programme).to_be_visible()
        member.emulate_media(media="screen")

    phone = new_context(viewport={"width": 390, "height": 900}).new_page()
    log_in(phone, COORDINATOR)
    visit(phone, f"/manage/events/{event_id}/programme")
    no_overflow(phone, 390)
    response = phone.request.get(f"/events/{event_id}/programme.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
