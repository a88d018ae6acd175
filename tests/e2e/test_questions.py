"""Registration questions and the participant list in a real browser: the coordinator
asks, a practitioner answers (after a mistake) and opts into the list, a mayor on a phone
sees who else is coming, and the coordinator's .xlsx has the answers."""

import re

import pytest
from openpyxl import load_workbook

from tests.e2e.browser import COORDINATOR, MAYOR, MEMBER, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

TITLE = "Registration questions meeting (e2e)"
PHONE = {"width": 390, "height": 844}


def create_published_event(page) -> int:
    visit(page, "/manage/events/new")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Kind", exact=True).select_option(label="City meeting")
    page.get_by_label("Format", exact=True).select_option(label="Online")
    page.get_by_label("Online link", exact=True).fill("https://meet.example.org/e2e-questions")
    page.get_by_label("Time zone", exact=True).select_option("Europe/Stockholm")
    page.get_by_label("First day", exact=True).fill("2028-02-09")
    page.get_by_label("Start time", exact=True).fill("10:00")
    page.get_by_label("End time", exact=True).fill("12:00")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash-success")).to_contain_text("is saved as a draft")
    event_id = int(re.search(r"/manage/events/(\d+)/edit", page.url).group(1))
    page.get_by_role("button", name="Publish…", exact=True).click()
    page.get_by_role("button", name="Publish this event").click()
    expect(page.locator(".flash-success")).to_contain_text("is published")
    return event_id


def add_question(page, label: str, kind: str, options: str = "", required=False) -> None:
    page.get_by_label("Question", exact=True).fill(label)
    page.get_by_label("Type of answer").select_option(label=kind)
    if options:
        page.get_by_label("Options").fill(options)
    if required:
        page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".flash-success")).to_have_text(f"Question added: {label}")
    check_a11y(page)


def test_answers_the_participant_list_and_the_xlsx(new_context):
    coordinator = new_context().new_page()
    log_in(coordinator, COORDINATOR)
    event_id = create_published_event(coordinator)

    visit(coordinator, f"/manage/events/{event_id}/questions")
    add_question(coordinator, "Diet", "One choice", "No preference\nVegetarian\nVegan", True)
    add_question(coordinator, "Hotel nights", "Number")
    visit(coordinator, f"/manage/events/{event_id}/registrations")
    coordinator.get_by_label("Confirmed participants may see the participant list").check()
    coordinator.get_by_role("button", name="Save", exact=True).click()
    expect(coordinator.locator(".flash-success")).to_have_text(
        "Confirmed participants now see the participant list."
    )
    check_a11y(coordinator)

    # The practitioner forgets the diet and mistypes a number: asked again, nothing lost.
    practitioner = new_context().new_page()
    log_in(practitioner, MEMBER)
    visit(practitioner, f"/events/{event_id}")
    practitioner.get_by_label("Hotel nights").fill("two")
    practitioner.get_by_role("button", name="Register", exact=True).click()
    expect(practitioner.locator("h1")).to_have_text(f"Register for {TITLE}")
    expect(practitioner.get_by_text("This question needs an answer.")).to_be_visible()
    expect(practitioner.get_by_text("Enter a number, such as 2 or 1.5.")).to_be_visible()
    expect(practitioner.get_by_label("Hotel nights")).to_have_value("two")
    check_a11y(practitioner)
    practitioner.get_by_label("Vegan").check()
    practitioner.get_by_label("Hotel nights").fill("2")
    practitioner.get_by_label("Show me on the participant list").check()
    practitioner.get_by_role("button", name="Register", exact=True).click()
    expect(practitioner.locator(".flash-success")).to_contain_text(
        f"You are registered for {TITLE}"
    )
    expect(practitioner.locator(".my-answers")).to_contain_text(
        "You appear on the participant list"
    )
    check_a11y(practitioner)

    # A mayor, on a phone, registers without appearing and sees who else is coming.
    mayor = new_context(viewport=PHONE).new_page()
    log_in(mayor, MAYOR)
    visit(mayor, f"/events/{event_id}")
    expect(mayor.get_by_role("heading", name="Who else is coming")).to_have_count(0)
    mayor.get_by_label("Vegetarian").check()
    mayor.get_by_role("button", name="Register", exact=True).click()
    expect(mayor.locator(".flash-success")).to_contain_text(f"You are registered for {TITLE}")
    listing = mayor.locator(".participant-list")
    expect(listing.get_by_role("heading", name="Helsinki")).to_be_visible()
    expect(listing).to_contain_text("Aino Practitioner · Practitioner")
    expect(listing).not_to_contain_text("Mats Mayor")
    check_a11y(mayor)

    # The coordinator downloads the .xlsx: the answers are in it.
    visit(coordinator, f"/manage/events/{event_id}/registrations")
    expect(coordinator.locator("#answers-heading ~ ul.choice-counts").first).to_contain_text(
        "Vegan: 1"
    )
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("link", name="(Excel, .xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == f"registrations-{event_id}-2028-02-09.xlsx"
    with open(download.path(), "rb") as file:
        sheet = load_workbook(file).active
    header = [cell.value for cell in sheet[1]]
    assert header[-2:] == ["Diet", "Hotel nights"]
    assert "Registered (Europe/Stockholm)" in header
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows[MEMBER]["Diet"] == "Vegan" and rows[MEMBER]["Hotel nights"] == 2
    assert rows[MEMBER]["City"] == "Helsinki"
    assert rows[MAYOR]["Diet"] == "Vegetarian" and rows[MAYOR]["Hotel nights"] is None

    # The coordinators' pages at a phone's width.
    coordinator.set_viewport_size(PHONE)
    visit(coordinator, f"/manage/events/{event_id}/questions")
    visit(coordinator, f"/manage/events/{event_id}/registrations")
