"""The statistics page in the browser: charts load under the page's CSP, tables beside
them, filters without JavaScript, a phone's width, and axe-core on every view."""

import pytest

from tests.e2e.browser import COORDINATOR, DEMO_PASSWORD, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

PATH = "/manage/statistics?year_from=2023&year_to=2026"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_statistics_page_at_desktop_and_phone_width(new_context, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, COORDINATOR)
    visit(page, PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nordic Safe Cities — participation 2023–2026"
    )
    # Every chart is an image the browser could load and draw (the CSP let it in).
    images = page.locator(".stat-chart img")
    assert images.count() == 8
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.get_attribute("alt").startswith("Chart: ")
    # Each chart has its table, with a caption, for screen readers.
    expect(page.locator("table.figures caption")).to_have_count(9)
    expect(
        page.get_by_role("table", name="New and returning participants per year")
    ).to_be_visible()
    # The page itself is no wider than the screen; wide tables scroll in their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    check_a11y(page)


def test_the_filters_work_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(COORDINATOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome")
    page.goto(PATH)
    page.get_by_label("From year", exact=True).fill("2025")
    page.get_by_label("To year", exact=True).fill("2025")
    page.get_by_label("Kind of event", exact=True).select_option(label="Webinar")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nordic Safe Cities — participation 2025"
    )
    events = page.get_by_role("table", name="Cities represented per event, 2025")
    expect(events.locator("tbody tr")).to_have_count(1)
    expect(events).to_contain_text("Webinar: polarisation online 2025")
    page.get_by_label("From year", exact=True).fill("2026")
    page.get_by_label("To year", exact=True).fill("2024")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("alert")).to_contain_text("comes after")
