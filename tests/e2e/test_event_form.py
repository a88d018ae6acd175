"""The event form with its registration settings, in Chromium at a desktop and a phone
width: filled in, refused with messages on the fields, saved, and shown back."""

import re

import pytest

from tests.e2e.browser import COORDINATOR, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": 1280, "phone": 390}


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("device", WIDTHS)
def test_a_coordinator_creates_an_event_with_its_registration_settings(new_context, device):
    width = WIDTHS[device]
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    title = f"Practitioners' summit ({device}, e2e)"
    log_in(page, COORDINATOR)

    visit(page, "/manage/events/new")
    assert fits_the_width(page), "the new-event page scrolls sideways"
    section = page.locator("#registration")
    # No audience ticked yet: a quota for every participant role.
    for name in ("practitioner", "mayor", "politician", "leader"):
        expect(section.get_by_label(f"Places for the role {name}")).to_be_visible()

    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Kind", exact=True).select_option(label="Summit")
    page.get_by_label("Format", exact=True).select_option(label="Online")
    page.get_by_label("Time zone", exact=True).select_option("Europe/Helsinki")
    page.get_by_label("First day", exact=True).fill("2029-05-16")
    page.get_by_label("Start time", exact=True).fill("10:00")
    page.get_by_label("End time", exact=True).fill("12:00")
    page.get_by_label("Practitioner", exact=True).check()
    page.get_by_label("Capacity", exact=True).fill("40")
    section.get_by_label("Places for the role practitioner").fill("55")
    section.get_by_label("Registration closes (day)").fill("2029-05-17")
    page.get_by_role("button", name="Save as draft").click()

    # Refused together, each message on its field.
    expect(page.locator(".form-errors")).to_contain_text("The event was not saved.")
    quota = page.locator(".field", has=page.get_by_label("Places for the role practitioner"))
    expect(quota.locator(".error")).to_have_text(
        "A quota cannot be more than the capacity: the event has 40 places in all, "
        "so at most 40 for the role practitioner."
    )
    closes = page.locator(".field", has=page.get_by_label("Registration closes (day)"))
    expect(closes.locator(".error")).to_contain_text("must close before the event ends")
    # Ticking an audience leaves out the other roles' quotas.
    expect(section.get_by_label("Places for the role mayor")).to_have_count(0)
    check_a11y(page)
    assert fits_the_width(page), "the refused form scrolls sideways"

    section.get_by_label("Places for the role practitioner").fill("30")
    section.get_by_label("Most people per city").fill("4")
    section.get_by_label("Registration closes (day)").fill("2029-05-15")
    section.get_by_label("Registration closes (time)").fill("16:00")
    section.get_by_label("A coordinator approves each registration").check()
    section.get_by_label("They may cancel until (day)").fill("2029-05-14")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash-success")).to_contain_text(f"“{title}” is saved as a draft")
    check_a11y(page)
    assert fits_the_width(page), "the edit page scrolls sideways"

    # The edit page shows the settings back, on the event's (Helsinki) clock.
    section = page.locator("#registration")
    expect(section.get_by_label("Capacity", exact=True)).to_have_value("40")
    expect(section.get_by_label("Places for the role practitioner")).to_have_value("30")
    expect(section.get_by_label("Registration closes (time)")).to_have_value("16:00")
    expect(section.get_by_label("A coordinator approves each registration")).to_be_checked()
    expect(section.get_by_label("Keep a waiting list when full")).to_be_checked()
    event_id = int(re.search(r"/manage/events/(\d+)/edit", page.url).group(1))

    # The roster only shows them, and links back to this section.
    visit(page, f"/manage/events/{event_id}/registrations")
    expect(page.locator("#settings-heading + dl")).to_contain_text("15 May 2029, 16:00 EEST")
    page.get_by_role("link", name="Change the registration settings in the event form").click()
    expect(page).to_have_url(re.compile(rf"/manage/events/{event_id}/edit#registration$"))
