"""A coordinator imports a calendar whose events say little: the preview shows what
nscal worked out (kind, host city, zone, format, and from what), the coordinator
corrects one guess and imports, on a desktop and on a 390 px phone."""

import pytest

from tests.e2e.browser import COORDINATOR, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

# 2029, so that the demo year the other browser tests count stays as it is.
GUESSES = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n"
    "BEGIN:VEVENT\r\nUID:e2e-bymode@example.org\r\nDTSTAMP:20281201T120000Z\r\n"
    'DTSTART;TZID="W. Europe Standard Time":20290306T100000\r\n'
    'DTEND;TZID="W. Europe Standard Time":20290306T120000\r\n'
    "SUMMARY:Bymøde i Aarhus (e2e guesses)\r\nLOCATION:Aarhus Rådhus\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:e2e-midsummer@example.org\r\nDTSTAMP:20281201T120000Z\r\n"
    "DTSTART;VALUE=DATE:20290622\r\nDTEND;VALUE=DATE:20290623\r\n"
    "SUMMARY:Midsummer – secretariat closed (e2e guesses)\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_coordinator_sees_the_guesses_and_corrects_one(new_context, tmp_path, width):
    page = new_context().new_page()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, COORDINATOR)
    path = tmp_path / f"guesses-{width}.ics"
    path.write_text(GUESSES.replace("e2e-", f"e2e-{width}-"), encoding="utf-8")

    visit(page, "/manage/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()

    meeting = page.get_by_role("group", name="Bymøde i Aarhus (e2e guesses)")
    expect(meeting.get_by_label("Kind")).to_have_value("city-meeting")
    expect(meeting.get_by_label("Host city")).to_have_value("aarhus")
    expect(meeting.get_by_label("Time zone")).to_have_value("Europe/Copenhagen")
    expect(meeting.get_by_label("Format")).to_have_value("in-person")
    expect(meeting).to_contain_text("from the title “Bymøde i Aarhus (e2e guesses)”")
    expect(meeting).to_contain_text("from the place “Aarhus Rådhus”")
    closed = page.get_by_role("group", name="Midsummer – secretariat closed (e2e guesses)")
    expect(closed.get_by_label("Kind")).to_have_value("other")
    expect(closed.get_by_label("Format")).to_have_value("in-person")
    expect(closed).to_contain_text("no place or link: in person, venue to be announced")
    check_a11y(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the preview is {overflow}px wider than a {width}px screen"

    meeting.get_by_label("Kind").select_option("summit")
    page.get_by_role("button", name="Import 2 event(s)").click()
    expect(page.locator(".flash-success")).to_contain_text("Created 2 event(s)")
    check_a11y(page)

    # Imported again, the preview shows the correction as nscal has it now.
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()
    meeting = page.get_by_role("group", name="Bymøde i Aarhus (e2e guesses)")
    expect(meeting.get_by_label("Kind")).to_have_value("summit")
    expect(meeting).to_contain_text("as in nscal")
