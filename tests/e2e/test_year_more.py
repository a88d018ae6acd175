"""The year page's "+ N more" on a busy day, in a real browser: on a desktop it leads to
the day in the month page's grid, on a 390 px phone (where the grid is hidden) to the
day in the month page's list, and in both the day it leads to is on the screen."""

from datetime import datetime

import pytest

from tests.e2e.browser import check_a11y, expect, serve_demo
from tests.e2e.test_phone_layout import PHONE, _app_on

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
BUSY_DAY = "2027-05-12"
MEETINGS = 5  # the year page lists 3 a day: "+ 2 more"


@pytest.fixture(scope="module")
def busy_site(e2e_tools, tmp_path_factory):
    """The demo on its own database, with five public meetings on one day."""
    from nscal.db import db
    from nscal.events.models import EventKind, EventStatus
    from nscal.events.services import EventData, create_event

    instance = tmp_path_factory.mktemp("busy-day-instance")
    with serve_demo(instance) as base_url:
        with _app_on(instance, base_url):
            for number in range(MEETINGS):
                start = datetime(2027, 5, 12, 9 + number)  # noqa: DTZ001 - wall clock in Oslo
                create_event(
                    EventData(
                        title=f"Busy day briefing {number + 1}",
                        kind=EventKind.webinar,
                        timezone="Europe/Oslo",
                        start=start,
                        end=start.replace(minute=45),
                    ),
                    status=EventStatus.published,
                )
            db.session.commit()
        yield base_url


@pytest.mark.parametrize(
    ("viewport", "anchor"),
    [(DESKTOP, f"d-{BUSY_DAY}"), (PHONE, f"l-{BUSY_DAY}")],
    ids=["desktop", "phone"],
)
def test_more_leads_to_the_day_that_is_on_the_screen(browser, busy_site, viewport, anchor):
    context = browser.new_context(base_url=busy_site, viewport=viewport)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/calendar/2027")
        check_a11y(page)
        # One link for the grid and one for the list are written; each screen shows
        # one, and only that one is in the accessibility tree.
        expect(page.locator(f'.day-more a[href$="-{BUSY_DAY}"]')).to_have_count(2)
        more = page.get_by_role("link", name="2 more events on 12 May")
        expect(more).to_have_count(1)
        expect(more).to_be_visible()
        expect(more).to_have_text("+ 2 more")
        more.click()
        page.wait_for_url(f"**/calendar/2027/5#{anchor}")
        target = page.locator(f"#{anchor}")
        expect(target).to_be_visible()
        expect(target).to_be_in_viewport()
        # The month page shows every meeting of the day, those the year page left out too.
        for number in range(MEETINGS):
            expect(
                page.get_by_role("link", name=f"Busy day briefing {number + 1}").locator(
                    "visible=true"
                )
            ).to_have_count(1)
        check_a11y(page)
    finally:
        context.close()
