"""A coordinator adds the minutes of the Malmö meeting and publishes them; the mail
reaches the registered practitioner, whose link downloads the minutes while a visitor's
finds nothing. On a desktop and on a 390 px phone, with axe-core on every page."""

import os
import re
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.e2e.browser import COORDINATOR, MEMBER, ROOT, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

MALMO = "City network meeting in Malmö"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _instance(tmp_path_factory):
    """The live server's instance folder (the session's one e2e instance)."""
    # Resolved: pytest adds a "…current" symbolic link to the newest folder.
    [instance] = {
        path.resolve()
        for path in tmp_path_factory.getbasetemp().glob("e2e-instance*")
        if (path / "e2e.sqlite").exists()
    }
    return instance


def _send_mail(instance, base_url) -> None:
    """Run the mail worker once, as the operator's ``flask send-mail`` does."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NSCAL_")}
    env.update(
        NSCAL_INSTANCE_PATH=str(instance),
        NSCAL_DATABASE_URL=f"sqlite:///{instance / 'e2e.sqlite'}",
        NSCAL_MAIL_BACKEND="file",
        NSCAL_SECRET_KEY="e2e-secret-key-not-for-production",
        NSCAL_BASE_URL=base_url,
    )
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nscal", "send-mail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _mails_to(instance, address: str, subject: str) -> list:
    mails = []
    for path in sorted((instance / "mail").glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if address in message["To"] and message["Subject"] == subject:
            mails.append(message)
    return mails


def _no_overflow(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a {width}px screen"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_coordinator_publishes_the_minutes_and_the_participant_gets_them(
    new_context, live_server, tmp_path_factory, tmp_path, width
):
    viewport = {"width": width, "height": 900}
    title = f"Minutes of the Malmö meeting ({width})"

    # The practitioner registers for the meeting (once; the other width finds it done).
    member = new_context(viewport=viewport, accept_downloads=True).new_page()
    log_in(member, MEMBER)
    visit(member, "/events/?q=Malm%C3%B6")
    member.get_by_role("link", name=MALMO, exact=True).click()
    event_path = member.url.removeprefix(live_server)
    register = member.get_by_role("button", name="Register", exact=True)
    if register.count():
        register.click()
        expect(member.locator(".flash-success")).to_contain_text("You are registered")
    event_id = int(event_path.rstrip("/").rsplit("/", 1)[-1])

    coordinator = new_context(viewport=viewport).new_page()
    log_in(coordinator, COORDINATOR)
    visit(coordinator, f"/manage/events/{event_id}/edit")
    coordinator.get_by_role("link", name="Materials and minutes").click()
    check_a11y(coordinator)
    _no_overflow(coordinator, width)

    # Upload the minutes for registered participants.
    path = tmp_path / "minutes.pdf"
    path.write_bytes(PDF)
    upload = coordinator.get_by_role("region", name="Upload a file")
    upload.get_by_label("File", exact=True).set_input_files(str(path))
    upload.get_by_label("Title", exact=True).fill(title)
    upload.get_by_label("Kind", exact=True).select_option("minutes")
    upload.get_by_label("Who can see it", exact=True).select_option("participants")
    upload.get_by_role("button", name="Upload").click()
    expect(coordinator.locator(".flash-success")).to_contain_text(f"“{title}” is added.")
    check_a11y(coordinator)
    _no_overflow(coordinator, width)

    # An HTML page dressed as a PDF is refused.
    fake = tmp_path / "minutes-fake.pdf"
    fake.write_bytes(b"<!doctype html><script>alert(1)</script>")
    upload.get_by_label("File", exact=True).set_input_files(str(fake))
    upload.get_by_role("button", name="Upload").click()
    expect(coordinator.locator("main")).to_contain_text("Web pages and SVG drawings cannot")
    check_a11y(coordinator)

    # Publish, with a confirm step first.
    row = coordinator.get_by_role("row").filter(has_text=title)
    row.get_by_role("link", name=f"Publish the minutes {title}").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Publish the minutes")
    check_a11y(coordinator)
    coordinator.get_by_role("button", name="Send the minutes").click()
    expect(coordinator.locator(".flash-success")).to_contain_text("is published")
    check_a11y(coordinator)

    # The mail arrives, with a link to the minutes.
    instance = _instance(tmp_path_factory)
    _send_mail(instance, live_server)
    links = set()
    # The member lives in Helsinki and chose no language: her mail is in Finnish.
    for mail in _mails_to(instance, MEMBER, f"Muistio: {MALMO}"):
        text = mail.get_body(("plain",)).get_content()
        links |= set(
            re.findall(rf"{re.escape(live_server)}(/events/{event_id}/materials/\d+)", text)
        )
    material_path = max(links, key=lambda link: int(link.rsplit("/", 1)[1]))

    # The participant sees the minutes on the event page and downloads them.
    visit(member, event_path)
    expect(member.get_by_role("heading", name="Materials")).to_be_visible()
    _no_overflow(member, width)
    with member.expect_download() as download:
        member.get_by_role("link", name=title).click()
    assert download.value.suggested_filename == "minutes.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    # A visitor with the same link finds nothing, and is offered a login.
    visitor = new_context(viewport=viewport).new_page()
    response = visitor.goto(material_path)
    assert response.status == 404
    expect(visitor.locator("main").get_by_role("link", name="log in")).to_be_visible()
    check_a11y(visitor)
    visitor.goto(event_path)
    expect(visitor.get_by_text(title)).to_have_count(0)
