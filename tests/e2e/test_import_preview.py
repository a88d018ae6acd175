"""A coordinator imports a file with a broken component: the preview groups what would
be imported and what is refused, and imports the valid ones when asked, on a desktop
and on a 390 px phone."""

import pytest

from tests.e2e.browser import COORDINATOR, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

# 2029, so that the demo year the other browser tests count stays as it is.
MIXED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    "BEGIN:VEVENT\r\nUID:e2e-valid@google.com\r\nDTSTAMP:20281201T120000Z\r\n"
    "DTSTART;TZID=Europe/Oslo:20290115T100000\r\nDTEND;TZID=Europe/Oslo:20290115T113000\r\n"
    "SUMMARY:City meeting on safe schools (e2e import)\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:e2e-broken@google.com\r\nDTSTAMP:20281201T120000Z\r\n"
    "DTSTART;TZID=Europe/Oslo:20290116T100000\r\nDTEND;TZID=Europe/Oslo:20290116T090000\r\n"
    "SUMMARY:Ends before it starts (e2e import)\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_mixed_file_imports_its_valid_events_when_asked(new_context, tmp_path, width):
    page = new_context().new_page()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, COORDINATOR)
    path = tmp_path / f"mixed-{width}.ics"
    path.write_text(MIXED.replace("e2e-", f"e2e-{width}-"), encoding="utf-8")

    visit(page, "/manage/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(
        page.get_by_role("heading", name="Nothing can be imported yet: 1 problem")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ends before it starts (e2e import)")
    check_a11y(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the preview is {overflow}px wider than a {width}px screen"

    page.get_by_role("button", name="Import the 1 valid one, skip 1").click()
    expect(page.locator(".flash-success")).to_contain_text("Created 1 event(s)")
    check_a11y(page)
