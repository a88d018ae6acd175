"""Publishing you can trust and nothing lost in one tap, in a real browser at desktop and
phone widths: the year's confirmation with a flagged draft, returning an event to draft,
cancelling a registration after a confirmation, and the waiting list's own words.

Every page visited is checked by axe-core (``visit`` and ``check_a11y``).
"""

import re

import pytest

from tests.e2e.browser import COORDINATOR, MEMBER, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": 1280, "phone": 390}
# Each width plans its own year, so the two runs share the server without meeting.
YEARS = {"desktop": 2031, "phone": 2032}


@pytest.fixture(params=list(WIDTHS))
def width(request):
    return request.param


@pytest.fixture
def browser_page(new_context, width):
    context = new_context(viewport={"width": WIDTHS[width], "height": 900})
    return context.new_page()


def create_draft(page, title: str, day: str, description: str, capacity: str = "") -> int:
    """A draft online event through the event form; returns its id."""
    visit(page, "/manage/events/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Kind", exact=True).select_option(label="Workshop")
    page.get_by_label("Description", exact=True).fill(description)
    page.get_by_label("Format", exact=True).select_option(label="Online")
    page.get_by_label("Online link", exact=True).fill("https://meet.example.org/e2e")
    page.get_by_label("Time zone", exact=True).select_option("Europe/Copenhagen")
    page.get_by_label("First day", exact=True).fill(day)
    page.get_by_label("Start time", exact=True).fill("12:00")
    page.get_by_label("End time", exact=True).fill("13:00")
    if capacity:
        page.get_by_label("Capacity", exact=True).fill(capacity)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash-success")).to_contain_text(f"“{title}” is saved as a draft")
    return int(re.search(r"/manage/events/(\d+)/edit", page.url).group(1))


def publish_from_edit_page(page, event_id: int, title: str) -> None:
    visit(page, f"/manage/events/{event_id}/edit")
    page.get_by_role("button", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish “{title}”?")
    check_a11y(page)
    page.get_by_role("button", name="Publish this event").click()
    expect(page.locator(".flash-success")).to_have_text(f"“{title}” is published.")


def test_publishing_the_year_shows_a_flagged_draft_and_publishes_only_after_confirming(
    browser_page, width
):
    page, year = browser_page, YEARS[width]
    log_in(page, COORDINATOR)
    ready_id = create_draft(page, f"Ready workshop {width}", f"{year}-03-10", "Agenda attached.")
    sketch_id = create_draft(page, f"Sketch {width}", f"{year}-04-14", "TBD: who speaks")

    visit(page, f"/manage/calendar/{year}")
    page.get_by_role("link", name="Publish the whole year (2 drafts)…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish 2 drafts of {year}?")
    check_a11y(page)
    sketch = page.locator(f"#publish-{sketch_id}")
    expect(sketch).to_contain_text("Looks unfinished: The description starts with “TBD”.")
    expect(page.get_by_role("checkbox", name=f"Publish Sketch {width}")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name=f"Publish Ready workshop {width}")).to_be_checked()
    # Nothing is published before the confirmation.
    visit(page, f"/manage/calendar/{year}")
    expect(page.locator(f"#event-{ready_id}")).to_contain_text("Draft")
    page.go_back()

    page.get_by_role("button", name="Publish the ticked events").click()
    expect(page.locator(".flash-success")).to_have_text("Published 1 event.")
    check_a11y(page)
    expect(page.locator(f"#event-{ready_id}")).to_contain_text("Published")
    expect(page.locator(f"#event-{sketch_id}")).to_contain_text("Draft")


def test_a_published_event_nobody_registered_for_returns_to_draft(browser_page, width):
    page, year = browser_page, YEARS[width]
    log_in(page, COORDINATOR)
    title = f"Back to draft {width}"
    event_id = create_draft(page, title, f"{year}-05-12", "A call about next steps.")
    publish_from_edit_page(page, event_id, title)

    page.get_by_role("link", name="Return to draft…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Return “{title}” to draft?")
    expect(page.locator("main")).to_contain_text("Nobody has registered")
    check_a11y(page)
    page.get_by_role("button", name="Return to draft").click()
    expect(page.locator(".flash-success")).to_contain_text(f"“{title}” is a draft again")
    check_a11y(page)
    expect(page.locator(".facts")).to_contain_text("Draft")


def test_cancelling_my_registration_asks_first(browser_page, width):
    page, year = browser_page, YEARS[width]
    log_in(page, COORDINATOR)
    title = f"Open workshop {width}"
    event_id = create_draft(page, title, f"{year}-06-09", "Open to everyone.")
    publish_from_edit_page(page, event_id, title)

    visit(page, f"/events/{event_id}")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(f"You are registered for {title}")
    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel my registration?")
    check_a11y(page)
    # Still registered until the confirmation's button is pressed.
    page.get_by_role("link", name="Keep my place").click()
    expect(page.locator(".registration")).to_contain_text("You are registered")

    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Your registration for {title} is cancelled."
    )
    check_a11y(page)
    expect(page.get_by_role("button", name="Register", exact=True)).to_be_visible()


def test_someone_on_the_waiting_list_reads_leave_the_waiting_list(new_context, width):
    year = YEARS[width]
    viewport = {"width": WIDTHS[width], "height": 900}
    coordinator = new_context(viewport=viewport).new_page()
    log_in(coordinator, COORDINATOR)
    title = f"One seat workshop {width}"
    event_id = create_draft(coordinator, title, f"{year}-09-15", "A single seat.", capacity="1")
    publish_from_edit_page(coordinator, event_id, title)
    visit(coordinator, f"/events/{event_id}")
    coordinator.get_by_role("button", name="Register", exact=True).click()
    expect(coordinator.locator(".registration")).to_contain_text("You are registered")

    member = new_context(viewport=viewport).new_page()
    log_in(member, MEMBER)
    visit(member, f"/events/{event_id}")
    member.get_by_role("button", name="Join the waiting list").click()
    expect(member.locator(".registration")).to_contain_text("number 1 in line")
    check_a11y(member)
    expect(member.get_by_role("link", name="Cancel my registration")).to_have_count(0)

    visit(member, "/my/events")
    waiting = member.locator("li", has=member.get_by_role("link", name=title, exact=True))
    waiting.get_by_role("link", name=re.compile("^Leave the waiting list")).click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Leave the waiting list?")
    expect(member.locator("main")).to_contain_text("You are number 1 on the waiting list")
    check_a11y(member)
    member.get_by_role("button", name="Leave the waiting list").click()
    expect(member.locator(".flash-success")).to_have_text(
        f"You have left the waiting list for {title}."
    )
    assert member.url.endswith("/my/events")
    check_a11y(member)
