"""At the door: the coordinator prints the check-in poster, a practitioner registers,
checks in with the code (typed on the event page, or the poster's link) and downloads
the certificate of attendance; on a desktop and on a 390 px phone, through axe-core."""

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

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

HELSINKI = ZoneInfo("Europe/Helsinki")


def _starting_soon(title: str, uid: str) -> str:
    """An .ics of a meeting in Helsinki starting in 30 minutes: check-in is already open
    (from an hour before), registration still is (until the start)."""
    start = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(HELSINKI)
    end = start + timedelta(hours=2)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nscal e2e//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T120000Z\r\n"
        f"DTSTART;TZID=Europe/Helsinki:{start:%Y%m%dT%H%M00}\r\n"
        f"DTEND;TZID=Europe/Helsinki:{end:%Y%m%dT%H%M00}\r\n"
        f"SUMMARY:{title}\r\nLOCATION:Helsinki City Hall\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _no_overflow(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a {width}px screen"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_practitioner_checks_in_with_the_code_then_downloads_the_certificate(
    new_context, tmp_path, width
):
    title = f"Check-in drill at the door (e2e {width})"

    # The coordinator publishes the meeting and makes its check-in poster.
    desk = new_context().new_page()
    log_in(desk, COORDINATOR)
    ics = tmp_path / f"drill-{width}.ics"
    ics.write_text(_starting_soon(title, f"e2e-check-in-{width}@nscal"), encoding="utf-8")
    visit(desk, "/manage/import/")
    desk.locator("input[type=file]").set_input_files(str(ics))
    desk.get_by_label("Publish right away").check()
    desk.get_by_role("button", name="Preview the import").click()
    desk.get_by_role("button", name="Import 1 event(s)").click()
    expect(desk.locator(".flash-success")).to_contain_text("Created 1 event(s)")
    event_id = event_id_by_title(desk, title)

    visit(desk, f"/manage/events/{event_id}/check-in")
    desk.get_by_role("button", name="Make a check-in code").click()
    expect(desk.locator(".flash-success")).to_contain_text("The check-in code is ready.")
    check_a11y(desk)
    code = desk.locator(".check-in-code").inner_text().strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code), code
    expect(desk.locator("svg.qr-code")).to_be_visible()
    link = desk.locator("main code").inner_text()
    assert link.endswith(f"/events/{event_id}/check-in?code={code}")

    # The practitioner, on their own device, registers and checks in.
    phone = new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(phone, MEMBER)
    visit(phone, f"/events/{event_id}")
    phone.get_by_role("button", name="Register", exact=True).click()
    expect(phone.locator(".flash-success")).to_contain_text(f"You are registered for {title}")
    check_a11y(phone)
    _no_overflow(phone, width)
    if width == 390:
        # Scanning the poster opens its link.
        visit(phone, link)
        expect(phone.locator(".notice")).to_contain_text(f"You are checked in at {title}")
    else:
        phone.get_by_label("Check-in code").fill("WRONG2")
        phone.get_by_role("button", name="Check in").click()
        expect(phone.locator(".flash-error")).to_contain_text("That is not the check-in code")
        check_a11y(phone)
        phone.get_by_label("Check-in code").fill(code.lower())
        phone.get_by_role("button", name="Check in").click()
        expect(phone.locator(".flash-success")).to_contain_text(f"You are checked in at {title}")
        expect(phone.locator(".check-in")).to_contain_text("You are checked in")
    check_a11y(phone)
    _no_overflow(phone, width)

    visit(phone, "/my/events")
    _no_overflow(phone, width)
    row = phone.locator("#attendance-heading + ul li", has_text=title)
    expect(row).to_contain_text("Attended")
    with phone.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("Certificate of attendance")).click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"certificate-{event_id}-aino-practitioner")
    with open(download.path(), "rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Certificate of attendance" in text
    assert "Aino Practitioner" in text and title in text
    assert "Total 2 hours" in text

    # The coordinator sees the check-in on the attendance page.
    visit(desk, f"/manage/events/{event_id}/attendance")
    person = desk.locator("tr", has_text="Aino Practitioner")
    expect(person).to_contain_text("Attended")
    expect(person).to_contain_text("checked in")
