"""What people do with nscal, in a real browser: register, subscribe, cancel, plan the year.

Every page visited is checked by axe-core (``visit`` and ``check_a11y``).
"""

import csv
import re

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

KICKOFF = "Kick-off City Meeting (online)"
SUMMIT = "Nordic Safe Cities Summit 2027"


def test_a_practitioner_registers_subscribes_and_cancels(new_context):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, MEMBER)

    event_id = event_id_by_title(page, KICKOFF)
    page.get_by_role("link", name=KICKOFF, exact=True).click()
    check_a11y(page)
    assert page.url.endswith(f"/events/{event_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(KICKOFF)
    # 10:00–11:30 in Copenhagen is 11:00–12:30 in Helsinki, and the page says both.
    when = page.locator(".event-when")
    expect(when).to_contain_text("Wednesday 13 January 2027, 11:00–12:30 EET")
    expect(when).to_contain_text("10:00–11:30 CET in Copenhagen")
    expect(page.locator(".zone-now")).to_contain_text("Times in Helsinki (EET)")
    expect(page.locator(".key-facts")).to_contain_text("the link is shared with registered")
    expect(page.locator(".registration")).to_contain_text("80 places left")

    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text(
        f"You are registered for {KICKOFF}. A confirmation is on its way."
    )
    check_a11y(page)
    expect(page.locator(".registration")).to_contain_text("You are registered")
    expect(page.locator(".registration")).to_contain_text("79 places left")
    expect(
        page.get_by_role("link", name="https://meet.example.org/nsc-kickoff-2027")
    ).to_be_visible()

    visit(page, "/account")
    subscribe = page.locator(".subscribe")
    expect(subscribe.get_by_role("link", name="Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/r\?cid=")
    )
    expect(
        subscribe.get_by_role("link", name="Apple Calendar, Outlook or Thunderbird")
    ).to_have_attribute("href", re.compile(r"^webcal://127\.0\.0\.1:\d+/feeds/"))
    expect(subscribe.get_by_role("link", name="Outlook on the web")).to_be_visible()
    address = page.get_by_label("Calendar address").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feeds/[\w-]+\.ics", address), address
    # The copy button (static/app.js) puts the address on the clipboard.
    page.get_by_role("button", name="Copy address").click()
    expect(subscribe.locator(".copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    # The private feed answers and has the registration in it.
    feed = context.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert "Kick-off City Meeting" in feed.text()

    visit(page, f"/events/{event_id}")
    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel my registration?")
    check_a11y(page)
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Your registration for {KICKOFF} is cancelled."
    )
    check_a11y(page)
    expect(page.get_by_role("button", name="Register", exact=True)).to_be_visible()
    expect(page.locator(".registration")).to_contain_text("80 places left")


def test_a_coordinator_creates_an_event_publishes_the_year_and_exports_attendees(page):
    title = "Night-time safety workshop (e2e)"
    log_in(page, COORDINATOR)

    visit(page, "/manage/events/new")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Kind", exact=True).select_option(label="Workshop")
    page.get_by_label("Description", exact=True).fill(
        "How cities keep their streets safe at night."
    )
    page.get_by_label("Format", exact=True).select_option(label="Online")
    page.get_by_label("Online link", exact=True).fill("https://meet.example.org/e2e-night")
    page.get_by_label("Time zone", exact=True).select_option("Europe/Copenhagen")
    page.get_by_label("First day", exact=True).fill("2027-10-06")
    page.get_by_label("Start time", exact=True).fill("13:00")
    page.get_by_label("End time", exact=True).fill("15:00")
    page.get_by_label("Capacity", exact=True).fill("25")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash-success")).to_contain_text(f"“{title}” is saved as a draft")
    check_a11y(page)
    event_id = int(re.search(r"/manage/events/(\d+)/edit", page.url).group(1))

    visit(page, "/manage/calendar/2027")
    expect(page.get_by_role("checkbox", name="Publish Annual meeting 2027")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name=f"Publish {title}")).to_be_visible()
    page.get_by_role("link", name="Publish the whole year (2 drafts)…").click()
    # The confirmation flags the annual meeting's "Draft: …" description and leaves it
    # unticked; the coordinator publishes it anyway.
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish 2 drafts of 2027?")
    check_a11y(page)
    expect(page.locator(".publish-list")).to_contain_text(
        "Looks unfinished: The description starts with “Draft”."
    )
    annual = page.get_by_role("checkbox", name="Publish Annual meeting 2027")
    expect(annual).not_to_be_checked()
    expect(page.get_by_role("checkbox", name=f"Publish {title}")).to_be_checked()
    annual.check()
    page.get_by_role("button", name="Publish the ticked events").click()
    expect(page.locator(".flash-success")).to_have_text("Published 2 events.")
    check_a11y(page)
    expect(page.get_by_role("link", name=re.compile("Publish the whole year"))).to_have_count(0)

    # Published: people see it and register; the coordinator registers to have a row.
    visit(page, f"/events/{event_id}")
    expect(page.locator(".event-when")).to_contain_text("Wednesday 6 October 2027")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(f"You are registered for {title}")
    check_a11y(page)

    visit(page, f"/manage/events/{event_id}/registrations")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="download the attendee list (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"registrations-{event_id}-2027-10-06.csv"
    with open(download.path(), newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert {"email", "name", "city", "participant_role", "status", "registered_at"} <= set(rows[0])
    assert [(r["email"], r["city"], r["participant_role"], r["status"]) for r in rows] == [
        (COORDINATOR, "copenhagen", "leader", "confirmed")
    ]


def test_the_mayors_summit_tells_a_practitioner_why_not(page):
    log_in(page, MEMBER)
    event_id = event_id_by_title(page, SUMMIT)
    visit(page, f"/events/{event_id}")
    expect(page.locator(".key-facts")).to_contain_text("Mayor, Politician, Leader")
    reason = page.locator(".registration .reason")
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("This event is for")
    expect(reason).to_contain_text("only")
    expect(page.get_by_role("button", name=re.compile("Register|Ask for a place"))).to_have_count(0)
