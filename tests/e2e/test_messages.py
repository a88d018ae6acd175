"""A coordinator writes to an event's participants with the agenda attached: previews the
mail exactly as a participant gets it, sends it, and finds it in the history, on a
desktop and on a 390 px phone."""

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

WORKSHOP = "Workshop: Young people are important stakeholders"
AGENDA = b"%PDF-1.4\n% the workshop's agenda\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fits(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a {width}px screen"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_coordinator_writes_to_the_participants_with_the_agenda(new_context, tmp_path, width):
    member = new_context().new_page()
    log_in(member, MEMBER)
    event_id = event_id_by_title(member, WORKSHOP)
    visit(member, f"/events/{event_id}")
    register = member.get_by_role("button", name="Register", exact=True)
    if register.count():  # the first run registers; the second finds the place taken
        register.click()
        expect(member.locator(".flash-success")).to_contain_text("You are registered")

    page = new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, COORDINATOR)
    visit(page, f"/manage/events/{event_id}/registrations")
    page.get_by_role("link", name="Write to participants").click()
    expect(page.get_by_role("heading", name=f"Write to participants: {WORKSHOP}")).to_be_visible()
    check_a11y(page)
    fits(page, width)

    subject = f"The agenda ({width} px)"
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Message").fill(
        "Dear all,\n\nthe agenda is attached. The venue map: https://example.org/map"
    )
    agenda = tmp_path / "agenda.pdf"
    agenda.write_bytes(AGENDA)
    page.get_by_label("Attachment (optional)").set_input_files(str(agenda))
    expect(page.get_by_role("checkbox", name="Confirmed")).to_be_checked()
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Check before sending")).to_be_visible()
    expect(page.locator(".recipient-count")).to_have_text("This goes to 1 person: 1 confirmed.")
    expect(page.get_by_role("heading", name="What Aino Practitioner gets")).to_be_visible()
    # Exactly what she gets: in her city's language (Helsinki; she chose none), the
    # coordinator's own words as written.
    expect(page.locator("pre.mail-text")).to_contain_text("Hei Aino Practitioner,")
    expect(page.locator("pre.mail-text")).to_contain_text("the agenda is attached")
    expect(page.locator("pre.mail-text")).to_contain_text(
        "https://meet.example.org/nsc-youth-voices"
    )
    expect(page.get_by_role("link", name="agenda.pdf")).to_be_visible()
    frame = page.frame_locator("iframe.mail-preview")
    expect(frame.get_by_role("link", name="https://example.org/map")).to_be_visible()
    check_a11y(page)
    fits(page, width)

    page.get_by_role("button", name="Send to 1 person").click()
    expect(page.locator(".flash-success")).to_contain_text("Sent to 1 person.")
    assert re.search(rf"/manage/events/{event_id}/messages$", page.url)
    sent = page.get_by_role("article", name=subject)
    expect(sent).to_contain_text("Jeppe Coordinator")
    expect(sent).to_contain_text("1 sent · 0 delivered · 1 waiting · 0 failed")
    expect(sent).to_contain_text("agenda.pdf")
    check_a11y(page)
    fits(page, width)

    page.go_back()  # the preview again: sending twice is not possible
    if page.get_by_role("button", name="Send to 1 person").count():
        page.get_by_role("button", name="Send to 1 person").click()
    expect(page.get_by_role("article", name=subject)).to_have_count(1)
